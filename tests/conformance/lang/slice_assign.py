# needs: slice, slice-assign
# list slice assignment: simple slices take any number of items, extended ones exactly as many; the value is read before the list changes
l = list(range(10))
l[2:5] = ["a", "b"]
print(l)
l[::2] = [0] * 5
print(l)
l[:] = l
print(l)
l[5:2] = [9, 9]
print(l)
l[-3:] = ()
print(l)
try:
    l[::2] = [1]
except ValueError as e:
    print("ValueError:", e)
try:
    l[1:2] = 5
except TypeError as e:
    print("TypeError:", e)
l[1:3] += [7]
print(l)
del l[::3]
print(l)
