# freeing the head of a chain finalizes it first, then the objects it referenced; a 100000-long chain frees without overflow (§2.5)
class Link:
    count = 0

    def __init__(self, name, nxt):
        self.name = name
        self.next = nxt

    def __del__(self):
        Link.count += 1
        if self.name != "":
            print("del", self.name)


head = Link("first", Link("second", Link("third", None)))
del head
print("long chain:")
head = None
for i in range(100000):
    head = Link("", head)
Link.count = 0
head = None
print("finalized:", Link.count)
nested = []
for i in range(100000):
    nested = [nested]
nested = None
print("deeply nested lists freed")
