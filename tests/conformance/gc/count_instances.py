# get_count()[0] grows by exactly one per new instance of a user class and shrinks by one per free (C06, §3.2, §3.3)
# Readings are taken before any print() (printing can allocate), after a warm-up that refills the
# tuple free lists emptied by collect(2): get_count()'s 3-tuple and the call's argument tuple.
import gc

gc.disable()


class Obj:
    def __init__(self, v):
        self.v = v


gc.collect()
keep = [None] * 500
gc.get_count()
Obj(0)
c0 = gc.get_count()[0]
for i in range(500):
    keep[i] = Obj(i)
c1 = gc.get_count()[0]
for i in range(100):
    keep[i] = None
c2 = gc.get_count()[0]
o = Obj(1)
c3 = gc.get_count()[0]
del o
c4 = gc.get_count()[0]
print("500 instances kept:", c1 - c0)
print("100 of them freed by refcount:", c2 - c1)
print("one created, then freed:", c3 - c2, c4 - c3)
