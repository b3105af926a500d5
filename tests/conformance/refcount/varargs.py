# refcounts through *args tuples and **kwargs dicts inside the callee
import sys


class Item:
    pass


x = Item()
base = sys.getrefcount(x)


def star(*args):
    return sys.getrefcount(x) - base


def kw(**kwargs):
    return sys.getrefcount(x) - base


def keep(*args, **kwargs):
    return [args, kwargs]


print("f(*args) called with x:", star(x))
print("f(*args) called with x, x:", star(x, x))
print("f(**kwargs) called with a=x:", kw(a=x))
print("f(**kwargs) called with a=x, b=x:", kw(a=x, b=x))
kept = keep(x, x, k=x)
print("args tuple and kwargs dict kept alive:", sys.getrefcount(x) - base)
del kept
print("after dropping them:", sys.getrefcount(x) - base)
