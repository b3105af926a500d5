# A tour of Python memory management, the five lessons of this directory in one run:
#   1. reference counting (refcounts.py)    2. cycles and the collector (cycles.py)
#   3. weak references (weakrefs.py)         4. generations (generations.py)
#   5. arenas, pools and blocks (arenas.py)
# Each section prints its title; read the lesson files for what to watch in each. The last
# section also writes sys._debugmallocstats() reports to stderr. Run it with
#     cargo run --release -p pymem -- examples/tour.py      (pymem)
#     python3 examples/tour.py                              (CPython 3.11, the reference)
# needs: builtin:sum, sys._debugmallocstats
import gc
import sys
import weakref

print("######## 1. Reference counting: sys.getrefcount(x) is the count plus one ########")
numbers = [1, 2, 3]
print("numbers = [1, 2, 3]            ", sys.getrefcount(numbers))
more_numbers = numbers
print("more_numbers = numbers         ", sys.getrefcount(numbers))
total = sum(numbers)
print("total = sum(numbers)           ", sys.getrefcount(numbers), "(sum() let go when it returned)")
matrix = [numbers, numbers, numbers]
print("matrix = [numbers] x 3 slots   ", sys.getrefcount(numbers))
del matrix
print("del matrix                     ", sys.getrefcount(numbers))
a = [1, 2, 3]
print("a = [1, 2, 3]                  ", sys.getrefcount(a))
b = a
print("b = a                          ", sys.getrefcount(a))
c = [a, 4]
print("c = [a, 4]                     ", sys.getrefcount(a))
del c
print("del c                          ", sys.getrefcount(a))


def receive(x):
    print("inside receive(a)              ", sys.getrefcount(x), "(a, b, x)")


receive(a)
print("after receive(a) returned      ", sys.getrefcount(a))
del numbers, more_numbers, a, b

print()
print("######## 2. Cycles: reference counting never frees them, gc.collect() does ########")
gc.disable()  # only our own gc.collect() calls run
gc.collect()
a = []
a.append(a)
print("a = []; a.append(a)            ", sys.getrefcount(a))
del a
print("del a: unreachable, but its own slot keeps the count at 1")
print("gc.collect() freed             ", gc.collect(), "object")


class Pair:
    def __init__(self, name):
        self.name = name
        self.other = None


first = Pair("first")
second = Pair("second")
first.other = second
second.other = first
watch = weakref.ref(first)
del first, second
print("two Pairs pointing at each other, del'd: alive?", watch() is not None)
print("gc.collect() freed             ", gc.collect(), "objects")
print("after collect: alive?", watch() is not None)
gc.enable()

print()
print("######## 3. Weak references: they never keep an object alive ########")


class Node:
    def __init__(self, value):
        self.value = value


def on_death(ref):
    print("  callback: the Node died; ref() is now", ref())


node = Node(42)
print("node = Node(42)                ", sys.getrefcount(node))
r = weakref.ref(node, on_death)
print("r = weakref.ref(node, on_death)", sys.getrefcount(node))
p = weakref.proxy(node)
print("p = weakref.proxy(node)        ", sys.getrefcount(node))
print("r() is node:", r() is node, "| r().value:", r().value, "| p.value:", p.value)
print("del node")
del node
print("r() returns", r())
try:
    print(p.value)
except ReferenceError as e:
    print("p.value raises ReferenceError:", e)

print()
print("######## 4. Generations: new objects in 0, survivors promoted to 1, then 2 ########")
print("gc.isenabled()    ", gc.isenabled())
print("gc.get_threshold()", gc.get_threshold())
gc.disable()


def generation_of(x):
    for g in range(3):
        for o in gc.get_objects(g):
            if o is x:
                return g
    return None


gc.collect()
keep = [None] * 100
gc.get_count()
Node(0)
before = gc.get_count()[0]
for i in range(100):
    keep[i] = Node(i)
print("100 new Nodes: generation 0 count rose by", gc.get_count()[0] - before)
survivor = Node(-1)
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
    keep.append(Node(i))
gc.callbacks.remove(count_collections)
print("20000 Nodes with gc enabled, collections per generation:", seen)
keep = None

print()
print("######## 5. Arenas, pools and blocks: sys._debugmallocstats() on stderr ########")
print("Compare the snapshots: 'blocks in use' and 'num pools' of the 32- and 64-byte classes,")
print("'# arenas allocated current' (up, then down) and '# arenas reclaimed' (up at the end).")


def snapshot(title):
    print("=== snapshot:", title, "(see stderr)")
    sys._debugmallocstats()


snapshot("at start")
nodes = []
for i in range(200000):
    nodes.append(Node(i))
snapshot("200000 Nodes alive")
nodes = None
snapshot("after they died")
print()
print("End of the tour.")
