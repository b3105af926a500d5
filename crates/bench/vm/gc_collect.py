"""gc_collect: pyperformance's bm_gc_collect shape.

Each repetition builds 100 rings of 21 nodes (plain instances, each linked to its next and
previous node), drops them and runs one full collection, which frees all 2,100. The
checksum is the total gc.collect() reported (2,100 per repetition on CPython 3.11).

Usage: gc_collect.py [repetitions]   (default 500)
"""

import gc
import sys

CYCLES = 100
LINKS = 20


class Node:
    def __init__(self):
        self.next = None
        self.prev = None

    def link_next(self, next):
        self.next = next
        self.next.prev = self


def create_cycle(node, n_links):
    """Closes a ring of n_links + 1 nodes starting at node."""
    if n_links == 0:
        return
    current = node
    for i in range(n_links):
        next_node = Node()
        current.link_next(next_node)
        current = next_node
    current.link_next(node)


def create_gc_cycles(n_cycles, n_links):
    """Returns the heads of n_cycles rings of n_links + 1 nodes."""
    cycles = []
    for i in range(n_cycles):
        node = Node()
        cycles.append(node)
        create_cycle(node, n_links)
    return cycles


def main(reps):
    total = 0
    for i in range(reps):
        gc.collect()
        all_cycles = create_gc_cycles(CYCLES, LINKS)
        del all_cycles
        collected = gc.collect()
        assert collected >= CYCLES * (LINKS + 1)
        total += collected
    print(f"gc_collect {reps} repetitions checksum {total}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
