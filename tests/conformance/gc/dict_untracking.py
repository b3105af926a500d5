# lazy dict tracking: dicts start untracked, become tracked on a container insert, and only a full collection untracks them (§3.2)
import gc

gc.disable()
print("{}:", gc.is_tracked({}))
print("{'a': 1}:", gc.is_tracked({"a": 1}))
print("{'a': 'b', 1: 2.5}:", gc.is_tracked({"a": "b", 1: 2.5}))
print("{'a': []}:", gc.is_tracked({"a": []}))
print("{'a': ()}:", gc.is_tracked({"a": ()}))
d = {}
d["x"] = 1
print("atomic value inserted:", gc.is_tracked(d))
d["y"] = []
print("list value inserted:", gc.is_tracked(d))
del d["y"]
print("list value removed again:", gc.is_tracked(d))
gc.collect(0)
print("after collect(0):", gc.is_tracked(d))
gc.collect(1)
print("after collect(1):", gc.is_tracked(d))
gc.collect(2)
print("after collect(2):", gc.is_tracked(d))
d["z"] = {}
print("empty dict inserted as value (any dict counts as a container):", gc.is_tracked(d))
d["w"] = {"q": []}
print("tracked dict inserted as value:", gc.is_tracked(d))
