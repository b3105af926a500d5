# order of __del__ when containers die: list and tuple items last to first, dict and instance attributes in insertion order
class A:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("  del", self.name)


print("list:")
l = [A("l0"), A("l1"), A("l2")]
del l
print("tuple:")
t = (A("t0"), A("t1"), A("t2"))
del t
print("dict:")
d = {"x": A("d0"), "y": A("d1"), "z": A("d2")}
del d
print("instance attributes:")


class Holder:
    pass


h = Holder()
h.a = A("h0")
h.b = A("h1")
h.c = A("h2")
del h
print("list.clear():")
l = [A("c0"), A("c1")]
l.clear()
print("function locals at return:")


def f():
    x = A("x")
    y = A("y")
    z = A("z")


f()
print("del a, b, c:")
a = A("a")
b = A("b")
c = A("c")
del a, b, c
print("end")
