# Lesson 3: weak references. weakref.ref(obj) and weakref.proxy(obj) point at an object without
# owning it: they do not change its reference count, so they never keep it alive.
#
# What to watch:
#   - sys.getrefcount(node) stays 2 while weak references are added;
#   - calling the ref gives the object back (or None), the proxy forwards attribute access;
#   - after `del node` the object dies at once: the callback runs, the ref returns None and
#     using the proxy raises ReferenceError.
import sys
import weakref


class Node:
    def __init__(self, value):
        self.value = value


def on_death(ref):
    print("  callback: the Node died; ref() is now", ref())


node = Node(42)
print("node = Node(42)                ", sys.getrefcount(node))
r = weakref.ref(node, on_death)
print("r = weakref.ref(node, on_death)", sys.getrefcount(node))
p = weakref.proxy(node)
print("p = weakref.proxy(node)        ", sys.getrefcount(node))
print("weak references to node:       ", weakref.getweakrefcount(node))
print("r() is node:", r() is node, "| r().value:", r().value, "| p.value:", p.value)
print("after using them               ", sys.getrefcount(node))
print("del node")
del node
print("r() returns", r())
try:
    print(p.value)
except ReferenceError as e:
    print("p.value raises ReferenceError:", e)
