# 'break' outside a loop is rejected by the compiler: no output, status 1
print("never printed")
if True:
    break
