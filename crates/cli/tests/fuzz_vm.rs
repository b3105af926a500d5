//! End-to-end fuzzing of the `pymem` binary: random loop-bounded programs from a grammar of
//! the subset the VM runs, and mutated conformance scripts (those without `while`), run with a
//! timeout, stdin closed and a memory limit. Gating properties: no death by a signal, exit
//! status 0 or 1 (or the `sys.exit` code the program asks for), no Rust crash signature on
//! stderr, and no timeout for a generated program (they are loop-bounded by construction; a
//! mutated script that times out is only logged).
//!
//! Non-gating report: each generated program also runs under `python3` (when there is one);
//! where CPython exits 0, pymem should exit 0 and print the same stdout. Mismatches are
//! summarised on stdout (`--nocapture`) and never fail the test.
//!
//! Environment: `PYMEM_FUZZ_CASES` (default 120) generated programs and as many mutated
//! scripts; `PYMEM_FUZZ_SEED` (default fixed, `random` for the clock) for the generator;
//! `PYMEM_FUZZ_TIMEOUT` (default 10) seconds per program.

use std::fmt::Write as _;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const MEMORY_LIMIT: u64 = 4 << 30;
/// The `exit` of a case whose program may call `sys.exit` with any code.
const ANY_EXIT: i32 = -1;
const CRASH_SIGNATURES: &[&str] = &[
    "panicked",
    "RUST_BACKTRACE",
    "overflowed its stack",
    "fatal runtime error",
];

// ---------------------------------------------------------------------------------------
// randomness (SplitMix64; the cli crate has no proptest)

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn seed() -> u64 {
    match std::env::var("PYMEM_FUZZ_SEED") {
        Ok(v) if v.trim() == "random" => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
        Ok(v) => v.trim().parse().unwrap_or(0x5eed),
        Err(_) => 0x5eed,
    }
}

// ---------------------------------------------------------------------------------------
// the program generator

const VARS: usize = 5;

struct Gen<'r> {
    rng: &'r mut Rng,
    out: String,
    indent: usize,
    /// Compound-statement nesting, to bound the program's size and run time.
    depth: usize,
    loops: usize,
    in_function: bool,
    counter: usize,
    funcs: Vec<(String, usize)>,
    classes: Vec<String>,
}

