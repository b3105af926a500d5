# Lesson 5: arenas, pools and blocks. Small objects (512 bytes or less) come from CPython's own
# allocator, pymalloc: it takes big arenas from the system, cuts each into pools, and a pool
# serves blocks of one size class. sys._debugmallocstats() prints the allocator's state to
# stderr; this lesson calls it three times and prints on stdout what to compare.
#
# What to watch (on stderr, after each "=== snapshot" line on stdout; on a terminal the two
# streams come out in order):
#   - the table "class size num pools blocks in use": on CPython 3.11 the 32- and 64-byte classes
#     (the Nodes, their int values and attribute arrays) grow by hundreds of thousands of blocks
#     and hundreds of pools while the Nodes are alive, and shrink back when they die;
#   - "# arenas allocated current" rises with them; after they die it falls again and
#     "# arenas reclaimed" grows: arenas left empty go back to the system;
#   - "# arenas highwater mark" remembers the peak.
# needs: sys._debugmallocstats
import sys


class Node:
    def __init__(self, value):
        self.value = value


def snapshot(title):
    print("=== snapshot:", title, "(see stderr)")
    sys._debugmallocstats()


print("Arena, pool and block sizes are build settings: CPython 3.11 on 64-bit Linux uses")
print("1 MiB arenas of 16 KiB pools; the stats' own arithmetic lines show the sizes.")
snapshot("at start")
nodes = []
for i in range(200000):
    nodes.append(Node(i))
print("made", len(nodes), "Nodes, each holding one int")
snapshot("200000 Nodes alive")
nodes = None
print("dropped the list: every Node died by reference counting")
snapshot("after they died")
print("done: compare 'arenas allocated current' and 'arenas reclaimed' across the snapshots")
