//! The `alloc` suite: small-object allocators side by side (see `shared/design/allocators.md`).
//!
//! Workloads (an "op" is one allocation plus its matching free):
//! - **w1** churn: allocate and free one 32-byte block in a loop (the LIFO fast path).
//! - **w2** batch: 1,000,000 seeded random sizes in 8..=512 (the same for every contender), all
//!   allocated, then freed in a random order; 5 rounds.
//! - **w3** trees: build complete binary trees of 32-byte nodes (two child pointers each) of
//!   depth 20 (2^21 − 1 nodes) recursively, each node allocated before its children (pre-order),
//!   and free them children first (post-order, as dropping a `Box` tree does); 5 trees, one
//!   after the other; per node. The two orders differ, so a LIFO free list hands the next tree
//!   its nodes in a scrambled order (design notes §1), which pool/page-sharded lists avoid.
//! - **w4** RSS: 2,000,000 blocks of 64 bytes; RSS above the baseline with everything live, then
//!   after freeing the oldest 90% (the first 1,800,000 allocated); time is per alloc+free.
//! - **w5** two threads, each running w2 at the same time; per-thread CPU time per op. Each
//!   thread builds its own contender (its own `Obmalloc` instance); pymalloc is skipped (GIL).
//!
//! Every block is written once after allocation (its first byte; tree nodes get their links), so
//! pages are really faulted in. Thread CPU time is the primary metric; wall time is beside it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::hint::black_box;
use std::str::FromStr;
use std::sync::Barrier;
use std::thread;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};

use crate::cli::{ChildArgs, SuiteArgs};
use crate::contenders::pymalloc::find_libpython;
use crate::contenders::{
    Block, ContenderKind, ContenderOptions, Heap, HeapTask, Node, RawAlloc, run_task,
};
use crate::measure::{Elapsed, MIB, Timer, peak_rss_bytes, rss_bytes};
use crate::report::{Align, Table, num, ratio};
use crate::rng::SplitMix64;
use crate::runner::{ChildSpec, Sample, json_object, median, run_child};

/// The suite's name on the command line and in the JSON output.
pub const SUITE: &str = "alloc";

/// Seed of the w2/w5 size sequence and free orders (the same for every contender).
pub const SEED: u64 = 0x5EED_0FA1_10C5;

/// The workloads of this suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Workload {
    /// Churn: alloc+free of one 32-byte block in a loop.
    W1,
    /// Batch: random sizes 8..=512, all allocated then freed in random order.
    W2,
    /// Complete binary trees of 32-byte nodes.
    W3,
    /// RSS with 64-byte blocks live, and after freeing the oldest 90%.
    W4,
    /// Two threads each running w2.
    W5,
}

impl Workload {
    /// All workloads, in report order.
    pub const ALL: [Workload; 5] = [
        Workload::W1,
        Workload::W2,
        Workload::W3,
        Workload::W4,
        Workload::W5,
    ];

    /// Name in reports: `w1`…`w5`.
    pub fn name(self) -> &'static str {
        match self {
            Workload::W1 => "w1",
            Workload::W2 => "w2",
            Workload::W3 => "w3",
            Workload::W4 => "w4",
            Workload::W5 => "w5",
        }
    }

    /// Whether `kind` can run this workload (pymalloc cannot run on two threads).
    pub fn supports(self, kind: ContenderKind) -> bool {
        self != Workload::W5 || kind.thread_safe()
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
        Workload::ALL
            .into_iter()
            .find(|w| w.name() == s)
            .with_context(|| format!("unknown workload `{s}` (known: w1, w2, w3, w4, w5)"))
    }
}

/// Workload sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// w1 loop iterations.
    pub w1_iters: u64,
    /// w1 block size.
    pub w1_block: usize,
    /// w2 (and w5) blocks per round.
    pub w2_blocks: usize,
    /// w2 rounds.
    pub w2_rounds: usize,
    /// w2 smallest size.
    pub w2_min: usize,
    /// w2 largest size.
    pub w2_max: usize,
    /// w3 tree depth (a tree has 2^(depth+1) − 1 nodes).
    pub w3_depth: u32,
    /// w3 trees built and freed.
    pub w3_trees: usize,
    /// w4 blocks.
    pub w4_blocks: usize,
    /// w4 block size.
    pub w4_block: usize,
    /// w4: percentage of the blocks (the oldest) freed before the second RSS reading.
    pub w4_freed_percent: usize,
}

