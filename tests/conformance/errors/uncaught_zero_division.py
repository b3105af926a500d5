# an uncaught ZeroDivisionError: output printed before it is kept, the traceback goes to stderr, exit status 1
print("before")


def divide(a, b):
    return a / b


print(divide(1, 2))
print(divide(1, 0))
print("not reached")
