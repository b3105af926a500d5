//! The `vm` suite: pymem's Python VM (the `pymem` binary) against `python3` (CPython 3.11) on
//! whole programs, side by side in one run.
//!
//! Command: `cargo run --release -p pymem-bench -- vm [--runs N] [--quick] [--only W,...]
//! [--pymem PATH] [--python PATH] [--json] [--no-prewarm]`.
//!
//! Each workload is a script in `crates/bench/vm/`, written in pymem's Python subset
//! (PySub-0, `shared/design/python-subset-vm.md` §3), embedded in this binary and written to a
//! temporary directory for the run. For each workload the suite runs `python3 -I script ARGS`
//! and `pymem script ARGS` alternately, `--runs` times each (default 3; `--quick`: small sizes,
//! 1 run), each in a fresh child process whose user + system CPU time and peak RSS come from
//! `wait4` on that child (interpreter start-up included: ~15 ms for CPython). Both must print
//! the same checksum (their whole standard output, blank lines aside); a mismatch is reported
//! as a correctness failure of that workload and makes the command exit non-zero after the
//! report, as does a failed run. The table shows medians, pymem / CPython for CPU time and
//! peak RSS, the target and ✓/✗.
//!
//! pymem is `--pymem PATH`, by default `pymem` in the directory of this executable (so
//! `target/release/pymem` for `cargo run --release`); when that default is missing the suite
//! says to run `cargo build --release -p pymem` and reports CPython's column alone (exit 0).
//!
//! Workloads (default arguments; CPython takes about 0.5–2 s of CPU on each):
//! - **binary_trees** `16`: the Benchmarks Game binary-trees with tuple nodes (`(left, right)`,
//!   leaves `(None, None)`), single process, no generator: a stretch tree of depth 17, a
//!   long-lived tree of depth 16 and 2^(20−d) short-lived trees of every even depth d from 4.
//!   Target ≤ 1.0×.
//! - **gc_collect** `500`: pyperformance's `bm_gc_collect` shape, repeated: 100 rings of 21
//!   plain instances (next/prev links) built, dropped and freed by one `gc.collect()`; the
//!   checksum is the total collected (2,100 per repetition on CPython 3.11). Target ≤ 1.0×.
//! - **gc_traversal** `300`: pyperformance's `bm_gc_traversal` shape: 1,000 nested lists (list n
//!   holds n references to list n−1, 499,500 references) kept alive through 300 full
//!   collections that free nothing. Target ≤ 1.0×.
//! - **richards** `20`: pyperformance's `bm_richards` (tasks exchanging packets through a
//!   scheduler), 20 iterations, each checked against holdCount 9297 / qpktCount 23246.
//!   Target ≤ 1.5×.
//! - **nbody** `200000`: pyperformance's `bm_nbody` (five bodies, nested-unpacking loops over
//!   float lists), 200,000 steps; the checksum is the energy before and after. Target ≤ 1.5×.
//! - **float** `10`: pyperformance's `bm_float` without `__slots__`: 10 × (100,000 points from
//!   sin/cos, normalized, folded into their maximum). Target ≤ 1.5×.
//! - **deltablue** `250`: pyperformance's `bm_deltablue` (the chain and projection tests with
//!   100 variables), 250 times; `OrderedCollection` wraps a list and the strength classmethods
//!   are functions, as PySub-0 has neither builtin subclassing nor decorators. Target ≤ 1.5×.
//!
//! Peak RSS target everywhere: ≤ CPython's.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use anyhow::{Context, Result, bail};

use crate::cli::VmArgs;

mod report;
#[allow(unsafe_code)]
mod wait;

pub use report::{ChecksumStatus, Medians, Runs, Verdict, WorkloadResult, checksum};
pub use wait::{Exit, Measured, run_measured};

/// The suite's name on the command line and in the JSON output.
pub const SUITE: &str = "vm";

/// Memory pre-faulted before each child (see
/// [`prewarm_memory`](crate::contenders::os::prewarm_memory)): a few times the largest
/// interpreter's footprint.
const PREWARM_BYTES: usize = 96 << 20;

