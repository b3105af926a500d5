# needs: __getitem__, __setitem__, __setattr__, __radd__, __rsub__, builtin:getrefcount, builtin:UnboundLocalError, except-tuple
# Fused instruction pairs answer as the instructions one by one: c[i] op= v read and stored once, a local used as an operand, attribute and method of a local
import sys
# c[i] op= v: COPY 2, COPY 2, BINARY_SUBSCR then SWAP 3, SWAP 2, STORE_SUBSCR.
a = [1, 2.5, "s"]
a[0] += 10
a[1] *= 2
a[-1] += "t"
print(a, sys.getrefcount(a))
d = {"k": 1}
d["k"] -= 3
print(d)
class Box:
    def __getitem__(self, k):
        print("get", k)
        return 7
    def __setitem__(self, k, v):
        print("set", k, v)
b = Box()
b["x"] += 1
b[2] //= 2
for bad in ([1], (1, 2), "ab"):
    try:
        bad[1] += 1
    except (IndexError, TypeError) as e:
        print(type(e).__name__, e)
# A local as the right operand: ints, floats, fallbacks (str, list) and reflected ops.
def ops(x, y):
    s = x + y
    t = x * y
    u = x - y
    return s, t, u
print(ops(3, 4), ops(1.5, 0.25), ops(2, 0.5))
print((lambda x, y: x + y)("ab", "cd"), (lambda x, y: x + y)([1], [2]))
class V:
    def __init__(self, n):
        self.n = n
    def __radd__(self, other):
        return "radd " + str(other)
    def __rsub__(self, other):
        return other * 100
def rops(x, y):
    return x + y, x - y
print(rops(5, V(1)))
# Attributes and methods of a local: instance values, a shadowing attribute, __setattr__.
class P:
    def __init__(self):
        self.a = 1
    def m(self):
        return "method"
class Q(P):
    def __setattr__(self, name, value):
        print("setattr", name, value)
def use(o):
    o.a = 5
    o.c = o.a + 1
    return o.a, o.m(), o.c
p = P()
print(use(p), sys.getrefcount(p))
p.m = lambda: "own"
print(p.m())
q = Q()
try:
    use(q)
except AttributeError as e:
    print("AttributeError", e)
def unbound():
    if False:
        z = 1
    return z.real
try:
    unbound()
except UnboundLocalError as e:
    print(e)
