"""nbody: the Benchmarks Game n-body simulation (Jovian planets), after pyperformance's bm_nbody.

Five bodies as ([x, y, z], [vx, vy, vz], mass); the momentum is offset to the sun, then the
system advances in steps of 0.01. The checksum is the energy before and after, to 9 decimals.

Usage: nbody.py [steps]   (default 200000)
"""

import sys

PI = 3.14159265358979323
SOLAR_MASS = 4 * PI * PI
DAYS_PER_YEAR = 365.24

SUN = ([0.0, 0.0, 0.0], [0.0, 0.0, 0.0], SOLAR_MASS)

JUPITER = ([4.84143144246472090e+00,
            -1.16032004402742839e+00,
            -1.03622044471123109e-01],
           [1.66007664274403694e-03 * DAYS_PER_YEAR,
            7.69901118419740425e-03 * DAYS_PER_YEAR,
            -6.90460016972063023e-05 * DAYS_PER_YEAR],
           9.54791938424326609e-04 * SOLAR_MASS)

SATURN = ([8.34336671824457987e+00,
           4.12479856412430479e+00,
           -4.03523417114321381e-01],
          [-2.76742510726862411e-03 * DAYS_PER_YEAR,
           4.99852801234917238e-03 * DAYS_PER_YEAR,
           2.30417297573763929e-05 * DAYS_PER_YEAR],
          2.85885980666130812e-04 * SOLAR_MASS)

URANUS = ([1.28943695621391310e+01,
           -1.51111514016986312e+01,
           -2.23307578892655734e-01],
          [2.96460137564761618e-03 * DAYS_PER_YEAR,
           2.37847173959480950e-03 * DAYS_PER_YEAR,
           -2.96589568540237556e-05 * DAYS_PER_YEAR],
          4.36624404335156298e-05 * SOLAR_MASS)

NEPTUNE = ([1.53796971148509165e+01,
            -2.59193146099879641e+01,
            1.79258772950371181e-01],
           [2.68067772490389322e-03 * DAYS_PER_YEAR,
            1.62824170038242295e-03 * DAYS_PER_YEAR,
            -9.51592254519715870e-05 * DAYS_PER_YEAR],
           5.15138902046611451e-05 * SOLAR_MASS)

SYSTEM = [SUN, JUPITER, SATURN, URANUS, NEPTUNE]


def combinations(l):
    """Every unordered pair of l's items, as 2-tuples (itertools.combinations(l, 2))."""
    result = []
    for x in range(len(l) - 1):
        rest = l[x + 1:]
        for y in rest:
            result.append((l[x], y))
    return result


PAIRS = combinations(SYSTEM)


def advance(dt, n, bodies=SYSTEM, pairs=PAIRS):
    for i in range(n):
        for (([x1, y1, z1], v1, m1),
             ([x2, y2, z2], v2, m2)) in pairs:
            dx = x1 - x2
            dy = y1 - y2
            dz = z1 - z2
            mag = dt * ((dx * dx + dy * dy + dz * dz) ** (-1.5))
            b1m = m1 * mag
            b2m = m2 * mag
            v1[0] -= dx * b2m
            v1[1] -= dy * b2m
            v1[2] -= dz * b2m
            v2[0] += dx * b1m
            v2[1] += dy * b1m
            v2[2] += dz * b1m
        for (r, [vx, vy, vz], m) in bodies:
            r[0] += dt * vx
            r[1] += dt * vy
            r[2] += dt * vz


def report_energy(bodies=SYSTEM, pairs=PAIRS, e=0.0):
    for (((x1, y1, z1), v1, m1),
         ((x2, y2, z2), v2, m2)) in pairs:
        dx = x1 - x2
        dy = y1 - y2
        dz = z1 - z2
        e -= (m1 * m2) / ((dx * dx + dy * dy + dz * dz) ** 0.5)
    for (r, [vx, vy, vz], m) in bodies:
        e += m * (vx * vx + vy * vy + vz * vz) / 2.
    return e


def offset_momentum(ref, bodies=SYSTEM, px=0.0, py=0.0, pz=0.0):
    for (r, [vx, vy, vz], m) in bodies:
        px -= vx * m
        py -= vy * m
        pz -= vz * m
    (r, v, m) = ref
    v[0] = px / m
    v[1] = py / m
    v[2] = pz / m


def main(steps):
    offset_momentum(SUN)
    before = report_energy()
    advance(0.01, steps)
    after = report_energy()
    print(f"nbody {steps} steps energy {before:.9f} -> {after:.9f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200000)
