# special methods in the subset: __init__, __len__ (len and truthiness), __add__, __call__; default __eq__ is identity
class Bag:
    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __add__(self, other):
        return Bag(self.items + other.items)

    def __call__(self, x, scale=1):
        return x * len(self.items) * scale


a = Bag([1, 2])
b = Bag([3])
c = a + b
print("len:", len(a), len(b), len(c), c.items)
print("truthiness from __len__:", bool(Bag([])), bool(a))
if not Bag([]):
    print("empty bag is falsy")
print("call:", a(5), a(5, scale=3))
print("default equality is identity:", a == a, a == Bag([1, 2]), a != b)
lst = [a, b]
lst.remove(b)
print("list.remove uses identity fallback:", len(lst), lst[0] is a)
print("in uses it too:", b in [a], a in [a])
try:
    a + 1
except AttributeError as e:
    print("AttributeError from __add__:", e)
try:
    b - a
except TypeError as e:
    print("TypeError:", e)