/// The workloads of this suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Workload {
    /// Benchmarks Game binary-trees with tuple nodes.
    BinaryTrees,
    /// pyperformance's gc_collect shape.
    GcCollect,
    /// pyperformance's gc_traversal shape.
    GcTraversal,
    /// pyperformance's richards.
    Richards,
    /// pyperformance's nbody.
    Nbody,
    /// pyperformance's float, without `__slots__`.
    Float,
    /// pyperformance's deltablue.
    Deltablue,
}

impl Workload {
    /// All workloads, in report order.
    pub const ALL: [Workload; 7] = [
        Workload::BinaryTrees,
        Workload::GcCollect,
        Workload::GcTraversal,
        Workload::Richards,
        Workload::Nbody,
        Workload::Float,
        Workload::Deltablue,
    ];

    /// Name on the command line and in reports (the script is `NAME.py`).
    pub fn name(self) -> &'static str {
        match self {
            Workload::BinaryTrees => "binary_trees",
            Workload::GcCollect => "gc_collect",
            Workload::GcTraversal => "gc_traversal",
            Workload::Richards => "richards",
            Workload::Nbody => "nbody",
            Workload::Float => "float",
            Workload::Deltablue => "deltablue",
        }
    }

    /// The script's source.
    pub fn source(self) -> &'static str {
        match self {
            Workload::BinaryTrees => include_str!("../../../vm/binary_trees.py"),
            Workload::GcCollect => include_str!("../../../vm/gc_collect.py"),
            Workload::GcTraversal => include_str!("../../../vm/gc_traversal.py"),
            Workload::Richards => include_str!("../../../vm/richards.py"),
            Workload::Nbody => include_str!("../../../vm/nbody.py"),
            Workload::Float => include_str!("../../../vm/float.py"),
            Workload::Deltablue => include_str!("../../../vm/deltablue.py"),
        }
    }

    /// The script's arguments: the defaults (CPython: ~0.5–2 s of CPU), or `--quick`'s.
    pub fn args(self, quick: bool) -> &'static [&'static str] {
        match (self, quick) {
            (Workload::BinaryTrees, false) => &["16"],
            (Workload::BinaryTrees, true) => &["10"],
            (Workload::GcCollect, false) => &["500"],
            (Workload::GcCollect, true) => &["20"],
            (Workload::GcTraversal, false) => &["300"],
            (Workload::GcTraversal, true) => &["10"],
            (Workload::Richards, false) => &["20"],
            (Workload::Richards, true) => &["1"],
            (Workload::Nbody, false) => &["200000"],
            (Workload::Nbody, true) => &["5000"],
            (Workload::Float, false) => &["10"],
            (Workload::Float, true) => &["1", "10000"],
            (Workload::Deltablue, false) => &["250"],
            (Workload::Deltablue, true) => &["5"],
        }
    }

    /// The largest pymem / CPython CPU-time ratio that meets the target.
    pub fn cpu_target(self) -> f64 {
        match self {
            Workload::BinaryTrees | Workload::GcCollect | Workload::GcTraversal => 1.0,
            _ => 1.5,
        }
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Workload {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        let lower = s.trim().to_ascii_lowercase();
        Workload::ALL
            .into_iter()
            .find(|w| w.name() == lower)
            .with_context(|| {
                let known: Vec<&str> = Workload::ALL.iter().map(|w| w.name()).collect();
                format!("unknown workload `{s}` (known: {})", known.join(", "))
            })
    }
}

/// Resolves `--only` (empty: every workload) into workloads, in report order.
pub fn select_workloads(only: &[String]) -> Result<Vec<Workload>> {
    if only.is_empty() {
        return Ok(Workload::ALL.to_vec());
    }
    let wanted: Vec<Workload> = only
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.parse())
        .collect::<Result<_>>()?;
    if wanted.is_empty() {
        bail!("--only names no workload");
    }
    Ok(Workload::ALL
        .into_iter()
        .filter(|w| wanted.contains(w))
        .collect())
}

