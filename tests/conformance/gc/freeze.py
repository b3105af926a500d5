# freeze/unfreeze: frozen objects sit in the permanent generation, counts reset, frozen cycles are not collected (§6 item 19)
# needs: gc.freeze, gc.get_freeze_count, gc.unfreeze
import gc

gc.disable()
gc.collect()
l = []
l.append(l)
gc.freeze()
print("freeze count > 0:", gc.get_freeze_count() > 0)
c = gc.get_count()
print("counts after freeze:", c[1:], "count0 < 5:", c[0] < 5)
in_gens = False
for o in gc.get_objects():
    if o is l:
        in_gens = True
print("frozen list listed by get_objects:", in_gens)
del l
print("collect with the dead cycle frozen:", gc.collect())
gc.unfreeze()
print("freeze count after unfreeze:", gc.get_freeze_count())
print("collect after unfreeze:", gc.collect())
