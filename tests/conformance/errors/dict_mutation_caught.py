# inserting into or deleting from a dict while iterating over it raises RuntimeError; changing values is allowed
# needs: builtin:RuntimeError
d = {"a": 1, "b": 2}
try:
    for k in d:
        d[k + "x"] = 0
except RuntimeError as e:
    print("insert during iteration:", e)
d = {"a": 1, "b": 2, "c": 3}
try:
    for k in d:
        del d[k]
except RuntimeError as e:
    print("delete during iteration:", e)
print("the first key was deleted before the error:", d)
d = {"a": 1, "b": 2}
for k in d:
    d[k] = d[k] * 10
print("updating values is fine:", d)
l = [1, 2, 3]
for v in l:
    if v == 1:
        l.remove(v)
print("lists do not raise (the iteration skips):", l)
