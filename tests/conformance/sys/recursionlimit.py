# sys.getrecursionlimit/setrecursionlimit: default 1000, round trip, invalid values rejected
# needs: sys.getrecursionlimit, sys.setrecursionlimit
import sys

print("default:", sys.getrecursionlimit())
sys.setrecursionlimit(2000)
print("after set 2000:", sys.getrecursionlimit())
for bad in [0, -5]:
    try:
        sys.setrecursionlimit(bad)
    except ValueError as e:
        print("set", bad, "ValueError:", e)
try:
    sys.setrecursionlimit("x")
except TypeError:
    print("set 'x': TypeError")
try:
    sys.setrecursionlimit(1.5)
except TypeError:
    print("set 1.5: TypeError")
print("unchanged:", sys.getrecursionlimit())
sys.setrecursionlimit(1000)
print("restored:", sys.getrecursionlimit())
