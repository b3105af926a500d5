# get_referrers: the tracked containers that refer to an object (listed by type name, sorted)
# needs: gc.get_referrers
import gc


class Thing:
    pass


class Holder:
    pass


def names(objs):
    return sorted([type(o).__name__ for o in objs])


def check():
    x = Thing()
    print("only frame locals refer:", names(gc.get_referrers(x)))
    lst = [x, x]
    tup = (x,)
    d = {"k": x}
    h = Holder()
    h.attr = x
    refs = gc.get_referrers(x)
    print("containers referring:", names(refs))
    print("the list is listed once:", len([o for o in refs if o is lst]))
    del lst, tup, d, refs
    print("after del:", names(gc.get_referrers(x)))


check()
