//! The parent's view of the `gc` suite: medians per cell, one table per workload, the JSON
//! lines and the target checks (pymem against CPython 3.11 and the Rust crates).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Contender, Role, SUITE, Sizes, Workload};
use crate::measure::MIB;
use crate::report::{Align, Table, num, ratio};
use crate::runner::{Sample, json_object, median};

/// Medians of one (workload, contender) over its runs.
#[derive(Clone, Debug, PartialEq)]
pub struct CellResult {
    /// Workload.
    pub workload: Workload,
    /// Contender name.
    pub contender: &'static str,
    /// Runs that succeeded.
    pub runs: usize,
    /// Objects the primary time covers.
    pub ops: u64,
    /// Median CPU ns of the primary timed section.
    pub cpu_ns: f64,
    /// Median wall ns of the primary timed section.
    pub wall_ns: f64,
    /// Median peak RSS (`VmHWM`) of the child, MiB.
    pub peak_rss_mib: f64,
    /// Median of every workload-specific number the samples carry (`build_cpu_ns`, ...).
    pub extra: BTreeMap<String, f64>,
}

impl CellResult {
    /// Medians of `samples`; `None` when there are none.
    pub fn from_samples(
        workload: Workload,
        contender: &'static str,
        samples: &[Sample],
    ) -> Option<CellResult> {
        let first = samples.first()?;
        let med = |f: &dyn Fn(&Sample) -> f64| median(samples.iter().map(f));
        let extra = first
            .extra
            .keys()
            .filter_map(|k| {
                let m = med(&|s: &Sample| s.extra.get(k).copied().unwrap_or(f64::NAN))?;
                m.is_finite().then(|| (k.clone(), m))
            })
            .collect();
        Some(CellResult {
            workload,
            contender,
            runs: samples.len(),
            ops: first.ops,
            cpu_ns: med(&|s| s.cpu_ns)?,
            wall_ns: med(&|s| s.wall_ns)?,
            peak_rss_mib: med(&|s| s.peak_rss_bytes as f64 / MIB)?,
            extra,
        })
    }

    /// CPU ns per object of the primary section.
    pub fn ns_per_object(&self) -> f64 {
        self.cpu_ns / self.ops.max(1) as f64
    }

    /// The median CPU ns of an extra timed section (`key` without the `_cpu_ns` suffix).
    pub fn extra_cpu_ns(&self, key: &str) -> Option<f64> {
        self.extra.get(&format!("{key}_cpu_ns")).copied()
    }
}

/// The unit a table prints times in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Ms,
    Us,
}

impl Unit {
    fn label(self) -> &'static str {
        match self {
            Unit::Ms => "ms",
            Unit::Us => "µs",
        }
    }

    fn of(self, ns: f64) -> f64 {
        match self {
            Unit::Ms => ns / 1e6,
            Unit::Us => ns / 1e3,
        }
    }
}

/// How a workload's table reads: the primary figure and the extra timed sections beside it.
struct Layout {
    primary: &'static str,
    unit: Unit,
    /// (header without unit, extra key without `_cpu_ns`, unit).
    extras: &'static [(&'static str, &'static str, Unit)],
}

fn layout(workload: Workload) -> Layout {
    match workload {
        Workload::Cycles => Layout {
            primary: "drop+collect",
            unit: Unit::Ms,
            extras: &[
                ("collect", "collect", Unit::Ms),
                ("build", "build", Unit::Ms),
            ],
        },
        Workload::Live => Layout {
            primary: "collect",
            unit: Unit::Ms,
            extras: &[
                ("after walk", "walk_collect", Unit::Ms),
                ("build", "build", Unit::Ms),
            ],
        },
        Workload::GcCollect => Layout {
            primary: "drop+collect",
            unit: Unit::Us,
            extras: &[("collect", "collect", Unit::Us)],
        },
        Workload::GcTraversal => Layout {
            primary: "collect",
            unit: Unit::Us,
            extras: &[
                ("first collect", "first_collect", Unit::Us),
                ("build", "build", Unit::Ms),
            ],
        },
        Workload::Young => Layout {
            primary: "gen-0 collect",
            unit: Unit::Us,
            extras: &[("full collect before", "promote", Unit::Ms)],
        },
    }
}

