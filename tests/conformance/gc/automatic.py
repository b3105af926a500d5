# automatic collection: gen-0 collections happen once count 0 exceeds threshold 0; none while disabled or threshold 0 (§3.3)
# needs: gc.get_stats
import gc

gc.disable()


class Node:
    pass


def gen0_collections():
    return gc.get_stats()[0]["collections"]


def churn(n):
    keep = []
    for i in range(n):
        keep.append(Node())
    return keep


gc.collect()
gc.set_threshold(100)
before = gen0_collections()
k = churn(1000)
print("disabled: gen-0 collections during 1000 allocations:", gen0_collections() - before)
gc.enable()
before = gen0_collections()
k = churn(1000)
n = gen0_collections() - before
print("enabled, threshold 100: collections happened:", n > 0, "at most 10:", n <= 10)
gc.set_threshold(0)
before = gen0_collections()
k = churn(1000)
print("threshold 0 disables automatic collection:", gen0_collections() - before)
gc.set_threshold(700, 10, 10)
gc.set_threshold(50)
l = []
l.append(l)
del l
found = [0]
def cb(phase, info):
    if phase == "stop":
        found[0] += info["collected"]
gc.callbacks.append(cb)
k = churn(200)
gc.callbacks.remove(cb)
print("an automatic collection freed the dead self-list:", found[0] >= 1)
gc.set_threshold(700, 10, 10)
