# assignment forms: chained assignment, tuple and list targets, swaps, nested for-targets as in the nbody benchmark
a = b = c = 7
print(a, b, c)
x, y = 1, 2
x, y = y, x
print("swap:", x, y)
[p, q] = (3, 4)
(r, s), t = [5, 6], 7
print(p, q, r, s, t)
bodies = [([0.0, 1.0, 2.0], [0.5, 0.5, 0.5], 1.0), ([3.0, 4.0, 5.0], [1.0, 1.0, 1.0], 2.0)]
pairs = [(bodies[0], bodies[1])]
for (([x1, y1, z1], v1, m1), ([x2, y2, z2], v2, m2)) in pairs:
    dx = x1 - x2
    print("nbody-style unpack:", dx, y1 - y2, z1 - z2, m1 * m2)
    v1[0] -= dx * m2
    v2[0] += dx * m1
print("updated velocities:", bodies[0][1], bodies[1][1])
for (r, [v, m]) in [(1, [2, 3])]:
    print("mixed targets:", r, v, m)
ref = ([1.0, 2.0], [3.0], 4.0)
(pos, vel, mass) = ref
print("tuple target in parens:", pos, vel, mass)
k = [0, 0]
i = 1
i, k[i] = 0, 9
print("targets assigned left to right:", i, k)
