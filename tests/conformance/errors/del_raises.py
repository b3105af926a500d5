# an exception in __del__ is reported as "Exception ignored in" on stderr and execution continues (refcount path)
class Bad:
    def __del__(self):
        print("__del__ starts")
        raise ValueError("from __del__")


b = Bad()
del b
print("continued after del")


def scope():
    x = Bad()
    return "returned normally"


print(scope())
try:
    b = Bad()
    b = None
    print("no exception reached the caller")
except ValueError:
    print("not reached")
