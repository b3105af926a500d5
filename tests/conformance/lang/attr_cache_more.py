# needs: __class__, __setattr__, builtin:getattr, builtin:hasattr
# Cached class lookups after __class__ assignment, late base attributes, a late __setattr__
# and classes created and freed in a loop.

# __class__ assignment.
class Child:
    def m(self):
        return "Child.m"

class Other:
    def m(self):
        return "Other.m"
o = Child()
print(o.m())
o.__class__ = Other
print(o.m())
o.__class__ = Child
print(o.m())

# A missing attribute, then added to a base.
class A:
    pass
class B(A):
    pass
b = B()
for i in range(2):
    print(hasattr(b, "late"), getattr(b, "late", None))
A.late = 42
print(hasattr(b, "late"), getattr(b, "late", None), b.late)
del A.late
print(hasattr(b, "late"))

# __setattr__ defined after instances were used.
class S:
    pass
s = S()
s.x = 1
print(s.x)
def logging_setattr(self, name, value):
    print("setattr", name, value)
S.__setattr__ = logging_setattr
s.y = 2
print(hasattr(s, "y"))
del S.__setattr__
s.z = 3
print(s.z)

# Many short-lived classes (a freed class's address may be reused by the next one).
def make(k):
    class T:
        def v(self):
            return k
    return T()
total = 0
for k in range(200):
    total += make(k).v()
print(total)
for k in range(5):
    class U:
        pass
    if k % 2:
        U.v = lambda self: "odd"
    u = U()
    print(k, getattr(u, "v", lambda: "none")())

