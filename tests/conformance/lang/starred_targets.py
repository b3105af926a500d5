# starred assignment targets (UNPACK_EX) in assignments, for loops and comprehensions, CPython's unpacking errors, starred items in list/tuple/set displays and calls, refcounts of unpacked items
# needs: star-unpack, set, builtin:iter, builtin:sum
import sys

a, *b = [1, 2, 3]
print(a, b)
*a, b = (1, 2, 3)
print(a, b)
a, *b, c = range(5)
print(a, b, c)
a, *b, c = "xy"
print(a, b, c)
[a, *b] = iter([7])
print(a, b)
(a, b), *rest = [(1, 2), 3, 4]
print(a, b, rest)
a, *[b, c] = 1, 2, 3
print(a, b, c)
for first, *others in [(1, 2, 3), [4], "ab"]:
    print(first, others)
print([x + sum(y) for x, *y in [(1, 2, 3), (10,)]])


class Item:
    pass


item = Item()
base = sys.getrefcount(item)
x, *mid, y = [0, item, item, 1]
print("item in mid:", sys.getrefcount(item) - base, type(mid).__name__)
del mid
print("mid gone:", sys.getrefcount(item) - base)


def f(*args):
    return args


for value in [[], [1], 5, None]:
    try:
        p, *q, r = value
        print("unpacked", p, q, r)
    except ValueError as e:
        print("ValueError", e)
    except TypeError as e:
        print("TypeError", e)

l1 = [1, 2]
t1 = (3,)
print([*l1, *t1, 4], [0, *l1], [*l1])
print((*l1, 5), (0, *t1, *"ab"), (*l1,))
print(sorted({*l1, *t1, 2, 9}))
print(f(*l1, *t1), f(0, *l1, 6, *t1))
for bad in [5, None]:
    try:
        print([1, *bad])
    except TypeError as e:
        print("TypeError", e)
    try:
        print((*bad, 1))
    except TypeError as e:
        print("TypeError", e)
    try:
        print({*bad})
    except TypeError as e:
        print("TypeError", e)
    try:
        print(f(1, *bad))
    except TypeError as e:
        print("TypeError", e)
