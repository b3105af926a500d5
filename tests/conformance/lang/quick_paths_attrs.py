# needs: __bool__, __class__, __len__, __setattr__, builtin:setattr, method:items, subclass:list, builtin:property
# Quick paths for methods and attribute stores answer as the general ones: a call site seeing several classes, replaced, shadowed and uncovered methods, a __setattr__ added to a base and removed, instance truth before and after a base gains __len__ or __bool__, a property added to a class after a site read the attribute
class A:
    def who(self):
        return "A"
class B(A):
    def who(self):
        return "B"
class C(A):
    pass
# One call site sees three classes, then a method replaced, shadowed and uncovered.
objs = [A(), B(), C(), B()]
for o in objs:
    print(o.who(), end=" ")
print()
A.who = lambda self: "A2"
print([o.who() for o in objs])
objs[0].who = lambda: "own"
print([o.who() for o in objs])
del objs[0].who
print([o.who() for o in objs])

# Stores go through __setattr__ once a class (or a base) has one, and straight in again after.
class P:
    pass
class Q(P):
    pass
q = Q()
q.x = 1
def logged(self, name, value):
    print("set", name, value)
    self.__dict__[name] = value
P.__setattr__ = logged
q.x = 2
q.y = 3
del P.__setattr__
q.x = 4
print(q.x, q.y, sorted(q.__dict__.items()))
q.__class__ = P
print(type(q).__name__, isinstance(q, Q))
# More attributes than an instance keeps in pairs.
for i in range(20):
    setattr(q, "a" + str(i), i)
q.a3 = 33
print(q.a3, q.a19, len(q.__dict__))

# Truth of instances: true until the class (or a base) gains __len__ or __bool__.
class T:
    pass
class U(T):
    pass
u = U()
print(bool(u), "yes" if u else "no")
T.__len__ = lambda self: 0
print(bool(u), "yes" if u else "no")
T.__bool__ = lambda self: True
print(bool(u))
del T.__bool__
del T.__len__
print(bool(u))
class LL(list):
    pass
print(bool(LL()), bool(LL([1])), "yes" if LL() else "no")

# A property given to the class after a site read the instance's attribute takes over.
class Late:
    pass
def read_x(o):
    return o.x
late = Late()
late.x = 1
print(read_x(late), read_x(late))
Late.x = property(lambda self: "from the property")
print(read_x(late), late.x)
