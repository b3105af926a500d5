# needs: builtin:UnboundLocalError, builtin:RecursionError, builtin:len
# Calls of a global function with local and constant arguments (f(x, 1): run as one step when the global is a plain function taking exactly those arguments) answer as the general call: references, unbound locals, rebinding, defaults, closures, builtins and classes, recursion limits, errors in the callee
import sys

def refs(a, b, c):
    return sys.getrefcount(a), sys.getrefcount(b), c

def caller():
    x = []
    y = ["held"]
    before = sys.getrefcount(x)
    inside = refs(x, y, 3)
    print("before", before, "inside", inside, "after", sys.getrefcount(x))

caller()

def unbound(flag):
    if flag:
        v = 1
    return refs(v, v, 0)

try:
    unbound(False)
except UnboundLocalError as e:
    print("UnboundLocalError:", e)

def target(a):
    return "first", a

def calls_target(x):
    return target(x)

print(calls_target(1))
def target(a):
    return "rebound", a
print(calls_target(2))
target = len
print(calls_target("four"))

def with_default(a, b=10):
    return a + b

def calls_default(x):
    return with_default(x), with_default(x, 1)

print(calls_default(5))

def outer(k):
    def inner(v):
        return v * k
    return inner

adder = outer(3)
def calls_closure(x):
    return adder(x), adder(2)
print(calls_closure(4))

class Point:
    def __init__(self, x):
        self.x = x
def make(x):
    return Point(x).x
print(make(7))
def down(n):
    return down(n)
try:
    down(0)
except RecursionError as e:
    print("RecursionError:", e)

def deep(n):
    return 1 // n
def middle(n):
    return deep(n)

try:
    middle(0)
except ZeroDivisionError as e:
    print("ZeroDivisionError:", e)
