"""float: pyperformance's bm_float without __slots__ (points keep an instance dict).

Each repetition creates 100,000 points from sin/cos of their index, normalizes every point
and folds them into their component-wise maximum. The checksum is the last maximum, to 12
decimals.

Usage: float.py [repetitions] [points]   (defaults 10 and 100000)
"""

import sys
from math import sin, cos, sqrt


class Point(object):
    def __init__(self, i):
        self.x = x = sin(i)
        self.y = cos(i) * 3
        self.z = (x * x) / 2

    def normalize(self):
        x = self.x
        y = self.y
        z = self.z
        norm = sqrt(x * x + y * y + z * z)
        self.x /= norm
        self.y /= norm
        self.z /= norm

    def maximize(self, other):
        self.x = self.x if self.x > other.x else other.x
        self.y = self.y if self.y > other.y else other.y
        self.z = self.z if self.z > other.z else other.z
        return self


def maximize(points):
    next = points[0]
    for p in points[1:]:
        next = next.maximize(p)
    return next


def benchmark(n):
    points = [None] * n
    for i in range(n):
        points[i] = Point(i)
    for p in points:
        p.normalize()
    return maximize(points)


def main(reps, n):
    best = None
    for i in range(reps):
        best = benchmark(n)
    print(f"float {reps} x {n} points max {best.x:.12f} {best.y:.12f} {best.z:.12f}")


if __name__ == "__main__":
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    main(reps, n)
