# cycles through a class attribute and through a bound method stored on its own instance are collected (§6 item 2)
import gc

gc.disable()
gc.collect()


class A:
    pass


A.a = A
del A
n = gc.collect()
print("class referencing itself collected something:", n > 0)
print("then nothing:", gc.collect())


class B:
    def meth(self):
        return 1


b = B()
b.m = b.meth
del b
print("instance holding its own bound method:", gc.collect())


class C:
    pass


c = C()
C.instance = c
del c
print("class attribute holding an instance (class still alive):", gc.collect())
C.instance = None
print("after clearing the class attribute:", gc.collect())
