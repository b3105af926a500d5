# property: getter/setter/deleter through the decorator and call forms, precedence over the instance's attributes, inheritance, CPython's errors for a missing function, refcounts, a property in a cycle
# needs: decorator, builtin:property, builtin:AttributeError, builtin:isinstance, __doc__, builtin:hasattr, method:setter
import gc
import sys


class Temperature:
    def __init__(self, celsius):
        self._c = celsius

    @property
    def celsius(self):
        print("get celsius")
        return self._c

    @celsius.setter
    def celsius(self, value):
        print("set celsius", value)
        if value < -273:
            raise ValueError("too cold")
        self._c = value

    @celsius.deleter
    def celsius(self):
        print("del celsius")
        del self._c

    kelvin = property(lambda self: self._c + 273, doc="kelvin doc")


t = Temperature(20)
print(t.celsius, t.kelvin)
t.celsius = 25
print(t._c, Temperature.kelvin.__doc__, type(Temperature.celsius).__name__)
try:
    t.celsius = -300
except ValueError as e:
    print("ValueError:", e)
del t.celsius
print("has _c:", hasattr(t, "_c"))
t._c = 5
try:
    t.kelvin = 1
except AttributeError as e:
    print("AttributeError:", e)


class Hot(Temperature):
    pass


h = Hot(90)
print("inherited:", h.celsius, isinstance(Hot.celsius, property))
t.__dict__["kelvin"] = "shadow"
print("property wins:", t.kelvin)
p = property()
try:
    Hot.broken = p
    h.broken
except AttributeError as e:
    print("AttributeError:", e)
print(p.fget, p.fset, p.fdel, p.__doc__)
f = lambda self: 1
base = sys.getrefcount(f)
q = property(f)
print("fget held:", sys.getrefcount(f) - base, q.fget is f)
q2 = q.setter(None)
print("copies:", q2 is q, q2.fget is f, sys.getrefcount(f) - base)
del q, q2
print("released:", sys.getrefcount(f) - base)


n = Hot(0)
n.me = property(n.__init__)
del n
print("cycle through a property:", gc.collect())
