#!/usr/bin/env python3
"""Record (or check) CPython 3.11's output for the conformance scripts.

Every ``<topic>/<name>.py`` under this directory is run with CPython 3.11 (cwd = the script's
directory, stdin closed, a timeout per script). Its stdout is stored byte for byte in
``<name>.out``; when the exit status is not 0 it is stored in ``<name>.status``. stderr is not
recorded (tracebacks and "Exception ignored in" reports contain addresses and file paths).

    python3 tests/conformance/record.py            # re-record everything, list what changed
    python3 tests/conformance/record.py --check    # exit 1 if any recorded output differs
    python3 tests/conformance/record.py gc/self_list.py weakref   # only some scripts/topics
    python3 tests/conformance/record.py --lint     # only the subset lint (no scripts run)
    python3 tests/conformance/record.py --needs    # scripts grouped by their '# needs:' tags

The recording interpreter must be CPython 3.11 (the behaviour reference); anything else is
refused unless ``--force`` is given, e.g. ``--check --force --python python3.12`` to see which
scripts a newer CPython answers differently.

The lint (run by default before recording and checking) parses each script and reports features
outside the PySub-0 subset of ../../../shared/design/python-subset-vm.md: forbidden ones are errors,
the others must be declared on a ``# needs: tag, tag`` header line (see README.md).
"""

import argparse
import ast
import builtins
import concurrent.futures
import difflib
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOPICS = ("refcount", "gc", "finalization", "weakref", "sys", "lang", "errors", "examples", "hostile")
DEFAULT_TIMEOUT = 60.0

# ---------------------------------------------------------------------------------------------
# The PySub-0 subset (python-subset-vm.md §3), as far as it can be checked on the syntax tree.

ALLOWED_MODULES = {"sys", "gc", "weakref", "math"}
# The brief also allows `time`; it is outside PySub-0, so it has to be declared.
TAGGED_MODULES = {"time"}
ALLOWED_MODULE_ATTRS = {
    "sys": {"getrefcount", "argv"},
    "gc": {
        "collect", "get_count", "get_threshold", "set_threshold", "isenabled", "enable",
        "disable", "is_tracked", "get_objects", "get_referents", "garbage", "callbacks",
        "set_debug", "get_debug", "DEBUG_SAVEALL",
    },
    "weakref": {"ref", "proxy", "CallableProxyType", "getweakrefcount"},
    "math": {"sin", "cos", "sqrt"},
}
ALLOWED_BUILTINS = {
    "print", "len", "range", "int", "str", "bool", "isinstance", "type", "sorted", "any",
    "list", "tuple", "super", "object", "True", "False", "None", "__name__",
    "Exception", "ValueError", "TypeError", "ReferenceError", "NotImplementedError",
    "ZeroDivisionError", "AttributeError", "KeyError", "IndexError", "RecursionError",
    "OverflowError",
}
ALLOWED_METHODS = {"append", "pop", "remove", "clear", "join"}
ALLOWED_DUNDER_DEFS = {"__init__", "__del__", "__len__", "__add__", "__call__"}
ALLOWED_DUNDER_ATTRS = {"__dict__", "__name__", "__init__"}
FSTRING_SPEC = re.compile(r"\.\d+f\Z")
INT64_MAX = 2**63 - 1


