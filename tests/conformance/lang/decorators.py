# decorators on functions and classes: order of evaluation and application, wrappers with closures, staticmethod/classmethod, refcounts of the decorated function, a decorator that raises
# needs: decorator, builtin:NameError, builtin:classmethod, builtin:staticmethod, star-unpack
import sys

log = []


def trace(name):
    log.append("make " + name)

    def deco(f):
        log.append("apply " + name)

        def wrapper(*args, **kwargs):
            log.append("call " + name)
            return f(*args, **kwargs)

        wrapper.__name__ = f.__name__
        return wrapper

    return deco


@trace("outer")
@trace("inner")
def add(a, b=10):
    return a + b


print(add(1), add(2, b=3), add.__name__)
print(log)


def register(cls):
    cls.registered = True
    return cls


@register
class Point:
    def __init__(self, x):
        self.x = x

    @staticmethod
    def origin():
        return Point(0)

    @classmethod
    def named(cls, x):
        return cls.__name__ + str(x)


print(Point.registered, Point.origin().x, Point.named(5), Point(3).named(4))


def same(f):
    return f


@same
def g():
    return "g"


print(g(), sys.getrefcount(g))
try:

    @trace("raises")
    @len
    def broken():
        pass

except TypeError as e:
    print("TypeError:", e)
print(log[-2:])
try:
    print(broken)
except NameError as e:
    print("NameError:", e)