impl Gen<'_> {
    fn line(&mut self, text: &str) {
        for l in text.lines() {
            self.out.push_str(&"    ".repeat(self.indent));
            self.out.push_str(l);
            self.out.push('\n');
        }
    }
    fn fresh(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}", self.counter)
    }
    fn var(&mut self) -> String {
        format!("v{}", self.rng.below(VARS))
    }

    fn int(&mut self) -> String {
        match self.rng.below(10) {
            0 => self
                .rng
                .pick(&[
                    "9223372036854775807",
                    "-9223372036854775808",
                    "2 ** 62",
                    "2 ** 63 - 1",
                    "10 ** 18",
                    "-(2 ** 31)",
                    "0xFFFF_FFFF",
                ])
                .to_string(),
            1 => "0".into(),
            _ => (self.rng.below(13) as i64 - 3).to_string(),
        }
    }
    fn literal(&mut self) -> String {
        match self.rng.below(9) {
            0..=2 => self.int(),
            3 => self
                .rng
                .pick(&["0.0", "1.5", "-2.25", "1e308", "0.1", "3.0", "-0.0", "1e-5"])
                .to_string(),
            4 => self
                .rng
                .pick(&["''", "'a'", "'xyz'", "'é'", "\"q\\n\"", "'ab' * 3"])
                .to_string(),
            5 => "None".into(),
            6 => self.rng.pick(&["True", "False"]).to_string(),
            7 => "[1, 'two', 3.0]".into(),
            _ => "(1, (2, 3))".into(),
        }
    }
    fn expr(&mut self, depth: usize) -> String {
        if depth == 0 {
            return if self.rng.chance(50) {
                self.var()
            } else {
                self.literal()
            };
        }
        let d = depth - 1;
        match self.rng.below(16) {
            0 | 1 => {
                let op = *self.rng.pick(&[
                    "+", "-", "*", "/", "//", "%", "<", "<=", "==", "!=", ">", "is", "in", "and",
                    "or", "&", "|", "^", "<<",
                ]);
                let (a, b) = (self.expr(d), self.expr(d));
                format!("({a} {op} {b})")
            }
            2 => {
                let op = *self.rng.pick(&["-", "not ", "~"]);
                format!("({op}{})", self.expr(d))
            }
            3 => {
                let n = self.rng.below(4);
                let items: Vec<String> = (0..n).map(|_| self.expr(d)).collect();
                format!("[{}]", items.join(", "))
            }
            4 => {
                let n = self.rng.below(3);
                let items: Vec<String> = (0..n).map(|_| self.expr(d)).collect();
                if n == 1 {
                    format!("({},)", items[0])
                } else {
                    format!("({})", items.join(", "))
                }
            }
            5 => {
                let n = self.rng.below(3);
                let items: Vec<String> = (0..n)
                    .map(|_| format!("{}: {}", self.literal(), self.expr(d)))
                    .collect();
                format!("{{{}}}", items.join(", "))
            }
            6 => format!("{}[{}]", self.expr(d), self.int()),
            7 => format!("len({})", self.expr(d)),
            8 if !self.funcs.is_empty() => {
                let (name, arity) = self.rng.pick(&self.funcs).clone();
                let n = arity.min(self.rng.below(arity + 2));
                let args: Vec<String> = (0..n).map(|_| self.expr(d)).collect();
                format!("{name}({})", args.join(", "))
            }
            9 if !self.classes.is_empty() => {
                let c = self.rng.pick(&self.classes).clone();
                format!("{c}({})", self.expr(d))
            }
            10 => format!("[{} for i in range({})]", self.expr(d), self.rng.below(5)),
            11 => format!("str({})", self.expr(d)),
            12 => format!(
                "({} if {} else {})",
                self.expr(d),
                self.expr(d),
                self.expr(d)
            ),
            13 => format!(
                "{}[{}:{}]",
                self.expr(d),
                self.rng.below(3),
                self.rng.below(5)
            ),
            14 => {
                let b = self.rng.pick(&["2", "3", "-2", "7", "2.5"]).to_string();
                let e = self
                    .rng
                    .pick(&["0", "1", "5", "30", "63", "64", "-1"])
                    .to_string();
                format!("({b} ** {e})")
            }
            _ => self.var(),
        }
    }

    fn block(&mut self, stmts: usize) {
        self.indent += 1;
        self.depth += 1;
        let n = 1 + self.rng.below(stmts);
        for _ in 0..n {
            self.stmt();
        }
        self.depth -= 1;
        self.indent -= 1;
    }

    fn stmt(&mut self) {
        let compound_ok = self.depth < 3;
        match self.rng.below(30) {
            0..=3 => {
                let (v, e) = (self.var(), self.expr(2));
                self.line(&format!("{v} = {e}"));
            }
            4 => {
                let v = self.var();
                let op = *self.rng.pick(&["+=", "-=", "*=", "//=", "%="]);
                let e = if op == "*=" { "2".into() } else { self.expr(1) };
                self.line(&format!("{v} {op} {e}"));
            }
            5..=7 => {
                let e = self.expr(2);
                self.line(&format!("print({e})"));
            }
            8 if compound_ok => {
                let c = self.expr(2);
                self.line(&format!("if {c}:"));
                self.block(3);
                if self.rng.chance(50) {
                    let c = self.expr(1);
                    self.line(&format!("elif {c}:"));
                    self.block(2);
                }
                if self.rng.chance(50) {
                    self.line("else:");
                    self.block(2);
                }
            }
            9 if compound_ok => {
                let i = self.fresh("i");
                let n = self.rng.below(5);
                self.line(&format!("for {i} in range({n}):"));
                self.loops += 1;
                self.block(3);
                self.loops -= 1;
            }
            10 if compound_ok => {
                let w = self.fresh("w");
                let n = self.rng.below(5);
                self.line(&format!("{w} = 0\nwhile {w} < {n}:"));
                self.indent += 1;
                self.line(&format!("{w} += 1"));
                self.indent -= 1;
                self.loops += 1;
                self.block(3);
                self.loops -= 1;
            }
            11 if self.loops > 0 => {
                let c = self.expr(1);
                let what = *self.rng.pick(&["break", "continue"]);
                self.line(&format!("if {c}:\n    {what}"));
            }
            12 if compound_ok => {
                self.line("try:");
                self.block(3);
                let exc = *self.rng.pick(&[
                    "Exception as e",
                    "(TypeError, ValueError) as e",
                    "ZeroDivisionError",
                    "ArithmeticError as e",
                    "(KeyError, IndexError)",
                ]);
                self.line(&format!("except {exc}:"));
                self.block(2);
                if self.rng.chance(30) {
                    self.line("else:");
                    self.block(1);
                }
                if self.rng.chance(30) {
                    self.line("finally:");
                    self.block(1);
                }
            }
            13 => {
                let e = *self.rng.pick(&[
                    "ValueError('v')",
                    "KeyError(1)",
                    "TypeError",
                    "RuntimeError('r', 2)",
                    "ZeroDivisionError()",
                ]);
                let c = self.expr(1);
                self.line(&format!("if {c}:\n    raise {e}"));
            }
            14 => {
                let v = self.var();
                self.line(&format!("del {v}"));
            }
            15 if compound_ok && !self.in_function => self.function(),
            16 if compound_ok && !self.in_function => self.class(),
            17 if self.depth == 0 => self.recursion(),
            18 => self.weakref(),
            19 => {
                let g = *self.rng.pick(&[
                    "print(gc.collect())",
                    "gc.collect()",
                    "gc.disable()",
                    "gc.enable()",
                    "print(gc.isenabled())",
                ]);
                self.line(g);
            }
            20 => self.mutation_during_iteration(),
            21 => {
                let v = self.var();
                self.line(&format!("print(sys.getrefcount({v}))"));
            }
            22 if self.depth == 0 => self.deep_nesting(),
            23 if self.in_function => {
                let e = self.expr(1);
                self.line(&format!("return {e}"));
            }
            _ => {
                let v = self.var();
                let m = *self.rng.pick(&[
                    "append(1)",
                    "pop()",
                    "keys()",
                    "get(1, 2)",
                    "upper()",
                    "__class__.__name__",
                    "count(1)",
                ]);
                self.line(&format!("print({v}.{m})"));
            }
        }
    }

    fn function(&mut self) {
        let name = self.fresh("f");
        let (params, arity) = match self.rng.below(4) {
            0 => ("a, b=2".to_string(), 2),
            1 => ("a, *args".to_string(), 3),
            2 => ("a=None, **kwargs".to_string(), 1),
            _ => ("a, b=(), *args, c=3, **kw".to_string(), 3),
        };
        self.line(&format!("def {name}({params}):"));
        self.in_function = true;
        self.indent += 1;
        if self.rng.chance(40) {
            // a closure over a local, rebound through nonlocal
            let e = self.expr(1);
            self.line(&format!(
                "cell = {e}\ndef inner(x=1):\n    nonlocal cell\n    cell = (cell, x)\n    return cell\ninner()"
            ));
        }
        self.indent -= 1;
        self.block(3);
        self.indent += 1;
        self.line("return a");
        self.indent -= 1;
        self.in_function = false;
        self.funcs.push((name, arity));
    }

    fn class(&mut self) {
        let name = self.fresh("C");
        self.line(&format!("class {name}:"));
        self.indent += 1;
        self.line("def __init__(self, x=0):\n    self.x = x");
        let methods = [
            "def __del__(self):\n    print('del', type(self).__name__)",
            "def __eq__(self, other):\n    return isinstance(other, type(self)) and self.x == other.x",
            "def __hash__(self):\n    return 7",
            "def __repr__(self):\n    return 'R(' + repr(self.x) + ')'",
            "def __len__(self):\n    return 3",
            "def __del__(self):\n    raise ValueError('in __del__')",
            "def __eq__(self, other):\n    raise KeyError('eq')",
            "def __hash__(self):\n    return 'not an int'",
            "def __len__(self):\n    return -1",
            "def __repr__(self):\n    return 5",
        ];
        for m in methods {
            if self.rng.chance(35) {
                self.line(m);
            }
        }
        self.indent -= 1;
        self.classes.push(name.clone());
        let v = self.var();
        let e = self.expr(1);
        self.line(&format!("{v} = {name}({e})"));
    }

    fn recursion(&mut self) {
        let name = self.fresh("rec");
        let n = if self.rng.chance(15) {
            // runaway: a RecursionError, caught or not
            "100000".to_string()
        } else {
            self.rng.below(30).to_string()
        };
        self.line(&format!(
            "def {name}(n):\n    if n <= 0:\n        return [n]\n    return [{name}(n - 1)]\n"
        ));
        if self.rng.chance(70) {
            self.line(&format!(
                "try:\n    print(len({name}({n})))\nexcept RecursionError:\n    print('deep')"
            ));
        } else {
            self.line(&format!("print(len({name}({n})))"));
        }
    }

    fn weakref(&mut self) {
        let c = if self.classes.is_empty() {
            let c = self.fresh("W");
            self.line(&format!("class {c}:\n    pass"));
            c
        } else {
            self.rng.pick(&self.classes).clone()
        };
        let o = self.fresh("o");
        let r = self.fresh("r");
        self.line(&format!("{o} = {c}()"));
        match self.rng.below(3) {
            0 => self.line(&format!(
                "{r} = weakref.ref({o}, lambda w: print('callback', w() is None))"
            )),
            1 => self.line(&format!(
                "{r} = weakref.proxy({o}, lambda w: print('proxy callback'))"
            )),
            _ => self.line(&format!(
                "{r} = weakref.ref({o}, lambda w: 1 / 0)\n{o}.cycle = {o}"
            )),
        }
        if self.rng.chance(70) {
            self.line(&format!("del {o}"));
        }
        if self.rng.chance(50) {
            self.line("gc.collect()");
        }
        self.line(&format!(
            "try:\n    print({r}() is None if isinstance({r}, weakref.ref) else {r}.__class__.__name__)\nexcept ReferenceError:\n    print('dead proxy')"
        ));
    }

    fn mutation_during_iteration(&mut self) {
        let v = self.fresh("m");
        match self.rng.below(4) {
            0 => self.line(&format!(
                "{v} = [1, 2, 3, 4]\nfor x in {v}:\n    if len({v}) < 20:\n        {v}.append(x)\nprint({v})"
            )),
            1 => self.line(&format!(
                "{v} = [1, 2, 3, 4]\nfor x in {v}:\n    {v}.remove(x)\nprint({v})"
            )),
            2 => self.line(&format!(
                "{v} = {{1: 2, 3: 4}}\nfor k in {v}:\n    {v}[k + 10] = k"
            )),
            _ => self.line(&format!(
                "{v} = {{1: 2, 3: 4}}\nfor k in {v}:\n    del {v}[k]"
            )),
        }
    }

    fn deep_nesting(&mut self) {
        let v = self.fresh("d");
        let n = *self.rng.pick(&[10usize, 1000, 100_000]);
        let build = *self.rng.pick(&["[{v}]", "({v},)", "{{'k': {v}}}"]);
        let build = build.replace("{v}", &v);
        self.line(&format!(
            "{v} = None\nfor _ in range({n}):\n    {v} = {build}"
        ));
        match self.rng.below(4) {
            0 => self.line(&format!(
                "try:\n    print(len(repr({v})))\nexcept RecursionError:\n    print('repr too deep')"
            )),
            1 => self.line(&format!(
                "try:\n    print({v} == {v})\nexcept RecursionError:\n    print('eq too deep')"
            )),
            2 => self.line(&format!("del {v}\nprint(gc.collect())")),
            _ => self.line(&format!("{v} = None")),
        }
    }
}

