# a character that is no token ($): SyntaxError "invalid syntax", nothing runs, status 1
print("not printed")
x = 1 $ 2
