# refcounts of objects held by a suspended generator: arguments, locals, the value stack, what yield passes out
# needs: generator, genexpr, builtin:iter, builtin:next, method:close
import sys


class Item:
    pass


x = Item()
base = sys.getrefcount(x)


def hold(obj):
    keep = obj
    yield 1
    keep = None
    yield 2


g = hold(x)
print("created (argument bound):", sys.getrefcount(x) - base)
next(g)
print("suspended (argument and local):", sys.getrefcount(x) - base)
next(g)
print("local cleared:", sys.getrefcount(x) - base)
del g
print("generator deleted:", sys.getrefcount(x) - base)


def give(obj):
    yield obj
    yield None


g = give(x)
y = next(g)
print("yielded and bound by caller:", sys.getrefcount(x) - base)
del y
print("caller's binding dropped:", sys.getrefcount(x) - base)
next(g)
print("after the next step:", sys.getrefcount(x) - base)
g.close()
print("closed:", sys.getrefcount(x) - base)


def in_loop(items):
    for it in items:
        yield it


lst = [x]
g = in_loop(lst)
lb = sys.getrefcount(lst)
next(g)
print("list iterator on the frame's stack: list", sys.getrefcount(lst) - lb, "item", sys.getrefcount(x) - base)
del g
print("generator gone: list", sys.getrefcount(lst) - lb, "item", sys.getrefcount(x) - base)
ge = (v for v in lst)
print("genexpr holds an iterator over the list:", sys.getrefcount(lst) - lb)
del ge
print("genexpr gone:", sys.getrefcount(lst) - lb)
g = hold(x)
gb = sys.getrefcount(g)
it = iter(g)
print("iter(g) is g, one more reference:", it is g, sys.getrefcount(g) - gb)
print("fresh generator object:", sys.getrefcount(hold(x)))
