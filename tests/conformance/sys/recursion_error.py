# runaway recursion raises RecursionError ("maximum recursion depth exceeded"); the interpreter recovers afterwards
# needs: sys.getrecursionlimit, sys.setrecursionlimit
import sys

depth = 0


def down():
    global depth
    depth += 1
    down()


try:
    down()
except RecursionError as e:
    print("RecursionError:", e)
print("reached more than 900 frames:", depth > 900, "at most the limit:", depth <= sys.getrecursionlimit())


def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)


print("recursion works again, fact(20):", fact(20))
sys.setrecursionlimit(200)
depth = 0
try:
    down()
except RecursionError:
    print("lower limit: depth at most 200:", depth <= 200, "more than 150:", depth > 150)
sys.setrecursionlimit(1000)


def deep(n):
    if n == 0:
        return 0
    return 1 + deep(n - 1)


print("depth 900 within the default limit:", deep(900))
