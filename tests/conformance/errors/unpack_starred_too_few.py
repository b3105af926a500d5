# an uncaught ValueError from a starred unpacking with too few values ("expected at least 2, got 1") ends the program with status 1; the output before it is kept
# needs: star-unpack
a, *b = [1]
print(a, b)
first, *middle, last = [1]
print("never printed", first, middle, last)
