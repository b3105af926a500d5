# mutating a list while iterating over it: appends are seen (bounded here), removals skip elements, clear() ends the loop
l = [0]
seen = []
for v in l:
    seen.append(v)
    if len(l) < 10:
        l.append(v + 1)
print("append while iterating:", seen)
l = [1, 2, 3, 4, 5, 6]
seen = []
for v in l:
    seen.append(v)
    l.remove(v)
print("remove while iterating: saw", seen, "left", l)
l = [1, 2, 3]
seen = []
for v in l:
    seen.append(v)
    l.clear()
print("clear while iterating: saw", seen, "left", l)
l = [1, 2, 3]
seen = []
for v in l:
    seen.append(v)
    if v == 2:
        l.pop()
print("pop the last while iterating: saw", seen)
l = [1, 2, 3]
n = 0
for v in l:
    l[n] = v * 10
    n += 1
print("assigning items is fine:", l)
