# sys.getswitchinterval/setswitchinterval: default 0.005, round trips, ValueError for <= 0, TypeError for non-numbers (§5, §6 item 51)
# CPython stores whole microseconds, (unsigned long)(1e6 * x), and returns 1e-6 * that: hence 9.999999999999999e-06.
# needs: sys.getswitchinterval, sys.setswitchinterval
import sys

print("default:", sys.getswitchinterval())
for v in [1e-05, 0.05, 3.0, 1]:
    sys.setswitchinterval(v)
    print("set", v, "get", sys.getswitchinterval())
for bad in [0.0, -1.0, 0]:
    try:
        sys.setswitchinterval(bad)
    except ValueError as e:
        print("set", bad, "ValueError:", e)
for bad in ["a", None]:
    try:
        sys.setswitchinterval(bad)
    except TypeError:
        print("set", type(bad).__name__, "TypeError")
try:
    sys.setswitchinterval()
except TypeError:
    print("no argument: TypeError")
print("unchanged after errors:", sys.getswitchinterval())
sys.setswitchinterval(0.005)
