//! The parent's view of the `heap` suite: medians per cell, the probes' outcomes, the tables,
//! the JSON lines and the target checks.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Contender, SUITE, Workload};
use crate::measure::MIB;
use crate::report::{Align, Table, num, ratio};
use crate::runner::{Sample, json_object, median};

/// Medians of one timed (workload, contender) over its runs.
#[derive(Clone, Debug, PartialEq)]
pub struct CellResult {
    /// Workload (`chain`, `clone` or `weakref`).
    pub workload: Workload,
    /// Contender.
    pub contender: Contender,
    /// Runs that succeeded.
    pub runs: usize,
    /// Ops per run (chain: nodes).
    pub ops: u64,
    /// Median thread-CPU ns per op (chain: build + free, per node).
    pub ns_per_op: f64,
    /// Median wall ns per op.
    pub wall_ns_per_op: f64,
    /// Median peak RSS (`VmHWM`) of the child, MiB.
    pub peak_rss_mib: f64,
    /// Chain: median CPU ms of the build.
    pub build_ms: Option<f64>,
    /// Chain: median CPU ms of the free (drop + collect).
    pub free_ms: Option<f64>,
    /// Chain: median wall ms of the build.
    pub build_wall_ms: Option<f64>,
    /// Chain: median wall ms of the free.
    pub free_wall_ms: Option<f64>,
    /// Chain: median RSS the live chain added, MiB.
    pub live_mib: Option<f64>,
    /// pymem's second flavour of the op (clone: `Clone`; weakref: a `WeakRef` object), CPU ns.
    pub alt_ns_per_op: Option<f64>,
    /// The same, wall ns.
    pub alt_wall_ns_per_op: Option<f64>,
}

impl CellResult {
    /// Medians of `samples`; `None` when there are none.
    pub fn from_samples(
        workload: Workload,
        contender: Contender,
        samples: &[Sample],
    ) -> Option<CellResult> {
        let med = |f: &dyn Fn(&Sample) -> f64| median(samples.iter().map(f));
        let extra = |key: &str| {
            med(&|s: &Sample| s.extra.get(key).copied().unwrap_or(f64::NAN))
                .filter(|v| v.is_finite())
        };
        let per_op = |key: &str| {
            med(&|s: &Sample| s.extra.get(key).copied().unwrap_or(f64::NAN) / s.ops.max(1) as f64)
                .filter(|v| v.is_finite())
        };
        let ms = |key: &str| extra(key).map(|ns| ns / 1e6);
        Some(CellResult {
            workload,
            contender,
            runs: samples.len(),
            ops: samples.first()?.ops,
            ns_per_op: med(&Sample::ns_per_op)?,
            wall_ns_per_op: med(&Sample::wall_ns_per_op)?,
            peak_rss_mib: med(&|s| s.peak_rss_bytes as f64 / MIB)?,
            build_ms: ms("build_cpu_ns"),
            free_ms: ms("free_cpu_ns"),
            build_wall_ms: ms("build_wall_ns"),
            free_wall_ms: ms("free_wall_ns"),
            live_mib: extra("live_rss_bytes").map(|b| b / MIB),
            alt_ns_per_op: per_op("alt_cpu_ns"),
            alt_wall_ns_per_op: per_op("alt_wall_ns"),
        })
    }
}

/// How a stack probe ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// The chain was built and freed (every node) on the small stack.
    Ok,
    /// The child died of a stack overflow.
    Overflow,
    /// The child failed some other way (the message says how).
    Failed(String),
}

impl ProbeOutcome {
    /// `ok`, `overflow` or `failed`.
    pub fn label(&self) -> &'static str {
        match self {
            ProbeOutcome::Ok => "ok",
            ProbeOutcome::Overflow => "overflow",
            ProbeOutcome::Failed(_) => "failed",
        }
    }
}

/// All results of one run of the suite.
#[derive(Clone, Debug, Default)]
pub struct Results {
    cells: BTreeMap<(Workload, Contender), CellResult>,
    probes: BTreeMap<(Workload, Contender), ProbeOutcome>,
    contenders: Vec<Contender>,
}

