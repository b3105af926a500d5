# dicts: literal, get/set/del item, insertion order (also after delete and re-insert), iteration over keys, object keys, len, clear
# needs: dict-other-keys, in-dict
class K:
    pass


d = {"b": 1, "a": 2}
d["c"] = 3
print(d, len(d))
d["b"] = 10
print("update keeps position:", d)
del d["b"]
d["b"] = 11
print("delete and re-insert moves to the end:", d)
keys = []
for k in d:
    keys.append(k)
print("iteration:", keys)
print("list(d):", list(d), "sorted(d):", sorted(d))
k1 = K()
k2 = K()
e = {k1: "first", k2: "second"}
print("object keys by identity:", e[k1], e[k2], len(e))
n = {1: "int", 1.0: "float", True: "bool"}
print("1, 1.0 and True are one key:", n)
t = {(1, 2): "tuple key"}
print("tuple key:", t[(1, 2)])
d.clear()
print("after clear:", d, len(d))
try:
    d["missing"]
except KeyError as e:
    print("KeyError:", e)
try:
    {[1]: 2}
except TypeError as e:
    print("TypeError:", e)
counts = {}
for w in ["a", "b", "a", "c", "a"]:
    if w in counts:
        counts[w] += 1
    else:
        counts[w] = 1
print("counting:", counts)
