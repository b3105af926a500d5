# list comprehensions: filters, nested loops, nested comprehensions, own scope (loop variable does not leak), closures over outer names
x = "outer x"
sq = [x * x for x in range(5)]
print(sq, "x after:", x)
print([n for n in range(10) if n % 3 == 0])
print([a * 10 + b for a in range(3) for b in range(2)])
print([[i * j for j in range(3)] for i in range(3)])
print([p for p in [[1, 2], [3]] if len(p) > 1])
k = 100
print([v + k for v in [1, 2]])


def scoped():
    base = 5
    return [base + i for i in range(3)]


print(scoped())
pairs = [(1, "a"), (2, "b")]
print([s for (n, s) in pairs])
print([(lambda: n)() for n in range(3)])
print([])
