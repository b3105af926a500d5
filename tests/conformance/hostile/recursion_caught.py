# runaway recursion caught three times in a row: each time RecursionError, and the interpreter recovers fully
def down(n):
    return down(n + 1)


def mutual_a(n):
    return mutual_b(n + 1)


def mutual_b(n):
    return mutual_a(n + 1)


for attempt in range(3):
    try:
        down(0)
    except RecursionError as e:
        print("attempt", attempt, "RecursionError:", e)
try:
    mutual_a(0)
except RecursionError as e:
    print("mutual recursion:", e)


def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)


print("afterwards fact(20) =", fact(20))
