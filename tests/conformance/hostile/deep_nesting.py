# 100000 nested lists, dicts and tuples: built in a loop, str() raises RecursionError, dropping them does not crash
import gc


def nest_lists(n):
    x = []
    for i in range(n):
        x = [x]
    return x


def nest_dicts(n):
    x = {}
    for i in range(n):
        x = {"k": x}
    return x


def nest_tuples(n):
    x = ()
    for i in range(n):
        x = (x,)
    return x


for make in [nest_lists, nest_dicts, nest_tuples]:
    x = make(100000)
    try:
        s = str(x)
        print(make.__name__, "str worked?!", len(s))
    except RecursionError as e:
        print(make.__name__, "RecursionError:", e)
    x = None
    print(make.__name__, "dropped")
print("collect after:", gc.collect())
print("small nesting prints:", str(nest_lists(3)), str(nest_tuples(2)))
