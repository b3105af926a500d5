//! The `gc` suite: cycle collectors side by side (see `shared/design/rust-gc-crates.md` §3 and
//! `shared/design/cpython-memory-management.md` §3 and §7, whose harness and anchors it follows).
//!
//! Contenders, each in a module of its own and registered once in the [`contenders!`] list below
//! (adding one is one new file that defines a `CONTENDER` static plus its name in that list):
//! - **rust-cc** 0.6.2, **bacon** (bacon_rajan_cc 0.4.0), **gcmodule** 0.3.3 and **dumpster**
//!   2.1.0 (`unsync`): the Rust peers. Their nodes keep links in a `RefCell` and carry the heap
//!   suite's [`Counted`] payload, so every workload checks that exactly the garbage was freed;
//!   the workloads themselves are written once, generically, in `peer.rs`.
//! - **cpython**: `python3` (CPython 3.11) running `python/gc_workloads.py` on the same shapes
//!   (`__slots__` nodes whose payload is a cached small int, so that no node needs a second
//!   object the Rust nodes do not have; automatic GC disabled with `gc.disable()` while
//!   building, as the design notes did). The script times its collections itself (`time.process_time_ns()` and
//!   `perf_counter_ns()`) and reports its own peak RSS (`VmHWM`); the suite skips it with a
//!   message when `python3` is missing or is not 3.11.
//! - **pymem**: the `heap` crate's `Obj` of tracked node types, links in a `GilCell`, collected
//!   by `heap::gc::collect` (generation 2 for a full collection, 0 for `young`); the generic
//!   workloads run inside one `heap::with_gil`, whose token is the `peer::Collector` context.
//!   After every full collection the heap's own count of live objects must equal the live
//!   payloads. The target checks compare it with CPython and with every Rust peer.
//!
//! Workloads (the (a)–(d); "collection" is the crate's full collection call):
//! - **cycles** (a): 100,000 rings of 10 nodes built with their roots in a `Vec` (build timed),
//!   then the `Vec` dropped and a full collection run; the primary figure is drop + collect
//!   (until every node is freed: dumpster and rust-cc may collect inside the drop), with the
//!   collection alone beside it.
//! - **live** (b): 1,000 chains of 1,000 nodes (1,000,000 objects) kept alive; one full
//!   collection right after the build (nothing to free). Beside it, a collection after a walk
//!   that clones and drops a handle to every node: for the trial-deletion crates (rust-cc,
//!   bacon, dumpster) the walk makes every node a candidate, which is what a full scan costs
//!   them (automatic collection is paused during the walk where the crate allows it); for
//!   gcmodule and CPython it is a second full collection. Chains are built head first (`head =
//!   new(Node { next: head })`), CPython's worst order: `move_unreachable` scans in allocation
//!   order and moves every node to the unreachable list and back, so its figure is ~150 ns per
//!   node rather than the ~40 of a million independent lists (design notes §7).
//! - **gc_collect** (c): pyperformance's `bm_gc_collect` shape: 100 rings of 21 doubly linked
//!   nodes, dropped, then one collection that frees all 2,100; median of the repetitions inside
//!   one child (drop + collect, the collection alone beside it).
//! - **gc_traversal** (c): pyperformance's `bm_gc_traversal` shape: 1,000 nested lists, list n
//!   holding n references to list n−1 (499,500 references), alive; each repetition runs one
//!   untimed collection and times the next (the figure is their median); the first collection
//!   after the build is reported beside it (for the trial-deletion crates that is the one that
//!   works: building leaves every list a candidate).
//! - **young** (d): 1,000,000 objects promoted to the oldest generation by a full collection,
//!   then a few hundred new containers allocated and a generation-0 collection timed (median
//!   of the repetitions). n/a for the crates without generations (all four Rust peers).
//!
//! Every (contender, workload, run) is a fresh child process (the hidden `__child` subcommand);
//! the Rust peers run their workload on a thread with a 256 MiB stack (their drops recurse).
//! Thread CPU time is the primary metric (CPython: process CPU time of the single-threaded
//! interpreter), wall time beside it; the report shows medians over `--runs`.

use std::fmt;
use std::str::FromStr;
use std::thread;

use anyhow::{Context, Result, anyhow, bail};

use crate::cli::ChildArgs;
use crate::runner::Sample;

pub use crate::suites::heap::Counted;

mod parent;
mod peer;
mod report;

pub use parent::{run, select_contenders};
pub use report::{CellResult, Results, TargetCheck, TargetStatus, render_targets};

