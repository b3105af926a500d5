# an __eq__ that compares itself again recurses until RecursionError, through ==, `in` and list.index
# needs: __eq__, method:index
class Echo:
    def __eq__(self, other):
        return self == other


a = Echo()
b = Echo()
try:
    a == b
except RecursionError as e:
    print("==:", e)
try:
    b in [1, a, 2]
except RecursionError as e:
    print("in:", e)
try:
    [a].index(b)
except RecursionError as e:
    print("index:", e)
print("identity is checked first, no __eq__ call:", a in [a], [a].index(a))
l1 = []
l2 = []
for i in range(100000):
    l1 = [l1]
    l2 = [l2]
try:
    print(l1 == l2)
except RecursionError as e:
    print("100000-deep lists ==:", e)
