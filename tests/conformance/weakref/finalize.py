# weakref.finalize: runs once (returns func's result, then None), alive flips, peek/detach, several fire newest first (§6 item 49)
# needs: method:detach, method:peek, weakref.finalize
import weakref


class Obj:
    pass


def report(tag, extra="-"):
    print("finalizer", tag, extra)
    return tag


o = Obj()
f = weakref.finalize(o, report, "called", extra="kw")
print("alive:", f.alive)
print("first call returns:", f())
print("second call returns:", f())
print("alive after call:", f.alive)
o2 = Obj()
g = weakref.finalize(o2, report, "peeked")
pk = g.peek()
print("peek: obj is o2:", pk[0] is o2, "args:", pk[2], "kwargs:", pk[3])
dt = g.detach()
print("detach returns the same:", dt[0] is o2, "alive:", g.alive, "detach again:", g.detach())
del pk, dt
del o2
print("detached finalizer did not run")
o3 = Obj()
weakref.finalize(o3, report, "first")
weakref.finalize(o3, report, "second")
weakref.finalize(o3, report, "third")
print("dropping o3")
del o3
print("end")
