# Indexing a list or tuple: CPython 3.11's TypeError names the type for reads, stores and deletions alike ("list indices must be..."), its IndexError names the access ("list assignment index out of range")
def show(what, f):
    try:
        print(what, "=", f())
    except Exception as e:
        print(what, "->", type(e).__name__ + ":", e)


def store(c, k):
    c[k] = 0
    return c


def delete(c, k):
    del c[k]
    return c


show('[1]["x"]', lambda: [1]["x"])
show('[1]["x"] = 0', lambda: store([1], "x"))
show('del [1]["x"]', lambda: delete([1], "x"))
show("[1][1.5] = 0", lambda: store([1], 1.5))
show("[1][None]", lambda: [1][None])
show('(1,)["x"]', lambda: (1,)["x"])
show("[1][5] = 0", lambda: store([1], 5))
show("del [1][5]", lambda: delete([1], 5))
show("[1][-2]", lambda: [1][-2])
show("(1,)[3]", lambda: (1,)[3])
show("[1, 2][-1] = 0", lambda: store([1, 2], -1))
