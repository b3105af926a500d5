# keyword-only parameters (after * and *args): binding, defaults at definition time, __kwdefaults__, CPython's TypeErrors, methods/lambdas/closures/__init__/super(), refcounts
# needs: kwonly, __defaults__, __kwdefaults__, __qualname__
import sys
def err(call):
    try:
        call()
    except TypeError as e:
        print("TypeError:", e)
def f(a, *, b, c=2):
    return (a, b, c)
def g(*args, key=None, **kw):
    return (args, key, kw)
def h(a, *, b=1):
    return (a, b)
print(f(1, b=5), f(1, b=5, c=6), f(c=1, b=2, a=0))
print(g(), g(1, 2, key=3, z=4), g(z=1))
print(h(5), h(5, b=6), h(a=7))
print(f.__defaults__, f.__kwdefaults__, g.__kwdefaults__, h.__kwdefaults__)
err(lambda: f(1))
def f2(a, *, b, c):
    pass
err(lambda: f2(1))
def f3(a, b, c, *, d, e, f):
    pass
err(lambda: f3(1, 2, 3))
err(lambda: f2(1, 2))
err(lambda: f2(1, 2, b=3))
err(lambda: f2(1, 2, b=3, c=4))
err(lambda: f(1, b=2, x=3))
err(lambda: f(1, 2, a=3))
err(lambda: h(1, 2, 3))
n = 10
def defaults_now(*, k=n):
    return k
n = 20
print(defaults_now(), defaults_now(k=3))
f.__kwdefaults__ = {"b": 9, "c": 8}
print(f(1), f.__kwdefaults__)
f.__kwdefaults__ = None
err(lambda: f(1))
try:
    f.__kwdefaults__ = 3
except TypeError as e:
    print("TypeError:", e)

class C:
    def __init__(self, a, *, key=7):
        self.a = a
        self.key = key
    def m(self, x, *, y):
        return (self.a, x, y)

class D(C):
    def __init__(self, a, *, key):
        super().__init__(a, key=key * 2)
print(C(1).key, C(1, key=2).key, D(3, key=4).key, C(1).m(2, y=3))
err(lambda: C(1).m(2))
err(lambda: D(1))
err(lambda: C(1, 2))
lam = lambda x, *, y=3: (x, y)
print(lam(1), lam(1, y=4), (lambda *, z: z)(z=5))
err(lambda: lam(1, 2))
def outer(s):
    def inner(x, *, scale=s):
        return x * scale
    return inner
print(outer(3)(2), outer(3)(2, scale=10), outer(2).__qualname__)
err(lambda: outer(1)(1, scale=1, x=2))
o = []
base = sys.getrefcount(o)
def rc(a, *, b):
    return sys.getrefcount(b) - base
def rc2(*, b=o):
    return sys.getrefcount(b) - base
print(rc(1, b=o), sys.getrefcount(o) - base, rc2(), rc2(b=o), sys.getrefcount(o) - base)
