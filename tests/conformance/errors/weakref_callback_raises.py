# an exception in a weakref callback is reported on stderr; the other callbacks still run and execution continues
import weakref


class Obj:
    pass


def good(w):
    print("good callback ran")


def bad(w):
    print("bad callback ran")
    raise ValueError("from callback")


o = Obj()
r1 = weakref.ref(o, good)
r2 = weakref.ref(o, bad)
r3 = weakref.ref(o, good)
del o
print("continued after the callbacks")
o = Obj()
p = weakref.proxy(o, bad)
o = None
print("continued after the proxy callback")
