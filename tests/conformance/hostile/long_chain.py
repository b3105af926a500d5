# a 1,000,000-long linked chain of instances (and of 2-lists) is freed when the head is dropped, without deep recursion
import weakref


class Link:
    def __init__(self, nxt):
        self.nxt = nxt


tail = Link(None)
tail_ref = weakref.ref(tail)
head = tail
tail = None
for i in range(999999):
    head = Link(head)
print("tail alive while the chain is held:", tail_ref() is not None)
head = None
print("tail freed after dropping the head:", tail_ref() is None)
cell = None
for i in range(1000000):
    cell = [i, cell]
print("list chain head:", cell[0])
cell = None
print("list chain dropped")
d = None
for i in range(1000000):
    d = {"next": d}
del d
print("dict chain dropped")
