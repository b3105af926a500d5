//! Parent entry point of the `gc` suite: checks which contenders can run, runs every cell in
//! child processes, then prints.

use std::collections::BTreeMap;

use anyhow::{Result, bail};

use super::report::{CellResult, Results, describe_workload, render_targets};
use super::{ALL, Contender, SUITE, Sizes, Workload, contender};
use crate::cli::SuiteArgs;
use crate::runner::{ChildSpec, Sample, run_child};

/// Resolves `--only` (empty: everyone) into contenders, in report order.
pub fn select_contenders(only: &[String]) -> Result<Vec<&'static dyn Contender>> {
    if only.is_empty() {
        return Ok(ALL.to_vec());
    }
    let wanted: Vec<&'static str> = only
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| contender(s).map(|c| c.name()))
        .collect::<Result<_>>()?;
    if wanted.is_empty() {
        bail!("--only names no contender");
    }
    Ok(ALL
        .iter()
        .copied()
        .filter(|k| wanted.contains(&k.name()))
        .collect())
}

/// Parent entry point for `pymem-bench gc`.
pub fn run(args: &SuiteArgs) -> Result<()> {
    let mut notes = Vec::new();
    let mut contenders = Vec::new();
    for k in select_contenders(&args.only)? {
        match k.available() {
            Ok(note) => {
                notes.extend(note);
                contenders.push(k);
            }
            Err(why) => eprintln!("gc: {} skipped: {why}", k.name()),
        }
    }
    if contenders.is_empty() {
        bail!("no contender can run");
    }
    let cells: Vec<(Workload, &'static dyn Contender)> = Workload::ALL
        .into_iter()
        .flat_map(|w| contenders.iter().map(move |&k| (w, k)))
        .filter(|&(w, k)| k.supports(w).is_ok())
        .collect();

    let runs = args.runs as usize;
    let sizes = Sizes::new(args.quick);
    let mut samples: BTreeMap<(Workload, &'static str), Vec<Sample>> = BTreeMap::new();
    let mut failed: BTreeMap<(Workload, &'static str), String> = BTreeMap::new();
    for run in 1..=runs {
        eprintln!("gc: run {run}/{runs}: {} measurements", cells.len());
        for &(workload, k) in &cells {
            let key = (workload, k.name());
            if failed.contains_key(&key) {
                continue;
            }
            let spec = ChildSpec {
                suite: SUITE,
                contender: k.name(),
                workload: workload.name(),
                quick: args.quick,
                libpython: None,
                prewarm_bytes: if args.no_prewarm {
                    0
                } else {
                    sizes.prewarm_bytes(workload)
                },
            };
            match run_child(&spec) {
                Ok(s) => samples.entry(key).or_default().push(s),
                Err(err) => {
                    eprintln!("gc: {workload} {} failed: {err:#}", k.name());
                    failed.insert(key, format!("{err:#}"));
                }
            }
        }
    }

    let results = Results::new(
        contenders,
        samples
            .iter()
            .filter(|(key, _)| !failed.contains_key(key))
            .filter_map(|(&(w, k), s)| CellResult::from_samples(w, k, s)),
    );
    let targets = render_targets(&results.targets(&sizes), args.quick);
    if args.json {
        for line in results.json_lines(args.quick) {
            println!("{line}");
        }
        eprint!("{targets}");
    } else {
        let size = if args.quick {
            "--quick sizes"
        } else {
            "full sizes"
        };
        println!(
            "pymem-bench gc ({size}; median of {runs} run(s), each in a fresh process; CPU time \
             (Rust: the workload thread's; cpython: the interpreter's, measured in the script), \
             wall beside it; ×cpython = ratio to CPython 3.11's; peak = the process's VmHWM)"
        );
        for workload in Workload::ALL {
            println!();
            println!("{}", describe_workload(workload, &sizes));
            print!("{}", results.table(workload));
        }
        println!();
        print!("{}", results.notes(&notes));
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

    #[test]
    fn select_contenders_parses_lists() {
        let only = vec!["cpython".to_owned(), "BACON".to_owned()];
        let names: Vec<&str> = select_contenders(&only)
            .unwrap()
            .iter()
            .map(|k| k.name())
            .collect();
        assert_eq!(names, vec!["bacon", "cpython"]);
        assert!(select_contenders(&["nope".to_owned()]).is_err());
        assert!(select_contenders(&[" ".to_owned()]).is_err());
        assert_eq!(select_contenders(&[]).unwrap().len(), ALL.len());
    }
}