impl Sizes {
    /// The full sizes of the issue and the design document.
    pub const FULL: Sizes = Sizes {
        w1_iters: 20_000_000,
        w1_block: 32,
        w2_blocks: 1_000_000,
        w2_rounds: 5,
        w2_min: 8,
        w2_max: 512,
        w3_depth: 20,
        w3_trees: 5,
        w4_blocks: 2_000_000,
        w4_block: 64,
        w4_freed_percent: 90,
    };

    /// `--quick`: a smoke run, seconds for the whole suite.
    pub const QUICK: Sizes = Sizes {
        w1_iters: 300_000,
        w2_blocks: 30_000,
        w2_rounds: 2,
        w3_depth: 12,
        w3_trees: 2,
        w4_blocks: 100_000,
        ..Sizes::FULL
    };

    /// [`Sizes::QUICK`] or [`Sizes::FULL`].
    pub fn new(quick: bool) -> Sizes {
        if quick { Sizes::QUICK } else { Sizes::FULL }
    }

    /// Memory to pre-fault before a child runs `workload`: twice its peak footprint (at least
    /// 32 MiB), so that pages the kernel hands out later in the run (huge pages after arena
    /// churn, say) are warm too.
    pub fn prewarm_bytes(&self, workload: Workload) -> usize {
        let w2 = self.w2_blocks * (self.w2_min + self.w2_max) / 2 * 5 / 4;
        let bytes = match workload {
            Workload::W1 => 0,
            Workload::W2 => w2,
            Workload::W3 => (self.w3_nodes() as usize) * 48,
            Workload::W4 => self.w4_blocks * self.w4_block * 3 / 2,
            Workload::W5 => 2 * w2,
        };
        (2 * bytes).max(32 << 20)
    }

    /// Nodes in one w3 tree.
    pub fn w3_nodes(&self) -> u64 {
        (1u64 << (self.w3_depth + 1)) - 1
    }

    /// The w2 size sequence (same seed, hence same sizes, for every contender and thread).
    pub fn w2_sizes(&self) -> Vec<u16> {
        let mut rng = SplitMix64::new(SEED);
        (0..self.w2_blocks)
            .map(|_| rng.range_inclusive(self.w2_min as u64, self.w2_max as u64) as u16)
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Child side: the workloads.

fn sample(elapsed: Elapsed, ops: u64) -> Sample {
    let mut s = Sample {
        cpu_ns: elapsed.cpu_ns as f64,
        wall_ns: elapsed.wall_ns as f64,
        ops,
        ..Sample::default()
    };
    s.extra
        .insert("minor_faults".into(), elapsed.minor_faults as f64);
    s
}

/// w1: alloc+free of one block in a loop.
#[derive(Clone, Copy, Debug)]
pub struct W1 {
    /// Timed iterations.
    pub iters: u64,
    /// Block size.
    pub block: usize,
}

impl HeapTask for W1 {
    type Output = Sample;

    fn run<A: RawAlloc>(self, heap: &mut Heap<'_, A>) -> Sample {
        let churn = |heap: &mut Heap<'_, A>, iters: u64| {
            for _ in 0..iters {
                let mut b = heap.alloc(self.block);
                b.touch();
                heap.free(black_box(b));
            }
        };
        churn(heap, (self.iters / 100).max(1000)); // warm-up: first-touch and lazy init
        let t = Timer::start();
        churn(heap, self.iters);
        sample(t.stop(), self.iters)
    }
}

/// w2: the sizes allocated, then freed in a random order, for some rounds.
#[derive(Clone, Copy, Debug)]
pub struct W2<'a> {
    /// The sizes, allocated in this order each round.
    pub sizes: &'a [u16],
    /// Rounds.
    pub rounds: usize,
    /// Seed of the free orders.
    pub seed: u64,
    /// w5: wait here (after setting up) so both threads start together.
    pub barrier: Option<&'a Barrier>,
}

