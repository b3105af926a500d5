//! The parent's view of the `vm` suite: medians per (workload, interpreter), checksum
//! comparison, the ratios pymem / CPython and the table and JSON lines.

use serde_json::{Value, json};

use super::wait::Measured;
use super::{SUITE, Workload};
use crate::measure::MIB;
use crate::report::{Align, Table, num, ratio};
use crate::runner::{json_object, median};

/// The checksum of one run: its standard output's non-blank lines, trimmed, joined by `\n`.
pub fn checksum(stdout: &str) -> String {
    stdout
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// One interpreter's measurements of one workload, run after run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Runs {
    /// User + system CPU ns of each successful run.
    pub cpu_ns: Vec<f64>,
    /// Wall ns of each successful run.
    pub wall_ns: Vec<f64>,
    /// Peak RSS bytes of each successful run.
    pub peak_rss_bytes: Vec<f64>,
    /// The checksum of the first run.
    pub checksum: Option<String>,
    /// Why this interpreter stopped running the workload (a failed run, or a checksum that
    /// changed between runs); later runs are skipped.
    pub failure: Option<String>,
}

impl Runs {
    /// Records one run: a sample when it succeeded with the same checksum as the runs before,
    /// a failure otherwise.
    pub fn record(&mut self, m: &Measured) {
        if self.failure.is_some() {
            return;
        }
        if !m.exit.success() {
            let tail: Vec<&str> = m.stderr.trim().lines().rev().take(6).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            self.failure = Some(format!("{}: {}", m.exit, tail.join(" | ")));
            return;
        }
        let sum = checksum(&m.stdout);
        match &self.checksum {
            Some(first) if *first != sum => {
                self.failure = Some(format!(
                    "checksum changed between runs: {first:?} then {sum:?}"
                ));
                return;
            }
            Some(_) => {}
            None => self.checksum = Some(sum),
        }
        self.cpu_ns.push((m.user_ns + m.sys_ns) as f64);
        self.wall_ns.push(m.wall_ns as f64);
        self.peak_rss_bytes.push(m.peak_rss_bytes as f64);
    }

    /// Whether later runs should be skipped.
    pub fn failed(&self) -> bool {
        self.failure.is_some()
    }

    /// Medians, when at least one run succeeded and none failed.
    pub fn medians(&self) -> Option<Medians> {
        if self.failed() {
            return None;
        }
        Some(Medians {
            runs: self.cpu_ns.len(),
            cpu_s: median(self.cpu_ns.iter().copied())? / 1e9,
            wall_s: median(self.wall_ns.iter().copied())? / 1e9,
            peak_mib: median(self.peak_rss_bytes.iter().copied())? / MIB,
        })
    }
}

/// Medians of one interpreter's runs of one workload.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Medians {
    /// Runs measured.
    pub runs: usize,
    /// User + system CPU seconds.
    pub cpu_s: f64,
    /// Wall seconds.
    pub wall_s: f64,
    /// Peak RSS, MiB.
    pub peak_mib: f64,
}

/// Both interpreters' results for one workload.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadResult {
    /// The workload.
    pub workload: Workload,
    /// The script's arguments.
    pub args: Vec<String>,
    /// CPython's runs.
    pub cpython: Runs,
    /// pymem's runs; `None` when pymem was not run (no binary).
    pub pymem: Option<Runs>,
}

/// Whether pymem printed what CPython printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChecksumStatus {
    /// Both printed the same.
    Match,
    /// They differ: a correctness failure.
    Mismatch,
    /// One of them has no checksum (not run, or failed).
    Unknown,
}

/// A ratio pymem / CPython against its target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    /// pymem / CPython.
    pub ratio: f64,
    /// The largest ratio that meets the target.
    pub target: f64,
}

impl Verdict {
    /// `ratio ≤ target`.
    pub fn met(&self) -> bool {
        self.ratio <= self.target
    }

    /// `✓` or `✗`.
    pub fn mark(&self) -> &'static str {
        if self.met() { "✓" } else { "✗" }
    }
}

