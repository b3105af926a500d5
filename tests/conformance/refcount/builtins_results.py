# refcounts added by builtin results: sorted(), list(), tuple(), any(), len()
import sys


class Item:
    pass


x = Item()
base = sys.getrefcount(x)
lst = [x, x]
s = sorted([1, 3, 2])
l2 = list(lst)
print("list(lst) copies references:", sys.getrefcount(x) - base)
t2 = tuple(lst)
print("tuple(lst) copies references:", sys.getrefcount(x) - base)
print("any() keeps nothing:", any(lst), sys.getrefcount(x) - base)
print("len() keeps nothing:", len(lst), sys.getrefcount(x) - base)
del l2, t2
print("after del of the copies:", sys.getrefcount(x) - base)
key_list = [x]
ordered = sorted(key_list, key=lambda v: 0)
print("sorted() with a key function:", sys.getrefcount(x) - base)
del ordered, key_list
print("after del:", sys.getrefcount(x) - base)