impl HeapTask for W2<'_> {
    type Output = Sample;

    fn run<A: RawAlloc>(self, heap: &mut Heap<'_, A>) -> Sample {
        let mut blocks = Vec::with_capacity(self.sizes.len());
        let mut rng = SplitMix64::new(self.seed ^ 0xF4EE);
        if let Some(barrier) = self.barrier {
            barrier.wait();
        }
        let mut total = Elapsed::default();
        for _ in 0..self.rounds {
            let t = Timer::start();
            for &size in self.sizes {
                let mut b = heap.alloc(usize::from(size));
                b.touch();
                blocks.push(b);
            }
            total += t.stop();
            rng.shuffle(&mut blocks); // untimed
            let t = Timer::start();
            for b in blocks.drain(..) {
                heap.free(b);
            }
            total += t.stop();
        }
        sample(total, (self.sizes.len() * self.rounds) as u64)
    }
}

/// w3: complete binary trees, built top-down (pre-order) and freed children first.
#[derive(Clone, Copy, Debug)]
pub struct W3 {
    /// Tree depth (root at depth 0).
    pub depth: u32,
    /// Trees built and freed, one after the other.
    pub trees: usize,
    /// Nodes per tree.
    pub nodes: u64,
}

/// Builds a tree top-down: each node is allocated before its children (pre-order), as C code
/// that links children into a fresh parent does.
fn build_tree<'id, A: RawAlloc>(heap: &mut Heap<'id, A>, depth: u32) -> Node<'id> {
    let slot = heap.alloc_node_slot();
    if depth == 0 {
        slot.fill(None, None)
    } else {
        let left = build_tree(heap, depth - 1);
        let right = build_tree(heap, depth - 1);
        slot.fill(Some(left), Some(right))
    }
}

/// Frees a tree children first (post-order, as dropping a `Box` tree does).
fn free_tree<'id, A: RawAlloc>(heap: &mut Heap<'id, A>, node: Node<'id>) {
    let (left, right, block) = heap.split_node(node);
    if let Some(left) = left {
        free_tree(heap, left);
    }
    if let Some(right) = right {
        free_tree(heap, right);
    }
    heap.free(block);
}

impl HeapTask for W3 {
    type Output = Sample;

    fn run<A: RawAlloc>(self, heap: &mut Heap<'_, A>) -> Sample {
        let mut total = Elapsed::default();
        for _ in 0..self.trees {
            let t = Timer::start();
            let root = build_tree(heap, self.depth);
            free_tree(heap, black_box(root));
            total += t.stop();
        }
        sample(total, self.nodes * self.trees as u64)
    }
}

/// w4: RSS with all blocks live, and after freeing the oldest ones.
#[derive(Clone, Copy, Debug)]
pub struct W4 {
    /// Blocks.
    pub blocks: usize,
    /// Block size.
    pub block: usize,
    /// Percentage (the oldest) freed before the second reading.
    pub freed_percent: usize,
}

/// Frees every block in `slots` (timed).
fn free_slots<'id, A: RawAlloc>(
    heap: &mut Heap<'id, A>,
    slots: &mut [Option<Block<'id>>],
) -> Elapsed {
    let t = Timer::start();
    for slot in slots {
        if let Some(b) = slot.take() {
            heap.free(b);
        }
    }
    t.stop()
}

impl HeapTask for W4 {
    type Output = Result<Sample>;

    fn run<A: RawAlloc>(self, heap: &mut Heap<'_, A>) -> Result<Sample> {
        // The slot vector is written (faulted in) before the baseline, so it does not count.
        let mut slots: Vec<Option<_>> = (0..self.blocks).map(|_| None).collect();
        black_box(&mut slots);
        let baseline = rss_bytes()?;

        let t = Timer::start();
        for slot in &mut slots {
            let mut b = heap.alloc(self.block);
            b.touch();
            *slot = Some(b);
        }
        let mut total = t.stop();
        let full = rss_bytes()?.saturating_sub(baseline);

        let freed = self.blocks * self.freed_percent / 100;
        total += free_slots(heap, &mut slots[..freed]);
        let after = rss_bytes()?.saturating_sub(baseline);
        total += free_slots(heap, &mut slots[freed..]);

        let mut s = sample(total, self.blocks as u64);
        s.extra.insert("rss_full_bytes".into(), full as f64);
        s.extra.insert("rss_after_bytes".into(), after as f64);
        s.extra
            .insert("live_bytes".into(), (self.blocks * self.block) as f64);
        Ok(s)
    }
}

