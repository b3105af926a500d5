# instances reference their class; classes and functions as referents
import sys


class Node:
    pass


class Leaf(Node):
    pass


cbase = sys.getrefcount(Node)
lbase = sys.getrefcount(Leaf)
a = Node()
b = Node()
c = Node()
print("three instances of Node:", sys.getrefcount(Node) - cbase)
del a, b
print("two dropped:", sys.getrefcount(Node) - cbase)
leaf = Leaf()
print("a Leaf instance: Leaf", sys.getrefcount(Leaf) - lbase, "Node", sys.getrefcount(Node) - cbase)
t = type(c)
print("type(c) bound to a name:", sys.getrefcount(Node) - cbase)
del t, c, leaf
print("all gone:", sys.getrefcount(Node) - cbase, sys.getrefcount(Leaf) - lbase)


def func():
    return 1


fbase = sys.getrefcount(func)
holder = [func, func]
print("function in a list twice:", sys.getrefcount(func) - fbase)
del holder
print("after del:", sys.getrefcount(func) - fbase)
