# lambda: plain, with defaults, closures, as sort keys (sorted with key and reverse), immediately called
# needs: str-order, tuple-compare
add = lambda a, b=10: a + b
print(add(1), add(1, 2))
print((lambda: "called at once")())
words = ["pear", "fig", "banana", "kiwi"]
print(sorted(words))
print(sorted(words, key=lambda w: len(w)))
print(sorted(words, key=lambda w: len(w), reverse=True))
print(sorted([3, 1, 2], reverse=True))
pairs = [(1, "b"), (0, "c"), (1, "a")]
print(sorted(pairs))
print(sorted(pairs, key=lambda p: p[1]))
k = 3
mul = lambda x: x * k
k = 4
print("lambda sees the current global:", mul(2))
print("any:", any([x > 3 for x in [1, 5]]), any([]), any([0, None, ""]))
