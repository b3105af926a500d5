# refcounts held by closure cells: capture, nonlocal rebinding, dropping the closure
import sys


class Item:
    pass


x = Item()
base = sys.getrefcount(x)


def make(v):
    def inner():
        return v
    return inner


f = make(x)
print("captured by one closure:", sys.getrefcount(x) - base)
g = make(x)
print("captured by two closures:", sys.getrefcount(x) - base)
print("calling the closure keeps no reference:", f() is x, sys.getrefcount(x) - base)
del g
print("one closure dropped:", sys.getrefcount(x) - base)


def rebinder(v):
    def swap(new):
        nonlocal v
        old = v
        v = new
        return old
    return swap


s = rebinder(x)
print("held by a nonlocal cell:", sys.getrefcount(x) - base)
s(None)
print("cell rebound to None:", sys.getrefcount(x) - base)
del f, s
print("all closures dropped:", sys.getrefcount(x) - base)
lam = lambda: x
print("lambda reading a global holds nothing:", sys.getrefcount(x) - base)
