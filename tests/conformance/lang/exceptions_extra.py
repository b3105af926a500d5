# exception features beyond the subset: try/else/finally, bare raise, except tuples, user exception classes, raise from
# needs: __cause__, except-tuple, finally, raise-from, reraise, subclass:Exception, try-else
class AppError(Exception):
    def __init__(self, code):
        super().__init__("app error " + str(code))
        self.code = code


def run(kind):
    try:
        if kind == 1:
            raise AppError(7)
        if kind == 2:
            raise KeyError("k")
    except (AppError, KeyError) as e:
        print(" handled", type(e).__name__, e)
    else:
        print(" no exception")
    finally:
        print(" finally", kind)


for k in range(3):
    run(k)


def early():
    try:
        return "from try"
    finally:
        print(" finally runs before return")


print(early())
try:
    try:
        raise AppError(1)
    except AppError:
        raise
except AppError as e:
    print("re-raised:", e.code)
try:
    try:
        1 / 0
    except ZeroDivisionError as z:
        raise ValueError("wrapped") from z
except ValueError as e:
    print("cause:", type(e.__cause__).__name__)
