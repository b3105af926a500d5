//! The `heap` suite: reference-counted object handles side by side (see
//! `shared/design/rust-gc-crates.md` §3, whose harness this follows).
//!
//! Contenders, each in its own module (all but `pymem` allocate through the system allocator):
//! - **rc**: `Rc<RefCell<Node>>`, the baseline (no cycle collection at all).
//! - **rust-cc** 0.6.2 (`Cc`, trial deletion, default features plus `weak-ptrs`),
//!   **bacon** (bacon_rajan_cc 0.4.0), **gcmodule** 0.3.3 (CPython's algorithm, `Cc` of a tracked
//!   type) and **dumpster** 2.1.0 (`unsync::Gc`); their nodes keep `next` in a `RefCell`, as the
//!   design notes' harness did, and "free" includes the crate's collect call.
//! - **pymem**: the `heap` crate's `Obj<Node>` with an untracked node type (`Object::TRACKED =
//!   false`: a 16-byte header, no GC links), its natural type for a chain whose links never
//!   change; **pymem-tracked**: the same with `next` in a `GilCell` and the default tracked header
//!   (32 bytes, like a CPython container).
//!
//! Workloads:
//! - **chain**: build a 1,000,000-node singly linked chain (`head = new(Node { next: head,
//!   payload })`), then drop the head (+ the crate's collect call). Build and free are timed
//!   separately; the child also reports its peak RSS (`VmHWM`) and the RSS the live chain adds.
//! - **clone**: clone and drop one handle in a loop (the reference count's inc/dec), per op.
//! - **weakref**: create a weak reference, upgrade it, drop both, per op (n/a for the crates
//!   without weak pointers: gcmodule and dumpster).
//! - **stack-8m** / **stack-64k**: the chain built and dropped on a thread with an 8 MiB (every
//!   contender) or 64 KiB (pymem only) stack, in a child of its own: a recursive drop overflows
//!   the stack, which kills the process (SIGSEGV/SIGABRT), and the parent reports "overflow".
//!   These probes run once per contender, at the full chain length even under `--quick`.
//!
//! Every node carries the same payload, a [`Counted`] whose constructor and `Drop` move a live
//! counter; a workload fails unless the counter is back to 0 after the free phase. The timed
//! workloads run on a thread with a 4 GiB stack, so that recursive drops finish. Thread CPU time
//! is the primary metric; wall time is beside it.

use std::cell::Cell;
use std::fmt;
use std::str::FromStr;
use std::thread;

use anyhow::{Context, Result, anyhow, bail};

use crate::cli::ChildArgs;
use crate::contenders::os;
use crate::measure::{Elapsed, Timer, peak_rss_bytes, rss_bytes};
use crate::runner::Sample;

mod bacon;
mod dumpster;
mod gcmodule;
mod parent;
mod pymem;
mod report;
mod rust_cc;
mod std_rc;

pub use parent::{classify_probe, run, select_contenders};
pub use report::{CellResult, Measured, ProbeOutcome, Results, TargetCheck, render_targets};

/// The suite's name on the command line and in the JSON output.
pub const SUITE: &str = "heap";

/// Stack of the thread the timed workloads run on (reserved, touched only as deep as needed).
pub const BIG_STACK: usize = 4 << 30;

/// The workloads of this suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Workload {
    /// Build a singly linked chain, then free it.
    Chain,
    /// Clone + drop of one handle.
    Clone,
    /// Weak reference create + upgrade + drop.
    Weakref,
    /// The chain built and dropped on a thread with an 8 MiB stack.
    Stack8M,
    /// The chain built and dropped on a thread with a 64 KiB stack.
    Stack64K,
}

impl Workload {
    /// All workloads, in report order.
    pub const ALL: [Workload; 5] = [
        Workload::Chain,
        Workload::Clone,
        Workload::Weakref,
        Workload::Stack8M,
        Workload::Stack64K,
    ];

    /// The timed workloads (run `--runs` times each).
    pub const TIMED: [Workload; 3] = [Workload::Chain, Workload::Clone, Workload::Weakref];

    /// The stack-overflow probes (run once each).
    pub const PROBES: [Workload; 2] = [Workload::Stack8M, Workload::Stack64K];

