# PEP 442: objects with __del__ in a cycle are collected; each __del__ runs once and sees the cycle intact (§6 items 29, 30)
import gc

gc.disable()


class Node:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("__del__", self.name, "-> next is", self.next.name)


gc.collect()
a = Node("a")
a.next = a
del a
print("self-cycle collect:", gc.collect())
print("garbage is empty:", gc.garbage)
nodes = [Node("n0"), Node("n1"), Node("n2"), Node("n3")]
for i in range(4):
    nodes[i].next = nodes[(i + 1) % 4]
del nodes
print("ring of 4 collect:", gc.collect())
print("second collect:", gc.collect())
