# refcount differences through instance and class attributes (set, replace, del, instance dropped)
import sys


class Box:
    pass


x = [0]
base = sys.getrefcount(x)
b = Box()
b.item = x
print("instance attribute:", sys.getrefcount(x) - base)
b.other = x
print("second attribute:", sys.getrefcount(x) - base)
b.item = None
print("attribute replaced:", sys.getrefcount(x) - base)
del b.other
print("del attribute:", sys.getrefcount(x) - base)
Box.shared = x
print("class attribute:", sys.getrefcount(x) - base)
print("read through instance is the same object:", b.shared is x)
print("reading does not keep a reference:", sys.getrefcount(x) - base)
del Box.shared
print("del class attribute:", sys.getrefcount(x) - base)
b.item = x
b2 = Box()
b2.item = x
print("two instances:", sys.getrefcount(x) - base)
del b
print("one instance dropped:", sys.getrefcount(x) - base)
b2.__dict__["item"] = 5
print("overwritten through __dict__:", sys.getrefcount(x) - base)
