# an uncaught TypeError (unhashable type: 'list') from set.add ends the program with status 1; the output before it is kept
# needs: set, method:add
s = {1, 2}
print("before:", s)
s.add([3])
print("never printed")
