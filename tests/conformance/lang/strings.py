# str literals and operations: escapes, concatenation, join, equality, ordering, len, str() of values, repetition
# needs: str-order, str-repeat
s = "abc"
t = 'it\'s'
print(s + "def", t)
print("tab\tand\nnewline")
print("backslash \\ quote \"")
print(len(s), len(""), len("a\nb"))
print("-".join(["a", "b", "c"]), "".join([]), ", ".join(["x"]))
print(s == "abc", s != "abd", s == "ABC")
print("abc" < "abd", "a" < "aa", "B" < "a")
print(str(12), str(-3), str(True), str(None), str([1, "a"]))
print("implicit " "concatenation")
x = "a"
x += "b"
x += str(1)
print(x)
print("""triple
quoted""")
print("repeat: " + "ab" * 3)
