"""binary_trees: the Benchmarks Game binary-trees, single process, trees of tuples.

A node is a tuple (left, right); a leaf is (None, None). Builds one stretch tree of depth
max_depth + 1, keeps one long-lived tree of depth max_depth, and for every even depth from
4 builds and checks 2 ** (max_depth - depth + 4) short-lived trees. Prints the usual lines;
their counts are the checksum.

Usage: binary_trees.py [max_depth]   (default 16)
"""

import sys

MIN_DEPTH = 4


def make_tree(depth):
    if depth == 0:
        return (None, None)
    depth -= 1
    return (make_tree(depth), make_tree(depth))


def check_tree(node):
    (left, right) = node
    if left is None:
        return 1
    return 1 + check_tree(left) + check_tree(right)


def main(n):
    max_depth = n if n > MIN_DEPTH + 2 else MIN_DEPTH + 2
    stretch = max_depth + 1
    print(f"stretch tree of depth {stretch}\t check: {check_tree(make_tree(stretch))}")

    long_lived = make_tree(max_depth)
    total = 0
    depth = MIN_DEPTH
    while depth <= max_depth:
        iterations = 1 << (max_depth - depth + MIN_DEPTH)
        check = 0
        for i in range(iterations):
            check += check_tree(make_tree(depth))
        print(f"{iterations}\t trees of depth {depth}\t check: {check}")
        total += check
        depth += 2

    lived = check_tree(long_lived)
    print(f"long lived tree of depth {max_depth}\t check: {lived}")
    print(f"binary_trees checksum {total + lived}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 16)
