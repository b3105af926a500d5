# needs: builtin:RecursionError
# class calls run __init__: its return value must be None, its errors and recursion reach the caller, its arguments bind like a function's
import sys
class Bad:
    def __init__(self):
        return 5
try:
    Bad()
except TypeError as e:
    print("TypeError:", e)
class Deep:
    def __init__(self, n):
        self.child = Deep(n - 1) if n else None
try:
    Deep(10000)
except RecursionError as e:
    print("RecursionError:", e)
n = 0
class Count:
    def __init__(self):
        global n
        n += 1
        Count()
try:
    Count()
except RecursionError as e:
    print(n, e)
class P:
    def __init__(self, x, y=2):
        self.x, self.y = x, y
p = P(1)
print(p.x, p.y, sys.getrefcount(p))
try:
    P()
except TypeError as e:
    print("TypeError:", e)
class Raises:
    def __init__(self):
        raise ValueError("no")
try:
    Raises()
except ValueError as e:
    print("ValueError:", e)
def f():
    return P(3, y=4)
q = f()
print(q.x, q.y)