/// w5: two threads, each with its own contender instance, running w2 at the same time.
fn w5(kind: ContenderKind, opts: &ContenderOptions, sizes: &Sizes) -> Result<Sample> {
    if !kind.thread_safe() {
        bail!("{kind} cannot be used from two threads; w5 skips it");
    }
    let seq = sizes.w2_sizes();
    let barrier = Barrier::new(2);
    let task = W2 {
        sizes: &seq,
        rounds: sizes.w2_rounds,
        seed: SEED,
        barrier: Some(&barrier),
    };
    let per_thread: Vec<Sample> = thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| s.spawn(|| run_task(kind, opts, task)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| anyhow!("a w5 thread panicked"))?)
            .collect::<Result<_>>()
    })?;
    let n = per_thread.len() as f64;
    let mut out = Sample {
        cpu_ns: per_thread.iter().map(|s| s.cpu_ns).sum::<f64>() / n,
        wall_ns: per_thread.iter().map(|s| s.wall_ns).fold(0.0, f64::max),
        ops: per_thread[0].ops,
        ..Sample::default()
    };
    for (i, s) in per_thread.iter().enumerate() {
        out.extra.insert(format!("thread{i}_cpu_ns"), s.cpu_ns);
    }
    let faults = per_thread
        .iter()
        .filter_map(|s| s.extra.get("minor_faults"))
        .sum::<f64>();
    out.extra.insert("minor_faults".into(), faults);
    Ok(out)
}

/// Child entry point: runs one workload on one contender in this process.
pub fn child(args: &ChildArgs) -> Result<Sample> {
    let kind: ContenderKind = args.contender.parse()?;
    let workload: Workload = args.workload.parse()?;
    let sizes = Sizes::new(args.quick);
    let opts = ContenderOptions {
        libpython: args.libpython.clone(),
    };
    let mut s = match workload {
        Workload::W1 => run_task(
            kind,
            &opts,
            W1 {
                iters: sizes.w1_iters,
                block: sizes.w1_block,
            },
        )?,
        Workload::W2 => {
            let seq = sizes.w2_sizes();
            run_task(
                kind,
                &opts,
                W2 {
                    sizes: &seq,
                    rounds: sizes.w2_rounds,
                    seed: SEED,
                    barrier: None,
                },
            )?
        }
        Workload::W3 => run_task(
            kind,
            &opts,
            W3 {
                depth: sizes.w3_depth,
                trees: sizes.w3_trees,
                nodes: sizes.w3_nodes(),
            },
        )?,
        Workload::W4 => run_task(
            kind,
            &opts,
            W4 {
                blocks: sizes.w4_blocks,
                block: sizes.w4_block,
                freed_percent: sizes.w4_freed_percent,
            },
        )??,
        Workload::W5 => w5(kind, &opts, &sizes)?,
    };
    s.peak_rss_bytes = peak_rss_bytes()?;
    Ok(s)
}

// ---------------------------------------------------------------------------------------------
// Parent side: orchestration, medians, report.

/// Medians of one (workload, contender) over its runs.
#[derive(Clone, Debug, PartialEq)]
pub struct CellResult {
    /// Workload.
    pub workload: Workload,
    /// Contender.
    pub contender: ContenderKind,
    /// Runs that succeeded.
    pub runs: usize,
    /// Ops per run (per thread).
    pub ops: u64,
    /// Median thread-CPU ns per op.
    pub ns_per_op: f64,
    /// Median wall ns per op.
    pub wall_ns_per_op: f64,
    /// Median thread-CPU ms of the timed sections.
    pub cpu_ms: f64,
    /// Median wall ms of the timed sections.
    pub wall_ms: f64,
    /// Median peak RSS (VmHWM) of the child, MiB.
    pub peak_rss_mib: f64,
    /// Median minor page faults per run in the timed sections (w5: both threads).
    pub minor_faults: f64,
    /// w4: median RSS above baseline with everything live, MiB.
    pub rss_full_mib: Option<f64>,
    /// w4: median RSS above baseline after freeing the oldest 90%, MiB.
    pub rss_after_mib: Option<f64>,
    /// w4: live bytes, MiB.
    pub live_mib: Option<f64>,
}

