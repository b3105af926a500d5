# str.format: auto and manual numbering, keyword fields, attribute and index access, conversions, specs (nested too), brace escapes, errors
# needs: method:format, __repr__
print("{} and {}".format("a", "b"), "{1}{0}{1}".format("x", "y"), "{name}={v}".format(name="n", v=3))
print("{:>6}|{:<4}|{:^7}|".format("r", "l", "c"), "{:05.2f}".format(3.14159), "{:,}".format(1234567))
print("{0!r} {0!s} {0}".format("q"), "{!r:>6}".format("a"), "{{literal}} {}".format(1))
print("{:{}}|".format("w", 5), "{:{w}.{p}f}".format(2.5, w=8, p=3), "{0[1]} {0[0]}".format(["a", "b"]))
class P:
    def __init__(self):
        self.x = 3
        self.d = {"k": "v"}
    def __repr__(self):
        return "P()"
p = P()
print("{0.x} {0.d[k]} {p!r}".format(p, p=p), "{:d} {:x} {:b} {:o}".format(10, 255, 5, 8))
print("{:+d} {:e} {:%}".format(5, 12345.678, 0.25), "{0}".format(None), "{}".format([1, "a"]))
for f in [lambda: "{".format(), lambda: "}".format(), lambda: "{} {}".format(1), lambda: "{0} {}".format(1, 2),
          lambda: "{} {0}".format(1, 2), lambda: "{x}".format(y=1), lambda: "{!z}".format(1), lambda: "{:d}".format("s")]:
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__ + ":", e)
