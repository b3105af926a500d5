# refcounts held by exception objects and the implicit del of 'except ... as e' at the end of the handler
import sys


class Item:
    pass


x = Item()
base = sys.getrefcount(x)
try:
    raise ValueError(x)
except ValueError as e:
    print("inside the handler:", sys.getrefcount(x) - base)
print("after the handler (e deleted):", sys.getrefcount(x) - base)
saved = None
try:
    raise KeyError(x)
except KeyError as e:
    saved = e
print("exception kept in another name:", sys.getrefcount(x) - base)
saved = None
print("after dropping it:", sys.getrefcount(x) - base)


def thrower(v):
    raise TypeError(v)


def catcher():
    try:
        thrower(x)
    except TypeError as err:
        return sys.getrefcount(x) - base
    return -1


print("caught in a function (traceback keeps frames):", catcher())
print("after return:", sys.getrefcount(x) - base)
