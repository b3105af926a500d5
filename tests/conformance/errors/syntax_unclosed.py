# an unclosed parenthesis is a SyntaxError at compile time: no output, status 1
print("never printed")
def f(x:
    return x
