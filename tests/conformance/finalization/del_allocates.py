# a __del__ that allocates (and so may trigger collection) with threshold 1 does not break anything (§6 item 4)
import gc


class Alloc:
    count = 0

    def __del__(self):
        Alloc.count += 1
        junk = [[] for i in range(10)]


gc.collect()
gc.set_threshold(1)
gc.enable()
for i in range(50):
    a = Alloc()
    a.me = a
    b = Alloc()
del a, b
gc.collect()
gc.set_threshold(700, 10, 10)
print("all finalized:", Alloc.count)
print("nothing left:", gc.collect())
