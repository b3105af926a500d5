# a callback runs once when the referent dies and receives the (already dead) weakref itself (§6 item 33)
import weakref


class Obj:
    pass


calls = []


def cb(w):
    calls.append(w)
    print("callback: got r itself:", w is r, "dead:", w() is None)


o = Obj()
r = weakref.ref(o, cb)
print("before del:", len(calls))
del o
print("after del:", len(calls))
o = Obj()
r1 = weakref.ref(o, lambda w: print("callback 1"))
r2 = weakref.ref(o, lambda w: print("callback 2"))
print("two refs with callbacks are distinct:", r1 is not r2)
o = None
print("end")
