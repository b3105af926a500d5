# needs: module:sys, builtin:ZeroDivisionError, builtin:OverflowError, builtin:round
# Float arithmetic's quick path writes a result into an operand that is about to die (CPython 3.12+'s reuse); values and references read as CPython 3.11's, where shared operands are never changed
import sys

x = 1.5
y = x * 2.0 + 1.0          # the temporary x * 2.0 takes the result
print(x, y)
u = x
x += 1.0                   # x is shared with u: a new object
print(x, u, x is u)
z = 0.25
w = (z + 0.5) * (z - 0.5) ** 2.0
print(z, w)

a = [0.5, 0.25]
a[0] += a[1] * 2.0         # the list's item is shared: left alone, then replaced
print(a)
b = a[1]
a[1] -= 1.0
print(a, b)

def scale(v, k):
    return v * k - 1.0     # v and k are locals: the product is the temporary

p = 3.0
print(scale(p, 2.0), p)
q = p * 1.0
print(sys.getrefcount(q), sys.getrefcount(q * 2.0))

# Results kept apart: each stays its own value.
parts = [p * i for i in (1.0, 2.0, 3.0)]
print(parts, [q - 1.0 for q in parts])
pairs = [(q, q + 0.0) for q in parts]
print([s is t for (s, t) in pairs], [s == t for (s, t) in pairs])

# A chain of temporaries.
acc = 1.0
for i in range(10):
    acc = acc * 1.5 - 0.25 / (acc + 1.0)
print(round(acc, 9))

# Mixed and failing operations take the general path.
print(2 * 1.5, 1.5 * 2, 7.0 / 2, 2.0 ** 0.5, 0.5 ** -2.0)
try:
    print(1.0 / (x - x))
except ZeroDivisionError as e:
    print("ZeroDivisionError:", e)
try:
    print(10.0 ** 400.0)
except OverflowError as e:
    print("OverflowError:", e)
print(x, u, y, z, w)
