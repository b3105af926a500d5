# f-string float formatting with .Nf: rounding (ties-to-even on the binary value), negative zero, large values
vals = [0.5, 1.5, 2.5, 0.125, 0.375, 2.675, 1.005, -0.0001, 123456.789, 1e16, 0.1 + 0.2]
for v in vals:
    print(f"{v:.0f} {v:.2f} {v:.9f}")
x = 3.14159265358979
print(f"pi to 3: {x:.3f}, to 1: {x:.1f}")
print(f"int through .2f: {7:.2f}")
print(f"expression: {x * 2:.4f}")
