# generator expressions: lazy, first iterable evaluated at once in the enclosing scope, nested fors and ifs, scoping
# needs: genexpr, builtin:NameError, builtin:all, builtin:max, builtin:next, builtin:sum, method:upper
def noisy(n):
    print("noisy called")
    return range(n)


g = (x * x for x in noisy(4))
print("made", type(g).__name__, g.__name__)
print(list(g))
print(list(g))
print(sum(i for i in range(10) if i % 3 == 0))
print(list((i, j) for i in range(3) for j in range(i)))
print(list(c.upper() for c in "abc" if c != "b"))
print(tuple(x + 1 for x in [1, 2, 3]))
print(sorted(k for k in {"b": 1, "a": 2}))
print(",".join(str(n) for n in range(5)))
print(any(x > 3 for x in range(5)), all(x > 3 for x in range(5)))


def outer():
    base = 100
    return list(base + i for i in range(3))


print(outer())
try:
    gen = (1 / x for x in [1, 0])
    print(next(gen))
    print(next(gen))
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)
print(list(gen))
try:
    (y for y in 5)
except TypeError as e:
    print("TypeError", e)
lazy = (undefined_name for q in range(1))
try:
    next(lazy)
except NameError as e:
    print("NameError", e)
items = [1, 2, 3]
it = (v for v in items)
items.append(4)
print(list(it))
print(max((len(w), w) for w in ["aa", "b", "ccc"]))


class Box:
    factor = 3
    vals = list(v for v in range(3))


print(Box.vals)
print(list(x for x in (y * 2 for y in range(4))))
