# sys.getrefcount through module-level names: bind, alias, contain, del (CPython 3.11 counts)
import sys

a = [1, 2, 3]
print("fresh list bound to a name:", sys.getrefcount(a))
b = a
print("after b = a:", sys.getrefcount(a))
c = [a, 4]
print("after c = [a, 4]:", sys.getrefcount(a))
del c
print("after del c:", sys.getrefcount(a))
del b
print("after del b:", sys.getrefcount(a))
b = a
b = [5]
print("after rebinding b elsewhere:", sys.getrefcount(a))
x = y = z = a
print("after x = y = z = a:", sys.getrefcount(a))
del x, y, z
print("after del x, y, z:", sys.getrefcount(a))
