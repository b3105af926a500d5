# resurrection on the gc path: a self-cycle whose __del__ stores self survives once; its weakref is already dead;
# dropping it again frees it without a second __del__ (§6 items 20, 21, 29)
# needs: gc.is_finalized
import gc
import weakref

gc.disable()
saved = []


class Phoenix:
    calls = 0

    def __del__(self):
        Phoenix.calls += 1
        saved.append(self)


class Partner:
    pass


gc.collect()
p = Phoenix()
p.me = p
q = Partner()
p.partner = q
q.back = p
r = weakref.ref(p)
del p, q
print("collect:", gc.collect())
print("__del__ calls:", Phoenix.calls)
print("resurrected:", len(saved))
print("weakref already dead:", r() is None)
print("partner intact:", saved[0].partner.back is saved[0])
print("is_finalized:", gc.is_finalized(saved[0]))
saved.clear()
print("collect after dropping it again:", gc.collect())
print("__del__ calls:", Phoenix.calls)
