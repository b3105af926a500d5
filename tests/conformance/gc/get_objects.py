# get_objects(generation=g): a new cyclic list moves gen 0 -> 1 -> 2 as collections promote it; argument errors (§6 item 7)
import gc

gc.disable()


def holds(objs, x):
    for o in objs:
        if o is x:
            return True
    return False


def where(x):
    return [holds(gc.get_objects(generation=g), x) for g in range(3)]


gc.collect()
l = []
l.append(l)
print("new:", where(l))
gc.collect(0)
print("after collect(0):", where(l))
gc.collect(1)
print("after collect(1):", where(l))
gc.collect(2)
print("after collect(2):", where(l))
print("in get_objects():", holds(gc.get_objects(), l))
print("untracked int not listed:", holds(gc.get_objects(), 12345))
print("get_objects() and get_objects(None) agree:", len(gc.get_objects()) == len(gc.get_objects(None)))
print("get_objects(-1) is get_objects(None) in 3.11:", len(gc.get_objects(-1)) == len(gc.get_objects(None)))
for bad in [1000, -1000, 3, -2]:
    try:
        gc.get_objects(bad)
    except ValueError as e:
        print(bad, "ValueError:", e)
for bad in ["1", 1.234]:
    try:
        gc.get_objects(bad)
    except TypeError as e:
        print(type(bad).__name__, "TypeError:", e)
