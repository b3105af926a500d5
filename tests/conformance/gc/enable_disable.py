# enable/disable/isenabled; an explicit collect() still works while automatic collection is disabled
import gc

print("enabled at start:", gc.isenabled())
print("disable() returns:", gc.disable())
print("after disable:", gc.isenabled())
gc.disable()
print("disable twice:", gc.isenabled())
l = []
l.append(l)
del l
print("collect while disabled:", gc.collect())
print("enable() returns:", gc.enable())
print("after enable:", gc.isenabled())
gc.enable()
print("enable twice:", gc.isenabled())
