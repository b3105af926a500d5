# cycles through sets are found: instance -> set -> instance, set in its own frozenset element's instance, sets are always tracked, get_referents lists the elements
# needs: set, builtin:set, builtin:frozenset, method:add, method:discard
import gc

gc.disable()


class Node:
    pass


n = Node()
n.members = {n}
del n
print("instance <-> set:", gc.collect())

a = Node()
b = Node()
a.peers = {b}
b.peers = {a}
del a, b
print("two instances through two sets:", gc.collect())

c = Node()
c.frozen = frozenset([c, 1, "x"])
del c
print("instance <-> frozenset:", gc.collect())

d = Node()
d.group = {1, 2}
d.group.add(d)
d.__dict__
del d
print("with a materialised __dict__:", gc.collect())

e = Node()
e.s = {e}
e.s.discard(e)
del e
print("cycle broken by discard:", gc.collect())

print("tracked:", gc.is_tracked(set()), gc.is_tracked({1}), gc.is_tracked(frozenset()),
      gc.is_tracked(frozenset([1, 2])))
x = Node()
refs = gc.get_referents({3, 1, 2})
print("referents of {3, 1, 2}:", refs)
print("referents hold the node:", gc.get_referents({x})[0] is x)
print("frozenset referents:", gc.get_referents(frozenset([8, 16, 0])))

many = []
for i in range(50):
    m = Node()
    m.s = {m, i}
    many.append(m)
del many, m
print("fifty self-cycles:", gc.collect())
print("nothing left:", gc.collect())
