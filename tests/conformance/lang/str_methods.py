# str methods beyond join: upper/lower, strip, split, replace, startswith/endswith, find, count, indexing and slicing
# needs: in-str, method:count, method:endswith, method:find, method:isdigit, method:lower, method:lstrip, method:replace, method:rstrip, method:split, method:startswith, method:strip, method:swapcase, method:title, method:upper, slice, str-index
s = "  Hello, World  "
print(s.strip() + "|", s.lstrip() + "|", s.rstrip() + "|")
print(s.upper() + "|", s.lower() + "|")
print("a,b,,c".split(","), "a b  c".split(), "k=v".split("=", 1))
print("hello".replace("l", "L"), "aaa".replace("a", "b", 2))
print("hello".startswith("he"), "hello".endswith("lo"), "hello".find("l"), "hello".find("z"))
print("banana".count("a"), "abc"[0], "abc"[-1], "abcdef"[1:4], "abcdef"[::2])
print("x" in "xyz", "q" not in "xyz")
print("42".isdigit(), "4a".isdigit(), "title case".title(), "Cap".swapcase())
