# a failing assert ends the script with AssertionError (status 1)
# needs: builtin:AssertionError
total = 3
assert total == 3
print("first assert passed")
assert total == 4, "total is wrong"
print("not reached")
