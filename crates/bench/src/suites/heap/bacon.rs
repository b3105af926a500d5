//! Contender `bacon`: bacon_rajan_cc 0.4.0's `Cc<Node>` (synchronous Bacon–Rajan trial
//! deletion, collected only by an explicit `collect_cycles()`). A `Cc` dropped to zero is freed
//! at once (recursively); one dropped to a non-zero count is buffered as a possible root.

use std::cell::RefCell;
use std::hint::black_box;

use anyhow::{Result, bail};
use bacon_rajan_cc::{Cc, Trace, Tracer, collect_cycles, number_of_roots_buffered};

use super::{
    ChainTimes, Counted, LoopTimes, expect_live, expect_upgrades, measure_chain, measure_loop,
    warmup_iters,
};

struct Node {
    next: RefCell<Option<Cc<Node>>>,
    #[expect(dead_code, reason = "the payload is only counted in and out")]
    payload: Counted,
}

// bacon_rajan_cc has no derive; its `Trace` is a safe trait. The payload holds no `Cc`.
impl Trace for Node {
    fn trace(&self, tracer: &mut Tracer) {
        self.next.trace(tracer);
    }
}

fn node(next: Option<Cc<Node>>, value: u64) -> Cc<Node> {
    Cc::new(Node {
        next: RefCell::new(next),
        payload: Counted::new(value),
    })
}

/// Collects, and fails if roots are still buffered afterwards.
fn collect() -> Result<()> {
    collect_cycles();
    let left = number_of_roots_buffered();
    if left != 0 {
        bail!("{left} roots still buffered after collect_cycles()");
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

/// `Cc::downgrade` + `Weak::upgrade` + drops.
pub(super) fn weakref(iters: u64) -> Result<LoopTimes> {
    let a = node(None, 0);
    let mut upgraded = 0;
    let e = measure_loop(iters, || {
        let w = black_box(black_box(&a).downgrade());
        upgraded += u64::from(black_box(w.upgrade()).is_some());
    });
    expect_upgrades(upgraded, iters + warmup_iters(iters))?;
    drop(a);
    collect()?;
    expect_live(0, "after dropping the object and collecting")?;
    Ok(e.into())
}