/// The label of pymem's second flavour of `workload`'s op.
fn alt_label(workload: Workload) -> &'static str {
    match workload {
        Workload::Clone => "Clone",
        _ => "WeakRef",
    }
}

impl Results {
    /// Collects the timed cells and probe outcomes of a run over `contenders`.
    pub fn new(
        contenders: Vec<Contender>,
        cells: impl IntoIterator<Item = CellResult>,
        probes: impl IntoIterator<Item = ((Workload, Contender), ProbeOutcome)>,
    ) -> Results {
        Results {
            cells: cells
                .into_iter()
                .map(|c| ((c.workload, c.contender), c))
                .collect(),
            probes: probes.into_iter().collect(),
            contenders,
        }
    }

    /// The result of one timed cell.
    pub fn get(&self, workload: Workload, contender: Contender) -> Option<&CellResult> {
        self.cells.get(&(workload, contender))
    }

    /// The outcome of one probe.
    pub fn probe(&self, workload: Workload, contender: Contender) -> Option<&ProbeOutcome> {
        self.probes.get(&(workload, contender))
    }

    /// `f(cell) / f(rc's cell)` on the same workload.
    fn ratio_rc(&self, cell: &CellResult, f: impl Fn(&CellResult) -> Option<f64>) -> Option<f64> {
        self.ratio_to_rc(cell.workload, f(cell), f)
    }

    /// `ours / base(rc's cell on workload)`.
    fn ratio_to_rc(
        &self,
        workload: Workload,
        ours: Option<f64>,
        base: impl Fn(&CellResult) -> Option<f64>,
    ) -> Option<f64> {
        let base = base(self.get(workload, Contender::Rc)?)?;
        let ours = ours?;
        (base > 0.0).then(|| ours / base)
    }

    /// One JSON object per timed cell (and per pymem second flavour), then one per probe.
    pub fn json_lines(&self, quick: bool) -> Vec<Value> {
        let mut out = Vec::new();
        for c in self.cells.values() {
            let mut pairs = vec![
                ("suite", json!(SUITE)),
                ("workload", json!(c.workload.name())),
                ("contender", json!(c.contender.name())),
                ("ns_per_op", json!(c.ns_per_op)),
                ("wall_ns_per_op", json!(c.wall_ns_per_op)),
                ("ratio_rc", json!(self.ratio_rc(c, |c| Some(c.ns_per_op)))),
                ("ops", json!(c.ops)),
                ("runs", json!(c.runs)),
                ("quick", json!(quick)),
                ("peak_rss_mib", json!(c.peak_rss_mib)),
            ];
            if c.workload == Workload::Chain {
                pairs.extend([
                    ("build_ms", json!(c.build_ms)),
                    ("free_ms", json!(c.free_ms)),
                    ("build_wall_ms", json!(c.build_wall_ms)),
                    ("free_wall_ms", json!(c.free_wall_ms)),
                    ("build_ratio_rc", json!(self.ratio_rc(c, |c| c.build_ms))),
                    ("free_ratio_rc", json!(self.ratio_rc(c, |c| c.free_ms))),
                    (
                        "peak_rss_ratio_rc",
                        json!(self.ratio_rc(c, |c| Some(c.peak_rss_mib))),
                    ),
                    ("live_mib", json!(c.live_mib)),
                ]);
                for probe in Workload::PROBES {
                    if let Some(p) = self.probe(probe, c.contender) {
                        let key = if probe == Workload::Stack8M {
                            "stack_8m"
                        } else {
                            "stack_64k"
                        };
                        pairs.push((key, json!(p.label())));
                    }
                }
            }
            out.push(json_object(pairs));
            if let Some(alt) = c.alt_ns_per_op {
                out.push(json_object(vec![
                    ("suite", json!(SUITE)),
                    ("workload", json!(c.workload.name())),
                    ("contender", json!(c.contender.name())),
                    ("flavour", json!(alt_label(c.workload))),
                    ("ns_per_op", json!(alt)),
                    ("wall_ns_per_op", json!(c.alt_wall_ns_per_op)),
                    (
                        "ratio_rc",
                        json!(self.ratio_to_rc(c.workload, Some(alt), |c| Some(c.ns_per_op))),
                    ),
                    ("ops", json!(c.ops)),
                    ("runs", json!(c.runs)),
                    ("quick", json!(quick)),
                ]));
            }
        }
        for (&(workload, contender), p) in &self.probes {
            let mut pairs = vec![
                ("suite", json!(SUITE)),
                ("workload", json!(workload.name())),
                ("contender", json!(contender.name())),
                ("outcome", json!(p.label())),
            ];
            if let ProbeOutcome::Failed(msg) = p {
                pairs.push(("error", json!(msg)));
            }
            out.push(json_object(pairs));
        }
        out
    }

