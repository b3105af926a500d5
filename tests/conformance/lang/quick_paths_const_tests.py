# needs: builtin:UnboundLocalError, __eq__, __lt__
# A local tested against a constant feeding a jump (`if x is None:`, `while n > 0:`) runs as one step; each answer, the general comparisons (__eq__, floats, strs), values kept rather than jumped on, unbound locals and references read as CPython 3.11's
import sys

def kind(x):
    if x is None:
        return "none"
    if x is not None and x == 0:
        return "zero"
    if x != 1:
        return "other"
    return "one"

print([kind(v) for v in (None, 0, 1, 2, -5, 0.0, 1.0, "0", False, True)])

def countdown(n):
    steps = 0
    while n > 0:
        n -= 1
        steps += 1
    while n >= -3:
        n -= 1
    return steps, n

print(countdown(5), countdown(0), countdown(-10))

class Eq:
    def __init__(self, name):
        self.name = name
    def __eq__(self, other):
        print("__eq__", self.name, other)
        return other == 7
    def __lt__(self, other):
        print("__lt__", self.name, other)
        return True

def test(o):
    if o == 7:
        print("equal")
    if o < 3:
        print("less")
    if o is None:
        print("none")
    return o == 7

print(test(Eq("e")), test(7), test(2))

def kept(x):
    a = x is None
    b = x == 3
    c = x < 10
    return a, b, c

print(kept(None) if False else kept(3), kept(20))

def unbound(flag):
    if flag:
        y = 1
    if y is None:
        return "none"
    return "set"

print(unbound(True))
try:
    unbound(False)
except UnboundLocalError as e:
    print("UnboundLocalError:", e)

big = int("1000000")  # not the constant below: CPython would merge equal constants
def refs(v):
    if v is big:
        pass
    if v == 1000000:
        pass
    return sys.getrefcount(v)

print(refs(big), sys.getrefcount(big))
