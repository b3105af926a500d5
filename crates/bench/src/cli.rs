//! Command-line interface (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Benchmarks pymem's components against their contenders.
#[derive(Debug, Parser)]
#[command(name = "pymem-bench", version, about)]
pub struct Cli {
    /// The suite to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The suites, plus the hidden child entry point.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Small-object allocators side by side: w1 churn, w2 batch, w3 trees, w4 RSS, w5 two threads.
    Alloc(SuiteArgs),
    /// Object handles side by side (Rc, rust-cc, bacon_rajan_cc, gcmodule, dumpster, pymem's
    /// heap): a 1M-node chain built and freed (+ stack-overflow probes), clone, weakref.
    Heap(SuiteArgs),
    /// Cycle collectors side by side (rust-cc, bacon_rajan_cc, gcmodule, dumpster, CPython 3.11;
    /// pymem once its collector lands): cycles, live, gc_collect, gc_traversal, young.
    Gc(SuiteArgs),
    /// pymem's Python VM (the `pymem` binary) against `python3` (CPython 3.11) on whole
    /// programs: binary_trees, gc_collect, gc_traversal, richards, nbody, float, deltablue.
    Vm(VmArgs),
    /// Internal: measure one (contender, workload) in this process and print one JSON sample.
    #[command(name = "__child", hide = true)]
    Child(ChildArgs),
}

/// Options every suite takes.
#[derive(Clone, Debug, Args)]
pub struct SuiteArgs {
    /// Small sizes: a smoke run that finishes in seconds (numbers are not representative).
    #[arg(long)]
    pub quick: bool,
    /// Print one JSON object per line (per workload and contender) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Runs per (contender, workload), each in a fresh process; the report shows medians.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// Measure only these contenders (repeatable, or a comma-separated list); alloc suite:
    /// obmalloc, obmalloc-global, glibc, mimalloc, jemalloc, pymalloc; heap suite: rc, rust-cc,
    /// bacon, gcmodule, dumpster, pymem, pymem-tracked; gc suite: rust-cc, bacon, gcmodule,
    /// dumpster, cpython.
    #[arg(long, value_delimiter = ',', value_name = "CONTENDER")]
    pub only: Vec<String>,
    /// Do not pre-fault memory before each child. By default the parent touches and frees
    /// about twice the child's footprint first: on a VM with free page reporting, memory left
    /// idle for a few seconds is slow to fault in again, which would bill the host's work to
    /// whichever contender runs next.
    #[arg(long)]
    pub no_prewarm: bool,
}

/// Options of the `vm` suite.
#[derive(Clone, Debug, Args)]
pub struct VmArgs {
    /// Small sizes and one run: a smoke run (numbers are not representative).
    #[arg(long)]
    pub quick: bool,
    /// Print one JSON object per line (per workload and interpreter) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Runs per (interpreter, workload), each in a fresh process; the report shows medians.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// Run only these workloads (repeatable, or a comma-separated list): binary_trees,
    /// gc_collect, gc_traversal, richards, nbody, float, deltablue.
    #[arg(long, value_delimiter = ',', value_name = "WORKLOAD")]
    pub only: Vec<String>,
    /// The pymem binary [default: `pymem` next to this executable, i.e. target/release/pymem].
    #[arg(long, value_name = "PATH")]
    pub pymem: Option<PathBuf>,
    /// The CPython interpreter (the reference; 3.11 expected).
    #[arg(long, value_name = "PATH", default_value = "python3")]
    pub python: PathBuf,
    /// Do not pre-fault memory before each child (see the other suites' `--no-prewarm`).
    #[arg(long)]
    pub no_prewarm: bool,
}

/// Arguments of the hidden child entry point (`pymem-bench __child ...`).
#[derive(Clone, Debug, Args)]
pub struct ChildArgs {
    /// Suite name, e.g. `alloc` or `heap`.
    #[arg(long)]
    pub suite: String,
    /// Contender name, e.g. `obmalloc`.
    #[arg(long)]
    pub contender: String,
    /// Workload name, e.g. `w1`.
    #[arg(long)]
    pub workload: String,
    /// Use the `--quick` sizes.
    #[arg(long)]
    pub quick: bool,
    /// Path of libpython3.11 (for the `pymalloc` contender).
    #[arg(long)]
    pub libpython: Option<PathBuf>,
}
