# global statement and function locals: what holds the object during and after a call
import sys


class Item:
    pass


x = Item()
base = sys.getrefcount(x)
stash = None


def keep_global(v):
    global stash
    stash = v


def use_local(v):
    a = v
    b = v
    return sys.getrefcount(v) - base


print("three names inside the frame:", use_local(x))
print("locals released on return:", sys.getrefcount(x) - base)
keep_global(x)
print("stored in a global via 'global':", sys.getrefcount(x) - base)
stash = None
print("global rebound:", sys.getrefcount(x) - base)


def returns_arg(v):
    return v


y = returns_arg(x)
print("returned argument bound to y:", sys.getrefcount(x) - base)
returns_arg(x)
print("returned value discarded:", sys.getrefcount(x) - base)
