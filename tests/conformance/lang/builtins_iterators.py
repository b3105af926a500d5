# reversed, enumerate (start=), zip (shortest wins), map (several iterables), filter (None and a function), iter/next over them
# needs: in-range, __getitem__, builtin:dict, builtin:enumerate, builtin:filter, builtin:map, builtin:next, builtin:reversed, builtin:zip
print(list(reversed([1, 2, 3])), list(reversed((1, 2))), list(reversed(range(4))), list(reversed("ab")))
print(list(enumerate("ab")), list(enumerate(["x", "y"], start=5)), list(enumerate([], 3)))
print(list(zip([1, 2, 3], "ab")), list(zip()), list(zip([1], [2], [3])), dict(zip("ab", [1, 2])))
print(list(map(str, [1, 2])), list(map(lambda a, b: a + b, [1, 2], [10, 20, 30])))
print(list(filter(None, [0, 1, "", "x", None, 2])), list(filter(lambda x: x % 2, range(7))))
it = zip("xy", [1, 2])
print(next(it), next(it), next(it, "done"))
for i, (a, b) in enumerate(zip("pq", "rs"), 1):
    print(i, a, b)
r = reversed([1, 2])
print(next(r), list(r), list(r))
total = 0
for x in map(len, ["a", "bb", "ccc"]):
    total += x
print("total", total)
class Seq:
    def __len__(self):
        return 3
    def __getitem__(self, i):
        if i >= 3:
            raise IndexError(i)
        return i * 10
print(list(reversed(Seq())), list(enumerate(Seq())))
for f in [lambda: reversed(3), lambda: zip(1), lambda: map(len), lambda: enumerate(5), lambda: filter(None, 3)]:
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__ + ":", e)
