# list operations in the subset: literal, index (negative), store, del, repeat, slice read, append/pop/remove/clear, len, iteration, truthiness
l = [10, 20, 30]
print(l, l[0], l[-1], len(l))
l[1] = 21
l.append(40)
print("store and append:", l)
print("pop:", l.pop(), "pop(0):", l.pop(0), "now:", l)
l.remove(30)
print("remove(30):", l)
l = [1, 2, 3, 2]
l.remove(2)
print("remove removes the first match:", l)
del l[0]
print("del l[0]:", l)
print("slice l[1:]:", l[1:], "l[5:]:", l[5:])
print("repeat:", [0] * 4, [None] * 2, [1, 2] * 2, [] * 5)
m = [[0] * 2] * 2
m[0][0] = 9
print("repeat shares the inner list:", m)
l.clear()
print("clear:", l, "empty is falsy:", not l, bool([0]))
nested = [[1, 2], [3, [4, 5]]]
print("nested index:", nested[1][1][0])
total = 0
for v in [1, 2, 3]:
    total += v
print("iteration sum:", total)
print("in / not in:", 2 in [1, 2], 5 not in [1, 2])
print("equality:", [1, [2]] == [1, [2]], [1] != [1, 2])
l = [3]
l[0] += 4
print("augmented subscript:", l)
for bad in [5, -5]:
    try:
        [1, 2][bad]
    except IndexError as e:
        print("IndexError:", e)
try:
    [].pop()
except IndexError as e:
    print("pop from empty:", e)
try:
    [1].remove(2)
except ValueError as e:
    print("remove missing:", e)
