# weakref.ref: calling returns the referent while alive and None after; refs to functions, classes, lambdas (§6 item 32)
import weakref


class Obj:
    def meth(self):
        return 1


def func():
    return 2


o = Obj()
r = weakref.ref(o)
print("alive:", r() is o)
print("type:", type(r).__name__)
del o
print("after del:", r())
rf = weakref.ref(func)
print("function:", rf() is func)
rc = weakref.ref(Obj)
print("class:", rc() is Obj)
lam = lambda: 3
rl = weakref.ref(lam)
print("lambda:", rl()())
del lam
print("lambda dropped:", rl())
print("builtin function:", weakref.ref(len)() is len)
o2 = Obj()
rm = weakref.ref(o2.meth)
print("weakref to a temporary bound method dies at once:", rm())
m = o2.meth
rm2 = weakref.ref(m)
print("to a held bound method:", rm2() is m)
