# 'nonlocal' at module level is rejected by the compiler (symbol table): no output, status 1
print("never printed")
nonlocal x