impl CellResult {
    /// Medians of `samples` (which must not be empty).
    pub fn from_samples(
        workload: Workload,
        contender: ContenderKind,
        samples: &[Sample],
    ) -> Option<CellResult> {
        let med = |f: &dyn Fn(&Sample) -> f64| median(samples.iter().map(f));
        let extra =
            |key: &'static str| med(&|s: &Sample| s.extra.get(key).copied().unwrap_or(f64::NAN));
        let mib = |v: Option<f64>| v.filter(|v| v.is_finite()).map(|v| v / MIB);
        Some(CellResult {
            workload,
            contender,
            runs: samples.len(),
            ops: samples.first()?.ops,
            ns_per_op: med(&Sample::ns_per_op)?,
            wall_ns_per_op: med(&Sample::wall_ns_per_op)?,
            cpu_ms: med(&|s| s.cpu_ns / 1e6)?,
            wall_ms: med(&|s| s.wall_ns / 1e6)?,
            peak_rss_mib: med(&|s| s.peak_rss_bytes as f64 / MIB)?,
            minor_faults: extra("minor_faults")
                .filter(|f| f.is_finite())
                .unwrap_or(0.0),
            rss_full_mib: mib(extra("rss_full_bytes")),
            rss_after_mib: mib(extra("rss_after_bytes")),
            live_mib: mib(extra("live_bytes")),
        })
    }
}

/// All cell results of one run of the suite.
#[derive(Clone, Debug, Default)]
pub struct Results {
    cells: BTreeMap<(Workload, ContenderKind), CellResult>,
}

impl Results {
    /// Collects cell results.
    pub fn new(cells: impl IntoIterator<Item = CellResult>) -> Results {
        Results {
            cells: cells
                .into_iter()
                .map(|c| ((c.workload, c.contender), c))
                .collect(),
        }
    }

    /// The result of one cell.
    pub fn get(&self, workload: Workload, contender: ContenderKind) -> Option<&CellResult> {
        self.cells.get(&(workload, contender))
    }

    /// Cells in report order (by workload, then contender).
    pub fn iter(&self) -> impl Iterator<Item = &CellResult> {
        self.cells.values()
    }

    /// CPU time per op of `cell` relative to `other`'s on the same workload.
    pub fn ratio(&self, cell: &CellResult, other: ContenderKind) -> Option<f64> {
        let base = self.get(cell.workload, other)?;
        (base.ns_per_op > 0.0).then(|| cell.ns_per_op / base.ns_per_op)
    }

    /// One JSON object per cell.
    pub fn json_lines(&self, quick: bool) -> Vec<Value> {
        self.iter()
            .map(|c| {
                let mut pairs = vec![
                    ("suite", json!(SUITE)),
                    ("contender", json!(c.contender.name())),
                    ("workload", json!(c.workload.name())),
                    ("ns_per_op", json!(c.ns_per_op)),
                    ("wall_ns_per_op", json!(c.wall_ns_per_op)),
                    ("cpu_ms", json!(c.cpu_ms)),
                    ("wall_ms", json!(c.wall_ms)),
                    ("ops", json!(c.ops)),
                    ("runs", json!(c.runs)),
                    ("quick", json!(quick)),
                    ("peak_rss_mib", json!(c.peak_rss_mib)),
                    ("minor_faults", json!(c.minor_faults)),
                    ("ratio_glibc", json!(self.ratio(c, ContenderKind::Glibc))),
                    (
                        "ratio_pymalloc",
                        json!(self.ratio(c, ContenderKind::Pymalloc)),
                    ),
                ];
                if let (Some(full), Some(after), Some(live)) =
                    (c.rss_full_mib, c.rss_after_mib, c.live_mib)
                {
                    pairs.push(("rss_full_mib", json!(full)));
                    pairs.push(("rss_after_mib", json!(after)));
                    pairs.push(("live_mib", json!(live)));
                    pairs.push(("rss_full_per_live", json!(full / live)));
                }
                json_object(pairs)
            })
            .collect()
    }

