# sys.getsizeof of a list while appending (CPython's over-allocation) and of a dict while inserting (§6 item 54)
# needs: sys.getsizeof
import sys

l = []
sizes = [sys.getsizeof(l)]
for i in range(20):
    l.append(i)
    s = sys.getsizeof(l)
    if s != sizes[-1]:
        sizes.append(s)
print("list sizes while appending 20 items:", sizes)
while len(l) > 2:
    l.pop()
print("after popping down to 2 items:", sys.getsizeof(l))
l.clear()
print("after clear:", sys.getsizeof(l))
print("[None] * 10:", sys.getsizeof([None] * 10))
d = {}
dsizes = [sys.getsizeof(d)]
for i in range(20):
    d["k" + str(i)] = i
    s = sys.getsizeof(d)
    if s != dsizes[-1]:
        dsizes.append(s)
print("dict sizes while inserting 20 str keys:", dsizes)
d.clear()
print("dict after clear:", sys.getsizeof(d))
