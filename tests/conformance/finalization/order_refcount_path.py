# refcount path: __del__ runs first and still sees live weakrefs; then weakref callbacks run, newest first (§2.2, §4)
import weakref


class Obj:
    def __del__(self):
        print("__del__: weakref alive inside __del__:", r1() is self)


def cb1(w):
    print("callback 1: ref dead:", w() is None)


def cb2(w):
    print("callback 2: ref dead:", w() is None, "r1 dead too:", r1() is None)


o = Obj()
r1 = weakref.ref(o, cb1)
r2 = weakref.ref(o, cb2)
print("dropping the last reference")
del o
print("done")
