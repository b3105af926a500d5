//! Contender `gcmodule`: gcmodule 0.3.3's `Cc<Node>` (CPython's update/subtract-refs algorithm
//! over a thread-local list of tracked objects, collected only by an explicit
//! `collect_thread_cycles()`). The node type is tracked (it can be part of a cycle), so every
//! object carries the 3-word GC header. No weak pointers in this version.

use std::cell::RefCell;
use std::hint::black_box;

use anyhow::{Result, bail};
use gcmodule::{Cc, Trace, Tracer, collect_thread_cycles, count_thread_tracked};

use super::{ChainTimes, Counted, LoopTimes, expect_live, measure_chain, measure_loop};

struct Node {
    next: RefCell<Option<Cc<Node>>>,
    #[expect(dead_code, reason = "the payload is only counted in and out")]
    payload: Counted,
}

// gcmodule's derive recurses forever on self-referential types (its PR #14), so the impl is
// written by hand, as gcmodule's docs advise for recursive types. `Trace` is a safe trait.
impl Trace for Node {
    fn trace(&self, tracer: &mut Tracer) {
        self.next.trace(tracer);
    }

    fn is_type_tracked() -> bool {
        true
    }
}

fn node(next: Option<Cc<Node>>, value: u64) -> Cc<Node> {
    Cc::new(Node {
        next: RefCell::new(next),
        payload: Counted::new(value),
    })
}

/// Collects, and fails if objects are still tracked afterwards.
fn collect() -> Result<()> {
    collect_thread_cycles();
    let left = count_thread_tracked();
    if left != 0 {
        bail!("{left} objects still tracked after collect_thread_cycles()");
    }
    Ok(())
}

/// Builds an `n`-node chain, drops it and collects.
pub(super) fn chain(n: u64) -> Result<ChainTimes> {
    let mut collected = Ok(());
    let times = measure_chain(
        &mut (),
        n,
        |_, n| {
            let mut head = None;
            for i in 0..n {
                head = Some(node(head.take(), i));
            }
            head
        },
        |_, head| {
            drop(head);
            collected = collect();
        },
    )?;
    collected?;
    Ok(times)
}

/// `Cc::clone` + drop.
pub(super) fn clone(iters: u64) -> Result<LoopTimes> {
    let a = node(None, 0);
    let e = measure_loop(iters, || drop(black_box(Cc::clone(black_box(&a)))));
    drop(a);
    collect()?;
    expect_live(0, "after dropping the object and collecting")?;
    Ok(e.into())
}
