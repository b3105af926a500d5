//! Parent entry point of the `heap` suite: runs every cell in child processes, then prints.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};

use super::report::{CellResult, ProbeOutcome, Results, render_targets};
use super::{Contender, SUITE, Sizes, Workload};
use crate::cli::SuiteArgs;
use crate::runner::{ChildOutcome, ChildSpec, Sample, run_child, run_child_outcome};

/// What Rust's runtime prints when a thread runs into its stack's guard page.
const OVERFLOW_MESSAGE: &str = "has overflowed its stack";

/// Resolves `--only` (empty: everyone) into contenders, in report order.
pub fn select_contenders(only: &[String]) -> Result<Vec<Contender>> {
    if only.is_empty() {
        return Ok(Contender::ALL.to_vec());
    }
    let wanted: BTreeSet<Contender> = only
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.parse())
        .collect::<Result<_>>()?;
    if wanted.is_empty() {
        bail!("--only names no contender");
    }
    Ok(Contender::ALL
        .into_iter()
        .filter(|k| wanted.contains(k))
        .collect())
}

/// Classifies how a probe child ended.
pub fn classify_probe(outcome: ChildOutcome) -> ProbeOutcome {
    match outcome {
        ChildOutcome::Sample(_) => ProbeOutcome::Ok,
        ChildOutcome::Failed {
            signal: Some(sig),
            stderr,
            ..
        } if (sig == libc::SIGSEGV || sig == libc::SIGABRT || sig == libc::SIGBUS)
            && stderr.contains(OVERFLOW_MESSAGE) =>
        {
            ProbeOutcome::Overflow
        }
        ChildOutcome::Failed {
            code,
            signal,
            stderr,
        } => {
            let how = match (signal, code) {
                (Some(sig), _) => format!("killed by signal {sig}"),
                (None, Some(code)) => format!("exit status {code}"),
                (None, None) => "no exit status".to_owned(),
            };
            ProbeOutcome::Failed(format!("{how}: {}", stderr.trim()))
        }
    }
}

fn spec<'a>(
    workload: Workload,
    contender: Contender,
    args: &SuiteArgs,
    sizes: &Sizes,
) -> ChildSpec<'a> {
    ChildSpec {
        suite: SUITE,
        contender: contender.name(),
        workload: workload.name(),
        quick: args.quick,
        libpython: None,
        prewarm_bytes: if args.no_prewarm {
            0
        } else {
            sizes.prewarm_bytes(workload)
        },
    }
}

/// Parent entry point for `pymem-bench heap`.
pub fn run(args: &SuiteArgs) -> Result<()> {
    let contenders = select_contenders(&args.only)?;
    let timed: Vec<(Workload, Contender)> = Workload::TIMED
        .into_iter()
        .flat_map(|w| contenders.iter().map(move |&k| (w, k)))
        .filter(|&(w, k)| w.supports(k))
        .collect();
    let probes: Vec<(Workload, Contender)> = Workload::PROBES
        .into_iter()
        .flat_map(|w| contenders.iter().map(move |&k| (w, k)))
        .filter(|&(w, k)| w.supports(k))
        .collect();

    let runs = args.runs as usize;
    let sizes = Sizes::new(args.quick);
    let mut samples: BTreeMap<(Workload, Contender), Vec<Sample>> = BTreeMap::new();
    let mut failed: BTreeMap<(Workload, Contender), String> = BTreeMap::new();
    for run in 1..=runs {
        eprintln!("heap: run {run}/{runs}: {} measurements", timed.len());
        for &(workload, kind) in &timed {
            if failed.contains_key(&(workload, kind)) {
                continue;
            }
            match run_child(&spec(workload, kind, args, &sizes)) {
                Ok(s) => samples.entry((workload, kind)).or_default().push(s),
                Err(err) => {
                    eprintln!("heap: {workload} {kind} failed: {err:#}");
                    failed.insert((workload, kind), format!("{err:#}"));
                }
            }
        }
    }
    eprintln!(
        "heap: {} stack probes ({} nodes; an overflow kills its child on purpose)",
        probes.len(),
        sizes.probe_nodes
    );
    let mut outcomes = BTreeMap::new();
    for &(workload, kind) in &probes {
        let outcome = match run_child_outcome(&spec(workload, kind, args, &sizes)) {
            Ok(o) => classify_probe(o),
            Err(err) => ProbeOutcome::Failed(format!("{err:#}")),
        };
        if let ProbeOutcome::Failed(msg) = &outcome {
            eprintln!("heap: {workload} {kind} failed: {msg}");
            failed.insert((workload, kind), msg.clone());
        }
        outcomes.insert((workload, kind), outcome);
    }

    let results = Results::new(
        contenders,
        samples
            .iter()
            .filter(|(key, _)| !failed.contains_key(key))
            .filter_map(|(&(w, k), s)| CellResult::from_samples(w, k, s)),
        outcomes,
    );
    let targets = render_targets(&results.targets(), args.quick);
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
            "pymem-bench heap ({size}; median of {runs} run(s), each in a fresh process on a \
             4 GiB-stack thread; thread CPU time, wall beside it; ×rc = ratio to rc's)"
        );
        println!(
            "chain: {} nodes built (head = new(Node {{ next: head, payload }})), then freed (drop \
             + the crate's collect; every payload checked freed)",
            sizes.chain_nodes
        );
        println!(
            "  peak = the child's VmHWM; live = RSS the built chain added; a recursive drop \
             touches fresh stack (~50-100 B per node), whose faults count in free and peak"
        );
        println!(
            "  stack columns: the {}-node chain built and dropped on an 8 MiB / 64 KiB thread, \
             one child each",
            sizes.probe_nodes
        );
        print!("{}", results.chain_table());
        println!();
        println!(
            "clone: clone + drop of one handle ({} ops); weakref: weak create + upgrade + drop \
             ({} ops)",
            sizes.clone_iters, sizes.weakref_iters
        );
        print!("{}", results.ops_table());
        println!();
        print!("{}", results.notes());
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
        let only = vec!["pymem".to_owned(), "RC".to_owned()];
        assert_eq!(
            select_contenders(&only).unwrap(),
            vec![Contender::Rc, Contender::Pymem]
        );
        assert!(select_contenders(&["nope".to_owned()]).is_err());
        assert!(select_contenders(&[" ".to_owned()]).is_err());
        assert_eq!(select_contenders(&[]).unwrap(), Contender::ALL.to_vec());
    }

    #[test]
    fn probes_are_classified() {
        let failed = |signal, stderr: &str| ChildOutcome::Failed {
            code: None,
            signal,
            stderr: stderr.to_owned(),
        };
        assert_eq!(
            classify_probe(ChildOutcome::Sample(Sample::default())),
            ProbeOutcome::Ok
        );
        let msg = "\nthread 'heap-bench' has overflowed its stack\nfatal runtime error: stack \
                   overflow";
        assert_eq!(
            classify_probe(failed(Some(libc::SIGABRT), msg)),
            ProbeOutcome::Overflow
        );
        assert!(matches!(
            classify_probe(failed(Some(libc::SIGSEGV), "")),
            ProbeOutcome::Failed(m) if m.contains("signal")
        ));
        assert!(matches!(
            classify_probe(ChildOutcome::Failed {
                code: Some(1),
                signal: None,
                stderr: "Error: 3 nodes alive".into(),
            }),
            ProbeOutcome::Failed(m) if m.contains("3 nodes alive")
        ));
    }
}
