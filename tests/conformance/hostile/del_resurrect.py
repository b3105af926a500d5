# __del__ that stores self in a global list resurrects the object; __del__ is not called a second time (PEP 442)
import gc

gc.disable()
graveyard = []


class Phoenix:
    def __init__(self, name):
        self.name = name
        self.deaths = 0

    def __del__(self):
        self.deaths += 1
        print("__del__", self.name, "death", self.deaths)
        graveyard.append(self)


p = Phoenix("refcount")
del p
print("resurrected:", len(graveyard), graveyard[0].name)
graveyard.clear()
print("dropped again, __del__ not called twice")
q = Phoenix("cycle")
q.me = q
del q
print("collect:", gc.collect())
print("resurrected from the cycle:", graveyard[0].name, graveyard[0].me is graveyard[0])
graveyard.clear()
print("collect again:", gc.collect())
print("done")
