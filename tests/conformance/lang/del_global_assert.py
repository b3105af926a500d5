# del of names, subscripts and attributes; global declarations; assert passing and failing
# needs: builtin:AssertionError, builtin:NameError
x = 1
del x
try:
    x
except NameError as e:
    print("NameError:", e)
d = {"a": 1, "b": 2}
del d["a"]
l = [1, 2, 3]
del l[-1]
print(d, l)


class O:
    pass


o = O()
o.attr = 5
del o.attr
try:
    o.attr
except AttributeError:
    print("attribute deleted")
total = 0


def add(n):
    global total
    total += n


def read():
    return total


add(5)
add(7)
print("global updated:", total, read())


def make_global():
    global created
    created = "made inside a function"


make_global()
print(created)
assert total == 12
assert total == 12, "message unused"
print("asserts passed")
try:
    assert total == 0, "total is " + str(total)
except AssertionError as e:
    print("AssertionError:", e)
try:
    assert False
except AssertionError as e:
    print("bare AssertionError:", str(e) == "")
