# weakref callbacks fired by collecting cyclic trash see the other trash already dead; callbacks of trash weakrefs never run (§6 items 14, 41)
import gc
import weakref

gc.disable()


class Node:
    pass


seen = []


def outside_cb(w):
    seen.append(("outside", w() is None, ra() is None, rb() is None))


gc.collect()
a = Node()
b = Node()
a.other = b
b.other = a
ra = weakref.ref(a, outside_cb)
rb = weakref.ref(b, outside_cb)
a.inner = weakref.ref(b, lambda w: seen.append("inner callback ran"))
del a, b
print("collect:", gc.collect())
for s in seen:
    print(s)