    /// A probe's cell text: `ok`, `overflow`, `failed`, or `-` when not run.
    fn probe_cell(&self, workload: Workload, contender: Contender) -> String {
        self.probe(workload, contender)
            .map_or_else(|| "-".to_owned(), |p| p.label().to_owned())
    }

    /// The `chain` table: one row per contender.
    pub fn chain_table(&self) -> String {
        let mut t = Table::new(&[
            ("contender", Align::Left),
            ("build ms", Align::Right),
            ("×rc", Align::Right),
            ("free ms", Align::Right),
            ("×rc", Align::Right),
            ("wall ms build / free", Align::Right),
            ("peak MiB", Align::Right),
            ("×rc", Align::Right),
            ("live MiB", Align::Right),
            ("8 MiB stack", Align::Right),
            ("64 KiB stack", Align::Right),
        ]);
        let opt = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), num);
        for &k in &self.contenders {
            let probes = [
                self.probe_cell(Workload::Stack8M, k),
                self.probe_cell(Workload::Stack64K, k),
            ];
            let Some(c) = self.get(Workload::Chain, k) else {
                let mut row = vec![k.name().to_owned(), "failed".to_owned()];
                row.extend(std::iter::repeat_n(String::new(), 7));
                row.extend(probes);
                t.row(row);
                continue;
            };
            let wall = match (c.build_wall_ms, c.free_wall_ms) {
                (Some(b), Some(f)) => format!("{} / {}", num(b), num(f)),
                _ => "-".to_owned(),
            };
            let mut row = vec![
                k.name().to_owned(),
                opt(c.build_ms),
                ratio(self.ratio_rc(c, |c| c.build_ms)),
                opt(c.free_ms),
                ratio(self.ratio_rc(c, |c| c.free_ms)),
                wall,
                format!("{:.1}", c.peak_rss_mib),
                ratio(self.ratio_rc(c, |c| Some(c.peak_rss_mib))),
                c.live_mib
                    .map_or_else(|| "-".to_owned(), |m| format!("{m:.1}")),
            ];
            row.extend(probes);
            t.row(row);
        }
        t.render()
    }

    /// The per-op table: `clone` and `weakref`, one row per contender (and per pymem flavour).
    pub fn ops_table(&self) -> String {
        let mut t = Table::new(&[
            ("workload", Align::Left),
            ("contender", Align::Left),
            ("ns/op", Align::Right),
            ("×rc", Align::Right),
            ("wall ns/op", Align::Right),
            ("", Align::Left),
        ]);
        for (i, workload) in [Workload::Clone, Workload::Weakref].into_iter().enumerate() {
            if i > 0 {
                t.separator();
            }
            for &k in &self.contenders {
                if !workload.supports(k) {
                    t.row(vec![
                        workload.name().to_owned(),
                        k.name().to_owned(),
                        "n/a".to_owned(),
                        String::new(),
                        String::new(),
                        "no weak pointers".to_owned(),
                    ]);
                    continue;
                }
                let Some(c) = self.get(workload, k) else {
                    t.row(vec![
                        workload.name().to_owned(),
                        k.name().to_owned(),
                        "failed".to_owned(),
                    ]);
                    continue;
                };
                t.row(vec![
                    workload.name().to_owned(),
                    k.name().to_owned(),
                    num(c.ns_per_op),
                    ratio(self.ratio_rc(c, |c| Some(c.ns_per_op))),
                    num(c.wall_ns_per_op),
                ]);
                if let (Some(alt), Some(alt_wall)) = (c.alt_ns_per_op, c.alt_wall_ns_per_op) {
                    t.row(vec![
                        workload.name().to_owned(),
                        format!("{} ({})", k.name(), alt_label(workload)),
                        num(alt),
                        ratio(self.ratio_to_rc(workload, Some(alt), |c| Some(c.ns_per_op))),
                        num(alt_wall),
                    ]);
                }
            }
        }
        t.render()
    }

    /// The notes under the tables: what each row is.
    pub fn notes(&self) -> String {
        let mut out = String::from("rows:\n");
        let width = self
            .contenders
            .iter()
            .map(|k| k.name().len())
            .max()
            .unwrap_or(0);
        for &k in &self.contenders {
            out.push_str(&format!("  {:width$}  {}\n", k.name(), k.describe()));
        }
        if self.contenders.iter().any(|k| k.is_pymem()) {
            out.push_str(
                "  pymem* clone rows: `clone_ref(&Gil)` (no thread check); \"(Clone)\": the \
                 `Clone` impl, which checks that the calling thread holds the GIL\n",
            );
            out.push_str(
                "  pymem* weakref rows: `downgrade(&Gil)` -> heap::Weak, upgraded; \
                 \"(WeakRef)\": a weakref object (`WeakRef::new`, no callback), upgraded\n",
            );
        }
        out
    }

    /// The target checks for pymem (see the issue); informative only.
    pub fn targets(&self) -> Vec<TargetCheck> {
        let mut checks = Vec::new();
        let overflowing: Vec<&str> = self
            .contenders
            .iter()
            .filter(|&&k| self.probe(Workload::Stack8M, k) == Some(&ProbeOutcome::Overflow))
            .map(|k| k.name())
            .collect();
        for ours in [Contender::Pymem, Contender::PymemTracked] {
            if !self.contenders.contains(&ours) {
                continue;
            }
            let chain = self.get(Workload::Chain, ours);
            let chain_ratio =
                |f: fn(&CellResult) -> Option<f64>| chain.and_then(|c| self.ratio_rc(c, f));
            let mut ratio_check = |workload, what: &str, measured, limit| {
                checks.push(TargetCheck {
                    workload,
                    contender: ours,
                    what: what.to_owned(),
                    measured: Measured::Ratio { measured, limit },
                });
            };
            ratio_check(
                Workload::Chain,
                "build CPU ≤ 1.0× rc",
                chain_ratio(|c| c.build_ms),
                1.0,
            );
            ratio_check(
                Workload::Chain,
                "free CPU ≤ 1.0× rc",
                chain_ratio(|c| c.free_ms),
                1.0,
            );
            ratio_check(
                Workload::Chain,
                "peak RSS ≤ 0.8× rc",
                chain_ratio(|c| Some(c.peak_rss_mib)),
                0.8,
            );
            let clone = self.get(Workload::Clone, ours);
            ratio_check(
                Workload::Clone,
                "clone_ref ns/op ≤ 1.1× rc",
                clone.and_then(|c| self.ratio_rc(c, |c| Some(c.ns_per_op))),
                1.1,
            );
            ratio_check(
                Workload::Clone,
                "Clone impl ns/op ≤ 1.1× rc",
                clone.and_then(|c| {
                    self.ratio_to_rc(Workload::Clone, c.alt_ns_per_op, |c| Some(c.ns_per_op))
                }),
                1.1,
            );
            let others = if overflowing.is_empty() {
                "no other contender overflows".to_owned()
            } else {
                format!("overflow: {}", overflowing.join(", "))
            };
            for (probe, what, detail) in [
                (
                    Workload::Stack8M,
                    "no overflow on an 8 MiB stack",
                    others.clone(),
                ),
                (
                    Workload::Stack64K,
                    "no overflow on a 64 KiB stack",
                    String::new(),
                ),
            ] {
                let outcome = self.probe(probe, ours);
                let mut text = outcome.map_or("-", ProbeOutcome::label).to_owned();
                if !detail.is_empty() {
                    text.push_str(&format!(" ({detail})"));
                }
                checks.push(TargetCheck {
                    workload: probe,
                    contender: ours,
                    what: what.to_owned(),
                    measured: Measured::Outcome {
                        ok: outcome.map(|o| *o == ProbeOutcome::Ok),
                        text,
                    },
                });
            }
        }
        checks
    }
}

