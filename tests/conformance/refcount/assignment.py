# refcounts through chained assignment, tuple unpacking, swaps and nested targets
import sys


class Item:
    pass


x = Item()
y = Item()
xb = sys.getrefcount(x)
yb = sys.getrefcount(y)
p = q = x
print("chained p = q = x:", sys.getrefcount(x) - xb)
p, q = y, y
print("tuple-assigned p, q = y, y: x", sys.getrefcount(x) - xb, "y", sys.getrefcount(y) - yb)
p, q = q, x
print("swap-like p, q = q, x: x", sys.getrefcount(x) - xb, "y", sys.getrefcount(y) - yb)
[m, (n, o)] = [x, (y, x)]
print("nested targets: x", sys.getrefcount(x) - xb, "y", sys.getrefcount(y) - yb)
del p, q, m, n, o
print("after del: x", sys.getrefcount(x) - xb, "y", sys.getrefcount(y) - yb)
pairs = [(x, y), (y, x)]
for (a, b) in pairs:
    pass
print("for-target unpacking leaves a, b bound: x", sys.getrefcount(x) - xb, "y", sys.getrefcount(y) - yb)
