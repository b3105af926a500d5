# a walrus in a comprehension's iterable is a compile-time SyntaxError: nothing runs, status 1
# needs: walrus
print("never printed: the file does not compile")
print([x for x in (y := [1, 2])])
