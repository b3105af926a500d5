# dict methods beyond the subset: get, keys/values/items views, pop, setdefault, update, copy, dict comprehension
# needs: dict-comp, dict-other-keys, method:copy, method:get, method:items, method:keys, method:setdefault, method:update, method:values
d = {"a": 1, "b": 2}
print(d.get("a"), d.get("z"), d.get("z", 0))
print(list(d.keys()), list(d.values()), list(d.items()))
print(d.pop("a"), d, d.pop("zz", "default"))
print(d.setdefault("c", 3), d.setdefault("c", 4), d)
d.update({"d": 4})
c = d.copy()
c["e"] = 5
print(d, c)
sq = {i: i * i for i in range(4)}
print(sq)
for k, v in sq.items():
    print(k, v)
