# list sizes that cannot be allocated raise MemoryError at once (the size check or the allocator refuses; nothing is touched)
# needs: builtin:MemoryError
for n in [2**62, 2**45, 2**61 + 1]:
    try:
        x = [None] * n
        print("allocated?!", len(x))
    except MemoryError as e:
        print("[None] *", n, "MemoryError", str(e) == "")
try:
    x = [0, 1, 2, 3] * (2**60)
except MemoryError:
    print("[0, 1, 2, 3] * 2**60 MemoryError")
try:
    x = [[]] * (2**62)
except MemoryError:
    print("[[]] * 2**62 MemoryError")
print("negative repeat is empty:", [1] * -5)
l = [1, 2]
try:
    l *= 2**62
except MemoryError:
    print("l *= 2**62 MemoryError, l unchanged:", l)
ok = [None] * 1000000
print("a million slots still work:", len(ok))
