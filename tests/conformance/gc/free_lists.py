# Free lists (CPython 3.11): a list, dict or tuple made from its type's free list, or put on it, leaves get_count()[0] alone; a full collection empties the lists
# Readings are taken before any print() and each right after the one before, so the only
# allocations between two readings are the ones on the line between them.
import gc
gc.disable()
gc.collect()
x = []
del x
gc.get_count()
c1 = gc.get_count()[0]
y = []
c2 = gc.get_count()[0]
z = []
c3 = gc.get_count()[0]
del y, z
c4 = gc.get_count()[0]
w = [[], [], []]
c5 = gc.get_count()[0]
print("list from the free list:", c2 - c1)
print("list with the free list empty:", c3 - c2)
print("two lists onto the free list:", c4 - c3)
print("three lists from it, one new:", c5 - c4)
d = {"a": [1]}
del d
c6 = gc.get_count()[0]
e = {"b": [2]}
c7 = gc.get_count()[0]
print("dict and list from the free lists:", c7 - c6)
a, b = [1], [2]
t = (a, b)
del t
c8 = gc.get_count()[0]
u = (b, a)
c9 = gc.get_count()[0]
print("tuple from the free list:", c9 - c8, gc.is_tracked(u))
gc.collect()
c10 = gc.get_count()[0]
f = {"c": [3]}
c11 = gc.get_count()[0]
print("after a full collection emptied them:", c11 - c10)