    /// Name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Chain => "chain",
            Workload::Clone => "clone",
            Workload::Weakref => "weakref",
            Workload::Stack8M => "stack-8m",
            Workload::Stack64K => "stack-64k",
        }
    }

    /// The stack of the thread the workload runs on.
    pub fn stack_bytes(self) -> usize {
        match self {
            Workload::Chain | Workload::Clone | Workload::Weakref => BIG_STACK,
            Workload::Stack8M => 8 << 20,
            Workload::Stack64K => 64 << 10,
        }
    }

    /// Whether `contender` runs this workload: weak references need a crate that has them,
    /// and the 64 KiB probe is pymem's alone (the requirement).
    pub fn supports(self, contender: Contender) -> bool {
        match self {
            Workload::Weakref => contender.has_weak(),
            Workload::Stack64K => contender.is_pymem(),
            _ => true,
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
        Workload::ALL
            .into_iter()
            .find(|w| w.name() == s)
            .with_context(|| {
                format!(
                    "unknown workload `{s}` (known: chain, clone, weakref, stack-8m, stack-64k)"
                )
            })
    }
}

/// The contenders of this suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Contender {
    /// `Rc<RefCell<Node>>`.
    Rc,
    /// rust-cc 0.6.2.
    RustCc,
    /// bacon_rajan_cc 0.4.0.
    Bacon,
    /// gcmodule 0.3.3.
    Gcmodule,
    /// dumpster 2.1.0, `unsync` flavour.
    Dumpster,
    /// The `heap` crate, untracked node type.
    Pymem,
    /// The `heap` crate, tracked node type with a `GilCell` link.
    PymemTracked,
}

impl Contender {
    /// All contenders, in report order.
    pub const ALL: [Contender; 7] = [
        Contender::Rc,
        Contender::RustCc,
        Contender::Bacon,
        Contender::Gcmodule,
        Contender::Dumpster,
        Contender::Pymem,
        Contender::PymemTracked,
    ];

    /// Name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Contender::Rc => "rc",
            Contender::RustCc => "rust-cc",
            Contender::Bacon => "bacon",
            Contender::Gcmodule => "gcmodule",
            Contender::Dumpster => "dumpster",
            Contender::Pymem => "pymem",
            Contender::PymemTracked => "pymem-tracked",
        }
    }

    /// Whether the crate has weak pointers.
    pub fn has_weak(self) -> bool {
        !matches!(self, Contender::Gcmodule | Contender::Dumpster)
    }

    /// Ours (either pymem row).
    pub fn is_pymem(self) -> bool {
        matches!(self, Contender::Pymem | Contender::PymemTracked)
    }

    /// What the row measures, for the notes under the table.
    pub fn describe(self) -> &'static str {
        match self {
            Contender::Rc => "Rc<RefCell<Node>> (std; no cycle collection), system malloc",
            Contender::RustCc => {
                "rust-cc 0.6.2 Cc<Node>, next in a RefCell; defaults (auto-collect, \
                 finalization) + weak-ptrs; free = drop + collect_cycles(); system malloc"
            }
            Contender::Bacon => {
                "bacon_rajan_cc 0.4.0 Cc<Node>, next in a RefCell; free = drop + \
                 collect_cycles(); system malloc"
            }
            Contender::Gcmodule => {
                "gcmodule 0.3.3 Cc<Node> of a tracked type (3-word GC header), next in a \
                 RefCell; free = drop + collect_thread_cycles(); system malloc"
            }
            Contender::Dumpster => {
                "dumpster 2.1.0 unsync::Gc<Node>, next in a RefCell, default collect \
                 condition; free = drop + unsync::collect(); system malloc"
            }
            Contender::Pymem => {
                "heap::Obj<Node>, untracked type (Object::TRACKED = false: 16-byte header, no GC \
                 links), next a plain Option set at construction; free = drop (the trashcan)"
            }
            Contender::PymemTracked => {
                "heap::Obj<Node>, tracked type (32-byte header with GC links, like a CPython \
                 container), next in a GilCell; free = drop (the trashcan)"
            }
        }
    }
}

impl fmt::Display for Contender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Contender {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        let lower = s.trim().to_ascii_lowercase();
        Contender::ALL
            .into_iter()
            .find(|c| c.name() == lower)
            .with_context(|| {
                let known: Vec<&str> = Contender::ALL.iter().map(|c| c.name()).collect();
                format!("unknown contender `{s}` (known: {})", known.join(", "))
            })
    }
}