/// What the table's heading says about a workload, at `sizes`.
pub(super) fn describe_workload(workload: Workload, sizes: &Sizes) -> String {
    match workload {
        Workload::Cycles => format!(
            "cycles (a): {} rings × {} nodes, roots in a Vec; drop the Vec + one full collection \
             (every node checked freed)",
            sizes.cycles, sizes.ring_len
        ),
        Workload::Live => format!(
            "live (b): full collection over {} × {} live chain nodes (nothing to free); after \
             walk = the same after cloning + dropping a handle to every node (trial-deletion \
             candidates)",
            sizes.chains, sizes.chain_len
        ),
        Workload::GcCollect => format!(
            "gc_collect (c, pyperformance): {} rings × {} doubly linked nodes dropped + one \
             collection freeing them; median of {} repetitions per run",
            sizes.pyperf_cycles,
            sizes.pyperf_links + 1,
            sizes.reps
        ),
        Workload::GcTraversal => format!(
            "gc_traversal (c, pyperformance): {} nested lists ({} references), alive; one \
             collection after an untimed one, median of {} repetitions; first = the first \
             collection after the build",
            sizes.levels,
            sizes.traversal_refs(),
            sizes.reps
        ),
        Workload::Young => format!(
            "young (d): {} objects promoted to the oldest generation, then {} new containers + \
             one generation-0 collection; median of {} repetitions per run",
            sizes.live_nodes(),
            sizes.young_new,
            sizes.reps
        ),
    }
}

/// All results of one run of the suite.
#[derive(Clone, Default)]
pub struct Results {
    cells: BTreeMap<(Workload, &'static str), CellResult>,
    contenders: Vec<&'static dyn Contender>,
}

impl Results {
    /// Collects the cells of a run over `contenders` (the ones measured, in report order).
    pub fn new(
        contenders: Vec<&'static dyn Contender>,
        cells: impl IntoIterator<Item = CellResult>,
    ) -> Results {
        Results {
            cells: cells
                .into_iter()
                .map(|c| ((c.workload, c.contender), c))
                .collect(),
            contenders,
        }
    }

    /// The result of one cell.
    pub fn get(&self, workload: Workload, contender: &str) -> Option<&CellResult> {
        self.cells
            .iter()
            .find(|((w, k), _)| *w == workload && *k == contender)
            .map(|(_, c)| c)
    }

    /// The reference's (CPython's) cell on `workload`.
    fn reference(&self, workload: Workload) -> Option<&CellResult> {
        self.contenders
            .iter()
            .filter(|k| k.role() == Role::Reference)
            .find_map(|k| self.get(workload, k.name()))
    }

    /// `f(cell) / f(the reference's cell)` on the same workload.
    fn ratio_ref(&self, cell: &CellResult, f: impl Fn(&CellResult) -> f64) -> Option<f64> {
        let base = f(self.reference(cell.workload)?);
        (base > 0.0).then(|| f(cell) / base)
    }

    /// One JSON object per cell, and one per cell a contender does not run (`na`).
    pub fn json_lines(&self, quick: bool) -> Vec<Value> {
        let mut out = Vec::new();
        for workload in Workload::ALL {
            let l = layout(workload);
            for &k in &self.contenders {
                let mut pairs = vec![
                    ("suite", json!(SUITE)),
                    ("workload", json!(workload.name())),
                    ("contender", json!(k.name())),
                ];
                if let Err(why) = k.supports(workload) {
                    pairs.push(("na", json!(why)));
                    out.push(json_object(pairs));
                    continue;
                }
                let Some(c) = self.get(workload, k.name()) else {
                    continue;
                };
                pairs.extend([
                    ("measure", json!(l.primary)),
                    ("cpu_ms", json!(c.cpu_ns / 1e6)),
                    ("wall_ms", json!(c.wall_ns / 1e6)),
                    ("ns_per_object", json!(c.ns_per_object())),
                    ("ratio_cpython", json!(self.ratio_ref(c, |c| c.cpu_ns))),
                    ("peak_rss_mib", json!(c.peak_rss_mib)),
                    (
                        "peak_ratio_cpython",
                        json!(self.ratio_ref(c, |c| c.peak_rss_mib)),
                    ),
                    ("objects", json!(c.ops)),
                    ("runs", json!(c.runs)),
                    ("quick", json!(quick)),
                ]);
                let mut obj = json_object(pairs);
                if let Value::Object(map) = &mut obj {
                    for &(_, key, _) in l.extras {
                        map.insert(
                            format!("{key}_cpu_ms"),
                            json!(c.extra_cpu_ns(key).map(|ns| ns / 1e6)),
                        );
                        map.insert(
                            format!("{key}_wall_ms"),
                            json!(c.extra.get(&format!("{key}_wall_ns")).map(|ns| ns / 1e6)),
                        );
                    }
                }
                out.push(obj);
            }
        }
        out
    }

