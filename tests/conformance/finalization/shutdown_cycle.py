# a cycle with __del__ that is garbage but never collected is finalized at shutdown (§6 item 17)
import gc

gc.disable()


class Noisy:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("__del__ called for", self.name)


c = Noisy("cycle")
c.me = c
del c
print("end of script, gc disabled")
