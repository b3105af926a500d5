# a SyntaxError anywhere in the file stops it before any statement runs: no output, status 1
print("never printed: the file does not compile")
x = = 1
