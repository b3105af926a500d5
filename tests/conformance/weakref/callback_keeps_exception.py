# callbacks and the exception being handled: the traceback keeps a failed frame's locals alive until the handler ends;
# a callback that raises and catches its own exception does not clobber the one being handled (§6 item 40)
import weakref


class Obj:
    pass


def cb(w):
    try:
        raise KeyError("inside callback")
    except KeyError:
        pass
    print("callback ran")


def fails():
    o = Obj()
    global r
    r = weakref.ref(o, cb)
    raise ValueError("original")


try:
    fails()
except ValueError as e:
    print("in handler, local of the failed frame still alive:", r() is not None)
print("after the handler, ref dead:", r() is None)
victim = Obj()
r2 = weakref.ref(victim, cb)
try:
    raise ValueError("being handled")
except ValueError as e:
    del victim
    print("after the callback ran, still handling:", type(e).__name__, e)
