"""CPython's side of pymem-bench's `gc` suite (crates/bench/src/suites/gc).

Usage: python3 gc_workloads.py WORKLOAD key=value ...  (sizes as the suite passes them:
cycles, ring_len, chains, chain_len, pyperf_cycles, pyperf_links, levels, young_new, reps).

Builds the same shapes as the Rust peers, with automatic collection disabled (`gc.disable()`)
while building, times the collections itself (`time.process_time_ns()`: CPU time of this
single-threaded process; `time.perf_counter_ns()`: wall) and prints one JSON sample on stdout,
with the same keys as the Rust children: cpu_ns, wall_ns, ops, peak_rss_bytes (this process's
VmHWM) and extra.
"""

import gc
import json
import sys
import time


class Node:
    """One link and a payload, like the Rust peers' nodes. The payload is a small int (one of
    CPython's cached -5..256): CPython has no inline integer field, and a fresh int object per
    node would add an allocation (and 32 bytes) that the Rust nodes do not have."""

    __slots__ = ("next", "payload")

    def __init__(self, payload):
        self.next = None
        self.payload = payload & 0xFF


class PyperfNode:
    """pyperformance bm_gc_collect's Node (a plain class, as there)."""

    def __init__(self):
        self.next = None
        self.prev = None

    def link_next(self, next):
        self.next = next
        self.next.prev = self


def clock():
    return time.process_time_ns(), time.perf_counter_ns()


def since(start):
    cpu, wall = clock()
    return cpu - start[0], wall - start[1]


def median(values):
    v = sorted(values)
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def median_times(times):
    return median([t[0] for t in times]), median([t[1] for t in times])


def peak_rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def record(extra, key, t):
    extra[key + "_cpu_ns"] = t[0]
    extra[key + "_wall_ns"] = t[1]


def rings(count, length):
    roots = []
    for c in range(count):
        first = Node(c * length)
        prev = first
        for i in range(1, length):
            node = Node(c * length + i)
            prev.next = node
            prev = node
        prev.next = first
        roots.append(first)
    return roots


def chains(count, length):
    roots = []
    for c in range(count):
        head = Node(c * length)
        for i in range(1, length):
            node = Node(c * length + i)
            node.next = head
            head = node
        roots.append(head)
    return roots


def walk(roots):
    for node in roots:
        while node is not None:
            node = node.next


def cycles(s, extra):
    """(a) rings of ring_len nodes, roots in a list; del the list, then gc.collect()."""
    n = s["cycles"] * s["ring_len"]
    t = clock()
    roots = rings(s["cycles"], s["ring_len"])
    build = since(t)
    t = clock()
    del roots
    dropped = since(t)
    t = clock()
    freed = gc.collect()
    collect = since(t)
    if freed < n:
        raise SystemExit(f"gc.collect() found {freed} unreachable objects, expected {n}")
    record(extra, "build", build)
    record(extra, "drop", dropped)
    record(extra, "collect", collect)
    extra["collected"] = freed
    return (dropped[0] + collect[0], dropped[1] + collect[1]), n


def live(s, extra):
    """(b) a full collection over live chains; then one after walking every node."""
    n = s["chains"] * s["chain_len"]
    t = clock()
    roots = chains(s["chains"], s["chain_len"])
    build = since(t)
    t = clock()
    freed = gc.collect()
    collect = since(t)
    walk(roots)
    t = clock()
    freed += gc.collect()
    walk_collect = since(t)
    if freed != 0:
        raise SystemExit(f"gc.collect() found {freed} unreachable objects among live chains")
    del roots
    record(extra, "build", build)
    record(extra, "walk_collect", walk_collect)
    return collect, n


def gc_collect(s, extra):
    """(c) pyperformance bm_gc_collect: rings of pyperf_links + 1 doubly linked nodes."""
    n = s["pyperf_cycles"] * (s["pyperf_links"] + 1)
    frees, collects = [], []
    for _ in range(s["reps"]):
        gc.collect()
        all_cycles = []
        for _ in range(s["pyperf_cycles"]):
            node = PyperfNode()
            all_cycles.append(node)
            current = node
            for _ in range(s["pyperf_links"]):
                next_node = PyperfNode()
                current.link_next(next_node)
                current = next_node
            current.link_next(node)
        del node, current, next_node
        t = clock()
        del all_cycles
        dropped = since(t)
        t = clock()
        freed = gc.collect()
        collect = since(t)
        if freed < n:
            raise SystemExit(f"gc.collect() found {freed} unreachable objects, expected >= {n}")
        frees.append((dropped[0] + collect[0], dropped[1] + collect[1]))
        collects.append(collect)
    record(extra, "collect", median_times(collects))
    return median_times(frees), n


def gc_traversal(s, extra):
    """(c) pyperformance bm_gc_traversal: list n holds n references to list n - 1, alive."""
    t = clock()
    current = []
    for n in range(s["levels"]):
        new = [None] * n
        for i in range(n):
            new[i] = current
        current = new
    build = since(t)
    t = clock()
    freed = gc.collect()
    first = since(t)
    steady = []
    for _ in range(s["reps"]):
        gc.collect()
        t = clock()
        freed += gc.collect()
        steady.append(since(t))
    if freed != 0:
        raise SystemExit(f"gc.collect() found {freed} unreachable objects among live lists")
    del current, new
    record(extra, "build", build)
    record(extra, "first_collect", first)
    return median_times(steady), s["levels"]


def young(s, extra):
    """(d) live chains promoted to generation 2, then gc.collect(0) after young_new new lists."""
    old = s["chains"] * s["chain_len"]
    roots = chains(s["chains"], s["chain_len"])
    t = clock()
    gc.collect()
    promote = since(t)
    kept, times = [], []
    for _ in range(s["reps"]):
        kept.append([[] for _ in range(s["young_new"])])
        t = clock()
        gc.collect(0)
        times.append(since(t))
    del roots, kept
    record(extra, "promote", promote)
    extra["old_objects"] = old
    return median_times(times), s["young_new"]


WORKLOADS = {
    "cycles": cycles,
    "live": live,
    "gc_collect": gc_collect,
    "gc_traversal": gc_traversal,
    "young": young,
}


def main(argv):
    if len(argv) < 2 or argv[1] not in WORKLOADS:
        raise SystemExit(f"usage: gc_workloads.py {{{','.join(WORKLOADS)}}} key=value ...")
    sizes = {}
    for arg in argv[2:]:
        key, sep, value = arg.partition("=")
        if not sep or not value.isdigit():
            raise SystemExit(f"bad size argument {arg!r} (expected key=integer)")
        sizes[key] = int(value)
    gc.disable()
    gc.collect()
    extra = {}
    (cpu_ns, wall_ns), ops = WORKLOADS[argv[1]](sizes, extra)
    counts = gc.get_count()
    extra["python_version"] = sys.version_info[0] * 100 + sys.version_info[1]
    extra["gc_count0"] = counts[0]
    print(json.dumps({
        "cpu_ns": cpu_ns,
        "wall_ns": wall_ns,
        "ops": ops,
        "peak_rss_bytes": peak_rss_bytes(),
        "extra": extra,
    }))


if __name__ == "__main__":
    main(sys.argv)