impl WorkloadResult {
    /// Compares the two checksums.
    pub fn checksum_status(&self) -> ChecksumStatus {
        let pymem = self.pymem.as_ref().and_then(|p| p.checksum.as_ref());
        match (self.cpython.checksum.as_ref(), pymem) {
            (Some(a), Some(b)) if a == b => ChecksumStatus::Match,
            (Some(_), Some(_)) => ChecksumStatus::Mismatch,
            _ => ChecksumStatus::Unknown,
        }
    }

    fn both(&self) -> Option<(Medians, Medians)> {
        Some((self.cpython.medians()?, self.pymem.as_ref()?.medians()?))
    }

    /// pymem's CPU time against CPython's and the workload's target.
    pub fn cpu_verdict(&self) -> Option<Verdict> {
        let (c, p) = self.both()?;
        Some(Verdict {
            ratio: p.cpu_s / c.cpu_s,
            target: self.workload.cpu_target(),
        })
    }

    /// pymem's peak RSS against CPython's (target: not above it).
    pub fn rss_verdict(&self) -> Option<Verdict> {
        let (c, p) = self.both()?;
        Some(Verdict {
            ratio: p.peak_mib / c.peak_mib,
            target: 1.0,
        })
    }

    /// The failures to report loudly: failed runs and a checksum mismatch.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(why) = &self.cpython.failure {
            out.push(format!("{}: cpython failed: {why}", self.workload));
        }
        if let Some(why) = self.pymem.as_ref().and_then(|p| p.failure.as_ref()) {
            out.push(format!("{}: pymem failed: {why}", self.workload));
        }
        if self.checksum_status() == ChecksumStatus::Mismatch {
            let show =
                |s: Option<&String>| s.map_or_else(String::new, |s| s.replace('\n', "\n      "));
            out.push(format!(
                "{}: CHECKSUM MISMATCH (correctness failure)\n    cpython printed:\n      {}\n    \
                 pymem printed:\n      {}",
                self.workload,
                show(self.cpython.checksum.as_ref()),
                show(self.pymem.as_ref().and_then(|p| p.checksum.as_ref())),
            ));
        }
        out
    }

    /// The JSON lines of this workload: one per interpreter run.
    pub fn json_lines(&self, quick: bool) -> Vec<Value> {
        let mut out = Vec::new();
        let mut line = |contender: &str, runs: &Runs, pymem: bool| {
            let mut pairs = vec![
                ("suite", json!(SUITE)),
                ("workload", json!(self.workload.name())),
                ("contender", json!(contender)),
                ("args", json!(self.args)),
                ("quick", json!(quick)),
            ];
            match (runs.medians(), &runs.failure) {
                (Some(m), _) => pairs.extend([
                    ("runs", json!(m.runs)),
                    ("cpu_ms", json!(m.cpu_s * 1e3)),
                    ("wall_ms", json!(m.wall_s * 1e3)),
                    ("peak_rss_mib", json!(m.peak_mib)),
                ]),
                (None, why) => pairs.push(("failed", json!(why))),
            }
            pairs.push(("checksum", json!(runs.checksum)));
            if pymem {
                let cpu = self.cpu_verdict();
                let rss = self.rss_verdict();
                pairs.extend([
                    (
                        "checksum_matches",
                        json!(match self.checksum_status() {
                            ChecksumStatus::Match => Some(true),
                            ChecksumStatus::Mismatch => Some(false),
                            ChecksumStatus::Unknown => None,
                        }),
                    ),
                    ("ratio_cpython", json!(cpu.map(|v| v.ratio))),
                    ("cpu_target", json!(self.workload.cpu_target())),
                    ("cpu_target_met", json!(cpu.map(|v| v.met()))),
                    ("peak_ratio_cpython", json!(rss.map(|v| v.ratio))),
                    ("peak_target_met", json!(rss.map(|v| v.met()))),
                ]);
            }
            out.push(json_object(pairs));
        };
        line("cpython", &self.cpython, false);
        if let Some(p) = &self.pymem {
            line("pymem", p, true);
        }
        out
    }
}

fn seconds(m: Option<Medians>, f: fn(&Medians) -> f64) -> String {
    m.map_or_else(|| "failed".to_owned(), |m| format!("{:.3}", f(&m)))
}

