# walrus (:=): value and binding in conditions, loops and calls; in comprehensions the target binds in the enclosing function or module (a cell when a function's), nested comprehensions, refcounts
# needs: walrus, dict-comp, builtin:max
import sys

if (n := 10) > 5:
    print("n is", n)
print((y := 3) + y, y)
data = [1, 2, 3, 4]
while (item := data.pop()) > 2:
    print("popped", item)
print("stopped at", item, data)
print(max(z := 4, 2), z)

total = 0
squares = [total := total + x for x in range(5)]
print(squares, total)
print([last := c for c in "abc"], last)
print([v for v in range(6) if (half := v // 2) > 1], half)
print([[(deep := i * j) for j in range(2)] for i in range(3)], deep)


def in_function():
    found = None
    hits = [found := w for w in ["x", "yy", "zzz"] if len(w) > 1]
    print(hits, found)
    counts = {k: (seen := k) for k in range(3)}
    print(counts, seen)
    return lambda: found


g = in_function()
print(g())


def cell_shared():
    [marker := m for m in range(3)]
    def read():
        return marker
    marker = "rebound"
    return read()


print(cell_shared())


class Obj:
    pass


o = Obj()
base = sys.getrefcount(o)
print((held := o) is o, sys.getrefcount(o) - base)
del held
print(sys.getrefcount(o) - base)
objs = [o, o]
[keep := p for p in objs]
del objs
print("comprehension target kept at module level:", sys.getrefcount(o) - base, keep is o)


class Body:
    val = (w := 5) * 2
    print("class body walrus", w, val)


print(Body.w, Body.val)
