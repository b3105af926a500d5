# float repr and str: shortest round-trip digits, exponent switch points, int/float mixing and comparison
print(0.1 + 0.2, 1.0, 2.5, -0.0)
print(1 / 3, 2 / 3, 10 / 4, 9 / 3)
print(1e16, 1e15, 123456789012345678.0)
print(1e-5, 0.0001, 1.5e-7)
print(2., 1e+00, 1e22, 1e308 * 10, -1e308 * 10)
print(3.14159, 100.0, 1e100)
print("int + float:", 1 + 2.5, 3 * 0.5, 7 // 2.0, 7 % 2.5, 2 ** 0.5)
print("comparisons:", 5.0 == 5, 5.0 != 5, 1 < 1.5, 0.1 + 0.2 == 0.3)
print("str():", str(0.5), str(1e16), str(-2.0))
print("float powers:", 2.0 ** -1.5, 4.0 ** 0.5, (-8.0) ** 2)
print("true division of ints gives floats:", 4 / 2, type(4 / 2).__name__)
print("negative floor:", -7.5 // 2, -7.5 % 2)
x = 1.0
x += 0.5
x *= 3
x /= 2
print("augmented:", x)
