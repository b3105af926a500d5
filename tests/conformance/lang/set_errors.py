# set errors: CPython's messages for unhashable elements, KeyError from remove/pop, bad operands, frozenset immutability, mutation during iteration
# needs: set, builtin:frozenset, builtin:set, builtin:hash, method:add, method:remove, method:union, method:issubset, method:isdisjoint, method:update, __hash__, __eq__, method:discard
def attempt(label, f):
    try:
        r = f()
        print(label, "ok", r)
    except Exception as e:
        print(label, type(e).__name__, e)
s = {1, 2}
attempt("list element", lambda: {[1]})
attempt("set element", lambda: {1, set()})
attempt("add list", lambda: s.add([]))
attempt("add dict", lambda: s.add({}))
attempt("hash set", lambda: hash(s))
attempt("set key", lambda: {s: 1})
attempt("comprehension", lambda: {x for x in [[1]]})
attempt("set([[1]])", lambda: set([[1]]))
attempt("remove", lambda: s.remove(42))
attempt("remove tuple", lambda: s.remove((1, 2)))
attempt("pop empty", lambda: set().pop())
attempt("subscript", lambda: s[0])
attempt("or list", lambda: s | [3])
attempt("and tuple", lambda: s & (1,))
attempt("sub int", lambda: s - 1)
attempt("xor str", lambda: s ^ "a")
attempt("add sets", lambda: s + s)
attempt("lt list", lambda: s < [1])
attempt("ge int", lambda: s >= 1)
attempt("eq list", lambda: s == [1, 2])
attempt("union int", lambda: s.union(1))
attempt("issubset int", lambda: s.issubset(5))
attempt("isdisjoint int", lambda: s.isdisjoint(3))
attempt("update int", lambda: s.update([3], 5))
attempt("set(1)", lambda: set(1))
attempt("set 2 args", lambda: set([1], [2]))
attempt("set kw", lambda: set(x=1))
attempt("frozenset kw", lambda: frozenset(x=1))
attempt("add no arg", lambda: s.add())
attempt("add 2 args", lambda: s.add(1, 2))
attempt("frozenset add", lambda: frozenset().add(1))
attempt("descriptor", lambda: set.add(frozenset(), 1))
attempt("len type", lambda: len(set))
attempt("unhashable in", lambda: [] in s)
attempt("set in set", lambda: {1} in {frozenset({1})})
def del_item():
    del s[0]
def set_item():
    s[0] = 1
attempt("del item", del_item)
attempt("set item", set_item)
def grow():
    t = {1, 2, 3}
    for x in t:
        t.add(x + 10)
def shrink():
    t = {1, 2, 3}
    for x in t:
        t.discard(x)
attempt("grow while iterating", grow)
attempt("shrink while iterating", shrink)
class BadHash:
    def __hash__(self):
        raise ValueError("no hash for you")
class NoHash:
    def __eq__(self, other):
        return True
attempt("bad __hash__", lambda: {BadHash()})
attempt("__eq__ without __hash__", lambda: {NoHash()})
print(s)
