# range objects: one to three arguments, negative steps, empty ranges, len, reuse of one range object, list(range)
# needs: in-range, len-range, range-index
print(list(range(5)), list(range(2, 6)), list(range(0, 10, 3)))
print(list(range(5, 0, -1)), list(range(10, 0, -3)), list(range(3, 3)), list(range(5, 2)))
print(len(range(10)), len(range(0, 10, 3)), len(range(5, 0, -2)))
r = range(3)
total = 0
for i in r:
    total += i
for i in r:
    total += i
print("iterated twice:", total)
print("index:", range(10, 20)[3], range(10, 20)[-1])
print("in:", 3 in range(5), 7 in range(5))
try:
    range(1, 2, 0)
except ValueError as e:
    print("ValueError:", e)
print(range(4), range(1, 5, 2))
