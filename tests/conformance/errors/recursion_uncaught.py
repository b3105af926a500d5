# runaway recursion not caught: RecursionError ends the script with status 1 after earlier output
def forever(n):
    return forever(n + 1)


print("recursing")
forever(0)
print("not reached")
