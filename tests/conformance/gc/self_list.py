# gc.collect() finds a self-referencing list and a self-referencing dict: 1 each (§6 item 1)
import gc

gc.disable()
gc.collect()
l = []
l.append(l)
del l
print("self-referencing list:", gc.collect())
d = {}
d["me"] = d
del d
print("self-referencing dict:", gc.collect())
l = []
l.append(l)
l.append(l)
l.append(l)
del l
print("list referencing itself three times:", gc.collect())
print("nothing left:", gc.collect())
