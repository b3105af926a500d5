# generator methods: send/throw/close, just-started send, already executing, GeneratorExit and finally on close
# needs: generator, finally, builtin:BaseException, builtin:GeneratorExit, builtin:RuntimeError, builtin:StopIteration, builtin:issubclass, builtin:next, builtin:repr, method:close, method:send, method:throw
def accumulate():
    total = 0
    try:
        while True:
            try:
                v = yield total
            except KeyError as e:
                print("caught", repr(e))
                v = 0
            total += v
    finally:
        print("cleanup at", total)


a = accumulate()
try:
    a.send(5)
except TypeError as e:
    print("TypeError:", e)
print(a.send(None), a.send(5), a.send(6))
print(a.throw(KeyError("k")))
print(a.throw(KeyError))
a.close()
print("closed", a.gi_running)
a.close()
try:
    next(a)
except StopIteration as e:
    print("StopIteration after close", e.args)
try:
    a.throw(ValueError("late"))
except ValueError as e:
    print("thrown into closed:", e)


def simple():
    yield 1
    yield 2


s = simple()
s.close()
print(list(s))
s = simple()
print(next(s))
try:
    s.throw(IndexError("boom"))
except IndexError as e:
    print("propagated", e)
print(list(s))


def stubborn():
    try:
        yield 1
    except GeneratorExit:
        print("GeneratorExit seen")
        yield 2


st = stubborn()
next(st)
try:
    st.close()
except RuntimeError as e:
    print("RuntimeError:", e)


def selfish():
    yield me.send(None)


me = selfish()
try:
    next(me)
except ValueError as e:
    print("ValueError:", e)
print(issubclass(GeneratorExit, BaseException), issubclass(GeneratorExit, Exception))
