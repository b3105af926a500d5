# gc.callbacks: each callback gets ("start", info) and ("stop", info) per collection, info has generation/collected/uncollectable (§6 item 24)
import gc

gc.disable()
gc.collect()
log = []


def first(phase, info):
    log.append(("first", phase, info["generation"], info["collected"], info["uncollectable"]))


def second(phase, info):
    log.append(("second", phase, sorted(info)))


gc.callbacks.append(first)
gc.callbacks.append(second)
l = []
l.append(l)
del l
gc.collect()
for entry in log:
    print(entry)
log.clear()
gc.callbacks.remove(second)
gc.collect(0)
gc.collect(1)
for entry in log:
    print(entry)
gc.callbacks.remove(first)
log.clear()
gc.collect()
print("no callbacks left:", gc.callbacks, log)


def cleaner(phase, info):
    if phase == "stop":
        gc.garbage.clear()


gc.set_debug(gc.DEBUG_SAVEALL)
gc.callbacks.append(cleaner)
l = []
l.append(l)
del l
print("collect with a garbage-cleaning callback:", gc.collect(), len(gc.garbage))
gc.callbacks.remove(cleaner)
gc.set_debug(0)
