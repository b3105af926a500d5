# an unterminated triple-quoted string running to the end of the file: SyntaxError, nothing runs, status 1
print("not printed")
s = """starts here
and never
ends
