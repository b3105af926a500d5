# refcounts seen inside called functions: positional, keyword, default, nested calls (3.11 CALL moves refs into the frame)
import sys


class Item:
    pass


x = Item()
base = sys.getrefcount(x)
print("module level:", base)


def one(p):
    return sys.getrefcount(p) - base


def two(p, q):
    return sys.getrefcount(p) - base


def outer(p):
    return one(p)


def local_copy(p):
    q = p
    return sys.getrefcount(p) - base


print("inside f(x):", one(x))
print("inside f(p=x):", one(p=x))
print("same object twice f(x, x):", two(x, x))
print("two calls deep:", outer(x))
print("with a local alias:", local_copy(x))
print("after the calls:", sys.getrefcount(x) - base)


def fresh():
    t = Item()
    return sys.getrefcount(t)


def returns_new():
    return Item()


print("local in its own function:", fresh())
r = returns_new()
print("returned object bound to a name:", sys.getrefcount(r))
