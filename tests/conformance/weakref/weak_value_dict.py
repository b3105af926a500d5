# WeakValueDictionary: entries vanish when their values die; KeyError afterwards; len follows (§6 item 47)
# needs: in-dict, method:get, method:keys, weakref.WeakValueDictionary
import weakref


class Obj:
    def __init__(self, name):
        self.name = name


d = weakref.WeakValueDictionary()
a = Obj("a")
b = Obj("b")
d["x"] = a
d["y"] = b
d["z"] = Obj("temporary")
print("len:", len(d))
print("d['x']:", d["x"].name)
print("keys:", sorted(d.keys()))
del a
print("after del a, len:", len(d))
try:
    d["x"]
except KeyError as e:
    print("KeyError:", e)
print("get with default:", d.get("x", "gone"))
print("'y' in d:", "y" in d)
b2 = d.pop("y")
print("popped:", b2.name, "len:", len(d))
d["w"] = b2
del b, b2
print("value dropped after pop and re-insert, len:", len(d))
