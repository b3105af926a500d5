# an exception in a weakref.finalize callback is reported on stderr; execution continues, the finalizer is dead afterwards
# needs: weakref.finalize
import weakref


class Obj:
    pass


def boom(tag):
    print("finalizer", tag)
    raise ValueError(tag)


o = Obj()
f = weakref.finalize(o, boom, "on death")
del o
print("continued, alive:", f.alive)
