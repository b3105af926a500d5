# runaway recursion through __init__ (each instance builds another) raises RecursionError; the half-built objects are freed
import gc
import weakref

made = []


class Russian:
    def __init__(self, n):
        if n == 0:
            made.append(weakref.ref(self))
        self.inner = Russian(n + 1)


try:
    Russian(0)
except RecursionError as e:
    print("RecursionError:", e)
print("the first doll is gone after the exception:", made[0]() is None)
gc.collect()


class Limited:
    def __init__(self, n):
        self.inner = None
        if n > 0:
            self.inner = Limited(n - 1)


x = Limited(300)
print("300 levels within the limit work:", x.inner.inner is not None)
try:
    Limited(600)
except RecursionError as e:
    print("600 levels do not (a class call and an __init__ frame per level):", e)
