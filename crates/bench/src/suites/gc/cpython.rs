//! Contender `cpython`: `python3` (CPython 3.11) running `python/gc_workloads.py` (embedded in
//! the binary, passed with `-c`, sizes as `key=value` arguments). The script builds the
//! workload's shape with automatic collection disabled, times the collections itself and prints
//! one JSON sample with the same keys as the Rust children, including its own peak RSS, which
//! this child passes on unchanged.

use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use super::{Contender, Role, Sizes, Workload};
use crate::runner::Sample;

/// The registered contender.
pub(super) static CONTENDER: CPython = CPython;

/// The interpreter the contender runs.
const PYTHON: &str = "python3";

/// The version the suite compares with (the project's behaviour reference).
const VERSION: (u32, u32) = (3, 11);

/// The workload script.
const SCRIPT: &str = include_str!("../../../python/gc_workloads.py");

/// CPython 3.11 as a contender.
pub(super) struct CPython;

/// `python3 -I -c SCRIPT args...`, with `PYTHONMALLOC` unset (pymalloc, the default).
fn python(args: &[String]) -> Result<std::process::Output> {
    Command::new(PYTHON)
        .args(["-I", "-c"])
        .args(args)
        .env_remove("PYTHONMALLOC")
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running `{PYTHON}`"))
}

/// Parses `3.11.7` into `(3, 11)`.
fn major_minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

impl Contender for CPython {
    fn name(&self) -> &'static str {
        "cpython"
    }

    fn describe(&self) -> &'static str {
        "python3 (CPython 3.11) on python/gc_workloads.py: `__slots__` nodes (gc_collect: \
         pyperformance's plain Node class; gc_traversal: lists); gc.disable() while building, \
         explicit gc.collect() / gc.collect(0); times from process_time_ns / perf_counter_ns in \
         the script; peak = the interpreter's VmHWM"
    }

    fn role(&self) -> Role {
        Role::Reference
    }

    fn available(&self) -> Result<Option<String>, String> {
        let probe = "import sys; print('%d.%d.%d' % sys.version_info[:3])".to_owned();
        let out = python(&[probe]).map_err(|e| format!("{e:#}"))?;
        if !out.status.success() {
            return Err(format!(
                "`{PYTHON}` failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        match major_minor(&version) {
            Some(v) if v == VERSION => Ok(Some(format!("cpython = {PYTHON} {version}"))),
            _ => Err(format!(
                "`{PYTHON}` is Python {version}, the reference is {}.{}",
                VERSION.0, VERSION.1
            )),
        }
    }

    fn supports(&self, _workload: Workload) -> Result<(), &'static str> {
        Ok(())
    }

    fn run(&self, workload: Workload, sizes: &Sizes) -> Result<Sample> {
        let mut args = vec![SCRIPT.to_owned(), workload.name().to_owned()];
        args.extend(sizes.args());
        let out = python(&args)?;
        if !out.status.success() {
            bail!(
                "{PYTHON} {workload} failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .rev()
            .find(|l| l.trim_start().starts_with('{'))
            .with_context(|| format!("{PYTHON} {workload} printed no sample"))?;
        Sample::from_json(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse() {
        assert_eq!(major_minor("3.11.7\n"), Some((3, 11)));
        assert_eq!(major_minor("3.12"), Some((3, 12)));
        assert_eq!(major_minor("garbage"), None);
    }
}

#[cfg(test)]
mod script_tests {
    use super::*;

    /// The embedded script runs every workload at small sizes and reports a sample with the
    /// suite's keys (skipped with a message where `python3` 3.11 is missing).
    #[test]
    fn script_runs_every_workload() {
        if let Err(why) = CONTENDER.available() {
            eprintln!("skipped: {why}");
            return;
        }
        let sizes = Sizes {
            cycles: 200,
            chains: 20,
            chain_len: 50,
            levels: 40,
            young_new: 30,
            reps: 2,
            ..Sizes::QUICK
        };
        for w in Workload::ALL {
            let s = CONTENDER
                .run(w, &sizes)
                .unwrap_or_else(|e| panic!("cpython {w}: {e:#}"));
            assert_eq!(s.ops, sizes.objects(w), "{w}");
            assert!(s.cpu_ns > 0.0 && s.wall_ns > 0.0, "{w}");
            assert!(s.peak_rss_bytes > 0, "{w}");
            assert_eq!(s.extra.get("python_version"), Some(&311.0), "{w}");
        }
        let out = python(&[
            SCRIPT.to_owned(),
            "cycles".to_owned(),
            "cycles=ten".to_owned(),
        ])
        .unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("bad size argument"));
    }
}
