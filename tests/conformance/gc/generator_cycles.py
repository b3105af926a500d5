# cycles through suspended generators are collected (3.11 closes them, which breaks the cycle: collect() counts 0); finally runs
# needs: generator, genexpr, finally, builtin:next, method:send
import gc
import weakref

gc.disable()
gc.collect()


class Node:
    pass


def holder(box):
    yield 1
    yield box


n = Node()
g = holder(n)
next(g)
n.gen = g
r = weakref.ref(g)
print("tracked:", gc.is_tracked(g))
print("local in referents:", n in gc.get_referents(g))
del n, g
print("node -> generator -> frame local -> node:", gc.collect(), r() is None)


def self_ref():
    me = yield
    yield me


g = self_ref()
next(g)
g.send(g)
r = weakref.ref(g)
del g
print("generator holding itself in a local:", gc.collect(), r() is None)


def guarded(box):
    try:
        yield 1
    finally:
        print("finally ran, box holds", len(box))


box = []
g = guarded(box)
next(g)
box.append(g)
r = weakref.ref(g)
del g, box
print("cycle through a generator inside try/finally:", gc.collect(), r() is None)
print("garbage:", gc.garbage)


def fresh(x):
    yield x


lst = []
g = fresh(lst)
lst.append(g)
r = weakref.ref(g)
del g, lst
print("unstarted generator in a cycle:", gc.collect(), r() is None)
ge = (v for v in [1])
print("genexpr tracked:", gc.is_tracked(ge))
del ge
print("nothing else left:", gc.collect())