/// What a target check measured.
#[derive(Clone, Debug, PartialEq)]
pub enum Measured {
    /// A ratio, met when `measured <= limit`.
    Ratio {
        /// The measured ratio, if both sides were measured.
        measured: Option<f64>,
        /// The target.
        limit: f64,
    },
    /// A yes/no outcome, with what to print.
    Outcome {
        /// Whether it was met (`None`: not measured).
        ok: Option<bool>,
        /// What was seen.
        text: String,
    },
}

/// One target check.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetCheck {
    /// Workload.
    pub workload: Workload,
    /// Contender (ours).
    pub contender: Contender,
    /// What is checked.
    pub what: String,
    /// What was measured.
    pub measured: Measured,
}

impl TargetCheck {
    /// Whether the target was met; `None` when a side was not measured.
    pub fn met(&self) -> Option<bool> {
        match &self.measured {
            Measured::Ratio { measured, limit } => measured.map(|m| m <= *limit),
            Measured::Outcome { ok, .. } => *ok,
        }
    }

    /// `✓`, `✗` or `n/a`.
    pub fn verdict(&self) -> &'static str {
        match self.met() {
            Some(true) => "✓",
            Some(false) => "✗",
            None => "n/a",
        }
    }

    /// The measured value as printed.
    pub fn measured_text(&self) -> String {
        match &self.measured {
            Measured::Ratio { measured, .. } => {
                measured.map_or_else(|| "-".to_owned(), |m| format!("{m:.3}×"))
            }
            Measured::Outcome { text, .. } => text.clone(),
        }
    }
}

