# needs: builtin:ValueError
# Unpacking into locals answers as CPython 3.11: a tuple display into as many targets builds no tuple (distinct fast locals on one line are stored last first, other targets after a SWAP), a tuple value goes straight into its locals; the old values' finalizers run in the stores' order; references, other targets, wrong lengths, lists
import sys

class Noisy:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        print("del", self.name)

def swap():
    a = Noisy("old a")
    b = Noisy("old b")
    print("before")
    a, b = (Noisy("new a"), Noisy("new b"))
    print("after", a.name, b.name)
    a, b = b, a
    print("swapped", a.name, b.name)

swap()

def from_list(items):
    a, b = Noisy("old la"), Noisy("old lb")
    a, b = items
    print("from a list", a, b)

from_list([1, 2])

def refs(t):
    left, right = t
    return sys.getrefcount(left), sys.getrefcount(right), left is t[0]

x = []
print(refs((x, x)), sys.getrefcount(x))

def mixed(t, box):
    a, box[0], c = t
    return a, box, c

print(mixed((1, 2, 3), [0]))

def self_unpack(t):
    t, b = t  # the tuple's only holder is replaced first
    return type(t).__name__, b

print(self_unpack((Noisy("first"), 2)))

def wrong(t):
    a, b = t
    return a, b

for t in ((1,), (1, 2, 3)):
    try:
        wrong(t)
    except ValueError as e:
        print("ValueError:", e)
print(wrong([4, 5]), wrong("xy"))

def loop(pairs):
    total = 0
    for k, v in pairs:
        total += k * v
    return total

print(loop([(1, 2), (3, 4)]), loop(((5, 6),)))

def same(x):
    a, a = x, x + 1
    p, q, p = x, x + 1, x + 2
    one, = x,
    return a, p, q, one

print(same(1))
g1, g2 = Noisy("old g1"), Noisy("old g2")
g1, g2 = Noisy("new g1"), Noisy("new g2")
print("module names stored in order")
