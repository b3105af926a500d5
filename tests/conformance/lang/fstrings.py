# f-strings: expressions, method calls, nested quotes, escaped braces, containers and objects
class P:
    def __init__(self, x):
        self.x = x


name = "world"
n = 3
p = P(7)
lst = [1, "two", 3.0]
print(f"hello {name}")
print(f"{n} + {n} = {n + n}")
print(f"attribute {p.x}, index {lst[1]}, call {len(lst)}")
print(f"{{literal braces}} and {n}")
print(f"list {lst} tuple {(1, 2)} dict {({'a': 1})}")
print(f"bool {n > 2} none {None}")
print(f"{'nested quotes'}")
print(f"" + f"{n}" + f"x{n}y")
print(f"multiple {n}{n}{n}")
print(f"conditional {'big' if n > 2 else 'small'}")
