# sys.argv: the script name only when run without arguments
import sys

print("argc:", len(sys.argv))
print("argv[0]:", sys.argv[0])
print("is a list:", type(sys.argv).__name__)