class Lint(ast.NodeVisitor):
    """Collects `errors` (never allowed) and `tags` (allowed when declared)."""

    def __init__(self, tree):
        self.errors = []
        self.tags = set()
        self.defined = set()  # every name the script binds anywhere
        self.methods = set()  # every function defined inside a class body
        self.modules = {}  # local name -> module for `import m`
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                self.defined.add(node.name)
                if isinstance(node, ast.ClassDef):
                    for item in node.body:
                        if isinstance(item, ast.FunctionDef):
                            self.methods.add(item.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                self.defined.add(node.id)
            elif isinstance(node, ast.arg):
                self.defined.add(node.arg)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                self.defined.add(node.name)
        self.visit(tree)

    def error(self, node, what):
        self.errors.append(f"line {getattr(node, 'lineno', '?')}: {what}")

    # --- imports -----------------------------------------------------------------------------
    def visit_Import(self, node):
        for alias in node.names:
            if alias.name in TAGGED_MODULES:
                self.tags.add("import:" + alias.name)
            elif alias.name not in ALLOWED_MODULES:
                self.error(node, f"import of {alias.name!r}")
            self.modules[alias.asname or alias.name] = alias.name
            if alias.asname:
                self.tags.add("import-as")

    def visit_ImportFrom(self, node):
        if node.module in TAGGED_MODULES:
            self.tags.add("import:" + node.module)
            return
        if node.module not in ALLOWED_MODULES or node.level:
            self.error(node, f"import from {node.module!r}")
            return
        for alias in node.names:
            if alias.name not in ALLOWED_MODULE_ATTRS[node.module]:
                self.tags.add(f"{node.module}.{alias.name}")
            self.defined.add(alias.asname or alias.name)

    # --- never allowed -----------------------------------------------------------------------
    def _forbidden(what):
        def visit(self, node):
            self.error(node, what)
            self.generic_visit(node)
        return visit

    visit_YieldFrom = _forbidden("yield from")

    def visit_Yield(self, node):
        self.tags.add("generator")
        self.generic_visit(node)

    def visit_GeneratorExp(self, node):
        self.tags.add("genexpr")
        self.generic_visit(node)

    visit_Await = visit_AsyncFunctionDef = visit_AsyncFor = visit_AsyncWith = _forbidden("async")
    def visit_With(self, node):
        self.tags.add("with")
        self.generic_visit(node)

    visit_Match = _forbidden("match statement")

    def visit_Constant(self, node):
        if isinstance(node.value, bytes):
            self.error(node, "bytes literal")
        elif isinstance(node.value, complex):
            self.error(node, "complex literal")
        elif type(node.value) is int and node.value > INT64_MAX:
            self.error(node, "int literal beyond 64 bits")

    def visit_BinOp(self, node):
        if isinstance(node.op, ast.Mod) and isinstance(node.left, (ast.Constant, ast.JoinedStr)):
            if isinstance(getattr(node.left, "value", None), str) or isinstance(node.left, ast.JoinedStr):
                self.error(node, "%-formatting")
        if isinstance(node.op, ast.MatMult):
            self.tags.add("matmul")
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self.tags.add("annotations")
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        if isinstance(node.op, ast.MatMult):
            self.tags.add("matmul")
        self.generic_visit(node)

    # --- definitions ---------------------------------------------------------------------------
    def visit_FunctionDef(self, node):
        if node.decorator_list:
            self.tags.add("decorator")
        a = node.args
        if a.kwonlyargs:
            self.tags.add("kwonly")
        if a.posonlyargs:
            self.tags.add("posonly")
        if node.returns or any(x.annotation for x in a.args + a.kwonlyargs):
            self.tags.add("annotations")
        if node.name.startswith("__") and node.name.endswith("__"):
            if node.name not in ALLOWED_DUNDER_DEFS:
                self.tags.add(node.name)
        self.generic_visit(node)

    def visit_ClassDef(self, node):
        if node.decorator_list:
            self.tags.add("decorator")
        if node.keywords:
            self.tags.add("class-keywords")
        if len(node.bases) > 1:
            self.tags.add("multiple-inheritance")
        for base in node.bases:
            if isinstance(base, ast.Name) and base.id not in self.defined and base.id != "object":
                self.tags.add("subclass:" + base.id)
        self.generic_visit(node)

    # --- statements ----------------------------------------------------------------------------
    def visit_Try(self, node):
        if node.finalbody:
            self.tags.add("finally")
        if node.orelse:
            self.tags.add("try-else")
        for h in node.handlers:
            if h.type is None:
                self.tags.add("bare-except")
            elif isinstance(h.type, ast.Tuple):
                self.tags.add("except-tuple")
        self.generic_visit(node)

    visit_TryStar = _forbidden("except*")
    del _forbidden

    def visit_For(self, node):
        if node.orelse:
            self.tags.add("loop-else")
        self.generic_visit(node)

    visit_While = visit_For

    def visit_Raise(self, node):
        if node.exc is None:
            self.tags.add("reraise")
        if node.cause is not None:
            self.tags.add("raise-from")
        self.generic_visit(node)

    def visit_NamedExpr(self, node):
        self.tags.add("walrus")
        self.generic_visit(node)

    def visit_DictComp(self, node):
        self.tags.add("dict-comp")
        self.generic_visit(node)

    # Sets are a tier-2 addition to PySub-0 (python-subset-vm.md §3): allowed, declared.
    def visit_Set(self, node):
        self.tags.add("set")
        self.generic_visit(node)

    visit_SetComp = visit_Set

    def visit_Starred(self, node):
        self.tags.add("star-unpack")
        self.generic_visit(node)

    def visit_Subscript(self, node):
        s = node.slice
        if isinstance(s, ast.Slice):
            if not isinstance(node.ctx, ast.Load):
                self.tags.add("slice-assign")
            elif s.step is not None or s.upper is not None or s.lower is None:
                self.tags.add("slice")
        self.generic_visit(node)

    # --- expressions -------------------------------------------------------------------------
    def visit_JoinedStr(self, node):
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                if part.conversion != -1:
                    self.tags.add("fstring-conversion")
                if part.format_spec is not None:
                    spec = part.format_spec
                    if not (len(spec.values) == 1 and isinstance(spec.values[0], ast.Constant)
                            and FSTRING_SPEC.match(spec.values[0].value)):
                        self.tags.add("format-spec")
                self.visit(part.value)

    def visit_Call(self, node):
        f = node.func
        if isinstance(f, ast.Attribute):
            if not (isinstance(f.value, ast.Name) and f.value.id in self.modules):
                if f.attr not in ALLOWED_METHODS and f.attr not in self.methods:
                    self.tags.add("method:" + f.attr)
        for kw in node.keywords:
            if kw.arg is None:
                self.tags.add("star-unpack")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if isinstance(node.value, ast.Name) and node.value.id in self.modules:
            mod = self.modules[node.value.id]
            if node.attr not in ALLOWED_MODULE_ATTRS.get(mod, ()):
                self.tags.add(f"{mod}.{node.attr}")
        elif node.attr.startswith("__") and node.attr.endswith("__"):
            if node.attr not in ALLOWED_DUNDER_ATTRS:
                self.tags.add(node.attr)
        self.generic_visit(node)

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id not in self.defined:
            if hasattr(builtins, node.id) and node.id not in ALLOWED_BUILTINS:
                self.tags.add("builtin:" + node.id)


def declared_needs(source):
    """Tags named on `# needs:` lines of the leading comment block."""
    tags = set()
    for line in source.splitlines():
        if not line.startswith("#"):
            break
        m = re.match(r"#\s*needs:\s*(.*)", line)
        if m:
            tags.update(t.strip() for t in m.group(1).split(",") if t.strip())
    return tags


def lint(path):
    """Problems with one script, as strings (empty when it is clean)."""
    with open(path, encoding="utf-8") as f:
        source = f.read()
    problems = []
    lines = source.splitlines()
    if not lines or not lines[0].startswith("# "):
        problems.append("first line must be a '# ' comment saying what the script checks")
    for i, line in enumerate(lines, 1):
        if not line.isascii() and not line.lstrip().startswith("#"):
            problems.append(f"line {i}: non-ASCII text outside a comment (keep code and output ASCII)")
    topic = os.path.basename(os.path.dirname(path))
    try:
        tree = ast.parse(source, path)
    except (SyntaxError, RecursionError, MemoryError):
        # errors/ and hostile/syntax_* hold scripts that are meant not to compile (CPython's
        # parser gives up on some with RecursionError or MemoryError); only their header is
        # checked.
        hostile_syntax = topic == "hostile" and os.path.basename(path).startswith("syntax_")
        if topic != "errors" and not hostile_syntax:
            problems.append("does not compile (only errors/ and hostile/syntax_* may)")
        return problems
    try:
        result = Lint(tree)
    except RecursionError:
        # Deliberately deep programs (hostile/) are too deep for the linter's own recursion.
        if topic != "hostile":
            problems.append("too deeply nested to lint")
        return problems
    problems.extend(result.errors)
    missing = sorted(result.tags - declared_needs(source))
    if missing:
        problems.append("outside PySub-0, add to '# needs:': " + ", ".join(missing))
    n = len(lines)
    if n > 80 and topic != "hostile":
        problems.append(f"{n} lines; keep scripts small and focused")
    return problems


# ---------------------------------------------------------------------------------------------
# Running and recording.

# The `examples` topic runs the lessons in the repository's `examples/` directory where they
# are (its directory here holds only their recordings), all but these.
EXAMPLES_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "examples"))
EXAMPLES_SKIPPED = ("tour.py",)  # the five lessons in one file, longer than the lint allows