    /// The table: one row per (workload, contender).
    pub fn table(&self) -> String {
        let mut t = Table::new(&[
            ("workload", Align::Left),
            ("contender", Align::Left),
            ("ns/op", Align::Right),
            ("×glibc", Align::Right),
            ("×pymalloc", Align::Right),
            ("wall ns/op", Align::Right),
            ("peak MiB", Align::Right),
            ("faults", Align::Right),
            ("w4 RSS MiB full / after", Align::Right),
            ("full/live", Align::Right),
        ]);
        let mut last = None;
        for c in self.iter() {
            if last.is_some_and(|w| w != c.workload) {
                t.separator();
            }
            last = Some(c.workload);
            let (rss, per_live) = match (c.rss_full_mib, c.rss_after_mib, c.live_mib) {
                (Some(full), Some(after), Some(live)) => (
                    format!("{full:.1} / {after:.1}"),
                    format!("{:.3}", full / live),
                ),
                _ => (String::new(), String::new()),
            };
            t.row(vec![
                c.workload.name().to_owned(),
                c.contender.name().to_owned(),
                num(c.ns_per_op),
                ratio(self.ratio(c, ContenderKind::Glibc)),
                ratio(self.ratio(c, ContenderKind::Pymalloc)),
                num(c.wall_ns_per_op),
                format!("{:.1}", c.peak_rss_mib),
                faults(c.minor_faults),
                rss,
                per_live,
            ]);
        }
        t.render()
    }

    /// The target checks for our contenders (see the issue); informative only.
    pub fn targets(&self) -> Vec<TargetCheck> {
        use ContenderKind::{Glibc, Obmalloc, ObmallocCached, ObmallocGlobal, Pymalloc};
        use Workload::{W1, W2, W3, W4, W5};
        let mut checks = Vec::new();
        for ours in [Obmalloc, ObmallocGlobal, ObmallocCached] {
            if self.cells.keys().all(|&(_, k)| k != ours) {
                continue;
            }
            let ratio_to = |w, other| self.get(w, ours).and_then(|c| self.ratio(c, other));
            let mut check = |workload, what: &str, measured: Option<f64>, limit| {
                checks.push(TargetCheck {
                    workload,
                    contender: ours,
                    what: what.to_owned(),
                    measured,
                    limit,
                });
            };
            check(W1, "ns/op ≤ 0.35× glibc", ratio_to(W1, Glibc), 0.35);
            check(W1, "ns/op ≤ 0.60× pymalloc", ratio_to(W1, Pymalloc), 0.60);
            check(W2, "ns/op ≤ 0.15× glibc", ratio_to(W2, Glibc), 0.15);
            check(W3, "ns/op ≤ 0.15× glibc", ratio_to(W3, Glibc), 0.15);
            let w4 = self.get(W4, ours);
            let full_per_live = w4.and_then(|c| Some(c.rss_full_mib? / c.live_mib?));
            check(W4, "RSS live ≤ 1.01× live bytes", full_per_live, 1.01);
            let after_vs_py = w4
                .and_then(|c| c.rss_after_mib)
                .zip(self.get(W4, Pymalloc).and_then(|c| c.rss_after_mib))
                .and_then(|(ours, py)| (py > 0.0).then(|| ours / py));
            check(
                W4,
                "RSS after freeing oldest 90% ≤ 1.5× pymalloc's",
                after_vs_py,
                1.5,
            );
            let w5_vs_w2 = self
                .get(W5, ours)
                .zip(self.get(W2, ours))
                .map(|(w5, w2)| w5.ns_per_op / w2.ns_per_op);
            check(W5, "per-thread ns/op ≤ 1.15× own w2", w5_vs_w2, 1.15);
        }
        checks
    }
}

/// A fault count, short: `812`, `24.8k`, `1.3M`.
fn faults(n: f64) -> String {
    if n >= 1e6 {
        format!("{:.1}M", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.1}k", n / 1e3)
    } else {
        format!("{n:.0}")
    }
}

/// One target check: `measured` (a ratio) against `limit`.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetCheck {
    /// Workload.
    pub workload: Workload,
    /// Contender (ours).
    pub contender: ContenderKind,
    /// What is checked.
    pub what: String,
    /// The measured ratio, if both sides were measured.
    pub measured: Option<f64>,
    /// The target (pass when `measured <= limit`).
    pub limit: f64,
}

impl TargetCheck {
    /// `pass`, `miss`, or `n/a` (a side was not measured).
    pub fn verdict(&self) -> &'static str {
        match self.measured {
            Some(m) if m <= self.limit => "pass",
            Some(_) => "miss",
            None => "n/a",
        }
    }
}