/// Renders the "targets" section.
pub fn render_targets(checks: &[TargetCheck], quick: bool) -> String {
    let mut out = String::from("targets (informative; ratios of this run's medians");
    out.push_str(if quick {
        "; --quick sizes, not representative)\n"
    } else {
        ")\n"
    });
    if checks.is_empty() {
        out.push_str("  (no pymem contender measured)\n");
        return out;
    }
    let mut t = Table::new(&[
        ("  workload", Align::Left),
        ("contender", Align::Left),
        ("target", Align::Left),
        ("", Align::Left),
        ("measured", Align::Left),
    ]);
    for c in checks {
        t.row(vec![
            format!("  {}", c.workload),
            c.contender.name().to_owned(),
            c.what.clone(),
            c.verdict().to_owned(),
            c.measured_text(),
        ]);
    }
    out.push_str(&t.render());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain_sample(build: f64, free: f64, peak_mib: f64) -> Sample {
        let mut s = Sample {
            cpu_ns: build + free,
            wall_ns: build + free,
            ops: 1000,
            peak_rss_bytes: (peak_mib * MIB) as u64,
            ..Sample::default()
        };
        for (k, v) in [
            ("build_cpu_ns", build),
            ("free_cpu_ns", free),
            ("build_wall_ns", build),
            ("free_wall_ns", free),
            ("live_rss_bytes", MIB),
        ] {
            s.extra.insert(k.into(), v);
        }
        s
    }

    fn op_sample(ns: f64, alt: Option<f64>) -> Sample {
        let mut s = Sample {
            cpu_ns: ns * 1000.0,
            wall_ns: ns * 1000.0,
            ops: 1000,
            peak_rss_bytes: 1 << 20,
            ..Sample::default()
        };
        if let Some(alt) = alt {
            s.extra.insert("alt_cpu_ns".into(), alt * 1000.0);
            s.extra.insert("alt_wall_ns".into(), alt * 1000.0);
        }
        s
    }

    fn results() -> Results {
        let (rc, ours) = (Contender::Rc, Contender::Pymem);
        let cells = [
            CellResult::from_samples(
                Workload::Chain,
                rc,
                &[
                    chain_sample(60e6, 40e6, 100.0),
                    chain_sample(70e6, 50e6, 120.0),
                ],
            ),
            CellResult::from_samples(Workload::Chain, ours, &[chain_sample(30e6, 50e6, 50.0)]),
            CellResult::from_samples(Workload::Clone, rc, &[op_sample(2.0, None)]),
            CellResult::from_samples(Workload::Clone, ours, &[op_sample(2.0, Some(3.0))]),
        ];
        Results::new(
            vec![rc, Contender::Dumpster, ours],
            cells.into_iter().flatten(),
            [
                ((Workload::Stack8M, rc), ProbeOutcome::Overflow),
                ((Workload::Stack8M, ours), ProbeOutcome::Ok),
                (
                    (Workload::Stack64K, ours),
                    ProbeOutcome::Failed("boom".into()),
                ),
            ],
        )
    }

    #[test]
    fn medians_and_ratios() {
        let r = results();
        let rc = r.get(Workload::Chain, Contender::Rc).unwrap();
        assert_eq!(rc.build_ms, Some(65.0));
        assert_eq!(rc.free_ms, Some(45.0));
        assert_eq!(rc.peak_rss_mib, 110.0);
        assert_eq!(rc.live_mib, Some(1.0));
        let clone = r.get(Workload::Clone, Contender::Pymem).unwrap();
        assert_eq!(clone.ns_per_op, 2.0);
        assert_eq!(clone.alt_ns_per_op, Some(3.0));
    }

    #[test]
    fn targets_compare_with_rc() {
        let checks = results().targets();
        let find = |what: &str| checks.iter().find(|c| c.what.starts_with(what)).unwrap();
        let build = find("build");
        assert_eq!(
            build.measured,
            Measured::Ratio {
                measured: Some(30.0 / 65.0),
                limit: 1.0
            }
        );
        assert_eq!(build.verdict(), "✓");
        assert_eq!(find("free").verdict(), "✗"); // 50 / 45
        assert_eq!(find("peak").verdict(), "✓"); // 50 / 110
        assert_eq!(find("clone_ref").verdict(), "✓"); // 2 / 2
        assert_eq!(find("Clone impl").verdict(), "✗"); // 3 / 2
        let stack8 = find("no overflow on an 8");
        assert_eq!(stack8.verdict(), "✓");
        assert_eq!(stack8.measured_text(), "ok (overflow: rc)");
        assert_eq!(find("no overflow on a 64").verdict(), "✗");
        let text = render_targets(&checks, false);
        assert!(text.contains("✓") && text.contains("✗"));
    }

    #[test]
    fn tables_show_every_contender() {
        let r = results();
        let chain = r.chain_table();
        assert!(chain.contains("overflow"));
        assert!(
            chain
                .lines()
                .any(|l| l.starts_with("dumpster") && l.contains("failed"))
        );
        let ops = r.ops_table();
        assert!(ops.contains("pymem (Clone)"));
        assert!(
            ops.lines()
                .any(|l| l.contains("dumpster") && l.contains("n/a") && l.contains("no weak"))
        );
        let json = r.json_lines(false);
        let alt = json.iter().find(|v| v["flavour"] == "Clone").unwrap();
        assert_eq!(alt["ratio_rc"], 1.5);
        assert!(
            ops.lines()
                .any(|l| l.contains("pymem (Clone)") && l.contains("1.50"))
        );
        assert!(json.iter().any(|v| v["outcome"] == "overflow"));
    }
}
