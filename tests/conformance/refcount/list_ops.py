# refcount differences caused by list operations: append, repeat, pop, remove, clear, slice, del item
import sys


class Item:
    pass


x = Item()
base = sys.getrefcount(x)
lst = []
lst.append(x)
print("append once:", sys.getrefcount(x) - base)
lst.append(x)
lst.append(x)
print("append three times:", sys.getrefcount(x) - base)
rep = [x] * 5
print("plus [x] * 5:", sys.getrefcount(x) - base)
del rep
print("after del of the repeat:", sys.getrefcount(x) - base)
copy = lst[1:]
print("plus slice copy lst[1:]:", sys.getrefcount(x) - base)
del copy
got = lst.pop()
print("after pop into a name:", sys.getrefcount(x) - base)
del got
lst.pop()
print("after pop discarded:", sys.getrefcount(x) - base)
lst.remove(x)
print("after remove:", sys.getrefcount(x) - base)
lst.append(x)
lst.append(x)
del lst[0]
print("append twice, del lst[0]:", sys.getrefcount(x) - base)
lst[0] = Item()
print("after overwriting the slot:", sys.getrefcount(x) - base)
lst.append(x)
lst.append(x)
lst.clear()
print("after clear:", sys.getrefcount(x) - base)
nested = [[x, x], [x]]
print("nested lists holding x:", sys.getrefcount(x) - base)
del nested
print("after del nested:", sys.getrefcount(x) - base)