def topic_scripts(topic):
    """The scripts of one topic, sorted (for `examples`, the lessons in `examples/`)."""
    d = EXAMPLES_DIR if topic == "examples" else os.path.join(HERE, topic)
    if not os.path.isdir(d):
        return []
    return [os.path.join(d, n) for n in sorted(os.listdir(d))
            if n.endswith(".py") and not (topic == "examples" and n in EXAMPLES_SKIPPED)]


def recording_base(script):
    """Where a script's `.out`/`.status` live, without the extension: next to it, except for
    the lessons, whose recordings are in this corpus's `examples/`."""
    if os.path.dirname(script) == EXAMPLES_DIR:
        return os.path.join(HERE, "examples", os.path.basename(script)[:-3])
    return script[:-3]


def find_scripts(selection):
    scripts = []
    for topic in TOPICS:
        scripts += topic_scripts(topic)
    if selection:
        picked = []
        for sel in selection:
            # a path relative to the current directory, or else to this directory
            cands = [os.path.abspath(sel), os.path.abspath(os.path.join(HERE, sel)),
                     os.path.abspath(os.path.join(HERE, "..", "..", sel))]
            match = [p for p in scripts for c in cands
                     if p in (c, c + ".py") or p.startswith(c.rstrip(os.sep) + os.sep)]
            if not match:
                sys.exit(f"record.py: no script matches {sel}")
            picked += [p for p in match if p not in picked]
        scripts = [p for p in scripts if p in picked]
    return scripts


