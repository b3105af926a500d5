# sorted and list.sort: stability, key=, reverse= keeps equal items in order, user __lt__, errors, list modified during sort
# needs: __lt__, __repr__, method:sort, str-order, tuple-compare
words = ["pear", "Fig", "banana", "kiwi", "apple", "fig"]
print(sorted(words), sorted(words, key=len), sorted(words, key=len, reverse=True))
print(sorted([3, 1, 2], reverse=True), sorted("hello"), sorted((2.5, 1, -3)))
pairs = [(1, "b"), (0, "c"), (1, "a"), (0, "a")]
print(sorted(pairs), sorted(pairs, key=lambda p: p[0]), sorted(pairs, key=lambda p: p[0], reverse=True))
class C:
    def __init__(self, v, tag):
        self.v = v
        self.tag = tag
    def __lt__(self, other):
        return self.v < other.v
    def __repr__(self):
        return "C" + str(self.v) + self.tag
print(sorted([C(2, "a"), C(1, "b"), C(2, "c"), C(0, "d"), C(1, "e")]))
big = [(i * 7919) % 101 for i in range(101)]
print(sorted(big) == list(range(101)), sorted([C(i % 5, str(i)) for i in range(12)]))
l = [5, 2, 9, 1]
print(l.sort(), l)
l.sort(key=lambda x: -x)
print(l)
l.sort(reverse=True)
print(l)
def meddle(x):
    l.append(x)
    return x
try:
    l.sort(key=meddle)
except ValueError as e:
    print("ValueError:", e, l)
for f in [lambda: sorted([1, "a"]), lambda: sorted(), lambda: sorted([1], foo=2), lambda: [3, 1].sort(1)]:
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__ + ":", e)
