# DEBUG_SAVEALL: collected garbage is appended to gc.garbage instead of being freed (§6 item 3)
import gc

gc.disable()
gc.collect()
print("garbage starts empty:", gc.garbage)
gc.set_debug(gc.DEBUG_SAVEALL)
print("get_debug:", gc.get_debug() == gc.DEBUG_SAVEALL)
l = []
l.append(l)
l.append("marker")
del l
print("collect:", gc.collect())
print("garbage length:", len(gc.garbage))
g = gc.garbage[0]
print("saved object is the list itself:", g[0] is g, g[1])
del g
a = []
b = [a]
a.append(b)
del a, b
print("collect a 2-list cycle:", gc.collect(), "garbage now:", len(gc.garbage))
gc.set_debug(0)
gc.garbage.clear()
print("after clearing gc.garbage and SAVEALL:", gc.collect())
print("garbage empty again:", gc.garbage)