/// One random program; its `sys.exit` code if it ends with one.
fn generate(rng: &mut Rng) -> (String, Option<i32>) {
    let mut g = Gen {
        rng,
        out: String::new(),
        indent: 0,
        depth: 0,
        loops: 0,
        in_function: false,
        counter: 0,
        funcs: Vec::new(),
        classes: Vec::new(),
    };
    g.line("import gc\nimport sys\nimport weakref");
    for i in 0..VARS {
        let e = g.literal();
        g.line(&format!("v{i} = {e}"));
    }
    let n = 4 + g.rng.below(12);
    for _ in 0..n {
        if g.rng.chance(75) {
            // most statements are guarded so the program keeps going after an error
            g.line("try:");
            g.indent += 1;
            g.stmt();
            g.indent -= 1;
            g.line("except Exception as e:\n    print('exc', type(e).__name__)");
        } else {
            g.stmt();
        }
    }
    let mut exit = None;
    if g.rng.chance(10) {
        let code = g.rng.below(5) as i32;
        g.line(&format!("sys.exit({code})"));
        exit = Some(code);
    }
    (g.out, exit)
}

// ---------------------------------------------------------------------------------------
// mutated corpus scripts

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance")
}

fn corpus_without_while() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "py")
                && p.file_name().is_some_and(|n| n != "record.py")
            {
                out.push(p);
            }
        }
    }
    let root = corpus_dir();
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let rel = p.strip_prefix(&root).unwrap_or(&p).display().to_string();
            (!text.contains("while")).then_some((rel, text))
        })
        .collect()
}

