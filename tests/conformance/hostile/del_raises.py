# exceptions raised in __del__ never reach the code that dropped the object, even while another exception is being handled
import gc

gc.disable()


class Bomb:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("__del__", self.name)
        raise ValueError("from __del__ " + self.name)


b = Bomb("refcount")
b = None
print("after rebinding")
try:
    b = Bomb("in handler")
    raise KeyError("outer")
except KeyError as e:
    b = None
    print("still handling KeyError:", e)
l = [Bomb("one"), Bomb("two"), Bomb("three")]
del l
print("all three ran")
x = Bomb("cycle")
x.me = x
del x
print("collect:", gc.collect())
print("done")
