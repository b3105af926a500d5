# default argument values are referenced by the function object (evaluated once at def time)
import sys


class Item:
    pass


x = Item()
base = sys.getrefcount(x)


def f(a=x, b=x):
    return a


print("two defaults bound to x:", sys.getrefcount(x) - base)
g = lambda a=x: a
print("plus a lambda default:", sys.getrefcount(x) - base)
print("call using the default:", f() is x, sys.getrefcount(x) - base)
del f
print("after del f:", sys.getrefcount(x) - base)
del g
print("after del g:", sys.getrefcount(x) - base)


def maker():
    def inner(v=x):
        return v
    return inner


h1 = maker()
h2 = maker()
print("two inner functions made by maker():", sys.getrefcount(x) - base)
del h1, h2
print("after dropping them:", sys.getrefcount(x) - base)
