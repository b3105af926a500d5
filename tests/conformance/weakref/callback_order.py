# several callbacks on one referent run newest first, and every ref is dead before the first runs (§4, §6 item 33)
import weakref


class Obj:
    pass


order = []
o = Obj()
refs = []


def make_cb(i):
    def cb(w):
        order.append(i)
        order.append(all_dead())
    return cb


def all_dead():
    return not any([r() is not None for r in refs])


for i in range(1, 6):
    refs.append(weakref.ref(o, make_cb(i)))
del o
print("callback order:", order)