fn mutate(rng: &mut Rng, source: &str, corpus: &[(String, String)]) -> String {
    let mut lines: Vec<String> = source.split_inclusive('\n').map(String::from).collect();
    for _ in 0..1 + rng.below(4) {
        let n = lines.len();
        if n == 0 {
            break;
        }
        match rng.below(7) {
            0 => {
                let at = rng.below(n);
                let len = 1 + rng.below(3);
                lines.drain(at..(at + len).min(n));
            }
            1 => {
                let at = rng.below(n);
                let l = lines[at].clone();
                lines.insert(at, l);
            }
            2 => {
                let (a, b) = (rng.below(n), rng.below(n));
                lines.swap(a, b);
            }
            3 => {
                let other: Vec<String> = rng
                    .pick(corpus)
                    .1
                    .split_inclusive('\n')
                    .map(String::from)
                    .collect();
                let start = rng.below(other.len());
                let end = (start + 1 + rng.below(5)).min(other.len());
                let at = rng.below(n + 1);
                lines.splice(at..at, other[start..end].iter().cloned());
            }
            4 => {
                let at = rng.below(n);
                let tok = *rng.pick(&[
                    "gc.collect()",
                    "del x",
                    "raise ValueError",
                    "x = None",
                    "1 / 0",
                    "print(sys.getrefcount(None) > 0)",
                    "import gc, sys, weakref",
                    ")",
                    "return",
                ]);
                let indent: String = lines[at].chars().take_while(|c| *c == ' ').collect();
                lines.insert(at, format!("{indent}{tok}\n"));
            }
            5 => {
                let at = rng.below(n);
                if rng.chance(50) {
                    lines[at].insert_str(0, "    ");
                } else {
                    let strip = lines[at].chars().take(4).take_while(|c| *c == ' ').count();
                    lines[at].replace_range(..strip, "");
                }
            }
            _ => {
                let keep = rng.below(n + 1);
                lines.truncate(keep);
            }
        }
    }
    lines.concat()
}

