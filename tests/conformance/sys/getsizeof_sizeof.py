# sys.getsizeof calls __sizeof__ and adds the GC header plus 3.11's 16-byte managed-dict pre-header for class instances;
# bad results raise, a default replaces only TypeError (§2.1, §6 item 54)
# needs: __sizeof__, sys.getsizeof
import sys


class Sized:
    def __init__(self, n):
        self.n = n

    def __sizeof__(self):
        return self.n


class Raises:
    def __sizeof__(self):
        raise KeyError("no size")


print("__sizeof__ 100 plus headers:", sys.getsizeof(Sized(100)))
print("__sizeof__ 0:", sys.getsizeof(Sized(0)))
try:
    sys.getsizeof(Sized(-1))
except ValueError as e:
    print("negative: ValueError:", e)
try:
    sys.getsizeof(Sized(None))
except TypeError as e:
    print("None: TypeError")
print("None with a default:", sys.getsizeof(Sized(None), 42))
try:
    sys.getsizeof(Raises())
except KeyError as e:
    print("exception from __sizeof__ propagates: KeyError", e)
try:
    sys.getsizeof(Raises(), -7)
except KeyError:
    print("the default only replaces TypeError: KeyError still propagates")
