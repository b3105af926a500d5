# every active frame of a recursive function holds its argument: the refcount grows with depth
import sys


class Item:
    pass


x = Item()
base = sys.getrefcount(x)


def down(v, n, seen):
    seen.append(sys.getrefcount(v) - base)
    if n > 0:
        down(v, n - 1, seen)


seen = []
down(x, 4, seen)
print("refcount difference at each depth:", seen)
print("after all frames returned:", sys.getrefcount(x) - base)


def build(n):
    if n == 0:
        return []
    return [build(n - 1)]


deep = build(50)
depth = 0
cur = deep
while cur:
    cur = cur[0]
    depth += 1
print("nested list built recursively, depth:", depth, "outer refcount:", sys.getrefcount(deep))
