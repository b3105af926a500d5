# refcount differences through tuples: literal, tuple(list), unpacking, nesting
import sys


class Item:
    pass


x = Item()
base = sys.getrefcount(x)
t = (x, x, 1)
print("tuple holding x twice:", sys.getrefcount(x) - base)
lst = [x, x, x]
t2 = tuple(lst)
print("plus list of 3 and tuple(list):", sys.getrefcount(x) - base)
del lst
print("after del of the list:", sys.getrefcount(x) - base)
p, q, r = t2
print("after unpacking into 3 names:", sys.getrefcount(x) - base)
del p, q, r, t2
print("after del names and t2:", sys.getrefcount(x) - base)
outer = ((x,), [x])
print("nested tuple and list:", sys.getrefcount(x) - base)
del outer, t
print("after del all:", sys.getrefcount(x) - base)
