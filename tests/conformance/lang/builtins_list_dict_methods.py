# list methods (append, extend, insert, pop, remove, index with bounds, count, clear, copy, reverse) and dict methods (get, setdefault, pop, popitem, update forms, clear, copy) with their errors
# needs: method:append, method:clear, method:copy, method:count, method:extend, method:get, method:index, method:insert, method:items, method:keys, method:pop, method:popitem, method:remove, method:reverse, method:setdefault, method:update, method:values, dict-other-keys, method:bit_length, method:is_integer
l = [1, 2, 3]
l.append(4)
l.extend((5, 6))
l.extend(l)
l.insert(0, 0)
l.insert(-1, "m")
l.insert(100, "end")
print(l, len(l))
print(l.pop(), l.pop(0), l.pop(-2), l)
l.remove(3)
print(l, l.index(3), l.index(1, 2), l.count(1), l.count(9))
c = l.copy()
c.reverse()
l.clear()
print(l, c)
t = (1, 2, 1, 3)
print(t.index(1), t.index(1, 1), t.count(1), (7).bit_length(), (-8).bit_length(), (2.0).is_integer(), (2.5).is_integer())
d = {"a": 1, "b": 2}
print(d.get("a"), d.get("z"), d.get("z", 0), d.setdefault("c", 3), d.setdefault("c", 4), d)
print(d.pop("a"), d.pop("zz", "dflt"), d.popitem(), d)
d.update({"x": 1}, y=2)
d.update([("z", 3), ["w", 4]])
d.update(v=5)
print(d, list(d.keys()), list(d.values()), list(d.items()), len(d.keys()), "x" in d.keys())
e = d.copy()
d.clear()
print(d, e, {1: "one", (2, 3): "pair"}.get((2, 3)))
for f in [lambda: [].pop(), lambda: [1].pop(5), lambda: [1].remove(2), lambda: [1].index(2), lambda: [].append(),
          lambda: [].insert(1), lambda: {}.pop("k"), lambda: {}.popitem(), lambda: {}.update([1]), lambda: {}.update([(1, 2, 3)]),
          lambda: (1,).index(5), lambda: {}.get()]:
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__ + ":", e)
