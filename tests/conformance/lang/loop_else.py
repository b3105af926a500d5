# 'else' on for and while loops: runs when the loop ends by itself, not after break; nested loops, continue, return, exceptions, refcounts
# needs: loop-else, builtin:enumerate
import sys


def find(items, wanted):
    for i, x in enumerate(items):
        if x == wanted:
            break
    else:
        return "not found"
    return f"found at {i}"


print(find([3, 1, 4], 4), find([3, 1, 4], 5), find([], 1))

n = 0
while n < 3:
    n += 1
else:
    print("while ended by itself at", n)

n = 0
while True:
    n += 1
    if n == 2:
        break
else:
    print("never")
print("while broke at", n)

for i in range(3):
    if i == 1:
        continue
    print("body", i)
else:
    print("else after continue")

for outer in range(3):
    for inner in range(3):
        if inner == outer:
            break
    else:
        print("inner else never runs")
    if outer == 1:
        break
else:
    print("outer else never runs")
print("nested stopped at", outer, inner)

for x in []:
    print("never")
else:
    print("empty loop still runs else")


def early(items):
    for x in items:
        if x < 0:
            return x
    else:
        return "no negatives"


print(early([1, -2]), early([1, 2]))
try:
    for x in [1, 2]:
        if x == 2:
            raise ValueError("stop")
    else:
        print("never")
except ValueError as e:
    print("raised out of the loop:", e)
o = object()
for x in [o, o]:
    pass
else:
    print("refs after the loop:", sys.getrefcount(o))
del x
print("refs after del:", sys.getrefcount(o))
