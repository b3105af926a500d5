# a keyword used as a variable name (class = 3): SyntaxError, nothing runs, status 1
print("not printed")
class = 3
