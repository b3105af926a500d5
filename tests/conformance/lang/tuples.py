# tuples: literal, single element, index, iteration, unpacking (nested), tuple(list), immutability, equality
# needs: in-tuple
t = (1, "two", 3.0)
print(t, t[0], t[-1], len(t))
single = (5,)
print(single, len(single), ())
a, b, c = t
print("unpacked:", a, b, c)
x, (y, z) = 1, (2, 3)
print("nested unpack:", x, y, z)
print("tuple(list):", tuple([1, 2]), tuple([]))
for item in (7, 8):
    print("iter", item)
try:
    t[0] = 5
except TypeError as e:
    print("TypeError:", e)
print("equality:", (1, 2) == (1, 2), (1, 2) == (2, 1), (1,) != (1, 2))
print("in:", 2 in (1, 2), "nested tuple:", ((1, 2), (3,)))
p = 1, 2
print("packing without parens:", p)
try:
    q, r = (1, 2, 3)
except ValueError as e:
    print("ValueError:", e)
