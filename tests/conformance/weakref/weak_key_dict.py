# WeakKeyDictionary: entries vanish when their keys die; values are held strongly (§6 item 47)
# needs: dict-other-keys, in-dict, method:keys, weakref.WeakKeyDictionary
import weakref


class Key:
    def __init__(self, name):
        self.name = name


d = weakref.WeakKeyDictionary()
k1 = Key("k1")
k2 = Key("k2")
d[k1] = [1]
d[k2] = [2]
print("len:", len(d))
print("lookup:", d[k1])
print("k1 in d:", k1 in d)
del k1
print("after del k1, len:", len(d))
print("remaining:", [k.name for k in d.keys()])
d[k2] = "replaced"
print("value replaced:", d[k2], len(d))
del d[k2]
print("after del d[k2]:", len(d))
try:
    d[1] = 2
except TypeError:
    print("int key: TypeError")
