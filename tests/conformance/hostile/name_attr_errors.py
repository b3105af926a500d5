# undefined names (global, local before assignment, deleted) and missing attributes: types and messages
# needs: builtin:NameError, builtin:UnboundLocalError
def show(what, f):
    try:
        f()
        print(what, "worked?!")
    except Exception as e:
        print(what, "->", type(e).__name__ + ":", e)


def use_undefined():
    return undefined_name


def local_before_assignment():
    print(x)
    x = 1


def deleted():
    y = 1
    del y
    return y


class Thing:
    def __init__(self):
        self.present = 1


show("undefined global", use_undefined)
show("local before assignment", local_before_assignment)
show("deleted local", deleted)
show("missing instance attribute", lambda: Thing().absent)
show("missing class attribute", lambda: Thing.absent)
show("attribute of None", lambda: None.anything)
show("attribute of a list", lambda: [].push)
show("attribute of an int", lambda: (5).size)
gone = 1
del gone
try:
    print(gone)
except NameError as e:
    print("deleted global ->", type(e).__name__ + ":", e)
print(undefined_at_module_level)
print("not reached")
