# ref equality: live refs compare referents, dead refs compare by identity (§6 item 43)
import weakref


class Obj:
    pass


a = Obj()
b = Obj()
ra1 = weakref.ref(a, lambda w: None)
ra2 = weakref.ref(a, lambda w: None)
rb = weakref.ref(b)
print("distinct refs to one object are equal:", ra1 is not ra2, ra1 == ra2)
print("refs to different objects differ:", ra1 == rb, ra1 != rb)
del a
print("dead refs: equal to themselves:", ra1 == ra1, "to each other:", ra1 == ra2)
print("dead vs live:", ra1 == rb)
try:
    rb < rb
except TypeError:
    print("ordering: TypeError")
