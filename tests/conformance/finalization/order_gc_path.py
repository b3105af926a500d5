# gc path: weakrefs to cyclic trash are cleared and their callbacks run before any __del__; __del__ sees dead weakrefs (§3.4 steps 6-7)
import gc
import weakref

gc.disable()


class Obj:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("__del__", self.name, "weakref dead:", refs[self.name]() is None)


def cb(w):
    print("callback: ref dead:", w() is None)


gc.collect()
a = Obj("a")
b = Obj("b")
a.other = b
b.other = a
refs = {"a": weakref.ref(a, cb), "b": weakref.ref(b)}
del a, b
print("collecting")
print("collect:", gc.collect())
print("done")
