# exceptions: raise instances and classes, except with and without 'as', multiple handlers, propagation, str(e), nesting
# needs: builtin:LookupError
def fail(kind):
    if kind == 1:
        raise ValueError("bad value")
    if kind == 2:
        raise KeyError("k")
    if kind == 3:
        raise NotImplementedError
    if kind == 4:
        return 1 / 0
    return "ok"


for kind in range(5):
    try:
        r = fail(kind)
        print(kind, "returned", r)
    except ValueError as e:
        print(kind, "ValueError:", e)
    except KeyError as e:
        print(kind, "KeyError:", e)
    except ZeroDivisionError as e:
        print(kind, "ZeroDivisionError:", e)
    except Exception as e:
        print(kind, "other:", type(e).__name__, str(e) == "")
try:
    try:
        fail(1)
    except KeyError:
        print("not reached")
except ValueError:
    print("outer handler caught what the inner did not match")
try:
    try:
        fail(2)
    except KeyError:
        fail(1)
except ValueError as e:
    print("raised inside a handler:", e)
e = ValueError("a", 2)
print("str of a two-argument exception:", str(e))
print("isinstance:", isinstance(e, Exception), isinstance(KeyError(), LookupError))
try:
    raise TypeError("typed")
except Exception as err:
    print("caught as Exception:", type(err).__name__, err)
try:
    int("x")
except ValueError as e:
    print("from int():", e)
