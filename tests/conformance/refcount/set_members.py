# refcount differences through sets: one reference per membership, none for a duplicate, released by discard/remove/pop/clear and when the set dies
# needs: set, builtin:set, builtin:frozenset, method:add, method:discard, method:copy, method:update, method:union, method:intersection
import sys


class Item:
    pass


a = Item()
b = Item()
base = sys.getrefcount(a)
s = {a}
print("in a set display:", sys.getrefcount(a) - base)
s.add(a)
print("added again (already there):", sys.getrefcount(a) - base)
t = {a, b}
print("in two sets:", sys.getrefcount(a) - base)
f = frozenset([a, a, a])
print("frozenset of three copies:", sys.getrefcount(a) - base)
c = s.copy()
print("after copy:", sys.getrefcount(a) - base)
u = s | t
print("after union:", sys.getrefcount(a) - base)
i = s & {b}
print("after an empty intersection:", sys.getrefcount(a) - base)
c.discard(a)
print("discarded from the copy:", sys.getrefcount(a) - base)
c.discard(a)
print("discarded again:", sys.getrefcount(a) - base)
u.remove(a)
print("removed from the union:", sys.getrefcount(a) - base)
w = {a}
x = w.pop()
print("popped into x:", sys.getrefcount(a) - base)
w.add(x)
print("added back:", sys.getrefcount(a) - base)
del f
print("frozenset deleted:", sys.getrefcount(a) - base)
t.clear()
print("t cleared:", sys.getrefcount(a) - base)
g = {y for y in [a, a]}
print("set comprehension:", sys.getrefcount(a) - base)
del g, s, u, i, c, x, w
print("all deleted:", sys.getrefcount(a) - base)
print("a fresh set:", sys.getrefcount(set()), sys.getrefcount({1, 2}))
big = set()
for n in range(100):
    big.add(Item())
big.add(a)
print("in a set that grew:", sys.getrefcount(a) - base)
big.update([a, b])
print("update with it again:", sys.getrefcount(a) - base)
big.clear()
print("grown set cleared:", sys.getrefcount(a) - base)
