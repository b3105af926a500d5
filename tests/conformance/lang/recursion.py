# recursion within 64-bit ints: factorial, fibonacci, mutual recursion, a binary-trees style build and check
def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


def make_tree(depth):
    if depth == 0:
        return (None, None)
    depth -= 1
    return (make_tree(depth), make_tree(depth))


def check_tree(node):
    (l, r) = node
    if l is None:
        return 1
    return 1 + check_tree(l) + check_tree(r)


print(fact(20), fib(20), is_even(100), is_odd(7))
for d in range(0, 12, 3):
    print("tree depth", d, "nodes", check_tree(make_tree(d)))
