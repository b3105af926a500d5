# bare except: catches everything (BaseException subclasses included), after typed handlers, with else/finally, re-raise from it, and exception state restored after it
# needs: bare-except, reraise, finally, try-else, subclass:Exception, builtin:KeyboardInterrupt, builtin:SystemExit, builtin:ZeroDivisionError, builtin:repr
import sys


class Boom(Exception):
    pass


def catch(exc):
    try:
        raise exc
    except ValueError:
        return "ValueError handler"
    except:
        return "bare handler"


print(catch(ValueError("v")))
print(catch(Boom()))
print(catch(KeyboardInterrupt()))
print(catch(SystemExit(3)))

try:
    1 / 0
except:
    print("caught division")
else:
    print("not here")
finally:
    print("finally runs")

try:
    pass
except:
    print("not here")
else:
    print("else when nothing raised")


def reraise():
    try:
        raise Boom("inner")
    except:
        print("bare handler re-raises")
        raise


try:
    reraise()
except Boom as e:
    print("outer got", repr(e))


class Res:
    pass


r = Res()
base = sys.getrefcount(r)
def holds(obj):
    try:
        raise ValueError(obj)
    except:
        pass
    return sys.getrefcount(obj)
print("exception released after a bare handler:", holds(r) - base)

for i in range(3):
    try:
        if i == 1:
            raise Boom(i)
        print("body", i)
    except:
        print("caught", i)
        continue
print("done")
