# weakref.proxy forwards attribute get/set/del, len, +, calls; after death any use raises ReferenceError (§6 items 36, 37)
# needs: in-dict
import weakref


class Vec:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __add__(self, other):
        return self.n + other

    def size(self):
        return self.n * 10


v = Vec(3)
p = weakref.proxy(v)
print("type:", type(p).__name__)
print("attribute:", p.n)
p.extra = "set through proxy"
print("set through proxy:", v.extra)
del p.extra
print("deleted through proxy:", "extra" in v.__dict__)
print("len:", len(p))
print("add:", p + 4)
print("method:", p.size())
print("bool:", bool(p))
print("str of an attribute:", str(p.n))
del v
for what in ["attribute", "bool", "len"]:
    try:
        if what == "attribute":
            p.n
        elif what == "bool":
            bool(p)
        else:
            len(p)
    except ReferenceError as e:
        print(what, "on dead proxy: ReferenceError:", e)
