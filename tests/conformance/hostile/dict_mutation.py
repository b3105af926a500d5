# dict changed during iteration: insert -> "changed size", delete -> "changed size", delete+insert -> "keys changed"
# needs: builtin:RuntimeError
d = {"a": 1, "b": 2}
try:
    for k in d:
        d["new"] = 0
except RuntimeError as e:
    print("insert:", e)
d = {"a": 1, "b": 2}
try:
    for k in d:
        del d[k]
except RuntimeError as e:
    print("delete:", e, d)
d = {"a": 1}
try:
    for k in d:
        del d[k]
        d[k + "x"] = 1
except RuntimeError as e:
    print("delete then insert:", e, d)
d = {"a": 1, "b": 2}
try:
    for k in d:
        d.clear()
except RuntimeError as e:
    print("clear:", e, d)
d = {"a": 1, "b": 2}
for k in d:
    d[k] = 0
print("values may change:", d)
d = {"a": 1}
for k in d:
    print("iterating", k)
    d["b"] = 2
print("not reached")
