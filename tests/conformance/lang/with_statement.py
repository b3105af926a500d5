# with: __enter__/__exit__ order, the as-target, several items, exceptions passed to __exit__ and swallowed by a true result, return/break/continue through the body, errors in __enter__/__exit__, CPython's protocol errors, refcounts
# needs: with, __enter__, __exit__, builtin:ArithmeticError, builtin:RuntimeError, builtin:repr, method:upper
import sys


class Manager:
    def __init__(self, name, swallow=False):
        self.name = name
        self.swallow = swallow

    def __enter__(self):
        print("enter", self.name)
        return self.name.upper()

    def __exit__(self, kind, value, tb):
        print("exit", self.name, kind.__name__ if kind else None, value)
        return self.swallow


with Manager("a") as x, Manager("b") as y:
    print("body", x, y)
with Manager("c", swallow=True):
    raise ValueError("swallowed")
print("after swallowed")
try:
    with Manager("d"):
        raise KeyError("kept")
except KeyError as e:
    print("caught", repr(e))


def early():
    with Manager("e"):
        return "returned"


print(early())
for i in range(3):
    with Manager(str(i)):
        if i == 0:
            continue
        if i == 1:
            break
print("loop done", i)


class BadEnter:
    def __enter__(self):
        raise RuntimeError("enter failed")

    def __exit__(self, *args):
        print("never")


class BadExit(Manager):
    def __exit__(self, kind, value, tb):
        raise ArithmeticError("exit failed")


for m in (BadEnter(), BadExit("f"), 42, object()):
    try:
        with m:
            print("body runs")
    except Exception as e:
        print(type(e).__name__, e)
m = Manager("g")
base = sys.getrefcount(m)
with m as v:
    print("inside:", sys.getrefcount(m) - base)
print("after:", sys.getrefcount(m) - base)
try:
    with Manager("h") as (p, q, r):
        print("never")
except ValueError as e:
    print("unpack:", e)