    /// The table of one workload: one row per contender.
    pub fn table(&self, workload: Workload) -> String {
        let l = layout(workload);
        let primary = format!("{} {}", l.primary, l.unit.label());
        let wall = format!("wall {}", l.unit.label());
        let extras: Vec<String> = l
            .extras
            .iter()
            .map(|(h, _, u)| format!("{h} {}", u.label()))
            .collect();
        let mut headers: Vec<(&str, Align)> = vec![
            ("contender", Align::Left),
            (&primary, Align::Right),
            ("×cpython", Align::Right),
            (&wall, Align::Right),
            ("ns/object", Align::Right),
        ];
        headers.extend(extras.iter().map(|h| (h.as_str(), Align::Right)));
        headers.extend([
            ("peak MiB", Align::Right),
            ("×cpython", Align::Right),
            ("", Align::Left),
        ]);
        let width = headers.len();
        let mut t = Table::new(&headers);
        for &k in &self.contenders {
            let note_row = |text: &str, note: &str| {
                let mut row = vec![k.name().to_owned(), text.to_owned()];
                row.resize(width - 1, String::new());
                row.push(note.to_owned());
                row
            };
            if let Err(why) = k.supports(workload) {
                t.row(note_row("n/a", why));
                continue;
            }
            let Some(c) = self.get(workload, k.name()) else {
                t.row(note_row("failed", ""));
                continue;
            };
            let mut row = vec![
                k.name().to_owned(),
                num(l.unit.of(c.cpu_ns)),
                ratio(self.ratio_ref(c, |c| c.cpu_ns)),
                num(l.unit.of(c.wall_ns)),
                num(c.ns_per_object()),
            ];
            row.extend(l.extras.iter().map(|&(_, key, unit)| {
                c.extra_cpu_ns(key)
                    .map_or_else(|| "-".to_owned(), |ns| num(unit.of(ns)))
            }));
            row.push(format!("{:.1}", c.peak_rss_mib));
            row.push(ratio(self.ratio_ref(c, |c| c.peak_rss_mib)));
            t.row(row);
        }
        t.render()
    }

    /// The notes under the tables: what each row is.
    pub fn notes(&self, extra_notes: &[String]) -> String {
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
        for note in extra_notes {
            out.push_str(&format!("  {note}\n"));
        }
        if !self.contenders.iter().any(|k| k.role() == Role::Ours) {
            out.push_str("  pymem: no contender yet (it joins when the cycle collector lands)\n");
        }
        out
    }

