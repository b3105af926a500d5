# refcounts through list comprehensions (3.11: a nested function per comprehension, its iterator is the argument)
import sys


class Item:
    pass


x = Item()
xbase = sys.getrefcount(x)
src = [x, x]
sbase = sys.getrefcount(src)
made = [x for i in range(3)]
print("src (2) plus a comprehension result holding x three times:", sys.getrefcount(x) - xbase)
del made
print("result deleted (src still holds x twice):", sys.getrefcount(x) - xbase)
during = [sys.getrefcount(src) - sbase for v in src]
print("iterable seen from inside the comprehension:", during)
print("iterable after it:", sys.getrefcount(src) - sbase)
inner = [sys.getrefcount(x) - xbase for v in src]
print("x seen through the comprehension variable:", inner)
print("after it, the comprehension variable is gone (src holds 2):", sys.getrefcount(x) - xbase)
nested = [[x for j in range(2)] for i in range(2)]
print("nested comprehensions:", sys.getrefcount(x) - xbase)
del nested


def in_function():
    local = [x]
    return [sys.getrefcount(local) for k in range(1)]


# `local` is a cell variable here: the comprehension is a nested function (3.11) that reads it.
print("local list seen from a comprehension in a function:", in_function())
