# __hash__ returning a non-int and unhashable keys raise TypeError with CPython's messages
# needs: __hash__, dict-other-keys, in-dict, builtin:hash
class StrHash:
    def __hash__(self):
        return "seven"


class NoneHash:
    def __hash__(self):
        return None


class FloatHash:
    def __hash__(self):
        return 1.5


for cls in [StrHash, NoneHash, FloatHash]:
    try:
        d = {cls(): 1}
        print(cls.__name__, "accepted?!")
    except TypeError as e:
        print(cls.__name__, "TypeError:", e)
for bad in [[1], {}, {"a": [1]}]:
    try:
        d = {bad: 1}
    except TypeError as e:
        print("as key", type(bad).__name__, "TypeError:", e)
d = {"a": 1}
try:
    print([1] in d)
except TypeError as e:
    print("lookup with a list:", e)
try:
    hash(([1], 2))
except TypeError as e:
    print("tuple holding a list:", e)
