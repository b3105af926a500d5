# Lesson 4: generations. The collector sorts container objects into three generations. New ones
# go to generation 0; each one that survives a collection of its generation is promoted to the
# next. gc.get_count() counts allocations since the last collection of generation 0 and, for
# generations 1 and 2, collections of the generation below; gc.get_threshold() says when each
# generation is collected automatically (default: 700 allocations, then every 10th, every 10th).
#
# What to watch:
#   - the count of generation 0 rises by one per new instance;
#   - a surviving object moves 0 -> 1 -> 2 as collect(0) and collect(1) run;
#   - with gc enabled, allocating keeps triggering collections of generation 0.
import gc

print("gc.isenabled()    ", gc.isenabled())
print("gc.get_threshold()", gc.get_threshold())
gc.disable()


class Node:
    pass


def generation_of(x):
    for g in range(3):
        for o in gc.get_objects(g):
            if o is x:
                return g
    return None


gc.collect()
keep = [None] * 100
gc.get_count()
Node()
before = gc.get_count()[0]
for i in range(100):
    keep[i] = Node()
print("100 new Nodes: generation 0 count rose by", gc.get_count()[0] - before)

survivor = Node()
print("survivor is in generation", generation_of(survivor))
gc.collect(0)
print("after gc.collect(0):       ", generation_of(survivor), " counts (gen1, gen2):", gc.get_count()[1:])
gc.collect(1)
print("after gc.collect(1):       ", generation_of(survivor), " counts (gen1, gen2):", gc.get_count()[1:])
gc.collect()
print("after gc.collect():        ", generation_of(survivor), " counts (gen1, gen2):", gc.get_count()[1:])

seen = [0, 0, 0]


def count_collections(phase, info):
    if phase == "start":
        seen[info["generation"]] += 1


gc.callbacks.append(count_collections)
gc.enable()
for i in range(20000):
    keep.append(Node())
gc.callbacks.remove(count_collections)
print("20000 Nodes with gc enabled, collections per generation:", seen)
print("generation of the survivor now:", generation_of(survivor))
