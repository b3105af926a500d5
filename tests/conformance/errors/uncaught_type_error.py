# TypeError from a bad call and from bad operands: the first uncaught one ends the script (status 1)
def two(a, b):
    return a + b


print(two(1, 2))
try:
    two(1)
except TypeError:
    print("caught the first")
print(two("a", 1))
print("not reached")
