# IndexError from a list index out of range ends the script (status 1)
items = [1, 2, 3]
for i in range(5):
    print(items[i])
print("not reached")
