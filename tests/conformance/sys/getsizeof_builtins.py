# sys.getsizeof of built-in objects in CPython 3.11 (64-bit): includes the 16-byte GC header for tracked types (§2.1, §6 item 54)
# needs: sys.getsizeof
import sys


class Empty:
    pass


def f():
    pass


print("[]:", sys.getsizeof([]))
print("[1, 2, 3]:", sys.getsizeof([1, 2, 3]))
print("():", sys.getsizeof(()))
print("(1,):", sys.getsizeof((1,)))
print("(1, 2, 3):", sys.getsizeof((1, 2, 3)))
print("{}:", sys.getsizeof({}))
print("1.0:", sys.getsizeof(1.0))
print("1:", sys.getsizeof(1))
print("2 ** 40:", sys.getsizeof(2 ** 40))
print("True:", sys.getsizeof(True))
print("None:", sys.getsizeof(None))
print("'':", sys.getsizeof(""))
print("'abc':", sys.getsizeof("abc"))
print("object():", sys.getsizeof(object()))
print("instance:", sys.getsizeof(Empty()))
print("range(10):", sys.getsizeof(range(10)))
