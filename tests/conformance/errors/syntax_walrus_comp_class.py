# a walrus in a comprehension in a class body, and one rebinding an iteration variable, are compile-time SyntaxErrors: nothing runs, status 1
# needs: walrus
print("never printed: the file does not compile")


class C:
    values = [(last := i) for i in range(3)]


print([i := 0 for i in range(3)])
