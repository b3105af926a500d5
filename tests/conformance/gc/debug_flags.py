# set_debug/get_debug flag values; DEBUG_STATS etc. write to stderr only, stdout shows the calls returned normally
# needs: gc.DEBUG_COLLECTABLE, gc.DEBUG_LEAK, gc.DEBUG_STATS, gc.DEBUG_UNCOLLECTABLE
import gc

gc.disable()
print("flags:", gc.DEBUG_STATS, gc.DEBUG_COLLECTABLE, gc.DEBUG_UNCOLLECTABLE, gc.DEBUG_SAVEALL, gc.DEBUG_LEAK)
print("default get_debug:", gc.get_debug())
print("set_debug returns:", gc.set_debug(gc.DEBUG_STATS))
print("get_debug:", gc.get_debug())
l = []
l.append(l)
del l
print("collect with DEBUG_STATS:", gc.collect())
gc.set_debug(gc.DEBUG_STATS | gc.DEBUG_COLLECTABLE)
print("get_debug:", gc.get_debug())
l = []
l.append(l)
del l
print("collect with DEBUG_COLLECTABLE:", gc.collect())
gc.set_debug(gc.DEBUG_LEAK)
print("DEBUG_LEAK includes SAVEALL:", gc.get_debug() & gc.DEBUG_SAVEALL == gc.DEBUG_SAVEALL)
l = []
l.append(l)
del l
print("collect with DEBUG_LEAK:", gc.collect(), "saved:", len(gc.garbage))
gc.set_debug(0)
gc.garbage.clear()
print("back to 0:", gc.get_debug(), gc.collect())
try:
    gc.set_debug("x")
except TypeError:
    print("set_debug('x'): TypeError")
