# sys.setrecursionlimit: invalid and too-low values rejected, a small limit bounds the depth exactly, a big one allows 100000 frames
# needs: sys.setrecursionlimit, sys.getrecursionlimit
import sys


def depth(n):
    if n == 0:
        return 0
    return depth(n - 1) + 1


for bad in [0, -1, 1, 2]:
    try:
        sys.setrecursionlimit(bad)
        print("set", bad, "accepted?!")
    except ValueError as e:
        print("set", bad, "-> ValueError:", e)
    except RecursionError as e:
        print("set", bad, "-> RecursionError:", e)
sys.setrecursionlimit(50)
for n in [47, 48, 49]:
    try:
        print("limit 50, depth", n, "->", depth(n))
    except RecursionError as e:
        print("limit 50, depth", n, "-> RecursionError:", e)
sys.setrecursionlimit(200000)
print("limit 200000, depth 100000 ->", depth(100000))
sys.setrecursionlimit(1000)
try:
    depth(5000)
except RecursionError as e:
    print("back to 1000, depth 5000 -> RecursionError:", e)
print("limit now", sys.getrecursionlimit())
