# an unexpected indent is an IndentationError (a SyntaxError) at compile time: no output, status 1
print("never printed")
x = 1
    y = 2
