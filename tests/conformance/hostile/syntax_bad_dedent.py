# a dedent to a column no outer block uses: IndentationError "unindent does not match", nothing runs, status 1
print("not printed")
if True:
    x = 1
  y = 2