// ---------------------------------------------------------------------------------------
// running

struct Run {
    status: Option<ExitStatus>,
    stdout: Vec<u8>,
    stderr: String,
    elapsed: Duration,
}

#[cfg(unix)]
fn limit_memory(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the child between fork and exec and only calls
    // async-signal-safe `setrlimit`.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: MEMORY_LIMIT as libc::rlim_t,
                rlim_max: MEMORY_LIMIT as libc::rlim_t,
            };
            libc::setrlimit(libc::RLIMIT_AS, &lim);
            Ok(())
        });
    }
}

#[cfg(not(unix))]
fn limit_memory(_cmd: &mut Command) {}

/// Runs `program` (written to `dir/name`) with `exe`; `status` is `None` on a timeout.
fn run(exe: &str, dir: &Path, name: &str, timeout: Duration) -> Option<Run> {
    let mut cmd = Command::new(exe);
    cmd.arg(name)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("PYTHONHASHSEED", "0");
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("PYTHON") && k != "PYTHONHASHSEED" {
            cmd.env_remove(k);
        }
    }
    limit_memory(&mut cmd);
    let start = Instant::now();
    let mut child = cmd.spawn().ok()?;
    let mut out_pipe = child.stdout.take()?;
    let mut err_pipe = child.stderr.take()?;
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out_pipe.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err_pipe.read_to_end(&mut v);
        v
    });
    let status = loop {
        if let Some(s) = child.try_wait().ok()? {
            break Some(s);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    Some(Run {
        status,
        stdout,
        stderr,
        elapsed,
    })
}

fn tail(s: &str, lines: usize) -> String {
    let v: Vec<&str> = s.lines().collect();
    v[v.len().saturating_sub(lines)..].join("\n")
}

/// The gating check: `None` when pymem ended cleanly.
fn crash(run: &Run, exit: Option<i32>, timeout_is_failure: bool) -> Option<String> {
    if let Some(sig) = CRASH_SIGNATURES.iter().find(|s| run.stderr.contains(**s)) {
        return Some(format!("stderr contains {sig:?}"));
    }
    let Some(status) = run.status else {
        return timeout_is_failure.then(|| format!("timed out after {:?}", run.elapsed));
    };
    match status.code() {
        None => Some(format!("killed by a signal ({status})")),
        Some(0 | 1) => None,
        Some(c) if exit == Some(c) || exit == Some(ANY_EXIT) => None,
        Some(c) => Some(format!("exit status {c}")),
    }
}

#[derive(Default)]
struct Report {
    failures: Vec<String>,
    mismatches: Vec<String>,
    timeouts: Vec<String>,
    compared: usize,
    matched: usize,
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pymem-fuzz-vm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("creating the scratch directory");
    dir
}

fn python3() -> Option<String> {
    let ok = Command::new("python3")
        .args([
            "-c",
            "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| "python3".to_string())
}

/// One case: a program, its expected `sys.exit` code, whether it is loop-bounded by
/// construction, and whether to compare with CPython.
struct Case {
    label: String,
    program: String,
    exit: Option<i32>,
    generated: bool,
}

fn run_case(
    case: &Case,
    dir: &Path,
    timeout: Duration,
    python: Option<&str>,
    report: &Mutex<Report>,
) {
    let name = format!("{}.py", case.label);
    let path = dir.join(&name);
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(case.program.as_bytes()))
        .expect("writing a fuzz program");
    let pymem = env!("CARGO_BIN_EXE_pymem");
    let Some(got) = run(pymem, dir, &name, timeout) else {
        report
            .lock()
            .unwrap()
            .failures
            .push(format!("{}: could not run pymem", case.label));
        return;
    };
    if let Some(why) = crash(&got, case.exit, case.generated) {
        report.lock().unwrap().failures.push(format!(
            "{}: {why}\n--- stderr (tail) ---\n{}\n--- program ---\n{}",
            case.label,
            tail(&got.stderr, 15),
            case.program
        ));
        return;
    }
    if got.status.is_none() {
        report.lock().unwrap().timeouts.push(case.label.clone());
        return;
    }
    if !case.generated {
        return;
    }
    let Some(py) = python else { return };
    let Some(want) = run(py, dir, &name, timeout) else {
        return;
    };
    let Some(want_status) = want.status else {
        return; // CPython timed out too (huge integers): nothing to compare
    };
    if want_status.code() != Some(0) {
        return;
    }
    let mut r = report.lock().unwrap();
    r.compared += 1;
    let code = got.status.and_then(|s| s.code());
    if code == Some(0) && got.stdout == want.stdout {
        r.matched += 1;
        return;
    }
    let (w, g) = (
        String::from_utf8_lossy(&want.stdout).into_owned(),
        String::from_utf8_lossy(&got.stdout).into_owned(),
    );
    let line = w
        .lines()
        .zip(g.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| w.lines().count().min(g.lines().count()));
    let mut m = format!(
        "{}: exit {:?} (CPython 0), first difference at stdout line {}: CPython {:?}, pymem {:?}",
        case.label,
        code,
        line + 1,
        w.lines().nth(line).unwrap_or("<end>"),
        g.lines().nth(line).unwrap_or("<end>"),
    );
    if let Some(last) = got.stderr.lines().last() {
        let _ = write!(m, "; pymem stderr: {last}");
    }
    r.mismatches.push(m);
}

#[test]
fn fuzz_programs_end_cleanly() {
    let cases_n = env_number("PYMEM_FUZZ_CASES", 120) as usize;
    let timeout = Duration::from_secs(env_number("PYMEM_FUZZ_TIMEOUT", 10));
    let seed = seed();
    let mut rng = Rng(seed);
    let corpus = corpus_without_while();
    assert!(!corpus.is_empty(), "no conformance scripts found");

    let mut cases = Vec::new();
    for i in 0..cases_n {
        let (program, exit) = generate(&mut rng);
        cases.push(Case {
            label: format!("gen_{i}"),
            program,
            exit,
            generated: true,
        });
    }
    for i in 0..cases_n {
        let (rel, text) = rng.pick(&corpus).clone();
        let program = mutate(&mut rng, &text, &corpus);
        let stem = rel.replace(['/', '.'], "_");
        cases.push(Case {
            label: format!("mut_{i}_{stem}"),
            program,
            // a mutated script may call sys.exit with any code it had
            exit: text.contains("sys.exit").then_some(ANY_EXIT),
            generated: false,
        });
    }

    let dir = scratch_dir();
    let python = python3();
    let report = Mutex::new(Report::default());
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    run_case(case, &dir, timeout, python.as_deref(), &report);
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
    let r = report.into_inner().unwrap();

    println!(
        "fuzz_vm: seed {seed}, {} cases ({cases_n} generated, {cases_n} mutated) in {:.1?}",
        cases.len(),
        start.elapsed()
    );
    if !r.timeouts.is_empty() {
        println!(
            "fuzz_vm: {} mutated scripts timed out (tolerated): {}",
            r.timeouts.len(),
            r.timeouts.join(", ")
        );
    }
    match python {
        Some(_) => {
            println!(
                "fuzz_vm (non-gating): {} of {} generated programs that CPython runs to exit 0 \
                 match its stdout and status under pymem; {} mismatches",
                r.matched,
                r.compared,
                r.mismatches.len()
            );
            for m in &r.mismatches {
                println!("  mismatch {m}");
            }
        }
        None => println!("fuzz_vm: no python3 >= 3.11, comparison skipped"),
    }
    assert!(
        r.failures.is_empty(),
        "{} fuzz programs crashed pymem (seed {seed}):\n\n{}",
        r.failures.len(),
        r.failures.join("\n\n")
    );
}
