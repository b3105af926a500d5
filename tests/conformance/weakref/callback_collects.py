# a weakref callback that calls gc.collect() is safe, on the refcount path and on the gc path (§6 item 40)
import gc
import weakref

gc.disable()


class Node:
    pass


results = []


def cb(w):
    results.append(gc.collect())


o = Node()
r = weakref.ref(o, cb)
junk = []
junk.append(junk)
del junk
del o
print("refcount path: the callback's collect found the junk:", results)
results.clear()
a = Node()
a.me = a
r2 = weakref.ref(a, cb)
del a
print("gc path collect:", gc.collect())
print("collect inside the callback during gc:", results)