def clean_env():
    """The caller's environment without PYTHON* variables (hash seed, malloc, dev mode...)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}


def run(python, script, timeout):
    """(stdout bytes, exit status) of one script, or (None, reason)."""
    try:
        p = subprocess.run(
            [python, os.path.basename(script)],
            cwd=os.path.dirname(script),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=clean_env(),
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:g} s"
    if p.returncode < 0:
        return None, f"killed by signal {-p.returncode}"
    return p.stdout, p.returncode


def read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def expected_files(script, stdout, status):
    """{path: bytes or None (= must not exist)} for a script's recorded result."""
    base = recording_base(script)
    return {
        base + ".out": stdout,
        base + ".status": (f"{status}\n".encode() if status else None),
    }


def python_version(python):
    out = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:3])"],
                         stdout=subprocess.PIPE, env=clean_env(), check=True, text=True).stdout
    return tuple(int(x) for x in out.split())


def rel(path):
    if os.path.dirname(path) == EXAMPLES_DIR:
        return "examples/" + os.path.basename(path)
    return os.path.relpath(path, HERE)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scripts", nargs="*", help="scripts or topic directories (default: all)")
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if any recorded output differs")
    ap.add_argument("--lint", action="store_true", help="only lint the scripts")
    ap.add_argument("--needs", action="store_true",
                    help="list the scripts outside PySub-0 by their '# needs:' tags, then the rest")
    ap.add_argument("--no-lint", action="store_true", help="skip the subset lint")
    ap.add_argument("--force", action="store_true", help="allow a Python other than 3.11")
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter to run the scripts with (default: the one running this)")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                    help=f"seconds per script (default {DEFAULT_TIMEOUT:g})")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="scripts run in parallel")
    args = ap.parse_args()

    scripts = find_scripts(args.scripts)
    failed = False

    if args.needs:
        by_tag = {}
        plain = []
        for s in scripts:
            with open(s, encoding="utf-8") as f:
                tags = declared_needs(f.read())
            for t in tags:
                by_tag.setdefault(t, []).append(rel(s))
            if not tags:
                plain.append(rel(s))
        for t in sorted(by_tag):
            print(f"{t}: {' '.join(by_tag[t])}")
        print(f"PySub-0 only ({len(plain)} of {len(scripts)}): {' '.join(plain)}")
        return 0

    if not args.no_lint:
        for s in scripts:
            for problem in lint(s):
                print(f"lint {rel(s)}: {problem}")
                failed = True
        if args.lint:
            print(f"{len(scripts)} scripts linted, {'problems found' if failed else 'clean'}")
            return 1 if failed else 0
        if failed and not args.check:
            print("record.py: fix the lint problems first (or pass --no-lint)")
            return 1

    try:
        version = python_version(args.python)
    except (OSError, subprocess.CalledProcessError, ValueError) as e:
        print(f"record.py: cannot run {args.python}: {e}")
        return 2
    if version[:2] != (3, 11) and not args.force:
        print(f"record.py: {args.python} is Python {'.'.join(map(str, version))}; the "
              "recorded outputs are CPython 3.11's (pass --force to run it anyway)")
        return 2

    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = list(pool.map(lambda s: run(args.python, s, args.timeout), scripts))

    changed = 0
    for script, (stdout, status) in zip(scripts, results):
        if stdout is None:
            print(f"ERROR {rel(script)}: {status}")
            failed = True
            continue
        for path, want in expected_files(script, stdout, status).items():
            have = read_bytes(path)
            if have == want:
                continue
            changed += 1
            if args.check:
                failed = True
                print(f"DIFFERS {rel(path)}" + ("" if want is not None else " (should not exist)")
                      + (" (missing)" if have is None else ""))
                if have is not None and want is not None:
                    diff = difflib.unified_diff(
                        have.decode(errors="replace").splitlines(),
                        want.decode(errors="replace").splitlines(),
                        "recorded", "now", lineterm="", n=1)
                    for line in list(diff)[:20]:
                        print("    " + line)
            elif want is None:
                os.remove(path)
                print(f"removed {rel(path)}")
            else:
                with open(path, "wb") as f:
                    f.write(want)
                print(f"{'wrote' if have is None else 'updated'} {rel(path)}")

    # Recorded files whose script is gone.
    if not args.scripts:
        live = {recording_base(s) for s in scripts}
        for topic in TOPICS:
            d = os.path.join(HERE, topic)
            if not os.path.isdir(d):
                continue
            for n in sorted(os.listdir(d)):
                p = os.path.join(d, n)
                if n.endswith((".out", ".status")) and p.rsplit(".", 1)[0] not in live:
                    changed += 1
                    if args.check:
                        failed = True
                        print(f"ORPHAN {rel(p)} (no script)")
                    else:
                        os.remove(p)
                        print(f"removed {rel(p)} (no script)")

    verb = "differ" if args.check else "changed"
    print(f"{len(scripts)} scripts run with Python {'.'.join(map(str, version))}; "
          f"{changed} files {verb}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
