# callback-less refs (and proxies) are shared; refs with callbacks are not (§6 item 35, §4)
import weakref


class Obj:
    pass


o = Obj()
r1 = weakref.ref(o)
r2 = weakref.ref(o)
print("ref(o) is ref(o):", r1 is r2)
print("ref(o, None) is ref(o):", weakref.ref(o, None) is r1)
c = weakref.ref(o, lambda w: None)
print("a ref with callback is new:", c is not r1)
r3 = weakref.ref(o)
print("still shared after a callback ref was made:", r3 is r1)
p1 = weakref.proxy(o)
p2 = weakref.proxy(o)
print("proxy(o) is proxy(o):", p1 is p2)
print("count: ref + proxy + callback ref:", weakref.getweakrefcount(o))
del r1, r2, r3
print("every name of the shared ref dropped, it is gone; count:", weakref.getweakrefcount(o))
r4 = weakref.ref(o)
print("a new basic ref after the old one died:", weakref.getweakrefcount(o))
