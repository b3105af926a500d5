# 'import m as n' and 'from m import a as b': the bound names, the modules and functions they name, refcounts unchanged by the extra name
# needs: import-as, builtin:NameError, method:split, builtin:ImportError, builtin:round, math.ceil, math.floor, math.nothing_here, math.pi, sys.getrecursionlimit
import sys as system, gc
from weakref import ref as make_ref, proxy
from math import sqrt as root, pi

print(system.getrecursionlimit(), gc.isenabled(), root(16.0), round(pi, 3))
import sys

print("same module:", system is sys)


class Node:
    pass


n = Node()
r = make_ref(n)
print("ref works:", r() is n, type(proxy(n)).__name__)
before = sys.getrefcount(n)
import gc as collector

print("collector is gc:", collector is gc, sys.getrefcount(n) == before)


def inner():
    import math as m
    from math import floor as fl
    return m.ceil(2.5), fl(2.5)


print(inner())
try:
    print(m)
except NameError as e:
    print("stays local:", e)
try:
    from math import nothing_here as x
except ImportError as e:
    print("ImportError:", str(e).split(" (")[0])
