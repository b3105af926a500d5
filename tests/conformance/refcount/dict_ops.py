# refcount differences through dicts: values, instance keys, overwrite, del item, clear
import sys


class Item:
    pass


v = Item()
k = Item()
vbase = sys.getrefcount(v)
kbase = sys.getrefcount(k)
d = {"a": v}
print("value in a dict literal:", sys.getrefcount(v) - vbase)
d["b"] = v
print("stored under a second key:", sys.getrefcount(v) - vbase)
d["a"] = 1
print("overwrote key a:", sys.getrefcount(v) - vbase)
del d["b"]
print("del d['b']:", sys.getrefcount(v) - vbase)
d[k] = v
print("instance as key: key", sys.getrefcount(k) - kbase, "value", sys.getrefcount(v) - vbase)
d[k] = 2
print("overwrite value under same key: key", sys.getrefcount(k) - kbase,
      "value", sys.getrefcount(v) - vbase)
d[k] = v
d.clear()
print("after clear: key", sys.getrefcount(k) - kbase, "value", sys.getrefcount(v) - vbase)
d2 = {"x": [v, v], "y": (v,)}
print("nested containers in a dict:", sys.getrefcount(v) - vbase)
del d2
print("after del d2:", sys.getrefcount(v) - vbase)
