# a __del__ that creates the next object, 100000 times: CPython's trashcan turns the chain into a loop (no RecursionError, no crash)
count = [0]


class Relay:
    def __del__(self):
        count[0] += 1
        if count[0] < 100000:
            Relay()


Relay()
print("__del__ ran", count[0], "times")
depth = [0]


def dig(n):
    depth[0] = n
    return dig(n + 1)


class Digger:
    def __del__(self):
        print("__del__ starts digging")
        dig(0)


d = Digger()
del d
print("RecursionError inside __del__ was ignored; dug deeper than 500:", depth[0] > 500)
