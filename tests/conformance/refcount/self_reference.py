# references from an object to itself count like any other reference
import sys


class Node:
    pass


lst = []
base = sys.getrefcount(lst)
lst.append(lst)
print("list containing itself:", sys.getrefcount(lst) - base)
lst.append(lst)
print("containing itself twice:", sys.getrefcount(lst) - base)
lst.clear()
print("after clear:", sys.getrefcount(lst) - base)
n = Node()
nbase = sys.getrefcount(n)
n.me = n
print("instance attribute pointing to itself:", sys.getrefcount(n) - nbase)
n.me = None
print("link broken:", sys.getrefcount(n) - nbase)
d = {}
dbase = sys.getrefcount(d)
d["self"] = d
d["again"] = d
print("dict holding itself twice:", sys.getrefcount(d) - dbase)
del d["self"]
print("after del d['self']:", sys.getrefcount(d) - dbase)
