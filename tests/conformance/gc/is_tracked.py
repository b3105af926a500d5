# gc.is_tracked: atoms and static types are not tracked; containers, instances, classes, functions, modules are (§6 item 12, §3.2)
import gc
import sys


class C:
    pass


def f():
    pass


print("None:", gc.is_tracked(None))
print("int:", gc.is_tracked(1), gc.is_tracked(2 ** 40))
print("float:", gc.is_tracked(1.5))
print("bool:", gc.is_tracked(True))
print("str:", gc.is_tracked("a"), gc.is_tracked(""))
print("type, int, object:", gc.is_tracked(type), gc.is_tracked(int), gc.is_tracked(object))
print("object():", gc.is_tracked(object()))
print("range:", gc.is_tracked(range(3)))
print("empty tuple:", gc.is_tracked(()))
print("list:", gc.is_tracked([]), gc.is_tracked([1]))
print("instance:", gc.is_tracked(C()))
print("class:", gc.is_tracked(C))
print("function:", gc.is_tracked(f), gc.is_tracked(lambda: 0))
print("bound method:", gc.is_tracked(C().__init__))
print("module:", gc.is_tracked(gc), gc.is_tracked(sys))
