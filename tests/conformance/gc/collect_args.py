# collect(generation) argument checking: 0..2 valid, keyword form, ValueError/TypeError otherwise
import gc

gc.disable()
print("collect(0), (1), (2):", gc.collect(0), gc.collect(1), gc.collect(2))
print("keyword generation=2:", gc.collect(generation=2))
for bad in [3, -1, 100]:
    try:
        gc.collect(bad)
    except ValueError as e:
        print("collect(" + str(bad) + "): ValueError:", e)
try:
    gc.collect("0")
except TypeError:
    print("collect('0'): TypeError")
try:
    gc.collect(1.0)
except TypeError:
    print("collect(1.0): TypeError")
