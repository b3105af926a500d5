# assigning to a literal ("cannot assign to literal") is a SyntaxError: nothing runs, status 1
print("not printed")
x = 1
1 = x
