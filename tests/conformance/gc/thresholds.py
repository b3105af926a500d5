# get_threshold/set_threshold: defaults (700, 10, 10), partial updates, zero threshold
import gc

print("default:", gc.get_threshold())
gc.set_threshold(100)
print("set_threshold(100):", gc.get_threshold())
gc.set_threshold(50, 5)
print("set_threshold(50, 5):", gc.get_threshold())
gc.set_threshold(1, 2, 3)
print("set_threshold(1, 2, 3):", gc.get_threshold())
gc.set_threshold(0)
print("set_threshold(0):", gc.get_threshold())
try:
    gc.set_threshold()
except TypeError as e:
    print("no arguments: TypeError")
try:
    gc.set_threshold(1, 2, 3, 4)
except TypeError as e:
    print("four arguments: TypeError")
try:
    gc.set_threshold("a")
except TypeError as e:
    print("string: TypeError")
gc.set_threshold(700, 10, 10)
print("restored:", gc.get_threshold())
