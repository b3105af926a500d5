//! The suites. Each is a module with a parent entry point (`run`, called for
//! `pymem-bench <suite>`) and a child entry point (`child`, called in the re-executed process).
//! The `vm` suite runs interpreters as its children itself (no `child` entry point).

use anyhow::{Result, bail};

use crate::cli::ChildArgs;
use crate::runner::Sample;

pub mod alloc;
pub mod gc;
pub mod heap;
pub mod vm;

/// The child-process entry point: dispatches to the suite named in `args`.
pub fn run_child(args: &ChildArgs) -> Result<Sample> {
    match args.suite.as_str() {
        alloc::SUITE => alloc::child(args),
        heap::SUITE => heap::child(args),
        gc::SUITE => gc::child(args),
        other => bail!("unknown suite `{other}`"),
    }
}
