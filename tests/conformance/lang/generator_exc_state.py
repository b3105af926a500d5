# exception state across yields: a handler suspended at a yield keeps its exception; the caller's is not disturbed
# needs: generator, reraise, __context__, builtin:NameError, builtin:RuntimeError, builtin:next, builtin:repr, method:throw
def in_handler():
    try:
        raise KeyError("inner")
    except KeyError:
        yield "suspended in handler"
        try:
            raise
        except KeyError as e:
            yield "bare raise after resume: " + repr(e)


g = in_handler()
print(next(g))
try:
    raise ValueError("outer")
except ValueError as outer:
    print(next(g))
    try:
        raise
    except ValueError as e:
        print("caller still handles", repr(e))


def raises_in_gen():
    yield 1
    raise IndexError("from generator")


h = raises_in_gen()
next(h)
try:
    raise TypeError("caller's")
except TypeError:
    try:
        next(h)
    except IndexError as e:
        print("context:", repr(e.__context__))


def plain():
    yield 1
    raise AttributeError("no handler")


p = plain()
next(p)
try:
    next(p)
except AttributeError as e:
    print("context without handler:", e.__context__)


def catch_thrown():
    try:
        yield 1
    except ZeroDivisionError as e:
        yield "caught " + repr(e) + " context " + repr(e.__context__)


c = catch_thrown()
next(c)
try:
    raise NameError("while throwing")
except NameError:
    print(c.throw(ZeroDivisionError("thrown")))
try:
    raise
except RuntimeError as e:
    print("no active exception after:", e)
