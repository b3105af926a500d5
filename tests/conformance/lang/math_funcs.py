# math.sin/cos/sqrt (libm, bit-identical on Linux) and the float results of the nbody/float benchmark style
import math
from math import sin, cos, sqrt

print(sqrt(2), sqrt(16), sqrt(0.25))
print(sin(0.0), sin(1.0), cos(0.0), cos(1.0))
print(sin(0.5) ** 2 + cos(0.5) ** 2)
total = 0.0
for i in range(10):
    x = sin(i)
    y = cos(i) * 3
    total += sqrt(x * x + y * y)
print("sum:", total, f"{total:.9f}")
try:
    sqrt(-1)
except ValueError as e:
    print("ValueError:", e)
d = [1.0, 2.0, 2.0]
mag = (d[0] ** 2 + d[1] ** 2 + d[2] ** 2) ** (-1.5)
print("distance ** -1.5:", mag)