/// The table: with pymem's columns and the checks when `with_pymem`, CPython's alone otherwise.
pub(super) fn table(results: &[WorkloadResult], with_pymem: bool) -> String {
    if !with_pymem {
        let mut t = Table::new(&[
            ("workload", Align::Left),
            ("args", Align::Left),
            ("cpython cpu s", Align::Right),
            ("wall s", Align::Right),
            ("peak MiB", Align::Right),
        ]);
        for r in results {
            let m = r.cpython.medians();
            t.row(vec![
                r.workload.name().to_owned(),
                r.args.join(" "),
                seconds(m, |m| m.cpu_s),
                seconds(m, |m| m.wall_s),
                m.map_or_else(String::new, |m| num(m.peak_mib)),
            ]);
        }
        return t.render();
    }
    let mut t = Table::new(&[
        ("workload", Align::Left),
        ("args", Align::Left),
        ("cpython cpu s", Align::Right),
        ("pymem cpu s", Align::Right),
        ("×cpython", Align::Right),
        ("target", Align::Right),
        ("", Align::Left),
        ("cpython peak MiB", Align::Right),
        ("pymem peak MiB", Align::Right),
        ("×cpython", Align::Right),
        ("target", Align::Right),
        ("", Align::Left),
        ("checksum", Align::Left),
    ]);
    for r in results {
        let c = r.cpython.medians();
        let p = r.pymem.as_ref().and_then(Runs::medians);
        let cpu = r.cpu_verdict();
        let rss = r.rss_verdict();
        t.row(vec![
            r.workload.name().to_owned(),
            r.args.join(" "),
            seconds(c, |m| m.cpu_s),
            seconds(p, |m| m.cpu_s),
            ratio(cpu.map(|v| v.ratio)),
            format!("≤ {:.1}", r.workload.cpu_target()),
            cpu.map_or("-", |v| v.mark()).to_owned(),
            c.map_or_else(String::new, |m| num(m.peak_mib)),
            p.map_or_else(String::new, |m| num(m.peak_mib)),
            ratio(rss.map(|v| v.ratio)),
            "≤ 1.0".to_owned(),
            rss.map_or("-", |v| v.mark()).to_owned(),
            match r.checksum_status() {
                ChecksumStatus::Match => "match",
                ChecksumStatus::Mismatch => "MISMATCH ✗",
                ChecksumStatus::Unknown => "-",
            }
            .to_owned(),
        ]);
    }
    t.render()
}

