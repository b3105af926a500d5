# needs: raise-from, __cause__, __context__, __suppress_context__, builtin:RuntimeError
# exception chaining: `raise ... from` sets __cause__ and __suppress_context__, raising while
# handling sets __context__; an uncaught chain exits 1 (stderr, not compared, shows both reports)
def f():
    try:
        1 / 0
    except ZeroDivisionError as z:
        raise ValueError("wrapped") from z


try:
    f()
except ValueError as e:
    print("cause:", type(e.__cause__).__name__, e.__suppress_context__)
    print("context is the cause:", e.__context__ is e.__cause__)
try:
    raise KeyError("x") from None
except KeyError as e:
    print("from None:", e.__cause__, e.__suppress_context__, type(e.__context__).__name__)
try:
    try:
        raise TypeError("inner")
    except TypeError:
        raise RuntimeError("outer")
except RuntimeError as e:
    print("implicit:", type(e.__context__).__name__, e.__cause__, e.__suppress_context__)
try:
    raise ValueError from 5
except TypeError as e:
    print("TypeError:", e)
try:
    raise ValueError("v") from KeyError
except ValueError as e:
    print("class as cause:", type(e.__cause__).__name__, e.__cause__.args)
print("no context outside handlers:", ValueError("fresh").__context__)
f()
