//! The conformance corpus (`tests/conformance/**/*.py`, see its README): every script is run
//! through `pymem` as CPython was when it was recorded (cwd = the script's directory, stdin
//! closed, `PYTHON*` variables removed, `argv == [name.py]`), and its stdout (byte for byte)
//! and exit status are compared with the recorded `.out` and `.status` (default 0).
//!
//! `tests/conformance/xfail.txt` lists the scripts expected to fail, one relative path per
//! line with a `# reason`. The test fails when a script not listed fails, when a listed script
//! passes (take it off the list), and when a listed script does not exist: the list can only
//! shrink, and a regression cannot hide in it.
//!
//! Environment:
//! * `PYMEM_CONFORMANCE_WRITE_XFAIL=1` rewrites `xfail.txt` from this run's results (reasons
//!   already written by hand are kept; new entries get "not yet triaged: <symptom>") and
//!   passes;
//! * `PYMEM_CONFORMANCE_JOBS` (default 3) scripts run at once;
//! * `PYMEM_CONFORMANCE_TIMEOUT` (default 60) seconds per script before it is killed;
//! * `PYMEM_CONFORMANCE_ONLY=substring` runs only the scripts whose path contains it (the
//!   xfail checks then apply to those only).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Address-space limit for each script, so a hostile script that the VM fails to stop cannot
/// exhaust the machine's memory.
const MEMORY_LIMIT: u64 = 4 << 30;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance")
}

/// Every script, as a path relative to the corpus with `/` separators, sorted.
fn scripts(root: &Path) -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, root, out);
            } else if p.extension().is_some_and(|e| e == "py") {
                let rel = p.strip_prefix(root).unwrap();
                let rel: Vec<_> = rel.iter().map(|c| c.to_string_lossy()).collect();
                let rel = rel.join("/");
                if rel != "record.py" {
                    out.push(rel);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    // The lessons run from `examples/` itself (the corpus keeps only their recordings).
    let lessons = examples_dir();
    for e in
        std::fs::read_dir(&lessons).unwrap_or_else(|e| panic!("reading {}: {e}", lessons.display()))
    {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".py") && !EXAMPLES_SKIPPED.contains(&name.as_str()) {
            out.push(format!("examples/{name}"));
        }
    }
    out.sort();
    out
}

/// The repository's `examples/`: the `examples` topic's scripts (see `record.py`).
fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// Lessons the corpus does not run: `tour.py` is the others in one file.
const EXAMPLES_SKIPPED: &[&str] = &["tour.py"];

/// A script's path and where its recording is (the same path, whose extension `.out` and
/// `.status` replace): `rel` in the corpus, or for the `examples` topic the lesson in
/// `examples/` with its recording in the corpus.
fn locate(root: &Path, rel: &str) -> (PathBuf, PathBuf) {
    let recorded = root.join(rel);
    match rel.strip_prefix("examples/") {
        Some(name) => (examples_dir().join(name), recorded),
        None => (root.join(rel), recorded),
    }
}

