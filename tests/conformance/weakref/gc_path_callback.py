# a weakref (held outside the trash) to a member of cyclic trash: its callback runs during collect with the referent dead (§3.4 step 6)
import gc
import weakref

gc.disable()


class Node:
    pass


events = []


def cb(w):
    events.append("callback, dead: " + str(w() is None))


gc.collect()
a = Node()
a.me = a
r = weakref.ref(a, cb)
del a
print("before collect:", events, "alive:", r() is not None)
n = gc.collect()
print("collect:", n)
print("events:", events)
print("ref dead:", r() is None)
