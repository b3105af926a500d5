# __callback__: the callback or None; None after death; read-only (§6 item 44)
# needs: __callback__
import weakref


class Obj:
    pass


def cb(w):
    pass


o = Obj()
r = weakref.ref(o, cb)
plain = weakref.ref(o)
print("__callback__ is cb:", r.__callback__ is cb)
print("plain ref __callback__:", plain.__callback__)
try:
    r.__callback__ = None
except AttributeError:
    print("assigning __callback__: AttributeError")
del o
print("after death:", r.__callback__)
