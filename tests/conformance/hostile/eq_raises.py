# an __eq__ that raises propagates out of list.index, `in`, list.remove, list.count and dict lookups on hash collisions
# needs: __eq__, __hash__, method:index, method:count
class Touchy:
    def __eq__(self, other):
        raise ValueError("do not compare me")

    def __hash__(self):
        return 7


l = [1, Touchy(), 3]
for name in ["index", "in", "remove", "count"]:
    try:
        if name == "index":
            l.index(3)
        elif name == "in":
            print(3 in l)
        elif name == "remove":
            l.remove(3)
        else:
            l.count(3)
        print(name, "did not raise")
    except ValueError as e:
        print(name, "ValueError:", e)
t = Touchy()
print("identity short-cut:", t in [t], [t].index(t))
d = {Touchy(): "first"}
try:
    d[Touchy()] = "second"
except ValueError as e:
    print("dict store with equal hashes:", e)
print("dict size unchanged:", len(d))
print("list unchanged:", len(l))
