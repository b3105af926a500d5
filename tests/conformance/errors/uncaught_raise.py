# raise of a builtin exception class with a message at module level: status 1, earlier output kept
for i in range(3):
    print("step", i)
    if i == 2:
        raise ValueError("stopping at " + str(i))
print("not reached")
