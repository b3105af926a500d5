# f-string format specs beyond .Nf: width and alignment, fill, sign, thousands separators, d/x/o/b/e/%, !r conversion
# needs: format-spec, fstring-conversion
n = 42
x = 3.14159
s = "ab"
print(f"[{n:5}] [{n:<5}] [{n:^5}] [{n:>5}] [{n:05}]")
print(f"[{s:5}] [{s:>5}] [{s:*^6}]")
print(f"[{n:+}] [{-n:+}] [{n: }] [{1234567:,}] [{1234567:_}]")
print(f"[{n:x}] [{n:X}] [{n:o}] [{n:b}] [{n:#x}] [{n:d}]")
print(f"[{x:e}] [{x:.2e}] [{x:g}] [{0.25:%}] [{0.25:.1%}] [{x:10.3f}]")
w = 8
print(f"[{x:{w}.2f}] [{s!r}] [{s!s}]")
