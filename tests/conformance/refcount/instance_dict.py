# reading obj.__dict__ materialises a dict but does not change the refcounts of the attribute values
import sys


class Obj:
    def __init__(self, v):
        self.a = v
        self.b = v


x = [0]
base = sys.getrefcount(x)
o = Obj(x)
print("two attributes:", sys.getrefcount(x) - base)
d = o.__dict__
print("after reading __dict__:", sys.getrefcount(x) - base)
print("keys in insertion order:", list(d))
d["c"] = x
print("stored through __dict__:", sys.getrefcount(x) - base, o.c is x)
del d
obase = sys.getrefcount(o)
dd = o.__dict__
print("the dict does not reference its owner:", sys.getrefcount(o) - obase)
del dd, o
print("owner dropped:", sys.getrefcount(x) - base)
