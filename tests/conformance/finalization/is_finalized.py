# gc.is_finalized: False for atoms and live objects with __del__; True once __del__ ran on a resurrected object (§6 item 13)
# needs: gc.is_finalized
import gc

gc.disable()
saved = []


class Lazarus:
    def __del__(self):
        saved.append(self)


class Plain:
    pass


print("int:", gc.is_finalized(3))
x = Lazarus()
print("live object with __del__:", gc.is_finalized(x))
print("plain instance:", gc.is_finalized(Plain()))
x.me = x
del x
gc.collect()
print("resurrected during collect:", gc.is_finalized(saved[0]))
saved[0].me = None
y = Lazarus()
del y
print("resurrected on the refcount path:", gc.is_finalized(saved[1]))
print("count:", len(saved))
