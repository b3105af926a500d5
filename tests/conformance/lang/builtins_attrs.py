# getattr (default), setattr, hasattr, delattr, vars (the instance __dict__), dir (instance and class names), callable
# needs: method:startswith, builtin:callable, builtin:delattr, builtin:dir, builtin:getattr, builtin:hasattr, builtin:setattr, builtin:vars
class Base:
    kind = "base"
    def hello(self):
        return "hi"
class A(Base):
    y = 1
    def m(self):
        return self.y
a = A()
a.x = 5
print(getattr(a, "x"), getattr(a, "z", "dflt"), getattr(a, "kind"), getattr(a, "m")())
print(hasattr(a, "y"), hasattr(a, "q"), hasattr(a, "hello"), hasattr(A, "m"))
setattr(a, "w", 7)
print(vars(a), a.w)
delattr(a, "w")
print(vars(a), hasattr(a, "w"))
vars(a)["v"] = 9
print(a.v)
print([n for n in dir(a) if not n.startswith("__")])
print([n for n in dir(A) if not n.startswith("__")])
print(callable(a), callable(A), callable(a.m), callable(len), callable(3), callable(None))
for f in [lambda: getattr(a, 1), lambda: getattr(a, "nope"), lambda: delattr(a, "zz"), lambda: setattr(a, 2, 3),
          lambda: getattr(a), lambda: vars(3)]:
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__ + ":", e)