/// One line counting the targets met (CPU and peak RSS, and matching checksums).
pub(super) fn summary(results: &[WorkloadResult], quick: bool) -> String {
    let verdicts: Vec<Verdict> = results
        .iter()
        .flat_map(|r| [r.cpu_verdict(), r.rss_verdict()])
        .flatten()
        .collect();
    let met = verdicts.iter().filter(|v| v.met()).count();
    let matching = results
        .iter()
        .filter(|r| r.checksum_status() == ChecksumStatus::Match)
        .count();
    format!(
        "targets{}: CPU ≤ 1.0× CPython on gc_collect, gc_traversal and binary_trees, ≤ 1.5× on the \
         others; peak RSS ≤ CPython's everywhere: {met} of {} met; checksums matching: {matching} \
         of {}\n",
        if quick {
            " (informative: --quick sizes)"
        } else {
            ""
        },
        verdicts.len(),
        results.len(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::wait::Exit;
    use super::*;

    fn fake(stdout: &str, cpu_ms: u64, peak_mib: u64) -> Measured {
        Measured {
            exit: Exit::Code(0),
            stdout: stdout.to_owned(),
            stderr: String::new(),
            user_ns: cpu_ms * 900_000,
            sys_ns: cpu_ms * 100_000,
            wall_ns: cpu_ms * 1_100_000,
            peak_rss_bytes: peak_mib << 20,
        }
    }

    fn result(workload: Workload, pymem: &[Measured]) -> WorkloadResult {
        let mut cpython = Runs::default();
        for m in [
            fake("nbody 10 steps\nenergy 1.0\n", 1000, 16),
            fake("nbody 10 steps\n  energy 1.0  \n\n", 1200, 14),
            fake("nbody 10 steps\nenergy 1.0", 800, 15),
        ] {
            cpython.record(&m);
        }
        let mut runs = Runs::default();
        for m in pymem {
            runs.record(m);
        }
        WorkloadResult {
            workload,
            args: vec!["10".to_owned()],
            cpython,
            pymem: Some(runs),
        }
    }

    #[test]
    fn checksums_ignore_blank_lines_and_edges() {
        assert_eq!(checksum("  a 1 \n\nb 2\n"), "a 1\nb 2");
        assert_eq!(checksum(""), "");
    }

    #[test]
    fn medians_ratios_and_verdicts() {
        let r = result(
            Workload::Nbody,
            &[
                fake("nbody 10 steps\nenergy 1.0\n", 1400, 12),
                fake("nbody 10 steps\nenergy 1.0\n", 1500, 13),
                fake("nbody 10 steps\nenergy 1.0\n", 1600, 11),
            ],
        );
        let c = r.cpython.medians().unwrap();
        assert_eq!(c.runs, 3);
        assert!((c.cpu_s - 1.0).abs() < 1e-9);
        assert!((c.wall_s - 1.1).abs() < 1e-9);
        assert!((c.peak_mib - 15.0).abs() < 1e-9);
        assert_eq!(r.checksum_status(), ChecksumStatus::Match);
        let cpu = r.cpu_verdict().unwrap();
        assert!((cpu.ratio - 1.5).abs() < 1e-9);
        assert_eq!(cpu.target, 1.5);
        assert!(cpu.met());
        let rss = r.rss_verdict().unwrap();
        assert!((rss.ratio - 12.0 / 15.0).abs() < 1e-9);
        assert!(rss.met());
        assert!(r.problems().is_empty());
        let table = table(std::slice::from_ref(&r), true);
        assert!(table.contains("1.50"), "{table}");
        assert!(table.contains("match"), "{table}");
        let json = r.json_lines(false);
        assert_eq!(json.len(), 2);
        assert_eq!(json[1]["contender"], "pymem");
        assert_eq!(json[1]["checksum_matches"], true);
        assert_eq!(json[1]["cpu_target_met"], true);
        assert!(summary(&[r], false).contains("2 of 2 met"));
    }

    #[test]
    fn gc_workloads_have_the_tighter_target() {
        let r = result(
            Workload::GcCollect,
            &[fake("nbody 10 steps\nenergy 1.0\n", 1100, 16)],
        );
        let cpu = r.cpu_verdict().unwrap();
        assert_eq!(cpu.target, 1.0);
        assert!(!cpu.met());
        assert_eq!(cpu.mark(), "✗");
        assert!(!r.rss_verdict().unwrap().met());
    }

    #[test]
    fn mismatches_and_failures_are_reported() {
        let r = result(
            Workload::Float,
            &[fake("nbody 10 steps\nenergy 2.0\n", 900, 10)],
        );
        assert_eq!(r.checksum_status(), ChecksumStatus::Mismatch);
        let problems = r.problems();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("CHECKSUM MISMATCH"));
        assert!(problems[0].contains("energy 2.0"));
        assert!(table(&[r], true).contains("MISMATCH"));

        let crashed = Measured {
            exit: Exit::Signal(11),
            stderr: "Traceback\nboom\n".to_owned(),
            ..fake("", 10, 1)
        };
        let r = result(Workload::Richards, &[crashed]);
        assert!(r.pymem.as_ref().unwrap().failed());
        assert!(r.cpu_verdict().is_none());
        assert_eq!(r.checksum_status(), ChecksumStatus::Unknown);
        assert!(r.problems()[0].contains("killed by signal 11: Traceback | boom"));
        assert!(table(&[r], true).contains("failed"));

        let mut unstable = Runs::default();
        unstable.record(&fake("a", 1, 1));
        unstable.record(&fake("b", 1, 1));
        assert!(
            unstable
                .failure
                .as_ref()
                .unwrap()
                .contains("changed between runs")
        );
        assert!(unstable.medians().is_none());
    }
}
