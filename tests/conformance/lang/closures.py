# closures and nonlocal: counters, independent cells per call, shared cells, late binding in loops, nested levels
def make_counter():
    n = 0
    def inc():
        nonlocal n
        n += 1
        return n
    return inc


c1 = make_counter()
c2 = make_counter()
print(c1(), c1(), c1(), c2())


def pair():
    v = [0]
    def get():
        return v[0]
    def put(x):
        v[0] = x
    return [get, put]


get, put = pair()
put(42)
print("shared cell:", get())
fs = []
for i in range(3):
    fs.append(lambda: i)
print("late binding:", [f() for f in fs])
fs = []
for i in range(3):
    fs.append(lambda i=i: i)
print("bound by default:", [f() for f in fs])


def outer():
    x = "outer"
    def middle():
        def inner():
            return x
        return inner
    return middle()()


print("two levels:", outer())


def rebind():
    x = 1
    def setter():
        nonlocal x
        x = 2
    setter()
    return x


print("nonlocal rebinding visible:", rebind())
