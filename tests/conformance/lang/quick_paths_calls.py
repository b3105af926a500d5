# needs: builtin:UnboundLocalError, builtin:abs, builtin:setattr
# Quick paths for calls and fused instruction pairs answer as the general ones: builtins called on the stack, class calls with exact or other __init__ arguments, an unbound second local, jumps on 'is' and int comparisons, operands released before a handler
import math

# Builtins called on the stack: results, errors, and the stack around them.
print([1, len("ab"), math.sqrt(16.0), abs(-3)])
try:
    print([1, len(5)])
except TypeError as e:
    print("TypeError:", e)
try:
    math.sqrt(-1.0)
except ValueError as e:
    print("ValueError:", e)

# Class calls whose __init__ takes exactly the arguments, or not.
class Pt:
    def __init__(self, x, y):
        self.x = x
        self.y = y
print(Pt(1, 2).y)
try:
    Pt(1)
except TypeError as e:
    print("TypeError:", e)
Pt.__init__ = lambda self, x, y=7: setattr(self, "y", y)
print(Pt(1).y, Pt(1, 2).y)

# Fused pairs: an unbound second local, 'is' and int comparisons driving jumps.
def f(a):
    if a > 2:
        b = 1
    return a + b
try:
    f(1)
except UnboundLocalError as e:
    print("UnboundLocalError:", e)
print(f(3), [x for x in (None, 0, 3, None) if x is not None], [n for n in range(6) if n >= 4])
try:
    1.0 / 0.0
except ZeroDivisionError as e:
    print("ZeroDivisionError:", e)

# A failed operation releases its left operand before the handler runs.
class D:
    def __del__(self):
        print("D deleted")
try:
    D() + 1
except TypeError as e:
    print("TypeError:", e)