/// Where pymem is: `--pymem`, or `pymem` next to this executable; the flag is false when the default
/// is missing; an explicit path that does not exist is an error.
pub fn locate_pymem(explicit: Option<&Path>) -> Result<(PathBuf, bool)> {
    if let Some(path) = explicit {
        if !path.is_file() {
            bail!("--pymem {}: no such file", path.display());
        }
        return Ok((path.to_owned(), true));
    }
    let exe = std::env::current_exe().context("locating the pymem-bench executable")?;
    let dir = exe.parent().context("the executable has no directory")?;
    let path = dir.join("pymem");
    let found = path.is_file();
    Ok((path, found))
}

/// `major.minor.micro` of the Python at `python`, and its `sys.executable` (the real
/// interpreter behind a launcher such as a pyenv shim, whose start-up would be billed to
/// CPython otherwise).
fn python_version(python: &Path) -> Result<(String, PathBuf)> {
    let out = Command::new(python)
        .args([
            "-I",
            "-c",
            "import sys; print('.'.join(str(v) for v in sys.version_info[:3])); \
             print(sys.executable)",
        ])
        .output()
        .with_context(|| format!("running `{}`", python.display()))?;
    if !out.status.success() {
        bail!(
            "`{}` failed: {}",
            python.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = text.lines().map(str::trim);
    let version = lines.next().unwrap_or_default().to_owned();
    let exe = match lines.next() {
        Some(exe) if !exe.is_empty() => PathBuf::from(exe),
        _ => python.to_owned(),
    };
    Ok((version, exe))
}

/// The scripts, written to a fresh temporary directory that is removed on drop.
struct Scripts {
    dir: PathBuf,
}

impl Scripts {
    fn write(workloads: &[Workload]) -> Result<Scripts> {
        let dir = std::env::temp_dir().join(format!("pymem-bench-vm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let scripts = Scripts { dir };
        for &w in workloads {
            let path = scripts.path(w);
            std::fs::write(&path, w.source())
                .with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(scripts)
    }

    fn path(&self, w: Workload) -> PathBuf {
        self.dir.join(format!("{}.py", w.name()))
    }
}

impl Drop for Scripts {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One measured run of `interpreter [flags] script args` (`PYTHONMALLOC` etc. unset).
fn run_one(
    interpreter: &Path,
    flags: &[&str],
    script: &Path,
    args: &[&str],
    prewarm: bool,
) -> Result<Measured> {
    let mut cmd = Command::new(interpreter);
    cmd.args(flags)
        .arg(script)
        .args(args)
        .env_remove("PYTHONMALLOC")
        .env_remove("PYTHONHASHSEED");
    if prewarm {
        crate::contenders::os::prewarm_memory(PREWARM_BYTES);
    }
    run_measured(&mut cmd)
}

/// Parent entry point for `pymem-bench vm`.
pub fn run(args: &VmArgs) -> Result<()> {
    let workloads = select_workloads(&args.only)?;
    let (version, python) = python_version(&args.python)
        .with_context(|| format!("CPython (`{}`) is the reference", args.python.display()))?;
    if !version.starts_with("3.11.") {
        eprintln!(
            "vm: warning: `{}` is Python {version}; the targets are against CPython 3.11",
            args.python.display()
        );
    }
    let (pymem_path, have_pymem) = locate_pymem(args.pymem.as_deref())?;
    let missing_note = format!(
        "vm: no pymem binary at {}: run `cargo build --release -p pymem` (or pass --pymem PATH); \
         reporting CPython only",
        pymem_path.display()
    );
    if !have_pymem {
        eprintln!("{missing_note}");
    }

    let scripts = Scripts::write(&workloads)?;
    let runs = if args.quick { 1 } else { args.runs };
    let mut results: Vec<WorkloadResult> = workloads
        .iter()
        .map(|&w| WorkloadResult {
            workload: w,
            args: w.args(args.quick).iter().map(|s| (*s).to_owned()).collect(),
            cpython: Runs::default(),
            pymem: have_pymem.then(Runs::default),
        })
        .collect();
    let prewarm = !args.no_prewarm;
    for run in 1..=runs {
        eprintln!(
            "vm: run {run}/{runs}: {} workload(s) × {}",
            workloads.len(),
            if have_pymem {
                "cpython, pymem"
            } else {
                "cpython"
            }
        );
        for r in &mut results {
            let script = scripts.path(r.workload);
            let wargs = r.workload.args(args.quick);
            if !r.cpython.failed() {
                let m = run_one(&python, &["-I"], &script, wargs, prewarm)?;
                r.cpython.record(&m);
            }
            if let Some(p) = r.pymem.as_mut().filter(|p| !p.failed()) {
                let m = run_one(&pymem_path, &[], &script, wargs, prewarm)?;
                p.record(&m);
            }
        }
    }
    drop(scripts);

    let problems: Vec<String> = results.iter().flat_map(WorkloadResult::problems).collect();
    if args.json {
        for r in &results {
            for line in r.json_lines(args.quick) {
                println!("{line}");
            }
        }
        if !have_pymem {
            eprintln!("{missing_note}");
        }
    } else {
        let size = if args.quick {
            "--quick sizes"
        } else {
            "default sizes"
        };
        println!(
            "pymem-bench vm ({size}; median of {runs} run(s), each a fresh process; CPU = the \
             child's user + system time from wait4, start-up included; peak = its ru_maxrss; \
             ×cpython = pymem / CPython {version})"
        );
        println!();
        print!("{}", report::table(&results, have_pymem));
        println!();
        println!("checksums (CPython's output):");
        for r in &results {
            if let Some(sum) = &r.cpython.checksum {
                println!("  {}: {}", r.workload, sum.replace('\n', " | "));
            }
        }
        println!();
        if have_pymem {
            println!(
                "cpython = {}, pymem = {}",
                python.display(),
                pymem_path.display()
            );
            print!("{}", report::summary(&results, args.quick));
        } else {
            println!("cpython = {}", python.display());
            println!("{missing_note}");
        }
    }
    if !problems.is_empty() {
        eprintln!();
        for p in &problems {
            eprintln!("vm: {p}");
        }
        bail!("{} workload problem(s), see above", problems.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_select() {
        for w in Workload::ALL {
            assert_eq!(w.name().parse::<Workload>().unwrap(), w);
            assert!(w.source().contains("sys.argv"), "{w}");
            assert!(!w.args(true).is_empty() && !w.args(false).is_empty());
        }
        let only = vec!["nbody".to_owned(), "GC_COLLECT".to_owned()];
        assert_eq!(
            select_workloads(&only).unwrap(),
            vec![Workload::GcCollect, Workload::Nbody]
        );
        assert!(select_workloads(&["nope".to_owned()]).is_err());
        assert!(select_workloads(&[" ".to_owned()]).is_err());
        assert_eq!(select_workloads(&[]).unwrap().len(), 7);
    }

    #[test]
    fn explicit_pymem_must_exist() {
        assert!(locate_pymem(Some(Path::new("/nonexistent/pymem"))).is_err());
        let (path, _) = locate_pymem(None).unwrap();
        assert!(path.ends_with("pymem"));
    }

    /// Every script runs under `python3` at the `--quick` sizes and prints a checksum
    /// (skipped with a message where `python3` is missing).
    #[test]
    fn scripts_run_under_python3() {
        let python = match python_version(Path::new("python3")) {
            Ok((_, exe)) => exe,
            Err(e) => {
                eprintln!("skipped: {e:#}");
                return;
            }
        };
        let python = python.as_path();
        let scripts = Scripts::write(&Workload::ALL).unwrap();
        for w in Workload::ALL {
            let m = run_one(python, &["-I"], &scripts.path(w), w.args(true), false).unwrap();
            assert!(m.exit.success(), "{w}: {}", m.stderr);
            assert!(checksum(&m.stdout).contains(w.name()), "{w}: {}", m.stdout);
        }
    }
}
