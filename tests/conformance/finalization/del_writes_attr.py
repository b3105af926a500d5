# a cycle whose __del__ writes attributes is handled safely (§6 item 15): the new lists refer to the pair from
# outside the unreachable set, so the pair counts as resurrected; the next collect frees pair + lists, no second __del__
import gc

gc.disable()


class Writer:
    def __del__(self):
        self.other.note = [self]
        print("wrote through", self.name)


gc.collect()
a = Writer()
b = Writer()
a.name = "a"
b.name = "b"
a.other = b
b.other = a
del a, b
print("first collect (pair looks resurrected):", gc.collect())
print("second collect (pair and the two lists):", gc.collect())
print("third collect:", gc.collect())
