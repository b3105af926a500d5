# list <-> tuple cycle: collect() returns 2; a longer mixed chain returns its length (§6 item 1)
import gc

gc.disable()
gc.collect()
l = []
t = (l,)
l.append(t)
del l, t
print("list <-> tuple:", gc.collect())
a = []
b = [a]
c = {"b": b}
d = (c,)
a.append(d)
del a, b, c, d
print("list -> tuple -> dict -> list -> list:", gc.collect())
print("nothing left:", gc.collect())
