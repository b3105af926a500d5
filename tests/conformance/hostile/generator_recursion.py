# generators resuming themselves (ValueError), deep chains of nested generators and genexprs (RecursionError, no crash)
# needs: generator, genexpr, builtin:iter, builtin:next, method:close, method:send, sys.setrecursionlimit
import sys


def selfish():
    yield next(me)


me = selfish()
try:
    next(me)
except ValueError as e:
    print("ValueError:", e)
print("finished after the error:", list(me))


def sender():
    got = yield 1
    yield me2.send(got)


me2 = sender()
next(me2)
try:
    me2.send(5)
except ValueError as e:
    print("ValueError:", e)


def closer():
    yield me3.close()


me3 = closer()
try:
    next(me3)
except ValueError as e:
    print("close while running:", e)


def chain(n):
    if n == 0:
        yield 0
        return
    for x in chain(n - 1):
        yield x + 1


print("shallow chain:", list(chain(100)))
for depth in (2000, 100000):
    try:
        list(chain(depth))
        print("no error at", depth)
    except RecursionError as e:
        print("RecursionError at", depth, e)


def genexpr_tower(n):
    g = iter([1])
    for i in range(n):
        g = (x for x in g)
    return g


print("tower of 100:", list(genexpr_tower(100)))
try:
    list(genexpr_tower(5000))
except RecursionError as e:
    print("tower of 5000: RecursionError", e)
t = genexpr_tower(5000)
del t
print("dropping an unstarted tower: fine")
sys.setrecursionlimit(60)
try:
    list(chain(100))
except RecursionError:
    print("lower limit respected")
sys.setrecursionlimit(1000)
print("chain of 200 after restoring:", len(list(chain(200))))
