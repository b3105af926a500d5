# a closing parenthesis without an opening one: SyntaxError "unmatched ')'", nothing runs, status 1
print("not printed")
print("x"))
