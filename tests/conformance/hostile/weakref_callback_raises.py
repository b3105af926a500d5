# weakref callbacks that raise: the error is ignored (stderr), callbacks run newest first and all of them run
import gc
import weakref

gc.disable()


class Obj:
    pass


def noisy(name):
    def callback(ref):
        print("callback", name)
        if name == "middle":
            raise ValueError("callback " + name)
    return callback


o = Obj()
refs = [weakref.ref(o, noisy("first")), weakref.ref(o, noisy("middle")), weakref.ref(o, noisy("last"))]
del o
print("continued; all dead:", refs[0]() is None and refs[2]() is None)
o = Obj()
o.me = o
r = weakref.ref(o, noisy("middle"))
del o
print("collect:", gc.collect())
print("done")
