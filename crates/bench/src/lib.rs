//! Library half of `pymem-bench`: the suites, the contenders they measure, and the plumbing that
//! runs each measurement in a fresh child process.
//!
//! Layout:
//! - [`suites`]: one module per suite (`alloc` and `heap` today; `gc` and `vm` later). A suite knows
//!   its workloads, runs them in child processes through [`runner`] and prints a table or JSON.
//! - [`contenders`]: everything that crosses an FFI boundary (allocators, `dlopen`ed libpython and
//!   the OS clocks). It is the only module allowed to use `unsafe`, and it exposes a safe, branded
//!   [`contenders::Heap`] API to the workloads.

#![deny(unsafe_code)]

pub mod cli;
#[allow(unsafe_code)]
pub mod contenders;
pub mod measure;
pub mod report;
pub mod rng;
pub mod runner;
pub mod suites;
