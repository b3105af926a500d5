# collect() counts: 100 dead self-cycles -> 100; a lone resurrector -> 0; 100 + resurrector -> 100; releasing 2 -> 2 (§6 item 22)
# needs: gc.get_stats
import gc

gc.disable()
saved = []


class Plain:
    def __init__(self):
        self.me = self


class Resurrector:
    def __init__(self):
        self.me = self

    def __del__(self):
        saved.append(self)


def stats():
    s = gc.get_stats()[2]
    return [s["collected"], s["uncollectable"]]


gc.collect()
base = stats()
for i in range(100):
    Plain()
n = gc.collect()
s = stats()
print("100 self-cycles:", n, "stats delta:", [s[0] - base[0], s[1] - base[1]])
base = stats()
Resurrector()
n = gc.collect()
s = stats()
print("lone resurrector:", n, "stats delta:", [s[0] - base[0], s[1] - base[1]], "saved:", len(saved))
for i in range(100):
    Plain()
Resurrector()
print("100 + a resurrector:", gc.collect(), "saved:", len(saved))
saved.clear()
print("releasing the 2 resurrected:", gc.collect())
print("uncollectable total:", stats()[1])
