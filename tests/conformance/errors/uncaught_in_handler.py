# an exception raised inside an except block propagates (status 1); output from the handler is kept
try:
    {}["k"]
except KeyError:
    print("in handler")
    [][0]
print("not reached")
