# special methods beyond the subset: __repr__/__str__, __eq__/__hash__ (dict keys), __getitem__, __sub__/__mul__/__neg__, __lt__ for sorted
# needs: __eq__, __getitem__, __hash__, __lt__, __mul__, __neg__, __repr__, __sub__
class V:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __repr__(self):
        return "V(" + str(self.x) + ", " + str(self.y) + ")"

    def __eq__(self, other):
        return self.x == other.x and self.y == other.y

    def __hash__(self):
        return self.x * 31 + self.y

    def __getitem__(self, i):
        if i == 0:
            return self.x
        if i == 1:
            return self.y
        raise IndexError("V index")

    def __sub__(self, o):
        return V(self.x - o.x, self.y - o.y)

    def __mul__(self, k):
        return V(self.x * k, self.y * k)

    def __neg__(self):
        return V(-self.x, -self.y)

    def __lt__(self, o):
        return self.x < o.x


a = V(1, 2)
print(a, [a, V(0, 0)], str(a))
print("eq:", a == V(1, 2), a != V(1, 3))
d = {V(1, 2): "found"}
print("hash lookup:", d[V(1, 2)])
print("getitem:", a[0], a[1])
x, y = a
print("unpacking through __getitem__:", x, y)
print("arith:", a - V(1, 1), a * 3, -a)
print("sorted with __lt__:", sorted([V(3, 0), V(1, 0), V(2, 0)]))
