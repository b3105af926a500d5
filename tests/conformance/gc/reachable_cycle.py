# a cycle reachable from a live object survives collection; once unreachable it is collected
import gc

gc.disable()


class Node:
    pass


gc.collect()
holder = [None]
a = Node()
b = Node()
a.other = b
b.other = a
holder[0] = a
del a, b
print("cycle still reachable from holder:", gc.collect())
print("holder still sees it:", type(holder[0].other.other).__name__)
holder[0] = None
print("after holder let go:", gc.collect())
outer = []
inner = []
inner.append(inner)
outer.append(inner)
del inner
print("self-cycle held by a live list:", gc.collect())
outer.clear()
print("after clear:", gc.collect())
