# list operations beyond the subset: concatenation, extend, insert, index, count, sort, reverse, slicing with bounds and steps
# needs: method:count, method:extend, method:index, method:insert, method:reverse, method:sort, slice, slice-assign
l = [3, 1, 2]
print(l + [4], l)
l.extend([5, 6])
l.insert(0, 0)
print(l, l.index(2), l.count(1))
l.sort()
print("sorted in place:", l)
l.reverse()
print("reversed:", l)
print("slices:", l[1:3], l[:2], l[::2], l[::-1], l[-2:])
l[1:3] = ["a"]
print("slice assignment:", l)
del l[::2]
print("del with step:", l)
