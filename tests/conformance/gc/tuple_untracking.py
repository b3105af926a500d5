# tuples are tracked at creation and untracked by any collection once all their items are untracked (§3.2, C08)
import gc

gc.disable()
a = 1
b = "s"
t = (a, b)
n = (t, 2.5)
l = []
h = (l, a)
print("runtime tuple of atoms:", gc.is_tracked(t))
print("tuple of that tuple:", gc.is_tracked(n))
print("tuple holding a list:", gc.is_tracked(h))
print("tuple(list of atoms):", gc.is_tracked(tuple([1, 2])))
gc.collect(0)
print("after collect(0): atoms", gc.is_tracked(t), "nested", gc.is_tracked(n),
      "with list", gc.is_tracked(h))
m = ([], 1)
m[0].append(5)
print("tuple with a list of atoms:", gc.is_tracked(m))
gc.collect()
print("after collect(): still tracked (lists stay tracked):", gc.is_tracked(m))
e = (1, (2, (3, (4,))))
print("constant nested tuple (exists since compile time, earlier collections saw it):", gc.is_tracked(e))
