# try/finally ordering: finally runs on normal exit, on return, on break and while an exception propagates; else runs only without exception
# needs: finally, try-else
log = []


def step(kind):
    try:
        log.append("try " + str(kind))
        if kind == "raise":
            raise ValueError(kind)
        if kind == "return":
            return "returned"
    except KeyError:
        log.append("never")
    else:
        log.append("else " + kind)
    finally:
        log.append("finally " + kind)
    return "fell through"


print(step("normal"), step("return"))
try:
    step("raise")
except ValueError as e:
    log.append("outer caught " + str(e))
for i in range(3):
    try:
        if i == 1:
            break
    finally:
        log.append("finally in loop " + str(i))
for entry in log:
    print(entry)
