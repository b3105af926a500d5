# get_referents: list/tuple items in traverse order (last to first), dict keys and values, atoms give nothing (§6 item 11, C10)
# needs: dict-other-keys
import gc


class C:
    pass


a = C()
print("list:", gc.get_referents([1, "s", 2.5]))
r = gc.get_referents([a, "s", 7])
print("list with an instance:", len(r), r[0], r[1], r[2] is a)
print("tuple:", gc.get_referents(("x", 3, "y")))
print("dict with str keys (values only):", gc.get_referents({"k1": 10, "k2": 20}))
print("dict with int keys (value, key per entry):", gc.get_referents({1: "one", 2: "two"}))
print("several args concatenate:", gc.get_referents([1, 2], ("z",)))
print("atoms contribute nothing:", gc.get_referents(1, "a", 2.5, None))
print("empty list:", gc.get_referents([]))
inst = C()
inst.x = 5
inst.y = "s"
refs = gc.get_referents(inst)
print("instance with inline values:", [type(x).__name__ for x in refs], refs[-1] is C)
d = inst.__dict__
print("instance after __dict__ was read:", [type(x).__name__ for x in gc.get_referents(inst)])
print("nested list is referred to, not its items:", len(gc.get_referents([[1, 2, 3]])))