    /// The fastest Rust crate on `workload` (name, CPU ns).
    fn best_peer(&self, workload: Workload) -> Option<(&'static str, f64)> {
        self.contenders
            .iter()
            .filter(|k| k.role() == Role::Peer)
            .filter_map(|k| self.get(workload, k.name()).map(|c| (k.name(), c.cpu_ns)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The target checks of the issue; pending (with CPython's figure) while no pymem
    /// contender is measured.
    pub fn targets(&self, sizes: &Sizes) -> Vec<TargetCheck> {
        let ours: Vec<&'static str> = self
            .contenders
            .iter()
            .filter(|k| k.role() == Role::Ours)
            .map(|k| k.name())
            .collect();
        let reference = |w: Workload| self.reference(w);
        let ms = |ns: f64| format!("{} ms", num(ns / 1e6));
        let us = |ns: f64| format!("{} µs", num(ns / 1e3));
        let mut specs: Vec<(Workload, String, Goal)> = vec![
            (
                Workload::Cycles,
                "drop+collect ≤ 0.25× cpython, ahead of every Rust crate".to_owned(),
                Goal::RatioAndPeers(0.25),
            ),
            (
                Workload::Live,
                "collect ≤ 0.35× cpython".to_owned(),
                Goal::Ratio(0.35),
            ),
            (
                Workload::Young,
                format!(
                    "gen-0 collect < 1 ms with {} objects in gen 2",
                    sizes.live_nodes()
                ),
                Goal::Under(1e6),
            ),
        ];
        for w in [Workload::Cycles, Workload::Live, Workload::Young] {
            specs.push((w, "peak RSS ≤ cpython's".to_owned(), Goal::Peak));
        }
        let mut checks = Vec::new();
        for (workload, what, goal) in specs {
            let fmt_time = |ns: f64| {
                if workload == Workload::Young {
                    us(ns)
                } else {
                    ms(ns)
                }
            };
            let best = self.best_peer(workload);
            let reference_text = match (reference(workload), goal) {
                (None, _) => "no cpython figure".to_owned(),
                (Some(r), Goal::Peak) => format!("cpython {:.1} MiB", r.peak_rss_mib),
                (Some(r), Goal::RatioAndPeers(limit)) => {
                    let mut s = format!(
                        "cpython {} (target ≤ {})",
                        fmt_time(r.cpu_ns),
                        fmt_time(r.cpu_ns * limit)
                    );
                    if let Some((name, ns)) = best {
                        s.push_str(&format!("; fastest Rust crate {name} {}", fmt_time(ns)));
                    }
                    s
                }
                (Some(r), Goal::Ratio(limit)) => format!(
                    "cpython {} (target ≤ {})",
                    fmt_time(r.cpu_ns),
                    fmt_time(r.cpu_ns * limit)
                ),
                (Some(r), Goal::Under(_)) => format!("cpython {}", fmt_time(r.cpu_ns)),
            };
            if ours.is_empty() {
                checks.push(TargetCheck {
                    workload,
                    contender: None,
                    what,
                    status: TargetStatus::Pending,
                    detail: reference_text,
                });
                continue;
            }
            for &name in &ours {
                let Some(c) = self.get(workload, name) else {
                    checks.push(TargetCheck {
                        workload,
                        contender: Some(name),
                        what: what.clone(),
                        status: TargetStatus::NotMeasured,
                        detail: reference_text.clone(),
                    });
                    continue;
                };
                let (met, measured) = match goal {
                    Goal::Peak => {
                        let r = self.ratio_ref(c, |c| c.peak_rss_mib);
                        (
                            r.map(|r| r <= 1.0),
                            format!("{:.1} MiB ({}×)", c.peak_rss_mib, ratio(r)),
                        )
                    }
                    Goal::Ratio(limit) => {
                        let r = self.ratio_ref(c, |c| c.cpu_ns);
                        (
                            r.map(|r| r <= limit),
                            format!("{} ({}×)", fmt_time(c.cpu_ns), ratio(r)),
                        )
                    }
                    Goal::RatioAndPeers(limit) => {
                        let r = self.ratio_ref(c, |c| c.cpu_ns);
                        let ahead = best.is_none_or(|(_, ns)| c.cpu_ns < ns);
                        (
                            r.map(|r| r <= limit && ahead),
                            format!(
                                "{} ({}×{})",
                                fmt_time(c.cpu_ns),
                                ratio(r),
                                if ahead {
                                    ""
                                } else {
                                    "; a Rust crate is faster"
                                }
                            ),
                        )
                    }
                    Goal::Under(limit_ns) => {
                        (Some(c.cpu_ns < limit_ns), fmt_time(c.cpu_ns).to_string())
                    }
                };
                checks.push(TargetCheck {
                    workload,
                    contender: Some(name),
                    what: what.clone(),
                    status: match met {
                        Some(ok) => TargetStatus::Checked { met: ok, measured },
                        None => TargetStatus::NotMeasured,
                    },
                    detail: reference_text.clone(),
                });
            }
        }
        checks
    }
}

/// The kind of a target.
#[derive(Clone, Copy, Debug)]
enum Goal {
    /// CPU time ≤ limit × CPython's.
    Ratio(f64),
    /// CPU time ≤ limit × CPython's, and below every Rust crate's.
    RatioAndPeers(f64),
    /// CPU time under this many ns.
    Under(f64),
    /// Peak RSS ≤ CPython's.
    Peak,
}

/// Where a target stands.
#[derive(Clone, Debug, PartialEq)]
pub enum TargetStatus {
    /// No pymem contender was measured (it does not exist yet, or `--only` left it out).
    Pending,
    /// pymem was measured on the workload, but a side of the comparison is missing.
    NotMeasured,
    /// Checked.
    Checked {
        /// Whether the target was met.
        met: bool,
        /// pymem's figure, as printed.
        measured: String,
    },
}

/// One target check.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetCheck {
    /// Workload.
    pub workload: Workload,
    /// Contender (ours), `None` while pending.
    pub contender: Option<&'static str>,
    /// What is checked.
    pub what: String,
    /// Where it stands.
    pub status: TargetStatus,
    /// The reference figures (CPython's, the fastest Rust crate's).
    pub detail: String,
}

impl TargetCheck {
    /// `✓`, `✗`, `n/a` or `pending`.
    pub fn verdict(&self) -> &'static str {
        match &self.status {
            TargetStatus::Pending => "pending",
            TargetStatus::NotMeasured => "n/a",
            TargetStatus::Checked { met: true, .. } => "✓",
            TargetStatus::Checked { met: false, .. } => "✗",
        }
    }

    /// What was measured, as printed.
    pub fn measured_text(&self) -> String {
        match &self.status {
            TargetStatus::Pending => "no pymem contender yet".to_owned(),
            TargetStatus::NotMeasured => "-".to_owned(),
            TargetStatus::Checked { measured, .. } => measured.clone(),
        }
    }
}

/// Renders the "targets" section.
pub fn render_targets(checks: &[TargetCheck], quick: bool) -> String {
    let mut out = String::from("targets (informative; medians of this run");
    out.push_str(if quick {
        "; --quick sizes, not representative)\n"
    } else {
        ")\n"
    });
    let mut t = Table::new(&[
        ("  workload", Align::Left),
        ("contender", Align::Left),
        ("target", Align::Left),
        ("", Align::Left),
        ("measured", Align::Left),
        ("reference", Align::Left),
    ]);
    for c in checks {
        t.row(vec![
            format!("  {}", c.workload),
            c.contender.unwrap_or("pymem").to_owned(),
            c.what.clone(),
            c.verdict().to_owned(),
            c.measured_text(),
            c.detail.clone(),
        ]);
    }
    out.push_str(&t.render());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suites::gc::contender;

    fn sample(cpu_ns: f64, peak_mib: f64, extra: &[(&str, f64)]) -> Sample {
        let mut s = Sample {
            cpu_ns,
            wall_ns: cpu_ns * 1.5,
            ops: 1000,
            peak_rss_bytes: (peak_mib * MIB) as u64,
            ..Sample::default()
        };
        for &(k, v) in extra {
            s.extra.insert(k.into(), v);
        }
        s
    }

    fn results() -> Results {
        let names = ["cpython", "bacon", "dumpster", "rust-cc"];
        let contenders = names.iter().map(|n| contender(n).unwrap()).collect();
        let cell = |w, k, samples: &[Sample]| CellResult::from_samples(w, k, samples);
        let cells = [
            cell(
                Workload::Cycles,
                "cpython",
                &[
                    sample(100e6, 60.0, &[("collect_cpu_ns", 90e6)]),
                    sample(140e6, 80.0, &[("collect_cpu_ns", 130e6)]),
                ],
            ),
            cell(Workload::Cycles, "bacon", &[sample(60e6, 90.0, &[])]),
            cell(Workload::Cycles, "rust-cc", &[sample(80e6, 50.0, &[])]),
            cell(Workload::Young, "cpython", &[sample(8e3, 70.0, &[])]),
        ];
        Results::new(contenders, cells.into_iter().flatten())
    }

    #[test]
    fn medians_and_ratios() {
        let r = results();
        let py = r.get(Workload::Cycles, "cpython").unwrap();
        assert_eq!(py.cpu_ns, 120e6);
        assert_eq!(py.peak_rss_mib, 70.0);
        assert_eq!(py.extra_cpu_ns("collect"), Some(110e6));
        let bacon = r.get(Workload::Cycles, "bacon").unwrap();
        assert_eq!(r.ratio_ref(bacon, |c| c.cpu_ns), Some(0.5));
        assert_eq!(r.best_peer(Workload::Cycles), Some(("bacon", 60e6)));
    }

    #[test]
    fn tables_show_na_and_failures() {
        let r = results();
        let cycles = r.table(Workload::Cycles);
        assert!(
            cycles
                .lines()
                .any(|l| l.starts_with("bacon") && l.contains("0.50"))
        );
        assert!(
            cycles
                .lines()
                .any(|l| l.starts_with("dumpster") && l.contains("failed"))
        );
        let young = r.table(Workload::Young);
        assert!(
            young
                .lines()
                .any(|l| l.starts_with("bacon") && l.contains("n/a") && l.contains("generations"))
        );
        let json = r.json_lines(false);
        assert!(json.iter().any(|v| v["na"] == "no generations"));
        let bacon = json
            .iter()
            .find(|v| v["workload"] == "cycles" && v["contender"] == "bacon")
            .unwrap();
        assert_eq!(bacon["ratio_cpython"], 0.5);
    }

    #[test]
    fn targets_are_pending_without_pymem() {
        let checks = results().targets(&Sizes::FULL);
        assert_eq!(checks.len(), 6);
        assert!(checks.iter().all(|c| c.verdict() == "pending"));
        let cycles = &checks[0];
        assert!(
            cycles.detail.contains("cpython 120 ms"),
            "{}",
            cycles.detail
        );
        assert!(cycles.detail.contains("≤ 30.0 ms"), "{}", cycles.detail);
        assert!(cycles.detail.contains("bacon 60.0 ms"), "{}", cycles.detail);
        let young = checks.iter().find(|c| c.what.starts_with("gen-0")).unwrap();
        assert!(young.detail.contains("8.00 µs"), "{}", young.detail);
        let text = render_targets(&checks, false);
        assert!(text.contains("no pymem contender yet"));
    }
}
