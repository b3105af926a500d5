# for-loops over list and range iterators (FOR_ITER's quick path) against the general path: growth and shrinking during the loop, exhaustion, list subclasses, refcounts
# needs: builtin:iter, builtin:next, subclass:list
import sys

items = [1, 2, 3]
seen = []
for x in items:
    seen.append(x)
    if x < 3:
        items.append(x + 10)
print("grown while looping:", seen)

items = [1, 2, 3, 4, 5, 6]
seen = []
for x in items:
    seen.append(x)
    items.pop()
print("shrunk while looping:", seen, items)

items = [1, 2, 3]
for x in items:
    items.clear()
    print("cleared after", x)

it = iter([7, 8])
for x in it:
    print("item", x)
for x in it:
    print("never", x)
print("next after the end:", next(it, "done"))

r = iter(range(10, 0, -3))
print("range down:", [x for x in r], next(r, "done"))
print("empty ranges:", list(range(5, 5)), list(range(0, 10, -1)), list(range(-3)))
total = 0
for i in range(-5, 300, 7):
    total += i
print("range total:", total)


class Stack(list):
    def top(self):
        return self[-1]


s = Stack([4, 5, 6])
print("subclass:", [x * 2 for x in s], s.top())

obj = object()
holder = [obj, obj]
for x in holder:
    print("count inside the loop:", sys.getrefcount(obj))
del x
print("count after the loop:", sys.getrefcount(obj))
big = [i * 1000 for i in range(5)]
for n in big:
    pass
print("last:", n, "list intact:", big)
