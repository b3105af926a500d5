# sys.exit(n) ends the script with exit status n after flushing earlier output
# needs: sys.exit
import sys

print("exiting with 3")
sys.exit(3)
print("not reached")
