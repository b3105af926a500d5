# needs: builtin:UnboundLocalError, builtin:RecursionError, builtin:staticmethod, builtin:classmethod, decorator
# Method calls with local and constant arguments (o.m(x, 1): run as one step when the class's function takes exactly the receiver and those arguments) answer as the general call: references, shadowing, rebinding, defaults, static and class methods, unbound locals, recursion
import sys

class Box:
    def __init__(self, v):
        self.v = v
    def refs(self, a, b):
        return sys.getrefcount(self), sys.getrefcount(a), b
    def get(self):
        return self.v
    def add(self, a, b=100):
        return self.v + a + b
    def down(self, n):
        return self.down(n)
    def chain(self):
        return self.inner.get()
    @staticmethod
    def st(a):
        return "static", a
    @classmethod
    def cl(cls, a):
        return cls.__name__, a

def run(b):
    x = []
    print("refs", sys.getrefcount(b), sys.getrefcount(x), b.refs(x, 3), sys.getrefcount(x))
    print("get", b.get(), "add", b.add(1), b.add(1, 2))
    print(b.st(5), b.cl(6))

b = Box(10)
run(b)

def rebinding(b):
    return b.get()

print(rebinding(b))
Box.get = lambda self: "rebound"
print(rebinding(b))
b.get = lambda: "shadowed by the instance"
print(rebinding(b))
del b.get
def get(self, extra=1):
    return "default", extra
Box.get = get
print(rebinding(b))

def unbound(b, flag):
    if flag:
        v = 1
    return b.refs(v, 0)

try:
    unbound(b, False)
except UnboundLocalError as e:
    print("UnboundLocalError:", e)

try:
    b.down(0)
except RecursionError as e:
    print("RecursionError:", e)

b.inner = Box(42)
Box.get = lambda self: self.v
print(b.chain())
try:
    b.add()
except TypeError as e:
    print("TypeError:", e)
try:
    b.add(1, 2, 3)
except TypeError as e:
    print("TypeError:", e)
