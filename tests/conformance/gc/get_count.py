# get_count(): after a collection counts 1 and 2 are 0 and count 0 is small; tracked allocations raise count 0 (§6 item 5)
import gc

gc.disable()
gc.collect()
c = gc.get_count()
print("a 3-tuple:", type(c).__name__, len(c))
print("after collect: count1, count2 =", c[1], c[2], "count0 < 5:", c[0] < 5)
before = gc.get_count()[0]
keep = []
for i in range(10):
    keep.append([])
after = gc.get_count()[0]
print("10 new lists raise count 0:", after > before)
gc.collect()
print("collect() resets count 0:", gc.get_count()[0] < 5)
