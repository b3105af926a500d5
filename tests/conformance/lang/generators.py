# generator functions: yield as statement and expression, return value -> StopIteration.value, for/list/next/sum/zip
# needs: generator, __cause__, __qualname__, builtin:RuntimeError, builtin:StopIteration, builtin:dict, builtin:iter, builtin:max, builtin:min, builtin:next, builtin:repr, builtin:sum, builtin:zip, method:send, method:startswith
def count_up(n):
    i = 0
    while i < n:
        yield i
        i += 1


print(list(count_up(5)))
print(sum(count_up(101)))
for a, b in zip(count_up(3), count_up(10)):
    print("pair", a, b)


def echo():
    total = 0
    while True:
        got = yield total
        if got is None:
            return total
        total += got


e = echo()
print(next(e), e.send(3), e.send(4))
try:
    next(e)
except StopIteration as s:
    print("returned", s.value, s.args)


def empty():
    return
    yield


print(list(empty()))
try:
    next(empty())
except StopIteration as s:
    print("empty stop", s.value, s.args)


def nested(n):
    if n == 0:
        yield "leaf"
        return
    for x in nested(n - 1):
        yield x + "!"
    yield "level " + str(n)


print(list(nested(3)))


g = count_up(2)
print(next(g), next(g), next(g, "default"))
print(next(g, "again"))
print(type(g).__name__, g.__name__, g.__qualname__, iter(g) is g)
print(repr(g).startswith("<generator object count_up at 0x"))
lam = lambda: (yield 7)
lg = lam()
print(next(lg), lg.__name__)


def raises_stop():
    yield 1
    raise StopIteration("inner")


try:
    list(raises_stop())
except RuntimeError as r:
    print("RuntimeError:", r, type(r.__cause__).__name__, r.__cause__)
print([x for x in count_up(4) if x % 2])
print(dict(zip(count_up(3), "abc")))
print(sorted(count_up(4), reverse=True), max(count_up(6)), min(count_up(6)))