/// How one script did.
#[derive(Debug)]
struct Outcome {
    /// `None` when it matched the recording, else what went wrong (one line).
    failure: Option<String>,
    /// For a stdout mismatch: the first differing line, expected and actual.
    diff: Option<String>,
    /// The end of its stderr.
    stderr_tail: String,
    /// Wall time.
    elapsed: Duration,
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn run_script(root: &Path, rel: &str, timeout: Duration) -> Outcome {
    let (path, recorded) = locate(root, rel);
    let dir = path.parent().unwrap().to_path_buf();
    let name = path.file_name().unwrap().to_owned();
    let expected_out = std::fs::read(recorded.with_extension("out"));
    let expected_status: i32 = match std::fs::read_to_string(recorded.with_extension("status")) {
        Ok(s) => s.trim().parse().expect("a .status file holds a number"),
        Err(_) => 0,
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pymem"));
    cmd.arg(&name)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("PYTHON") {
            cmd.env_remove(k);
        }
    }
    limit_memory(&mut cmd);
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawning pymem");
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
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
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait().expect("waiting for pymem") {
            break s;
        }
        if start.elapsed() > timeout {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("waiting for pymem");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = start.elapsed();
    let stdout = out_reader.join().unwrap();
    let stderr = err_reader.join().unwrap();
    let stderr_tail = tail(&String::from_utf8_lossy(&stderr), 12);

    let mut diff = None;
    let failure = if timed_out {
        Some(format!("timed out after {}s", timeout.as_secs()))
    } else if let Some(code) = status.code().filter(|_| true) {
        match &expected_out {
            Err(_) => Some("no .out file recorded".to_owned()),
            Ok(exp) if *exp != stdout => {
                diff = Some(first_difference(exp, &stdout));
                let line = first_differing_line(exp, &stdout);
                Some(if code != expected_status {
                    format!(
                        "stdout differs at line {line}, exit status {code} (expected \
                         {expected_status})"
                    )
                } else {
                    format!("stdout differs at line {line}")
                })
            }
            Ok(_) if code != expected_status => {
                Some(format!("exit status {code} (expected {expected_status})"))
            }
            Ok(_) => None,
        }
    } else {
        Some(format!("killed by a signal ({status})"))
    };
    Outcome {
        failure,
        diff,
        stderr_tail,
        elapsed,
    }
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

fn tail(s: &str, lines: usize) -> String {
    let v: Vec<&str> = s.lines().collect();
    v[v.len().saturating_sub(lines)..].join("\n")
}

/// The 1-based number of the first line where the outputs differ.
fn first_differing_line(expected: &[u8], got: &[u8]) -> usize {
    let e: Vec<&[u8]> = expected.split_inclusive(|&b| b == b'\n').collect();
    let g: Vec<&[u8]> = got.split_inclusive(|&b| b == b'\n').collect();
    (0..e.len().max(g.len()))
        .find(|&i| e.get(i) != g.get(i))
        .map_or(0, |i| i + 1)
}

/// The first line where `got` differs from `expected`, both shown.
fn first_difference(expected: &[u8], got: &[u8]) -> String {
    let e = String::from_utf8_lossy(expected);
    let g = String::from_utf8_lossy(got);
    let el: Vec<&str> = e.split_inclusive('\n').collect();
    let gl: Vec<&str> = g.split_inclusive('\n').collect();
    for i in 0..el.len().max(gl.len()) {
        let (a, b) = (el.get(i), gl.get(i));
        if a != b {
            let show =
                |x: Option<&&str>| x.map_or("<end of output>".to_owned(), |s| format!("{s:?}"));
            return format!(
                "line {}: expected {}\n{:>width$}got      {}",
                i + 1,
                show(a),
                "",
                show(b),
                width = format!("line {}: ", i + 1).len()
            );
        }
    }
    "outputs differ in bytes that are not valid UTF-8".to_owned()
}

/// `xfail.txt`: relative path → reason, in file order.
fn read_xfail(path: &Path) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(path) else {
        return map;
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (p, reason) = match line.split_once('#') {
            Some((p, r)) => (p.trim(), r.trim()),
            None => (line, ""),
        };
        map.insert(p.to_owned(), reason.to_owned());
    }
    map
}

const XFAIL_HEADER: &str = "\
# Conformance scripts expected to FAIL under pymem today (crates/cli/tests/conformance.rs).
# One path per line, relative to tests/conformance, with a `# reason`.
# The test fails if a script not listed here fails, and if a listed script passes: when a
# script starts passing, delete its line. Regenerate with
#   PYMEM_CONFORMANCE_WRITE_XFAIL=1 cargo test -p pymem --test conformance
# (hand-written reasons are kept; \"not yet triaged\" ones are refreshed).
";

fn write_xfail(path: &Path, failing: &[(String, String)], old: &BTreeMap<String, String>) {
    let mut text = String::from(XFAIL_HEADER);
    for (rel, symptom) in failing {
        let reason = match old.get(rel) {
            Some(r) if !r.is_empty() && !r.starts_with("not yet triaged") => r.clone(),
            _ => format!("not yet triaged: {symptom}"),
        };
        text.push_str(&format!("{rel}  # {reason}\n"));
    }
    std::fs::write(path, text).expect("writing xfail.txt");
}

/// A one-line symptom for a new xfail entry: what failed and the last line of stderr.
fn symptom(o: &Outcome) -> String {
    let mut s = o.failure.clone().unwrap_or_default();
    if let Some(last) = o.stderr_tail.lines().rev().find(|l| !l.trim().is_empty()) {
        s.push_str(": ");
        s.push_str(last.trim());
    }
    let s = s.replace('#', "No.");
    if s.chars().count() > 140 {
        let cut: String = s.chars().take(137).collect();
        format!("{cut}...")
    } else {
        s
    }
}

#[test]
fn conformance() {
    let root = corpus_dir();
    let xfail_path = root.join("xfail.txt");
    let only = std::env::var("PYMEM_CONFORMANCE_ONLY").ok();
    let all = scripts(&root);
    assert!(all.len() > 100, "the corpus has {} scripts", all.len());
    let selected: Vec<String> = all
        .iter()
        .filter(|s| only.as_deref().is_none_or(|o| s.contains(o)))
        .cloned()
        .collect();
    let jobs = env_number("PYMEM_CONFORMANCE_JOBS", 3).clamp(1, 16) as usize;
    let timeout = Duration::from_secs(env_number("PYMEM_CONFORMANCE_TIMEOUT", 60));

    let next = AtomicUsize::new(0);
    let results: Mutex<BTreeMap<String, Outcome>> = Mutex::new(BTreeMap::new());
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(rel) = selected.get(i) else { break };
                    let o = run_script(&root, rel, timeout);
                    results.lock().unwrap().insert(rel.clone(), o);
                }
            });
        }
    });
    let results = results.into_inner().unwrap();

    let xfail = read_xfail(&xfail_path);
    if std::env::var_os("PYMEM_CONFORMANCE_WRITE_XFAIL").is_some_and(|v| v == "1") {
        assert!(
            only.is_none(),
            "PYMEM_CONFORMANCE_WRITE_XFAIL needs the whole corpus (unset PYMEM_CONFORMANCE_ONLY)"
        );
        let failing: Vec<(String, String)> = results
            .iter()
            .filter(|(_, o)| o.failure.is_some())
            .map(|(r, o)| (r.clone(), symptom(o)))
            .collect();
        write_xfail(&xfail_path, &failing, &xfail);
        println!(
            "conformance: wrote {} with {} of {} scripts",
            xfail_path.display(),
            failing.len(),
            results.len()
        );
        return;
    }

    let mut passed = 0;
    let mut xfailed = 0;
    let mut unexpected_failures = Vec::new();
    let mut unexpected_passes = Vec::new();
    for (rel, o) in &results {
        match (&o.failure, xfail.contains_key(rel)) {
            (None, false) => passed += 1,
            (None, true) => unexpected_passes.push(rel.clone()),
            (Some(_), true) => xfailed += 1,
            (Some(_), false) => unexpected_failures.push(rel.clone()),
        }
    }
    let stale: Vec<&String> = xfail.keys().filter(|k| !all.contains(k)).collect();

    let mut report = String::new();
    for rel in &unexpected_failures {
        let o = &results[rel];
        report.push_str(&format!(
            "\nFAIL {rel}: {} ({:.1}s)\n",
            o.failure.as_deref().unwrap_or(""),
            o.elapsed.as_secs_f64()
        ));
        if let Some(d) = &o.diff {
            report.push_str(&format!("  {d}\n"));
        }
        if !o.stderr_tail.is_empty() {
            report.push_str("  stderr (end):\n");
            for l in o.stderr_tail.lines() {
                report.push_str(&format!("    | {l}\n"));
            }
        }
    }
    for rel in &unexpected_passes {
        report.push_str(&format!(
            "\nPASS {rel}: listed in xfail.txt but passes now: delete its line\n"
        ));
    }
    for rel in &stale {
        report.push_str(&format!(
            "\nSTALE {rel}: listed in xfail.txt but there is no such script\n"
        ));
    }
    let slowest = results
        .iter()
        .max_by_key(|(_, o)| o.elapsed)
        .map(|(r, o)| format!("{r} {:.1}s", o.elapsed.as_secs_f64()))
        .unwrap_or_default();
    let summary = format!(
        "conformance: {} scripts: {passed} passed, {xfailed} xfail, {} unexpected failures, {} \
         unexpected passes, {} stale xfail entries (slowest: {slowest})",
        results.len(),
        unexpected_failures.len(),
        unexpected_passes.len(),
        stale.len()
    );
    println!("{report}\n{summary}");
    assert!(
        unexpected_failures.is_empty() && unexpected_passes.is_empty() && stale.is_empty(),
        "{summary}\n(see the report above; after a deliberate change, regenerate the list with \
         PYMEM_CONFORMANCE_WRITE_XFAIL=1)"
    );
}
