# str repeats too big to allocate: MemoryError when the length fits in 63 bits, OverflowError when len*n does not
# needs: str-repeat, builtin:MemoryError
for n in [2**62, 2**48, 2**63 - 1]:
    try:
        s = "x" * n
        print("allocated?!", len(s))
    except MemoryError:
        print('"x" *', n, "MemoryError")
try:
    s = "abc" * (2**62)
except OverflowError as e:
    print('"abc" * 2**62 OverflowError:', e)
try:
    s = "ab" * (2**62)
except OverflowError as e:
    print('"ab" * 2**62 OverflowError:', e)
s = "ab" * 1000000
print("two million chars still work:", len(s))
