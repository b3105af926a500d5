# Attribute lookups that a per-class cache could answer stale: every change to a class
# namespace, a base's namespace, an instance's class or its attributes must show at once.

class Base:
    def m(self):
        return "Base.m"

class Child(Base):
    pass

c = Child()
for i in range(3):
    print(c.m())
# A method added to the subclass shadows the base's.
def child_m(self):
    return "Child.m"
Child.m = child_m
for i in range(3):
    print(c.m())
# Deleting it uncovers the base's again.
del Child.m
for i in range(3):
    print(c.m())
# Replacing the base's method.
Base.m = lambda self: "lambda m"
print(c.m(), Child().m())
# An instance attribute shadows the class's method, and deleting it uncovers it.
c.m = lambda: "instance m"
print(c.m())
del c.m
print(c.m())
# __dict__ materialised, then updated directly.
d = c.__dict__
d["m"] = lambda: "dict m"
print(c.m())
del d["m"]
print(c.m())

