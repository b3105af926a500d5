# an exception in a gc.callbacks entry is reported on stderr; the other callbacks run and collect() returns normally
import gc

gc.disable()
calls = []


def bad(phase, info):
    calls.append("bad " + phase)
    raise ValueError("from gc callback")


def good(phase, info):
    calls.append("good " + phase)


gc.callbacks.append(bad)
gc.callbacks.append(good)
l = []
l.append(l)
del l
print("collect:", gc.collect())
print("calls:", calls)
gc.callbacks.clear()
print("continued")
