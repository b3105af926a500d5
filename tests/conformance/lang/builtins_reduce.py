# sum (start, floats left to right), min/max (several arguments, key=, default=, first of equals), all/any short-circuit
# needs: str-order, builtin:all, builtin:max, builtin:min, builtin:sum
print(sum([1, 2, 3]), sum([0.1] * 10), sum([[1], [2]], []), sum([], 5), sum(range(5), start=10))
print(sum([0.1, 0.2, 0.3]), sum([1e16, 1.0, -1e16]))
print(min(3, 1, 2), max([4, 9, 2]), max([], default=None), min("bca"), max([1, 5, 3], key=lambda x: -x))
print(max([(1, "a"), (1, "b")], key=lambda p: p[0]), min([(2, "x"), (2, "y")], key=lambda p: p[0]))
print(max("apple", "fig", "banana", key=len), min([3.5, 2, 7]))
seen = []
def check(x):
    seen.append(x)
    return x > 2
print(any([check(x) for x in [1, 3, 5]]), seen)
print(all([]), any([]), all([1, "a", [0]]), any([0, "", None]))
for f in [lambda: min([]), lambda: max(), lambda: sum(["a"], "b"), lambda: min(1, 2, default=3),
          lambda: max([1], foo=1), lambda: max(1, "a"), lambda: sum([1, "a"])]:
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__ + ":", e)
