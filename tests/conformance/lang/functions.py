# functions: positional and keyword arguments, defaults evaluated once at def time (mutable default shared), return values
counter = 10


def f(a, b=2, c=counter):
    return [a, b, c]


counter = 99
print(f(1), f(1, 3), f(1, c=5), f(c=0, b=1, a=2))


def append_to(x, into=[]):
    into.append(x)
    return into


print(append_to(1), append_to(2), append_to(3, []))


def no_return():
    pass


def bare_return():
    return


def multi():
    return 1, "two"


print(no_return(), bare_return(), multi())
try:
    f()
except TypeError as e:
    print("TypeError:", e)
try:
    f(1, 2, 3, 4)
except TypeError as e:
    print("TypeError:", e)
try:
    f(1, d=4)
except TypeError as e:
    print("TypeError:", e)
try:
    f(1, a=2)
except TypeError as e:
    print("TypeError:", e)


def shadow(next, list=None):
    return next + 1


print("parameters may shadow builtins:", shadow(1))
