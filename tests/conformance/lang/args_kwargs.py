# *args and **kwargs: collection into a tuple and a dict (keyword order kept), mixing with positionals and defaults
def f(a, *args, **kwargs):
    return [a, args, kwargs]


print(f(1))
print(f(1, 2, 3))
print(f(1, x=2, y=3))
print(f(1, 2, z=3, a2=4))


def g(a, b=5, *rest, **opts):
    return [a, b, rest, opts]


print(g(1), g(1, 2, 3), g(1, k=0))


def count(*args):
    return len(args)


print("no args:", count(), "three:", count(None, None, None))


def kw_only_dict(**kw):
    keys = []
    for k in kw:
        keys.append(k)
    return keys


print("keyword order:", kw_only_dict(zeta=1, alpha=2, mid=3))
try:
    f(1, a=2)
except TypeError as e:
    print("TypeError:", e)
