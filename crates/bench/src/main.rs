//! `pymem-bench`: measures pymem's components against their contenders, side by side, in one run.
//!
//! Every (contender, workload, run) is measured in a fresh child process: the binary re-executes
//! itself with the hidden `__child` subcommand, which prints one JSON sample on stdout.

use anyhow::Result;
use clap::Parser;
use pymem_bench::cli::{Cli, Command};
use pymem_bench::suites;

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Alloc(args) => suites::alloc::run(&args),
        Command::Heap(args) => suites::heap::run(&args),
        Command::Gc(args) => suites::gc::run(&args),
        Command::Vm(args) => suites::vm::run(&args),
        Command::Child(args) => {
            let sample = suites::run_child(&args)?;
            println!("{}", sample.to_json());
            Ok(())
        }
    }
}
