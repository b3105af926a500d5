# sys.getrefcount: needs exactly one argument; counts bindings of a fresh object (+1 per global, -1 on del) (§6 item 50)
import sys


class Obj:
    pass


try:
    sys.getrefcount()
except TypeError:
    print("no argument: TypeError")
try:
    sys.getrefcount(1, 2)
except TypeError:
    print("two arguments: TypeError")
o = Obj()
base = sys.getrefcount(o)
print("fresh object bound to one name:", base)
g = o
print("bound to a second global:", sys.getrefcount(o) - base)
del g
print("deleted again:", sys.getrefcount(o) - base)
print("returns an int:", type(sys.getrefcount(o)).__name__)
