# instances in cycles: 3.11 managed (inline) dicts count 1 per instance until __dict__ is materialised (§3.2, C03)
import gc

gc.disable()


class Node:
    pass


gc.collect()
a = Node()
a.me = a
del a
print("self-cycle instance:", gc.collect())
a = Node()
b = Node()
a.other = b
b.other = a
del a, b
print("two instances:", gc.collect())
a = Node()
a.me = a
print("keys of __dict__:", list(a.__dict__))
del a
print("self-cycle after __dict__ was read:", gc.collect())
a = Node()
b = Node()
a.other = b
b.other = a
a.__dict__["x"] = 1
del a, b
print("pair, one __dict__ materialised:", gc.collect())
print("nothing left:", gc.collect())
