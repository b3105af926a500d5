# sys.getsizeof of sets in CPython 3.11: 216 bytes with the inline 8-slot table, then 16 per slot as the table grows x4 at 3/5 full; removals never shrink it
# needs: set, dict-comp, builtin:set, builtin:frozenset, sys.getsizeof, method:add, method:discard, method:update, method:difference_update, method:copy
import sys

print("set():", sys.getsizeof(set()), "frozenset():", sys.getsizeof(frozenset()))
s = set()
sizes = [(0, sys.getsizeof(s))]
for i in range(400):
    s.add(i)
    if sys.getsizeof(s) != sizes[-1][1]:
        sizes.append((len(s), sys.getsizeof(s)))
print("growth while adding 400 ints:", sizes)
for n in (4, 5, 19, 77, 307, 1000):
    print(n, "from range:", sys.getsizeof(set(range(n))), "display-like:", sys.getsizeof(frozenset(range(n))))
print("{1, 2, 3, 4, 5}:", sys.getsizeof({1, 2, 3, 4, 5}), "{1, 2, 3, 4}:", sys.getsizeof({1, 2, 3, 4}))
print("comprehension of 10:", sys.getsizeof({i for i in range(10)}))
for i in range(400):
    s.discard(i)
print("after discarding everything:", len(s), sys.getsizeof(s))
s.clear()
print("after clear:", sys.getsizeof(s))
t = set(range(100))
t.difference_update(range(90))
print("difference_update sheds dummies:", len(t), sys.getsizeof(t))
u = set(range(10))
u.update(range(10, 20))
print("update of 10 into 10:", sys.getsizeof(u))
c = set(range(50)).copy()
print("copy of 50:", sys.getsizeof(c), "union:", sys.getsizeof(set(range(5)) | set(range(5, 50))))
print("from a dict of 30:", sys.getsizeof(set({i: None for i in range(30)})))
