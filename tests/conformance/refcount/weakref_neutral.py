# weak references and proxies do not change the referent's refcount; a strong ref from the callback list does not exist
import sys
import weakref


class Item:
    pass


x = Item()
base = sys.getrefcount(x)
r = weakref.ref(x)
print("after weakref.ref:", sys.getrefcount(x) - base)
p = weakref.proxy(x)
print("after weakref.proxy:", sys.getrefcount(x) - base)
r2 = weakref.ref(x, lambda w: None)
print("after a ref with callback:", sys.getrefcount(x) - base)
y = r()
print("dereferenced into y:", sys.getrefcount(x) - base)
del y
print("after del y:", sys.getrefcount(x) - base)
rbase = sys.getrefcount(r)
again = weakref.ref(x)
print("shared weakref gained a reference:", sys.getrefcount(r) - rbase, again is r)
