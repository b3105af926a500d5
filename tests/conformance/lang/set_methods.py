# set and frozenset methods and operators: add/discard/remove/pop/clear/copy, the algebra and its _update forms, in-place operators
# needs: set, builtin:frozenset, builtin:set, method:add, method:copy, method:difference, method:difference_update, method:discard, method:intersection, method:intersection_update, method:isdisjoint, method:issubset, method:issuperset, method:symmetric_difference, method:symmetric_difference_update, method:union, method:update, builtin:max, builtin:min, builtin:sum, slice
s = {1, 2, 3}
print(s.add(4), s, s.add(2), s)
print(s.discard(9), s.discard(1), s, s.remove(4), s)
c = s.copy()
c.add(100)
print(s, c, c is s, s.clear(), s, len(s))
p = {7, 8, 9}
print(p.pop(), p.pop(), p, p.pop(), p)
q = set(range(12))
print([q.pop() for _ in range(4)], q)
q.add(0)
print(q.pop(), q.pop(), sorted(q))
a, b = {1, 2, 3, 4}, {3, 4, 5}
print(a | b, a & b, a - b, b - a, a ^ b)
print(a.union(b), a.union([9], (10,), {11}), a.union(), a.union(a))
print(a.intersection(b), a.intersection([2, 3], range(3, 9)), a.intersection())
print(a.difference(b), a.difference([1], {2}), a.difference(), a.difference(a))
print(a.symmetric_difference(b), a.symmetric_difference([4, 6]), a.symmetric_difference(a))
print(a.issubset(range(10)), a.issubset(b), {3}.issubset([3]), set().issubset(set()))
print(a.issuperset([1, 2]), a.issuperset(b), a.isdisjoint({9}), a.isdisjoint([4]))
print(a.isdisjoint(a), set().isdisjoint(set()), a, b)
x = {1, 2, 3}
x.update([3, 4], {5}, (6,))
print(x, x.update(), x)
x.intersection_update({1, 2, 3, 4, 99}, range(2, 9))
print(x)
x.difference_update([2], {3})
print(x)
x.symmetric_difference_update({4, 7})
print(x)
x.symmetric_difference_update([7, 7, 8])
print(x)
y = z = {1, 2, 3}
y |= {4}
y &= {1, 2, 4, 5}
y -= {2}
y ^= {9, 1}
print(y, z, y is z)
f = g = frozenset({1, 2})
f |= {3}
print(f, g, f is g, type(f).__name__)
f &= {1, 3}
f -= {3}
f ^= {5}
print(f, type(f).__name__)
# The result takes the left operand's type.
print(frozenset({1}) | {2}, {1} | frozenset({2}), frozenset({1, 2}) & {2}, frozenset({1}) - set())
print(frozenset({1}).union({2}), frozenset({3, 4}).difference([3]), frozenset({1}).symmetric_difference({1}))
print(frozenset({1, 2}).issubset({1, 2}), frozenset({1, 2}).isdisjoint(frozenset({3})))
print(set.union({1}, {2}), frozenset.intersection(frozenset({1, 2}), {2}))
# dicts give their keys; strings their characters.
print(sorted({"z"}.union({"k": 1}, "ab")), {1, 2, 3}.difference({2: 0}), {1, 2}.symmetric_difference({2: 0, 3: 0}))
# Large sets keep working through growth and removals.
big = set(range(0, 3000, 3))
big -= set(range(0, 3000, 2))
print(len(big), min(big), max(big), sum(big))
big.difference_update(range(0, 3000, 5))
print(len(big), sorted(big)[:8])
u = set()
for i in range(200):
    u.add(i)
    if i % 4 == 0:
        u.discard(i // 2)
print(len(u), sum(u), 100 in u, 99 in u)
