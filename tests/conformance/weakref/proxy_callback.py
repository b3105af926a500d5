# proxies with callbacks are not shared; the callback receives the dead proxy; proxies count in getweakrefcount (§6 items 35, 36)
import weakref


class Obj:
    pass


o = Obj()
got = []
p1 = weakref.proxy(o, lambda w: got.append(w))
p2 = weakref.proxy(o)
print("proxy with callback is not the shared one:", p1 is not p2)
r = weakref.ref(o)
print("count (2 proxies + 1 ref):", weakref.getweakrefcount(o))
del o
print("callback ran once:", len(got), "with p1:", got[0] is p1)
try:
    got[0].anything
except ReferenceError:
    print("dead proxy in the callback: ReferenceError")
