# int() of bad strings and division by zero: CPython 3.11's exception types and messages
def show(what, f):
    try:
        print(what, "=", f())
    except Exception as e:
        print(what, "->", type(e).__name__ + ":", e)


show('int("abc")', lambda: int("abc"))
show('int("")', lambda: int(""))
show('int("1.5")', lambda: int("1.5"))
show('int(" 42 ")', lambda: int(" 42 "))
show('int(None)', lambda: int(None))
show("1 // 0", lambda: 1 // 0)
show("1 / 0", lambda: 1 / 0)
show("1 % 0", lambda: 1 % 0)
show("1.0 / 0", lambda: 1.0 / 0)
show("1.0 // 0.0", lambda: 1.0 // 0.0)
show("1.0 % 0.0", lambda: 1.0 % 0.0)
show("0 ** -1", lambda: 0 ** -1)
show("[1][5]", lambda: [1][5])
show('{"a": 1}["b"]', lambda: {"a": 1}["b"])
show("[].pop()", lambda: [].pop())
show("[1].remove(2)", lambda: [1].remove(2))
show('1 + "a"', lambda: 1 + "a")
show('"a" + 1', lambda: "a" + 1)
show("len(5)", lambda: len(5))
