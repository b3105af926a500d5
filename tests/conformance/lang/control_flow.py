# if/elif/else, while with break/continue, nested loops, pass, loops over lists, tuples and ranges
def classify(n):
    if n < 0:
        return "negative"
    elif n == 0:
        return "zero"
    elif n < 10:
        return "small"
    else:
        return "large"


print([classify(n) for n in [-5, 0, 3, 42]])
i = 0
found = []
while True:
    i += 1
    if i % 2 == 0:
        continue
    if i > 9:
        break
    found.append(i)
print("odd below 10:", found)
pairs = []
for a in range(3):
    for b in range(3):
        if b > a:
            break
        pairs.append((a, b))
print("nested with inner break:", pairs)
n = 0
while n < 5:
    n += 1
    pass
print("while with pass:", n)
todo = [3, 1, 2]
done = []
while len(todo):
    done.append(todo.pop(0))
print("while len(todo):", done)
for t in (1, 2):
    if t == 1:
        pass
    else:
        print("tuple loop reached", t)
