# get_stats(): 3 dicts of collections/collected/uncollectable; collect(g) bumps only generation g's entry (§6 item 18)
# needs: gc.get_stats
import gc

gc.disable()
gc.collect()
s = gc.get_stats()
print("generations:", len(s))
print("keys:", list(s[0]))
print("all values non-negative ints:", not any([v < 0 for st in s for v in [st["collections"], st["collected"], st["uncollectable"]]]))


def colls():
    return [st["collections"] for st in gc.get_stats()]


before = colls()
gc.collect(0)
after = colls()
print("collect(0) deltas:", [after[i] - before[i] for i in range(3)])
before = colls()
gc.collect(1)
after = colls()
print("collect(1) deltas:", [after[i] - before[i] for i in range(3)])
before = colls()
gc.collect(2)
after = colls()
print("collect(2) deltas:", [after[i] - before[i] for i in range(3)])
before = gc.get_stats()[2]["collected"]
for i in range(5):
    l = []
    l.append(l)
del l
gc.collect()
print("collected delta for 5 self-lists:", gc.get_stats()[2]["collected"] - before)
print("uncollectable stays 0:", gc.get_stats()[2]["uncollectable"])
