# needs: star-unpack, builtin:max, method:format, method:items
# calls that spread arguments: f(*iterable), f(**mapping), mixed with plain ones, and CPython's errors
def f(a, b=2, *rest, **kw):
    return (a, b, rest, sorted(kw.items()))


args = [1, 2, 3]
print(f(*args))
print(f(0, *args, 9))
print(f(*args, x=1, **{"y": 2}))
print(f(**{"a": 5, "b": 6}))
print(max(*[3, 9, 4]))
print("{} {}".format(*("a", "b")))


class C:
    def m(self, *a, **k):
        return len(a), sorted(k)


c = C()
print(c.m(*range(4), **{"z": 1}))
t = (1,)
print(f(*t, b=7))
try:
    f(*5)
except TypeError as e:
    print(e)
try:
    f(**[1])
except TypeError as e:
    print(e)
try:
    f(1, a=2, **{"a": 3})
except TypeError as e:
    print(e)
try:
    f(**{1: 2})
except TypeError as e:
    print(e)
try:
    f(*args, a=4)
except TypeError as e:
    print(e)
try:
    print(*5)
except TypeError as e:
    print(e)
print(*[1, 2, 3], sep="-")
