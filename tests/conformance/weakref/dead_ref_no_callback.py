# a weakref that dies before its referent never calls back; the referent is unaffected
import weakref


class Obj:
    pass


o = Obj()
r = weakref.ref(o, lambda w: print("must not be printed"))
print("weakref count:", weakref.getweakrefcount(o))
del r
print("weakref count after del r:", weakref.getweakrefcount(o))
del o
print("referent died silently")
o = Obj()
kept = weakref.ref(o, lambda w: print("kept callback runs"))
dropped = weakref.ref(o, lambda w: print("dropped callback must not run"))
del dropped
del o
print("end")
