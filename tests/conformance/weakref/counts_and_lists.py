# getweakrefcount/getweakrefs: basic ref first, proxy second, callback refs newest first; 0 and [] for non-weakrefable (§6 item 39)
# needs: weakref.getweakrefs
import weakref


class Obj:
    pass


o = Obj()
c1 = weakref.ref(o, lambda w: None)
basic = weakref.ref(o)
c2 = weakref.ref(o, lambda w: None)
p = weakref.proxy(o)
c3 = weakref.ref(o, lambda w: None)
order = []
for w in weakref.getweakrefs(o):
    if w is basic:
        order.append("basic")
    elif w is c1:
        order.append("c1")
    elif w is c2:
        order.append("c2")
    elif w is c3:
        order.append("c3")
    else:
        order.append("proxy")
print("count:", weakref.getweakrefcount(o))
print("order:", order)
del c2
print("after del c2:", weakref.getweakrefcount(o))
print("int:", weakref.getweakrefcount(1), weakref.getweakrefs(1))
del o
print("all dead after the referent died:", basic() is None, c1() is None, c3() is None)
