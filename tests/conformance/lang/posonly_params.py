# positional-only parameters (before /): binding, defaults, a keyword named like one going to **kwargs, CPython's TypeErrors, methods/lambdas/closures/__init__, mixed with keyword-only ones, refcounts
# needs: posonly, kwonly, __defaults__, __kwdefaults__
import sys
def err(call):
    try:
        call()
    except TypeError as e:
        print("TypeError:", e)
def p(a, b=2, /):
    return (a, b)
def q(a, /, b, c=3):
    return (a, b, c)
def r(a, b=1, /, c=2, *, d, **kw):
    return (a, b, c, d, kw)
def s(a, /, **kw):
    return (a, kw)
print(p(1), p(1, 5), q(1, 2), q(1, b=2), q(1, c=4, b=5))
print(r(1, d=4), r(1, 2, 3, d=4, a=9, b=8), s(1, a=2))
print(p.__defaults__, r.__defaults__, r.__kwdefaults__)
err(lambda: p(a=1))
err(lambda: p(1, b=2))
def p2(a, b, /, c):
    pass
err(lambda: p2(a=1, b=2, c=3))
err(lambda: p2(1, 2, 3, x=1))
err(lambda: p2(1, 2, x=1, a=3))
err(lambda: p2(1, 2))
err(lambda: p2(1))
err(lambda: p(1, 2, 3))
err(lambda: q(1, 2, 3, 4))
err(lambda: q(1, 2, b=3))
err(lambda: r(1, 2, 3, 4, d=5))
err(lambda: r(1, 2, 3))
class C:
    def __init__(self, x, /, y=0):
        self.t = (x, y)
    def m(self, a, /, *, k=1):
        return (self.t, a, k)
class D(C):
    def __init__(self, x, /, **kw):
        super().__init__(x, y=kw["x"])
print(C(1).t, C(1, 2).t, C(1, y=3).t, C(0).m(5), C(0).m(5, k=6), D(7, x=8).t)
err(lambda: C(x=1))
err(lambda: C(0).m(a=1))
err(lambda: C(0).m(1, 2))
lam = lambda a, /, b=2: (a, b)
print(lam(1), lam(1, b=3), lam(1, 4))
err(lambda: lam(a=1))
def outer(n):
    def inner(x, /, y=n):
        return x + y
    return inner
print(outer(1)(2), outer(1)(2, 3), outer(1)(2, y=5))
err(lambda: outer(1)(x=2))
o = []
base = sys.getrefcount(o)
def rc(a, /, b):
    return sys.getrefcount(a) - base
def rc2(a=o, /):
    return sys.getrefcount(a) - base
print(rc(o, 1), rc(o, b=2), rc2(), rc2(o), sys.getrefcount(o) - base)
