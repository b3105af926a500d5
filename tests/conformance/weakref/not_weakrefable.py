# TypeError for types that cannot be weakly referenced: int, float, str, tuple, list, dict, None, bool, object() (§4)
import weakref


class Obj:
    pass


for value in [1, 1.5, "s", (1,), [1], {"a": 1}, None, True, object(), range(2)]:
    try:
        weakref.ref(value)
        print(type(value).__name__, "ok")
    except TypeError as e:
        print(type(value).__name__, "TypeError:", e)
for value in [Obj(), Obj, len]:
    print(type(value).__name__, "weakrefable:", weakref.ref(value)() is value)
try:
    weakref.proxy([])
except TypeError as e:
    print("proxy of a list: TypeError:", e)
try:
    weakref.ref(Obj(), callback=None)
except TypeError:
    print("ref(o, callback=None) keyword: TypeError")
