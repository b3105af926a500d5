# Lesson 2: reference cycles. A list that contains itself always has a reference from its own
# slot, so its count never reaches zero and reference counting never frees it. The cycle
# collector (gc) finds such groups of objects that only reference each other and frees them.
#
# What to watch:
#   - a = []; a.append(a) reads 3: the name, the list's own slot, getrefcount's argument;
#   - after `del a` the list is unreachable but still alive (the weakref to the Node shows it);
#   - gc.collect() returns how many unreachable objects it found and freed.
import gc
import sys
import weakref

gc.disable()  # no automatic collection: only our gc.collect() calls free cycles
gc.collect()  # start from a clean heap

a = []
print("a = []                 ", sys.getrefcount(a))
a.append(a)
print("a.append(a)            ", sys.getrefcount(a))
del a
print("del a: the list is unreachable, yet its count is still 1")
print("gc.collect() freed     ", gc.collect(), "object")

x = []
y = [x]
x.append(y)
del x, y
print("two lists, x <-> y:    ", gc.collect(), "objects freed")


class Node:
    def __init__(self, name):
        self.name = name
        self.other = None


first = Node("first")
second = Node("second")
first.other = second
second.other = first
watch = weakref.ref(first)
del first, second
print("two Nodes, del'd:       alive?", watch() is not None)
print("gc.collect() freed     ", gc.collect(), "objects (instance dicts are inline in 3.11)")
print("after collect:          alive?", watch() is not None)
