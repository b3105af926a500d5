# gc.collect() called while a collection is running (from a gc callback or a __del__) returns 0 and does not recurse (§3.3)
import gc

gc.disable()
gc.collect()
inner = []


def cb(phase, info):
    if phase == "start":
        inner.append(gc.collect())


gc.callbacks.append(cb)
l = []
l.append(l)
del l
print("outer collect:", gc.collect())
print("inner collect from the start callback:", inner)
gc.callbacks.remove(cb)


class Collector:
    def __del__(self):
        inner.append(gc.collect())


inner.clear()
c = Collector()
c.me = c
del c
print("outer collect with a __del__ that collects:", gc.collect())
print("collect() inside __del__ during gc:", inner)
