# str() of self-referencing containers prints [...] / {...} instead of recursing; a __repr__ that recurses by itself raises RecursionError
# needs: __repr__
l = []
l.append(l)
print(str(l))
d = {}
d["self"] = d
d["list"] = [d, l]
print(str(d))
a = []
b = [a]
a.append(b)
print(str(a), str(b))


class Box:
    def __init__(self):
        self.items = [self]

    def __repr__(self):
        return "Box(" + str(self.items) + ")"


print(str(Box()))


class Mirror:
    def __repr__(self):
        return "Mirror(" + str(self) + ")"


try:
    print(str(Mirror()))
except RecursionError as e:
    print("RecursionError:", e)
print("str still works:", str([1, [2, [3]]]))
