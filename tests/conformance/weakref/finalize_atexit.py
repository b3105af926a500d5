# finalizers still pending at exit run at shutdown (newest first), unless atexit is False (§6 item 49)
# needs: weakref.finalize
import weakref


class Obj:
    pass


def say(msg):
    print(msg)


a = Obj()
b = Obj()
c = Obj()
weakref.finalize(a, say, "a at exit")
weakref.finalize(b, say, "b at exit")
fc = weakref.finalize(c, say, "c must not run")
fc.atexit = False
print("atexit flags:", fc.atexit)
print("end of script")
