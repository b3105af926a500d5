# object.__setattr__ / __getattribute__ / __delattr__: a class's __setattr__ ending in super().__setattr__, stores and reads that skip the hooks, CPython's argument errors
# needs: __delattr__, __getattr__, __getattribute__, __setattr__, builtin:hasattr, method:__delattr__, method:__getattribute__
class Logged:
    def __init__(self, x):
        self.x = x

    def __setattr__(self, name, value):
        print("set", name, value)
        super().__setattr__(name, value)

    def __getattr__(self, name):
        return "missing " + name


o = Logged(1)
o.y = 2
print(o.x, o.y, o.z, object.__getattribute__(o, "x"))
object.__setattr__(o, "w", 5)
print(o.w, o.__dict__)
object.__delattr__(o, "w")
print(o.w)
try:
    object.__getattribute__(o, "nope")
except AttributeError as e:
    print("AttributeError:", e)
try:
    object.__setattr__(o, 1, 2)
except TypeError as e:
    print("TypeError:", e)
try:
    object.__setattr__(o, "a")
except TypeError as e:
    print("TypeError:", e)
try:
    object.__setattr__(1, "a", 2)
except AttributeError as e:
    print("AttributeError:", e)


class Plain:
    pass


p = Plain()
p.a = 1
print(p.a, Plain.__setattr__ is object.__setattr__, hasattr(p, "__getattribute__"))
class Frozen:
    def __setattr__(self, name, value):
        raise AttributeError("frozen")
f = Frozen()
object.__setattr__(f, "k", 3)
print(f.k)
try:
    f.k = 4
except AttributeError as e:
    print("AttributeError:", e)
