# an exception in __del__ during gc.collect() is reported on stderr; the collection completes and returns its count
import gc

gc.disable()


class Bad:
    def __del__(self):
        print("__del__ of", self.name)
        raise KeyError(self.name)


gc.collect()
a = Bad()
a.name = "a"
b = Bad()
b.name = "b"
a.other = b
b.other = a
del a, b
print("collect:", gc.collect())
print("continued")
