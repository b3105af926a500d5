# chr and ord: round trips, non-ASCII characters, range and type errors
# needs: builtin:chr, builtin:ord
print(chr(65), chr(97), ord("a"), ord("Z"), ord(" "))
print([ord(c) for c in "abc"], "".join([chr(i) for i in range(72, 76)]))
print(ord(chr(233)) == 233, len(chr(8364)), ord("\n"))
for f in [lambda: chr(-1), lambda: chr(1114112), lambda: chr("a"), lambda: ord("ab"), lambda: ord(""), lambda: ord(5)]:
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__ + ":", e)
