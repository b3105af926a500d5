# annotations: def parameters/return (3.11 order: positional, posonly, *args, kwonly, **kwargs, return), the lazy __annotations__ dict and its refcounts, module/class variable annotations, annotated attributes/subscripts, function-level annotations not evaluated
# needs: annotations, __annotations__, builtin:__annotations__, builtin:UnboundLocalError, builtin:dict, kwonly, posonly
import sys


class A:
    pass


def note(what):
    print("eval", what)
    return what


base = sys.getrefcount(A)
def f(a: A, /, b: note("b"), *c: A, d: int = 3, **e: dict) -> A:
    return a
print("tuple holds A:", sys.getrefcount(A) - base)
print(f.__annotations__)
print("dict holds A:", sys.getrefcount(A) - base)
print(f.__annotations__ is f.__annotations__)
def g(x, y=1):
    return x
print(g.__annotations__, g.__annotations__ is g.__annotations__)
g.__annotations__["x"] = int
print(g.__annotations__)
f.__annotations__ = None
print(f.__annotations__, "after None:", sys.getrefcount(A) - base)
try:
    f.__annotations__ = [1]
except TypeError as e:
    print("TypeError", e)
del f.__annotations__
print(f.__annotations__)

x: note("int") = note(1)
w: A
print(__annotations__)
print("module dict holds A:", sys.getrefcount(A) - base)


class C:
    "doc"
    p: int
    q: str = "s"
    if True:
        r: note("float") = 1.5
    def m(self):
        self.v: note("never") = 5
        local: note("never either") = 2
        bare: int
        try:
            print(bare)
        except UnboundLocalError as e:
            print("UnboundLocalError", e)
        return self.v + local


print(C.__annotations__, C.q, C.r, C().m())
print("no m annotations:", C.m.__annotations__)


class Box:
    d = {}


def box():
    print("eval box")
    return b


b = Box()
box().x: note("attr ann") = 7
box().y: note("attr ann, no value")
box().d[note("key")]: note("subscr ann") = 8
box().d[note("k2")]: note("subscr ann, no value")
(v): note("paren ann") = 4
print(b.x, b.d, v, sorted(__annotations__))
