# builtin numeric functions: abs, divmod, pow (2 and 3 arguments), round (ties to even, ndigits), hex/oct/bin, and their errors
# needs: builtin:abs, builtin:bin, builtin:divmod, builtin:hex, builtin:oct, builtin:pow, builtin:round
print(abs(-3), abs(2.5), abs(-0.0), abs(True))
print(divmod(7, 2), divmod(-7, 2), divmod(7, -2), divmod(7.5, 2), divmod(-7.5, 2))
print(pow(2, 10), pow(2, -1), pow(3, 4, 5), pow(3, -1, 7), pow(-2, 3, 5), pow(2, 3, -5))
print(round(2.5), round(3.5), round(-2.5), round(2.675, 2), round(1234, -2), round(7), round(2.5, None))
print(round(15.0, -1), round(0.125, 2), type(round(2.0)).__name__, type(round(2.0, 0)).__name__)
print(hex(255), oct(8), bin(5), hex(-255), bin(0), oct(-9))
for f in [lambda: abs("s"), lambda: divmod(1, 0), lambda: divmod(1.0, 0), lambda: divmod("a", 1),
          lambda: pow(2, 3, 0), lambda: round("x"), lambda: hex(1.5), lambda: pow(2, 0.5, 3)]:
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__ + ":", e)
