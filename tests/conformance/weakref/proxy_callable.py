# proxies to callables are CallableProxyType and forward calls with args and kwargs; wrong arity is a TypeError (§6 item 38)
import weakref


def add(a, b=10, **kw):
    return a + b + len(kw)


class Obj:
    pass


class Callable:
    def __call__(self, x):
        return x * 2


p = weakref.proxy(add)
print("function proxy is CallableProxyType:", type(p) is weakref.CallableProxyType)
print("call:", p(1), p(1, 2), p(1, b=5, c=0, d=0))
try:
    p()
except TypeError:
    print("missing argument: TypeError")
o = Obj()
print("plain instance proxy is CallableProxyType:", type(weakref.proxy(o)) is weakref.CallableProxyType)
c = Callable()
pc = weakref.proxy(c)
print("instance with __call__:", type(pc) is weakref.CallableProxyType, pc(21))
del c
try:
    pc(1)
except ReferenceError:
    print("calling a dead proxy: ReferenceError")
