# resurrection on the refcount path: __del__ stores self; the object survives, its weakref stays alive, no second __del__ (§6 item 27)
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


p = Phoenix()
r = weakref.ref(p)
del p
print("__del__ calls:", Phoenix.calls)
print("resurrected:", len(saved), type(saved[0]).__name__)
print("weakref still alive:", r() is saved[0])
print("is_finalized:", gc.is_finalized(saved[0]))
saved.clear()
print("after dropping it again, __del__ calls:", Phoenix.calls)
print("weakref now dead:", r() is None)
