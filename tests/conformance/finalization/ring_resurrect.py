# a ring of 4 with one resurrecting node: every __del__ runs once, the whole ring survives, a second collect frees it silently (§6 item 30)
import gc

gc.disable()
saved = []


class Node:
    def __init__(self, name, keep):
        self.name = name
        self.keep = keep

    def __del__(self):
        print("__del__", self.name, "next intact:", self.next.name)
        if self.keep:
            saved.append(self)


gc.collect()
ring = [Node("n0", False), Node("n1", True), Node("n2", False), Node("n3", False)]
for i in range(4):
    ring[i].next = ring[(i + 1) % 4]
del ring
print("collect:", gc.collect())
print("resurrected:", len(saved), "ring still linked:", saved[0].next.next.next.next is saved[0])
saved.clear()
print("collect after release:", gc.collect())
