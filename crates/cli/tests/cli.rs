//! The `pymem` command, run as a process: `-c`, scripts, errors, `--version`/`--help`, and
//! the interactive prompt fed through a pipe.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn pymem() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pymem"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("PYTHON") {
            c.env_remove(k);
        }
    }
    c
}

fn run(args: &[&str]) -> Output {
    pymem()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("pymem runs")
}

fn run_stdin(args: &[&str], input: &str) -> Output {
    let mut child = pymem()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pymem runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch directory of this test process.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("pymem-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

#[test]
fn dash_c_runs_code() {
    let o = run(&["-c", "x = 6\nprint(x * 7)"]);
    assert_eq!(stdout(&o), "42\n", "stderr: {}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn dash_c_passes_the_rest_through() {
    // Options after -c's argument belong to the program, not to pymem.
    let o = run(&["-c", "print('ok')", "--version", "-x"]);
    assert_eq!(stdout(&o), "ok\n", "stderr: {}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn script_with_arguments() {
    let p = scratch("args.py");
    std::fs::write(&p, "def f(n):\n    return n + 1\nprint(f(1), 'done')\n").unwrap();
    let o = run(&[p.to_str().unwrap(), "--help", "-c", "a"]);
    assert_eq!(stdout(&o), "2 done\n", "stderr: {}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn syntax_error_exits_1() {
    let o = run(&["-c", "print(1)\nif x\n    pass\n"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "", "nothing runs");
    assert!(stderr(&o).contains("SyntaxError"), "stderr: {}", stderr(&o));
}

#[test]
fn uncaught_exception_prints_traceback_and_exits_1() {
    let o = run(&["-c", "print('before')\n1 / 0\n"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "before\n");
    let err = stderr(&o);
    assert!(
        err.starts_with("Traceback (most recent call last):\n"),
        "stderr: {err}"
    );
    assert!(err.contains("ZeroDivisionError"), "stderr: {err}");
}

#[test]
fn sys_exit_status() {
    let o = run(&["-c", "raise SystemExit(3)"]);
    assert_eq!(o.status.code(), Some(3), "stderr: {}", stderr(&o));
}

#[test]
fn version() {
    for flag in ["--version", "-V"] {
        let o = run(&[flag]);
        assert_eq!(o.status.code(), Some(0));
        let out = stdout(&o);
        assert!(out.starts_with("pymem 0.1.0"), "{out}");
        assert!(out.contains("Python 3.11"), "{out}");
    }
}

#[test]
fn help() {
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("pymem [option] ... [-c cmd | file | -] [arg] ..."),
        "{out}"
    );
    assert!(out.contains("-c <cmd>"), "{out}");
    assert!(out.contains("PYTHONMALLOC"), "{out}");
}

#[test]
fn unknown_option_exits_2() {
    let o = run(&["--no-such-option"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn missing_file_exits_2() {
    let o = run(&["/nonexistent/dir/missing.py"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(
            "can't open file '/nonexistent/dir/missing.py': [Errno 2] No such file or directory"
        ),
        "stderr: {err}"
    );
}

#[test]
fn dash_reads_a_script_from_stdin() {
    let o = run_stdin(&["-"], "for i in range(3):\n    print(i)\n");
    assert_eq!(stdout(&o), "0\n1\n2\n", "stderr: {}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn unknown_pythonmalloc_is_fatal() {
    let o = pymem()
        .env("PYTHONMALLOC", "nonsense")
        .args(["-c", "print(1)"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("PYTHONMALLOC: unknown allocator"));
}

#[test]
fn known_pythonmalloc_runs() {
    for mode in ["default", "pymalloc", "debug", "pymalloc_debug", "malloc"] {
        let o = pymem()
            .env("PYTHONMALLOC", mode)
            .args(["-c", "print(1)"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{mode}: {}", stderr(&o));
        assert_eq!(stdout(&o), "1\n", "{mode}");
    }
}

/// The prompt's own output (prompts) is mixed into stdout when rustyline reads a pipe; keep
/// only the program's lines.
fn repl_values(o: &Output) -> Vec<String> {
    stdout(o)
        .replace(">>> ", "")
        .replace("... ", "")
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn repl_prints_expression_values() {
    let o = run_stdin(&[], "1+1\nx = 5\nx * 2\nNone\n'a' + 'b'\n_\n");
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(repl_values(&o), ["2", "10", "'ab'", "'ab'"]);
}

#[test]
fn repl_survives_exceptions() {
    let o = run_stdin(&[], "1/0\nundefined_name\nprint('still here')\n");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(repl_values(&o), ["still here"]);
    let err = stderr(&o);
    assert!(err.contains("ZeroDivisionError"), "stderr: {err}");
    assert!(err.contains("NameError"), "stderr: {err}");
    assert!(err.contains("Traceback (most recent call last):"), "{err}");
}

#[test]
fn repl_syntax_error_does_not_end_the_session() {
    let o = run_stdin(&[], "1 +* 2\n3\n");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(repl_values(&o), ["3"]);
    assert!(stderr(&o).contains("SyntaxError"));
}

#[test]
fn repl_multi_line_blocks() {
    let input = "def f(n):\n    if n:\n        return n * 2\n    return -1\n\nf(21)\nf(0)\nfor i in range(2):\n    print(i)\n\nx = (1,\n     2)\nx\n";
    let o = run_stdin(&[], input);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(repl_values(&o), ["42", "-1", "0", "1", "(1, 2)"]);
}

#[test]
fn repl_sys_exit_ends_with_status() {
    let o = run_stdin(&[], "print(1)\nraise SystemExit(4)\nprint('not reached')\n");
    assert_eq!(o.status.code(), Some(4));
    assert_eq!(repl_values(&o), ["1"]);
}

/// A script that makes and frees enough objects to fill and empty pymalloc arenas, and
/// checks its own results.
const ALLOCATING_SCRIPT: &str = "\
class Node:
    def __init__(self, value):
        self.value = value
nodes = [Node(i) for i in range(20000)]
total = 0
ids = {}
for n in nodes:
    total += n.value
    ids[id(n)] = n
print(total, len(ids))
d = {str(i): [i] * 3 for i in range(5000)}
print(len(d), d['4999'])
nodes = None
print('ok')
";
const ALLOCATING_SCRIPT_OUT: &str = "199990000 20000\n5000 [4999, 4999, 4999]\nok\n";

fn run_with_env(vars: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = pymem();
    for (k, v) in vars {
        c.env(k, v);
    }
    c.args(args)
        .stdin(Stdio::null())
        .output()
        .expect("pymem runs")
}

#[test]
fn pythonmalloc_malloc_runs_a_script() {
    let path = scratch("malloc_mode.py");
    std::fs::write(&path, ALLOCATING_SCRIPT).unwrap();
    let o = run_with_env(&[("PYTHONMALLOC", "malloc")], &[path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), ALLOCATING_SCRIPT_OUT);
    assert_eq!(stderr(&o), "");
    // pymalloc is not in use: no blocks of its own, and no report.
    let o = run_with_env(
        &[("PYTHONMALLOC", "malloc"), ("PYTHONMALLOCSTATS", "1")],
        &[
            "-c",
            "import sys\nprint(sys.getallocatedblocks())\nsys._debugmallocstats()",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), "0\n");
    assert!(!stderr(&o).contains("# arenas"), "{}", stderr(&o));
}

#[test]
fn pythonmalloc_debug_runs_a_script() {
    let path = scratch("debug_mode.py");
    std::fs::write(&path, ALLOCATING_SCRIPT).unwrap();
    for mode in ["debug", "pymalloc_debug", "malloc_debug"] {
        let o = run_with_env(&[("PYTHONMALLOC", mode)], &[path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{mode}: stderr: {}", stderr(&o));
        assert_eq!(stdout(&o), ALLOCATING_SCRIPT_OUT, "{mode}");
        assert_eq!(stderr(&o), "", "{mode}");
    }
    // The hooks' blocks come from pymalloc, so there are blocks and a report.
    let code = "import sys\nprint(sys.getallocatedblocks() > 0)\nsys._debugmallocstats()";
    let o = run_with_env(&[("PYTHONMALLOC", "debug")], &["-c", code]);
    assert_eq!(stdout(&o), "True\n");
    assert!(stderr(&o).contains("# arenas allocated total"));
}

#[test]
fn debugmallocstats_reports_the_free_lists() {
    // After a full collection the lists are empty; then 31 lists (30 items and their list)
    // and 7 floats die onto them. CPython 3.11 prints the same counts (its blocks are smaller).
    let code = "import gc, sys\ngc.collect()\nx = [[] for i in range(30)]\ndel x\n\
                y = [1.5 * i for i in range(7)]\ndel y\nsys._debugmallocstats()";
    for mode in ["pymalloc", "malloc"] {
        let o = run_with_env(&[("PYTHONMALLOC", mode)], &["-c", code]);
        assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
        let err = stderr(&o);
        let count = |name: &str| -> usize {
            let line = err
                .lines()
                .find(|l| l.contains(&format!(" free {name}s * ")))
                .unwrap_or_else(|| panic!("{mode}: no {name} line in {err}"));
            // "N free NAMEs * SIZE bytes each =   TOTAL", CPython's columns.
            assert_eq!(line.len(), 71, "{line:?}");
            let words: Vec<&str> = line.split_whitespace().collect();
            let (n, size) = (words[0].parse::<usize>(), words[4].parse::<usize>());
            let total = words[8].replace(',', "").parse::<usize>();
            let (n, size, total) = (n.unwrap(), size.unwrap(), total.unwrap());
            assert_eq!(total, n * size, "{line:?}");
            n
        };
        assert_eq!(count("PyListObject"), 31, "{mode}");
        assert_eq!(count("PyFloatObject"), 7, "{mode}");
        count("PyDictObject");
        count("PyTupleObject");
    }
}

#[test]
fn pythonmallocstats_prints_the_report_at_exit() {
    let o = run_with_env(
        &[("PYTHONMALLOCSTATS", "1")],
        &["-c", "x = [object() for i in range(1000)]\nprint(len(x))"],
    );
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), "1000\n");
    let err = stderr(&o);
    assert!(
        err.starts_with("Small block threshold = 512, in 32 size classes."),
        "{err}"
    );
    assert!(err.contains("# arenas allocated total"), "{err}");
    assert!(err.contains("# arenas highwater mark"), "{err}");
    // Empty means unset.
    let o = run_with_env(&[("PYTHONMALLOCSTATS", "")], &["-c", "print(1)"]);
    assert_eq!(stderr(&o), "");
}

#[test]
fn getallocatedblocks_follows_the_heap() {
    // Dead lists, tuples, dicts and floats may stay on their free lists (allocated, as in
    // CPython); the full collection gives those blocks back before the last reading.
    let code = "import gc, sys
before = sys.getallocatedblocks()
keep = [object() for i in range(10000)]
during = sys.getallocatedblocks()
keep = None
gc.collect()
after = sys.getallocatedblocks()
print(during - before >= 10000, during - after >= 10000)";
    let o = run(&["-c", code]);
    assert_eq!(stdout(&o), "True True\n", "stderr: {}", stderr(&o));
}

#[test]
fn invalid_pythonmalloc_exits_1_before_running() {
    for value in ["pymalloc ", "DEBUG", "mimalloc"] {
        let o = run_with_env(&[("PYTHONMALLOC", value)], &["-c", "print(1)"]);
        assert_eq!(o.status.code(), Some(1), "{value:?}");
        assert_eq!(stdout(&o), "", "{value:?}");
        let err = stderr(&o);
        assert!(
            err.starts_with(
                "Fatal Python error: preconfig_init_allocator: PYTHONMALLOC: unknown allocator"
            ),
            "{err}"
        );
    }
}
