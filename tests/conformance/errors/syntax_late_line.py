# a SyntaxError on the last line still prevents the whole file from running: no output, status 1
def fine():
    return 1


print("never printed", fine())
for i in range(10) print(i)
