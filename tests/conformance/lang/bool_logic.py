# and/or return one of their operands, not, conditional expressions, truthiness of built-in values, is / is not
print(1 and 2, 0 and 2, 1 or 2, 0 or 2, None or "default", "" or 0)
print([] or [1], [0] and "x", not 0, not [1], not None)
print("conditional:", "yes" if 3 > 2 else "no", "yes" if [] else "no")
for v in [0, 1, -1, 0.0, 0.5, "", "a", [], [0], (), (0,), {}, {"k": 0}, None, True, False, range(0), range(1)]:
    print(type(v).__name__, bool(v))
a = [1]
b = a
c = [1]
print("is:", a is b, a is c, a is not c, None is None)
x = None
print("is None:", x is None, x is not None)


def side(tag, value, log):
    log.append(tag)
    return value


log = []
r = side("a", 0, log) and side("b", 1, log)
r2 = side("c", 1, log) or side("d", 1, log)
print("short circuit:", r, r2, log)
print("comparison chain short circuits:", 1 < 0 < side("e", 1, log), log)
