# refcounts during for loops: the loop variable, the iterator holding the iterable, the variable after the loop
import sys


class Item:
    pass


x = Item()
xbase = sys.getrefcount(x)
lst = [x, Item(), x]
lbase = sys.getrefcount(lst)
for v in lst:
    pass
print("loop variable still bound to the last item:", sys.getrefcount(x) - xbase)
del v
print("after del v:", sys.getrefcount(x) - xbase)
inside = []
for v in lst:
    inside.append(sys.getrefcount(lst) - lbase)
print("iterable while iterating (iterator holds it):", inside)
print("iterable after the loop:", sys.getrefcount(lst) - lbase)
seen = []
for v in lst:
    if v is x:
        seen.append(sys.getrefcount(x) - xbase)
print("x seen through the loop variable:", seen)
del v
i = 0
while i < 3:
    tmp = x
    i += 1
print("while loop rebinding tmp:", sys.getrefcount(x) - xbase)
for i in range(3):
    lst.append(x)
print("appended 3 more times (tmp still bound):", sys.getrefcount(x) - xbase)