/// The suite's name on the command line and in the JSON output.
pub const SUITE: &str = "gc";

/// Stack of the thread the Rust peers' workloads run on (reserved, touched only as deep as
/// their recursive drops need).
pub const STACK: usize = 256 << 20;

/// Declares the contender modules and [`ALL`], the registry, in report order.
macro_rules! contenders {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*

        /// Every contender, in report order.
        pub static ALL: &[&dyn Contender] = &[$(&$module::CONTENDER),*];
    };
}

// The registry: one module name per contender.
contenders!(pymem, rust_cc, bacon, gcmodule, dumpster, cpython);

/// The workloads of this suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Workload {
    /// (a) Rings of 10 nodes, dropped and collected.
    Cycles,
    /// (b) A full collection over 1M live objects in chains.
    Live,
    /// (c) pyperformance's `bm_gc_collect` shape.
    GcCollect,
    /// (c) pyperformance's `bm_gc_traversal` shape.
    GcTraversal,
    /// (d) A generation-0 collection with 1M objects in the oldest generation.
    Young,
}

impl Workload {
    /// All workloads, in report order.
    pub const ALL: [Workload; 5] = [
        Workload::Cycles,
        Workload::Live,
        Workload::GcCollect,
        Workload::GcTraversal,
        Workload::Young,
    ];

    /// Name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Cycles => "cycles",
            Workload::Live => "live",
            Workload::GcCollect => "gc_collect",
            Workload::GcTraversal => "gc_traversal",
            Workload::Young => "young",
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
                    "unknown workload `{s}` (known: cycles, live, gc_collect, gc_traversal, \
                     young)"
                )
            })
    }
}

/// What a contender is to the report: the target checks compare [`Role::Ours`] with
/// [`Role::Reference`] and with every [`Role::Peer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A Rust crate.
    Peer,
    /// CPython 3.11, the behaviour and speed reference.
    Reference,
    /// pymem's collector.
    Ours,
}

/// One contender of the suite. Implementations live in their own module and are registered in
/// [`ALL`]; the Rust crates implement `peer::Collector` instead and register a `peer::Peer`.
pub trait Contender: Sync {
    /// Name on the command line and in reports.
    fn name(&self) -> &'static str;

    /// What the row measures, for the notes under the tables.
    fn describe(&self) -> &'static str;

    /// The contender's role in the target checks.
    fn role(&self) -> Role {
        Role::Peer
    }

    /// Checked once in the parent before any child runs: `Err(why)` skips the contender with a
    /// message (CPython when `python3` is missing or is not 3.11); `Ok(Some(note))` adds a line
    /// to the notes (the interpreter's version).
    fn available(&self) -> Result<Option<String>, String> {
        Ok(None)
    }

    /// `Err(why)` when the workload does not apply (a generation-0 collection without
    /// generations); the report prints n/a with the reason.
    fn supports(&self, workload: Workload) -> Result<(), &'static str>;

    /// Child side: runs one workload in this process and returns its sample (without the peak
    /// RSS, which [`child`] adds, unless the contender measured it elsewhere).
    fn run(&self, workload: Workload, sizes: &Sizes) -> Result<Sample>;
}

/// The contender named `name` (case-insensitive).
pub fn contender(name: &str) -> Result<&'static dyn Contender> {
    let lower = name.trim().to_ascii_lowercase();
    ALL.iter()
        .copied()
        .find(|c| c.name() == lower)
        .with_context(|| {
            let known: Vec<&str> = ALL.iter().map(|c| c.name()).collect();
            format!("unknown contender `{name}` (known: {})", known.join(", "))
        })
}

/// Workload sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// `cycles`: rings.
    pub cycles: u64,
    /// `cycles`: nodes per ring.
    pub ring_len: u64,
    /// `live` and `young`: chains.
    pub chains: u64,
    /// `live` and `young`: nodes per chain.
    pub chain_len: u64,
    /// `gc_collect`: rings.
    pub pyperf_cycles: u64,
    /// `gc_collect`: links per ring (a ring has `links + 1` nodes).
    pub pyperf_links: u64,
    /// `gc_traversal`: nesting levels (lists).
    pub levels: u64,
    /// `young`: new containers allocated before each generation-0 collection.
    pub young_new: u64,
    /// Timed repetitions inside one child (`gc_collect`, `gc_traversal`, `young`).
    pub reps: u64,
}

