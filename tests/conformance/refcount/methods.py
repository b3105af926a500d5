# refcounts of self inside methods: direct call (LOAD_METHOD, no bound method), held bound method, Class.method(obj)
import sys


class Obj:
    def count(self):
        return sys.getrefcount(self)


o = Obj()
base = sys.getrefcount(o)
print("module level:", base)
print("o.count() sees:", o.count() - base)
print("Obj.count(o) sees:", Obj.count(o) - base)
m = o.count
print("bound method held in m:", sys.getrefcount(o) - base)
print("m() sees:", m() - base)
print("Obj.count(o) while m is held:", Obj.count(o) - base)
del m
print("after del m:", sys.getrefcount(o) - base)
ms = [o.count, o.count]
print("two bound methods in a list:", sys.getrefcount(o) - base)
del ms
print("after del of the list:", sys.getrefcount(o) - base)