/// glibc's ns/op in the design notes' run3 (w1, w2, w3), which the ×glibc targets assumed.
pub const DESIGN_GLIBC_NS: [(Workload, f64); 3] = [
    (Workload::W1, 12.91),
    (Workload::W2, 594.7),
    (Workload::W3, 96.8),
];

/// Renders the "targets" section; `results` adds a line comparing this run's glibc with the
/// design notes' (the ×glibc targets scale with it).
pub fn render_targets(checks: &[TargetCheck], results: Option<&Results>, quick: bool) -> String {
    let mut out = String::from("targets (informative; ratios of this run's medians");
    out.push_str(if quick {
        "; --quick sizes, not representative)\n"
    } else {
        ")\n"
    });
    if let Some(results) = results {
        let glibc: Vec<String> = DESIGN_GLIBC_NS
            .iter()
            .filter_map(|&(w, design)| {
                let here = results.get(w, ContenderKind::Glibc)?.ns_per_op;
                Some(format!("{w} {} (design {})", num(here), num(design)))
            })
            .collect();
        if !glibc.is_empty() {
            out.push_str(&format!(
                "  glibc ns/op in this run: {}\n",
                glibc.join(", ")
            ));
        }
    }
    if checks.is_empty() {
        out.push_str("  (no obmalloc contender measured)\n");
        return out;
    }
    let mut t = Table::new(&[
        ("  workload", Align::Left),
        ("contender", Align::Left),
        ("target", Align::Left),
        ("measured", Align::Right),
        ("", Align::Left),
    ]);
    for c in checks {
        t.row(vec![
            format!("  {}", c.workload),
            c.contender.name().to_owned(),
            c.what.clone(),
            c.measured
                .map_or_else(|| "-".to_owned(), |m| format!("{m:.3}×")),
            c.verdict().to_owned(),
        ]);
    }
    out.push_str(&t.render());
    out
}

/// Resolves `--only` (empty: everyone) into contenders, in report order.
pub fn select_contenders(only: &[String]) -> Result<Vec<ContenderKind>> {
    if only.is_empty() {
        return Ok(ContenderKind::ALL.to_vec());
    }
    let wanted: BTreeSet<ContenderKind> = only
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.parse())
        .collect::<Result<_>>()?;
    if wanted.is_empty() {
        bail!("--only names no contender");
    }
    Ok(ContenderKind::ALL
        .into_iter()
        .filter(|k| wanted.contains(k))
        .collect())
}

