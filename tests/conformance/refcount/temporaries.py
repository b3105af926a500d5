# getrefcount of temporaries: a freshly created object passed straight to getrefcount
import sys


class Thing:
    pass


print("temporary list:", sys.getrefcount([]))
print("temporary list with items:", sys.getrefcount([1, 2]))
print("temporary dict:", sys.getrefcount({}))
print("temporary instance:", sys.getrefcount(Thing()))
print("temporary object():", sys.getrefcount(object()))
print("temporary tuple of a list:", sys.getrefcount(([],)))
o = Thing()
print("instance bound to a name:", sys.getrefcount(o))
print("list holding o, as temporary:", sys.getrefcount([o]))
print("o while the temporary list is gone:", sys.getrefcount(o))
