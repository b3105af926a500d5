# a duplicate parameter name is a compile-time SyntaxError (found by the symbol table, not the parser): nothing runs, status 1
print("not printed")


def f(a, b, a):
    return a


print(f(1, 2, 3))