/// Parent entry point for `pymem-bench alloc`.
pub fn run(args: &SuiteArgs) -> Result<()> {
    let mut contenders = select_contenders(&args.only)?;
    let mut libpython = None;
    if contenders.contains(&ContenderKind::Pymalloc) {
        match find_libpython() {
            Ok(path) => libpython = Some(path),
            Err(msg) => {
                eprintln!("alloc: pymalloc skipped: {msg}");
                contenders.retain(|&k| k != ContenderKind::Pymalloc);
            }
        }
    }
    if contenders.contains(&ContenderKind::Pymalloc) {
        eprintln!("alloc: pymalloc skipped in w5 (it needs the GIL: one thread only)");
    }
    let cells: Vec<(Workload, ContenderKind)> = Workload::ALL
        .into_iter()
        .flat_map(|w| contenders.iter().map(move |&k| (w, k)))
        .filter(|&(w, k)| w.supports(k))
        .collect();

    let runs = args.runs as usize;
    let sizes = Sizes::new(args.quick);
    let mut samples: BTreeMap<(Workload, ContenderKind), Vec<Sample>> = BTreeMap::new();
    let mut failed: BTreeMap<(Workload, ContenderKind), String> = BTreeMap::new();
    for run in 1..=runs {
        eprintln!("alloc: run {run}/{runs}: {} measurements", cells.len());
        for &(workload, kind) in &cells {
            if failed.contains_key(&(workload, kind)) {
                continue;
            }
            let spec = ChildSpec {
                suite: SUITE,
                contender: kind.name(),
                workload: workload.name(),
                quick: args.quick,
                libpython: libpython.as_deref(),
                prewarm_bytes: if args.no_prewarm {
                    0
                } else {
                    sizes.prewarm_bytes(workload)
                },
            };
            match run_child(&spec) {
                Ok(s) => samples.entry((workload, kind)).or_default().push(s),
                Err(err) => {
                    eprintln!("alloc: {workload} {kind} failed: {err:#}");
                    failed.insert((workload, kind), format!("{err:#}"));
                }
            }
        }
    }

    let results = Results::new(
        samples
            .iter()
            .filter(|(key, _)| !failed.contains_key(key))
            .filter_map(|(&(w, k), s)| CellResult::from_samples(w, k, s)),
    );
    let targets = render_targets(&results.targets(), Some(&results), args.quick);
    if args.json {
        for line in results.json_lines(args.quick) {
            println!("{line}");
        }
        eprint!("{targets}");
    } else {
        let sizes = if args.quick {
            "--quick sizes"
        } else {
            "full sizes"
        };
        println!(
            "pymem-bench alloc ({sizes}; median of {runs} run(s), each in a fresh process; \
             ns per alloc+free pair (w3: per node), thread CPU time; ×X = ratio to X's ns/op)"
        );
        print!("{}", results.table());
        println!();
        print!("{targets}");
    }
    if !failed.is_empty() {
        let names: Vec<String> = failed.keys().map(|(w, k)| format!("{w}/{k}")).collect();
        bail!(
            "{} measurement(s) failed: {}",
            failed.len(),
            names.join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contenders::{Glibc, with_heap};

    #[test]
    fn workloads_run_on_glibc() {
        let sizes = Sizes::QUICK;
        let s = with_heap(Glibc, |h| {
            W1 {
                iters: 1000,
                block: 32,
            }
            .run(h)
        });
        assert_eq!(s.ops, 1000);
        let seq = sizes.w2_sizes();
        assert!(seq.iter().all(|&s| (8..=512).contains(&s)));
        let s = with_heap(Glibc, |h| {
            W2 {
                sizes: &seq[..1000],
                rounds: 2,
                seed: SEED,
                barrier: None,
            }
            .run(h)
        });
        assert_eq!(s.ops, 2000);
        let s = with_heap(Glibc, |h| {
            W3 {
                depth: 4,
                trees: 2,
                nodes: 31,
            }
            .run(h)
        });
        assert_eq!(s.ops, 62);
        let s = with_heap(Glibc, |h| {
            W4 {
                blocks: 1000,
                block: 64,
                freed_percent: 90,
            }
            .run(h)
        })
        .unwrap();
        assert_eq!(s.extra["live_bytes"], 64_000.0);
    }

    #[test]
    fn tree_node_count() {
        assert_eq!(Sizes::FULL.w3_nodes(), 2_097_151);
    }

    #[test]
    fn select_contenders_parses_lists() {
        let only = vec!["obmalloc".to_owned(), "GLIBC".to_owned()];
        assert_eq!(
            select_contenders(&only).unwrap(),
            vec![ContenderKind::Obmalloc, ContenderKind::Glibc]
        );
        assert!(select_contenders(&["nope".to_owned()]).is_err());
        assert_eq!(select_contenders(&[]).unwrap(), ContenderKind::ALL.to_vec());
    }

    #[test]
    fn targets_compare_ratios() {
        let cell = |workload, contender, ns: f64| CellResult {
            workload,
            contender,
            runs: 1,
            ops: 1,
            ns_per_op: ns,
            wall_ns_per_op: ns,
            cpu_ms: 1.0,
            wall_ms: 1.0,
            peak_rss_mib: 1.0,
            minor_faults: 0.0,
            rss_full_mib: None,
            rss_after_mib: None,
            live_mib: None,
        };
        let r = Results::new([
            cell(Workload::W1, ContenderKind::Obmalloc, 3.0),
            cell(Workload::W1, ContenderKind::Glibc, 12.0),
        ]);
        let checks = r.targets();
        let w1 = &checks[0];
        assert_eq!(w1.measured, Some(0.25));
        assert_eq!(w1.verdict(), "pass");
        assert_eq!(checks[1].verdict(), "n/a");
        let text = render_targets(&checks, Some(&r), false);
        assert!(text.contains("pass"));
        assert!(text.contains("glibc ns/op in this run: w1 12.0 (design 12.9)"));
    }
}
