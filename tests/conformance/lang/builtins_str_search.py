# str searching and splitting: find/rfind/index/rindex/count with start and end, startswith/endswith with tuples, split/rsplit, partition, splitlines
# needs: method:count, method:endswith, method:find, method:index, method:partition, method:rfind, method:rindex, method:rpartition, method:rsplit, method:split, method:splitlines, method:startswith
s = "abracadabra"
print(s.find("bra"), s.rfind("bra"), s.find("bra", 2), s.find("bra", 2, 8), s.find("x"), s.find(""), s.find("", 20))
print(s.index("c"), s.rindex("a"), s.count("a"), s.count("a", 1, 5), s.count(""), s.count("", 3, 1))
print(s.startswith("abr"), s.startswith(("x", "ab")), s.endswith("bra", 0, 4), s.endswith(("ra",)), s.startswith("a", -1))
print("a,b,,c".split(","), " a  b c ".split(), "a b c d".split(None, 2), "k=v=w".split("=", 1), "".split(), "".split(","))
print("a,b,c".rsplit(",", 1), "  a b  c ".rsplit(None, 1), "a b".rsplit(), "x".split("x"))
print("key=val".partition("="), "noeq".partition("="), "a.b.c".rpartition("."), "abc".rpartition("x"))
print("one\ntwo\r\nthree\rfour".splitlines(), "x\n\ny\n".splitlines(), "a\nb".splitlines(True), "".splitlines())
for f in [lambda: s.index("z"), lambda: s.rindex("z"), lambda: "a".split(""), lambda: s.find(1),
          lambda: s.startswith(1), lambda: s.startswith((1,)), lambda: "a".partition(""), lambda: s.count()]:
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__ + ":", e)
