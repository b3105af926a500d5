# int arithmetic within 64 bits: floor division and modulo signs, powers, bit operations, shifts, chained comparisons
print("7 // 2, -7 // 2, 7 // -2:", 7 // 2, -7 // 2, 7 // -2)
print("7 % 3, -7 % 3, 7 % -3:", 7 % 3, -7 % 3, 7 % -3)
print("2 ** 10, 2 ** 62, (-3) ** 3:", 2 ** 10, 2 ** 62, (-3) ** 3)
print("2 ** -1 is a float:", 2 ** -1)
print("0xff & 0x0f, 0xf0 | 0x0f, 0xff ^ 0x0f:", 0xff & 0x0f, 0xf0 | 0x0f, 0xff ^ 0x0f)
print("~5, ~-1:", ~5, ~-1)
print("1 << 40, 1024 >> 3, -16 >> 2:", 1 << 40, 1024 >> 3, -16 >> 2)
print("unary: -(-5), +7:", -(-5), +7)
print("precedence 2 + 3 * 4 ** 2:", 2 + 3 * 4 ** 2)
print("-2 ** 2:", -2 ** 2)
x = 5
print("chained 1 < x < 10:", 1 < x < 10, "1 < x > 10:", 1 < x > 10)
print("equality 3 == 3, 3 != 4:", 3 == 3, 3 != 4)
print("big within 64 bits:", 9223372036854775807, -9223372036854775807 - 1)
print("int('42') + 1:", int("42") + 1, int("-17"), int("  8 "))
print("bool arithmetic True + True:", True + True, True * 10)
n = 10
n += 5
n -= 3
n *= 4
n //= 5
n %= 7
n **= 3
print("augmented chain:", n)
n <<= 2
n >>= 1
n &= 0xff
n |= 1
n ^= 3
print("augmented bitwise:", n)