impl Sizes {
    /// The full sizes of the issue.
    pub const FULL: Sizes = Sizes {
        cycles: 100_000,
        ring_len: 10,
        chains: 1_000,
        chain_len: 1_000,
        pyperf_cycles: 100,
        pyperf_links: 20,
        levels: 1_000,
        young_new: 500,
        reps: 20,
    };

    /// `--quick`: a smoke run, seconds for the whole suite.
    pub const QUICK: Sizes = Sizes {
        cycles: 10_000,
        chains: 100,
        levels: 300,
        reps: 5,
        ..Sizes::FULL
    };

    /// [`Sizes::QUICK`] or [`Sizes::FULL`].
    pub fn new(quick: bool) -> Sizes {
        if quick { Sizes::QUICK } else { Sizes::FULL }
    }

    /// Nodes in the `cycles` workload.
    pub fn cycle_nodes(&self) -> u64 {
        self.cycles * self.ring_len
    }

    /// Nodes in the `live` workload (and in `young`'s oldest generation).
    pub fn live_nodes(&self) -> u64 {
        self.chains * self.chain_len
    }

    /// Nodes freed by each `gc_collect` repetition.
    pub fn pyperf_nodes(&self) -> u64 {
        self.pyperf_cycles * (self.pyperf_links + 1)
    }

    /// References in the `gc_traversal` lists (list n holds n).
    pub fn traversal_refs(&self) -> u64 {
        self.levels * self.levels.saturating_sub(1) / 2
    }

    /// The objects a workload's primary figure is divided by (ns per object).
    pub fn objects(&self, workload: Workload) -> u64 {
        match workload {
            Workload::Cycles => self.cycle_nodes(),
            Workload::Live => self.live_nodes(),
            Workload::GcCollect => self.pyperf_nodes(),
            Workload::GcTraversal => self.levels,
            Workload::Young => self.young_new,
        }
    }

    /// Memory to pre-fault before a child runs `workload`: about twice its footprint, at least
    /// 32 MiB.
    pub fn prewarm_bytes(&self, workload: Workload) -> usize {
        let nodes = match workload {
            Workload::Cycles => self.cycle_nodes(),
            Workload::Live | Workload::Young => self.live_nodes(),
            Workload::GcCollect | Workload::GcTraversal => 0,
        };
        (2 * nodes as usize * 128).max(32 << 20)
    }

    /// The sizes as `key=value` arguments (for the CPython script).
    pub fn args(&self) -> Vec<String> {
        [
            ("cycles", self.cycles),
            ("ring_len", self.ring_len),
            ("chains", self.chains),
            ("chain_len", self.chain_len),
            ("pyperf_cycles", self.pyperf_cycles),
            ("pyperf_links", self.pyperf_links),
            ("levels", self.levels),
            ("young_new", self.young_new),
            ("reps", self.reps),
        ]
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
    }
}

/// Runs `f` on a new thread with a stack of `stack` bytes.
fn on_thread<T: Send + 'static>(
    stack: usize,
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    thread::Builder::new()
        .name("gc-bench".into())
        .stack_size(stack)
        .spawn(f)
        .context("spawning the workload thread")?
        .join()
        .map_err(|_| anyhow!("the workload thread panicked"))?
}

/// Child entry point: runs one workload on one contender in this process.
pub fn child(args: &ChildArgs) -> Result<Sample> {
    let contender = contender(&args.contender)?;
    let workload: Workload = args.workload.parse()?;
    if let Err(why) = contender.supports(workload) {
        bail!("{} does not run {workload}: {why}", contender.name());
    }
    contender.run(workload, &Sizes::new(args.quick))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for w in Workload::ALL {
            assert_eq!(w.name().parse::<Workload>().unwrap(), w);
        }
        for c in ALL {
            assert_eq!(contender(c.name()).unwrap().name(), c.name());
        }
        assert_eq!(contender(" Bacon ").unwrap().name(), "bacon");
        assert!(contender("nope").is_err());
        assert!("nope".parse::<Workload>().is_err());
    }

    #[test]
    fn registry_has_unique_names_and_the_reference() {
        let mut names: Vec<&str> = ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        assert!(ALL.iter().any(|c| c.role() == Role::Reference));
    }

    #[test]
    fn sizes_are_consistent() {
        let s = Sizes::FULL;
        assert_eq!(s.cycle_nodes(), 1_000_000);
        assert_eq!(s.live_nodes(), 1_000_000);
        assert_eq!(s.pyperf_nodes(), 2_100);
        assert_eq!(s.traversal_refs(), 499_500);
        assert!(s.args().contains(&"levels=1000".to_owned()));
    }
}
