"""gc_traversal: pyperformance's bm_gc_traversal shape.

Builds 1,000 nested lists, list n holding n references to list n - 1 (499,500 references),
keeps them alive and runs full collections over them, none of which may free anything. The
checksum is the number of references (walked once by the script) and the total collected
(0).

Usage: gc_traversal.py [collections]   (default 300)
"""

import gc
import sys

N_LEVELS = 1000


def create_recursive_containers(n_levels):
    current_list = []
    for n in range(n_levels):
        new_list = [None] * n
        for index in range(n):
            new_list[index] = current_list
        current_list = new_list
    return current_list


def count_references(top):
    refs = 0
    current = top
    while len(current) > 0:
        refs += len(current)
        current = current[0]
    return refs


def main(reps):
    all_lists = create_recursive_containers(N_LEVELS)
    collected = 0
    for i in range(reps):
        n = gc.collect()
        assert n == 0
        collected += n
    refs = count_references(all_lists)
    print(f"gc_traversal {reps} collections references {refs} collected {collected}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
