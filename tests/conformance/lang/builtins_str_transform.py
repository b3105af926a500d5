# str transformations: join, strip family with chars, replace with count, case methods, is* predicates, zfill, ljust/rjust/center
# needs: method:capitalize, method:center, method:isalnum, method:isalpha, method:isdigit, method:islower, method:isspace, method:isupper, method:join, method:ljust, method:lower, method:lstrip, method:replace, method:rjust, method:rstrip, method:strip, method:swapcase, method:title, method:upper, method:zfill
print("-".join(["a", "b", "c"]), "".join([]), ", ".join("xyz"), "+".join(("1", "2")))
print("xxhixyx".strip("xy"), "  pad  ".lstrip() + "|", "  pad  ".rstrip() + "|", "www.example.com".strip("cmowz."))
print("aaaa".replace("a", "b", 2), "abc".replace("", "-"), "hello".replace("l", "L"), "abc".replace("x", "y"))
print("hello world".title(), "hELLO".capitalize(), "MiXeD".swapcase(), "ABC".lower(), "abc".upper())
print("123".isdigit(), "12a".isdigit(), "".isdigit(), "abc".isalpha(), "ab1".isalnum(), " \t\n".isspace(), "".isspace())
print("ABC1".isupper(), "abc1".islower(), "123".isupper(), "Ab".islower())
print("42".zfill(5), "-42".zfill(5), "+7".zfill(4), "abc".zfill(2))
print("[" + "ab".ljust(5) + "]", "[" + "ab".rjust(5, "*") + "]", "[" + "ab".center(7, "-") + "]", "[" + "abc".center(6) + "]", "[" + "a".center(4) + "]")
for f in [lambda: "-".join([1, 2]), lambda: "-".join(3), lambda: "a".strip(1), lambda: "a".ljust(3, "ab"),
          lambda: "a".replace(1, "b"), lambda: "a".upper(1), lambda: "a".join()]:
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__ + ":", e)
