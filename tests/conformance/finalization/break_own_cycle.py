# a __del__ that breaks its own cycle: finalized once, then freed by refcounting during the collection,
# so collect() does not count it (§6 item 29)
import gc
import weakref

gc.disable()


class Breaker:
    calls = 0

    def __del__(self):
        Breaker.calls += 1
        self.me = None


gc.collect()
b = Breaker()
b.me = b
r = weakref.ref(b)
del b
print("collect:", gc.collect())
print("__del__ calls:", Breaker.calls)
print("weakref dead:", r() is None)
print("second collect:", gc.collect())
print("calls still:", Breaker.calls)
