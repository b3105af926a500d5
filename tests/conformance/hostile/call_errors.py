# calling with wrong argument counts or keywords: CPython 3.11's TypeError messages (qualified names for methods)
def show(what, f):
    try:
        f()
        print(what, "worked?!")
    except TypeError as e:
        print(what, "->", e)


def two(a, b):
    return a


def defaulted(a, b=1):
    return a


def none():
    return 0


def star(a, *args):
    return a


class C:
    def m(self, x):
        return x


class Empty:
    pass


show("two(1)", lambda: two(1))
show("two()", lambda: two())
show("two(1, 2, 3)", lambda: two(1, 2, 3))
show("defaulted()", lambda: defaulted())
show("defaulted(1, 2, 3)", lambda: defaulted(1, 2, 3))
show("none(1)", lambda: none(1))
show("star()", lambda: star())
show("two(1, c=2)", lambda: two(1, c=2))
show("two(1, a=2)", lambda: two(1, a=2))
show("C().m()", lambda: C().m())
show("C().m(1, 2)", lambda: C().m(1, 2))
show("C.m(1)", lambda: C.m(1))
show("Empty(1)", lambda: Empty(1))
show("None()", lambda: (None,)[0]())
show("5()", lambda: [5][0]())
show("len()", lambda: len())
show("len(1, 2)", lambda: len([], []))
