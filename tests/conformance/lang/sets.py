# set and frozenset basics: displays, comprehensions, constructors, types, repr, membership, small-int iteration order
# needs: set, builtin:frozenset, builtin:set, builtin:hash, method:add, method:discard, __name__, builtin:repr, method:copy
s = {3, 1, 2}
print(s, type(s), type(s).__name__, isinstance(s, set), isinstance(s, frozenset))
f = frozenset([5, 4, 4])
print(f, type(f).__name__, isinstance(f, frozenset), set.__name__, frozenset.__name__)
print(set(), frozenset(), set([]), frozenset(()), {0}, frozenset({0}))
print(set("aab") == {"a", "b"}, sorted(set("hello")), sorted(frozenset({"x", "y"})))
print(set(range(5)), set((2, 1)), set({7: "a", 3: "b"}), set(frozenset({9, 8})))
print({x * x for x in range(-3, 4)}, {x for x in range(20) if x % 3 == 0})
print({(i, j) for i in range(2) for j in range(2)} == {(0, 0), (0, 1), (1, 0), (1, 1)})
print(len(set()), len({1, 2, 2, 3}), len(frozenset("abcabc")))
print(bool(set()), bool({0}), bool(frozenset()), not set())
print(2 in s, 5 in s, 5 not in s, "a" in f, 4 in f)
print([x for x in {10, 3, 7}], list(frozenset([6, 2, 9])), sorted({3, -1, 2}))
print({1, 1.0, True}, {0, 0.0, False}, {1.5, 2.5})
# Iteration order is the table's: a small int goes to slot (value & mask).
print({8, 0, 16}, {100, 5, 13}, {1, 9, 17, 25, 33, 41}, {31, 30, 29, 0})
n = 33
print({n, 1, 9}, {1, 9, n}, set([41, 33, 25, 17, 9, 1]))
big = set(range(40, 0, -3))
print(big)
print(set(range(100)) == set(range(99, -1, -1)), len(set(range(1000))))
t = set()
for i in [64, 32, 0, 96, 128]:
    t.add(i)
print(t)
t.discard(0)
t.add(160)
print(t)
# set == frozenset when the elements match; sets never equal lists.
print({1, 2} == frozenset({2, 1}), frozenset() == set(), {1} == [1], {1} != {1, 2})
print({1} < {1, 2}, {1, 2} <= {1, 2}, {1, 2} < {1, 2}, {3} > set(), {1, 2} >= {2})
print(frozenset({1}) < {1, 2}, {1, 3} < {1, 2}, {1, 3} > {1, 2})
# Hashing: frozensets hash, independently of order and of how they were built.
print(hash(frozenset({1, 2, 3})), hash(frozenset()), hash(frozenset([3, 2, 1])))
print(hash(frozenset({-1, 2, 1000000})), hash(frozenset({(1, 2), 3.5})))
d = {frozenset({1, 2}): "pair", frozenset(): "empty"}
print(d[frozenset([2, 1])], d[frozenset()], frozenset({1}) in {frozenset({1}): 0})
print({frozenset({1}), frozenset({1})}, {frozenset()}, frozenset({frozenset({1, 2})}))
print({1} in {frozenset({1})}, set() in {frozenset()})
fs = frozenset({1, 2})
print(frozenset(fs) is fs, fs.copy() is fs, set(fs) is fs)
print(repr({(1, 2)}), str({"q"}), f"{frozenset({5})}", [{1}, frozenset({2})])
print(type({1}) is set, type(frozenset()) is frozenset, type(set) is type)
