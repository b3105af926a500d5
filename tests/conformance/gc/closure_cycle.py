# cycles through closure cells and default arguments: function <-> cell, list -> function -> defaults -> list
import gc

gc.disable()
gc.collect()


def make():
    def inner():
        return inner
    return inner


f = make()
print("closure returns itself:", f() is f)
del f
print("function -> closure tuple -> cell -> function:", gc.collect())


def make_pair():
    box = []
    def get():
        return box
    box.append(get)
    return get


g = make_pair()
del g
print("captured list holding the closure:", gc.collect())
lst = []


def h(x=lst):
    return x


lst.append(h)
del h, lst
print("list -> function -> defaults tuple -> list:", gc.collect())
print("nothing left:", gc.collect())