/// Workload sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// Nodes in the `chain` workload.
    pub chain_nodes: u64,
    /// Timed `clone` iterations.
    pub clone_iters: u64,
    /// Timed `weakref` iterations.
    pub weakref_iters: u64,
    /// Nodes in the stack probes' chain (the full length under `--quick` too).
    pub probe_nodes: u64,
}

impl Sizes {
    /// The full sizes of the issue.
    pub const FULL: Sizes = Sizes {
        chain_nodes: 1_000_000,
        clone_iters: 10_000_000,
        weakref_iters: 5_000_000,
        probe_nodes: 1_000_000,
    };

    /// `--quick`: a smoke run, seconds for the whole suite.
    pub const QUICK: Sizes = Sizes {
        chain_nodes: 100_000,
        clone_iters: 300_000,
        weakref_iters: 200_000,
        ..Sizes::FULL
    };

    /// [`Sizes::QUICK`] or [`Sizes::FULL`].
    pub fn new(quick: bool) -> Sizes {
        if quick { Sizes::QUICK } else { Sizes::FULL }
    }

    /// Memory to pre-fault before a child runs `workload`: twice the chain's footprint (at
    /// least 32 MiB); nothing for the untimed probes.
    pub fn prewarm_bytes(&self, workload: Workload) -> usize {
        match workload {
            Workload::Chain => (2 * self.chain_nodes as usize * 128).max(32 << 20),
            Workload::Clone | Workload::Weakref => 32 << 20,
            Workload::Stack8M | Workload::Stack64K => 0,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Child side: the payload and the measuring helpers the contender modules share.

thread_local! {
    /// `Counted` values alive on this thread (every workload runs on one thread).
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

/// The payload of every node: a `u64` whose constructor and `Drop` count it in and out, so a
/// workload can check that every node it made was freed.
///
/// It derives dumpster's `Trace` (dumpster's derive has no way to skip a field); the other crates
/// skip it in their `Trace` (rust-cc's `#[rust_cc(ignore)]`, hand-written impls for bacon and
/// gcmodule, `heap::unsafe_empty_trace!` for pymem).
#[derive(Debug, ::dumpster::Trace)]
pub struct Counted {
    value: u64,
}

impl Counted {
    /// A payload holding `value`; one more is alive.
    #[inline]
    pub fn new(value: u64) -> Counted {
        LIVE.with(|live| live.set(live.get() + 1));
        Counted { value }
    }

    /// The value.
    #[inline]
    pub fn value(&self) -> u64 {
        self.value
    }

    /// Payloads alive on this thread.
    pub fn live() -> i64 {
        LIVE.with(Cell::get)
    }
}

impl Drop for Counted {
    #[inline]
    fn drop(&mut self) {
        LIVE.with(|live| live.set(live.get() - 1));
    }
}

/// Fails unless `expected` payloads are alive.
pub(crate) fn expect_live(expected: u64, when: &str) -> Result<()> {
    let live = Counted::live();
    if live != expected as i64 {
        bail!("{live} nodes alive {when}, expected {expected}");
    }
    Ok(())
}

/// The timings of one `chain` run.
#[derive(Clone, Copy, Debug, Default)]
pub struct ChainTimes {
    /// Building the chain.
    pub build: Elapsed,
    /// Dropping it (+ collect) until every node is freed.
    pub free: Elapsed,
    /// RSS the live chain added, bytes.
    pub live_rss_bytes: u64,
}

/// Builds a chain of `n` nodes with `build` and frees it with `free`, timing both and checking
/// the live count before, between and after. `ctx` is whatever both phases need (a GIL token).
pub(crate) fn measure_chain<X, C>(
    ctx: &mut X,
    n: u64,
    build: impl FnOnce(&mut X, u64) -> C,
    free: impl FnOnce(&mut X, C),
) -> Result<ChainTimes> {
    expect_live(0, "before the build")?;
    let baseline = rss_bytes()?;
    let t = Timer::start();
    let chain = build(ctx, n);
    let build_time = t.stop();
    let live_rss_bytes = rss_bytes()?.saturating_sub(baseline);
    expect_live(n, "after the build")?;
    let t = Timer::start();
    free(ctx, std::hint::black_box(chain));
    let free_time = t.stop();
    expect_live(0, "after the free (drop + collect)")?;
    Ok(ChainTimes {
        build: build_time,
        free: free_time,
        live_rss_bytes,
    })
}

/// Untimed warm-up iterations [`measure_loop`] runs before timing `iters`.
pub(crate) fn warmup_iters(iters: u64) -> u64 {
    (iters / 100).clamp(1000, 100_000)
}

/// Runs `op` `iters` times after [`warmup_iters`] untimed ones; the timed part's clocks.
#[inline]
pub(crate) fn measure_loop(iters: u64, mut op: impl FnMut()) -> Elapsed {
    for _ in 0..warmup_iters(iters) {
        op();
    }
    let t = Timer::start();
    for _ in 0..iters {
        op();
    }
    t.stop()
}

/// The timings of a per-op workload: the contender's op, and for pymem a second flavour of it
/// (`Clone` instead of `clone_ref`; a `WeakRef` object instead of `downgrade`).
#[derive(Clone, Copy, Debug, Default)]
pub struct LoopTimes {
    /// The op.
    pub main: Elapsed,
    /// The second flavour, if the contender has one.
    pub alt: Option<Elapsed>,
}

impl From<Elapsed> for LoopTimes {
    fn from(main: Elapsed) -> LoopTimes {
        LoopTimes { main, alt: None }
    }
}

/// Fails unless `upgraded` equals `iters` (every upgrade of a live object must succeed).
pub(crate) fn expect_upgrades(upgraded: u64, iters: u64) -> Result<()> {
    if upgraded != iters {
        bail!("{upgraded} of {iters} weak upgrades of a live object succeeded");
    }
    Ok(())
}

fn chain(c: Contender, n: u64) -> Result<ChainTimes> {
    match c {
        Contender::Rc => std_rc::chain(n),
        Contender::RustCc => rust_cc::chain(n),
        Contender::Bacon => bacon::chain(n),
        Contender::Gcmodule => gcmodule::chain(n),
        Contender::Dumpster => dumpster::chain(n),
        Contender::Pymem => pymem::chain(n, false),
        Contender::PymemTracked => pymem::chain(n, true),
    }
}

fn clone(c: Contender, iters: u64) -> Result<LoopTimes> {
    match c {
        Contender::Rc => std_rc::clone(iters),
        Contender::RustCc => rust_cc::clone(iters),
        Contender::Bacon => bacon::clone(iters),
        Contender::Gcmodule => gcmodule::clone(iters),
        Contender::Dumpster => dumpster::clone(iters),
        Contender::Pymem => pymem::clone(iters, false),
        Contender::PymemTracked => pymem::clone(iters, true),
    }
}

fn weakref(c: Contender, iters: u64) -> Result<LoopTimes> {
    match c {
        Contender::Rc => std_rc::weakref(iters),
        Contender::RustCc => rust_cc::weakref(iters),
        Contender::Bacon => bacon::weakref(iters),
        Contender::Pymem => pymem::weakref(iters, false),
        Contender::PymemTracked => pymem::weakref(iters, true),
        Contender::Gcmodule | Contender::Dumpster => bail!("{c} has no weak pointers"),
    }
}

fn elapsed_sample(e: Elapsed, ops: u64) -> Sample {
    let mut s = Sample {
        cpu_ns: e.cpu_ns as f64,
        wall_ns: e.wall_ns as f64,
        ops,
        ..Sample::default()
    };
    s.extra.insert("minor_faults".into(), e.minor_faults as f64);
    s
}

/// Runs one workload on the calling thread.
fn run_workload(c: Contender, workload: Workload, sizes: &Sizes) -> Result<Sample> {
    match workload {
        Workload::Chain | Workload::Stack8M | Workload::Stack64K => {
            let n = if workload == Workload::Chain {
                sizes.chain_nodes
            } else {
                sizes.probe_nodes
            };
            let t = chain(c, n)?;
            let mut total = t.build;
            total += t.free;
            let mut s = elapsed_sample(total, n);
            let extra = [
                ("build_cpu_ns", t.build.cpu_ns as f64),
                ("build_wall_ns", t.build.wall_ns as f64),
                ("free_cpu_ns", t.free.cpu_ns as f64),
                ("free_wall_ns", t.free.wall_ns as f64),
                ("live_rss_bytes", t.live_rss_bytes as f64),
            ];
            s.extra
                .extend(extra.into_iter().map(|(k, v)| (k.to_owned(), v)));
            Ok(s)
        }
        Workload::Clone | Workload::Weakref => {
            let iters = if workload == Workload::Clone {
                sizes.clone_iters
            } else {
                sizes.weakref_iters
            };
            let t = if workload == Workload::Clone {
                clone(c, iters)?
            } else {
                weakref(c, iters)?
            };
            let mut s = elapsed_sample(t.main, iters);
            if let Some(alt) = t.alt {
                s.extra.insert("alt_cpu_ns".into(), alt.cpu_ns as f64);
                s.extra.insert("alt_wall_ns".into(), alt.wall_ns as f64);
            }
            Ok(s)
        }
    }
}

/// Runs `f` on a new thread with a stack of `stack` bytes.
fn on_thread<T: Send + 'static>(
    stack: usize,
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    thread::Builder::new()
        .name("heap-bench".into())
        .stack_size(stack)
        .spawn(f)
        .context("spawning the workload thread")?
        .join()
        .map_err(|_| anyhow!("the workload thread panicked"))?
}

/// Child entry point: runs one workload on one contender in this process.
pub fn child(args: &ChildArgs) -> Result<Sample> {
    let contender: Contender = args.contender.parse()?;
    let workload: Workload = args.workload.parse()?;
    if !workload.supports(contender) {
        bail!("{contender} does not run {workload}");
    }
    if Workload::PROBES.contains(&workload) {
        // The probe may overflow its stack on purpose: no core dump for that.
        os::disable_core_dumps();
    }
    let sizes = Sizes::new(args.quick);
    let mut s = on_thread(workload.stack_bytes(), move || {
        run_workload(contender, workload, &sizes)
    })?;
    s.peak_rss_bytes = peak_rss_bytes()?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for w in Workload::ALL {
            assert_eq!(w.name().parse::<Workload>().unwrap(), w);
        }
        for c in Contender::ALL {
            assert_eq!(c.name().parse::<Contender>().unwrap(), c);
        }
        assert_eq!(" RC ".parse::<Contender>().unwrap(), Contender::Rc);
        assert!("nope".parse::<Contender>().is_err());
        assert!("nope".parse::<Workload>().is_err());
    }

    #[test]
    fn support_matrix() {
        assert!(!Workload::Weakref.supports(Contender::Dumpster));
        assert!(!Workload::Weakref.supports(Contender::Gcmodule));
        assert!(Workload::Weakref.supports(Contender::Rc));
        assert!(Workload::Stack64K.supports(Contender::Pymem));
        assert!(!Workload::Stack64K.supports(Contender::Rc));
    }

    #[test]
    fn counted_tracks_live_values() {
        let before = Counted::live();
        let a = Counted::new(7);
        assert_eq!(a.value(), 7);
        assert_eq!(Counted::live(), before + 1);
        drop(a);
        assert_eq!(Counted::live(), before);
    }

    /// Every contender's workloads run (small sizes) and free everything; the chain is short
    /// enough for a test thread's stack.
    #[test]
    fn workloads_run_on_every_contender() {
        let sizes = Sizes {
            chain_nodes: 2_000,
            clone_iters: 2_000,
            weakref_iters: 2_000,
            probe_nodes: 2_000,
        };
        for c in Contender::ALL {
            for w in [Workload::Chain, Workload::Clone, Workload::Weakref] {
                if !w.supports(c) {
                    continue;
                }
                let s = on_thread(16 << 20, move || run_workload(c, w, &sizes))
                    .unwrap_or_else(|e| panic!("{c} {w}: {e:#}"));
                assert_eq!(s.ops, 2_000, "{c} {w}");
                if w == Workload::Chain {
                    assert!(s.extra["build_cpu_ns"] > 0.0, "{c}");
                }
                if c.is_pymem() && w != Workload::Chain {
                    assert!(s.extra.contains_key("alt_cpu_ns"), "{c} {w}");
                }
            }
        }
    }
}
