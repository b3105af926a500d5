# needs: __class__
# One LOAD_METHOD site seeing many classes (more than its cache remembers), methods redefined,
# deleted and shadowed by instance attributes (pairs and __dict__) while the cache holds them.
class Base:
    def who(self):
        return "base"
    def kind(self):
        return "b"
class A(Base):
    def who(self):
        return "A"
class B(Base):
    pass
class C(Base):
    def who(self):
        return "C"
class D(B):
    def who(self):
        return "D"
class E(D):
    pass
class F(Base):
    def kind(self):
        return "f"

def calls(objs):
    return [o.who() + o.kind() for o in objs]

objs = [A(), B(), C(), D(), E(), F()]
for _ in range(3):
    print(calls(objs))
def new_who(self):
    return "new"
Base.who = new_who
print(calls(objs))
del D.who
print(calls(objs))
objs[2].who = lambda: "own"
objs[0].kind = lambda: "!"
print(calls(objs))
objs[1].__class__ = C
objs[5].__class__ = A
print(calls(objs))
C.who = lambda self: "lam"
print(calls(objs))
# A name no instance used before becomes an instance attribute.
objs[3].never_an_attribute = 1
objs[4].who = lambda: "late"
print(calls(objs))
# An instance's __dict__ (no instance had left pairs before) shadows a method at a warm site.
class G:
    def fresh(self):
        return "method"
g = G()
print([g.fresh() for _ in range(3)])
g.__dict__["fresh"] = lambda: "from __dict__"
print([g.fresh() for _ in range(3)])
