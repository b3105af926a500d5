# __del__ runs once, immediately, when the last reference goes away (refcount path); rebinding a name frees the old object
import gc

gc.disable()


class A:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("__del__", self.name)


a = A("a")
print("created a")
del a
print("after del a")
b = A("b1")
b = A("b2")
print("after rebinding b")
c = A("c")
d = c
del c
print("after del c (d still holds it)")
d = None
print("after d = None")


def scope():
    e = A("local")
    print("leaving scope")


scope()
print("after scope()")
A("temporary")
print("after a temporary")
print("collect finds nothing:", gc.collect())
del b
print("end")
