# 'return' outside a function is rejected by the compiler: no output, status 1
print("never printed")
return 5
