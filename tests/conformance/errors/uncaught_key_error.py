# an uncaught KeyError raised deep inside calls ends the script with status 1 after earlier output
def lookup(d, k):
    return d[k]


def outer(d):
    print("looking up")
    return lookup(d, "missing")


d = {"present": 1}
print(lookup(d, "present"))
outer(d)
print("not reached")
