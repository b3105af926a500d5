//! Contender `rust-cc`: rust-cc 0.6.2's `Cc<Node>` (trial deletion; default features, which
//! include automatic collection and finalization, plus `weak-ptrs`). A `Cc` dropped to zero is
//! freed at once (recursively); one dropped to a non-zero count becomes a candidate root for the
//! next collection.

use std::cell::RefCell;
use std::hint::black_box;

use anyhow::Result;
use rust_cc::{Cc, Finalize, Trace, collect_cycles};

use super::{
    ChainTimes, Counted, LoopTimes, expect_live, expect_upgrades, measure_chain, measure_loop,
    warmup_iters,
};

#[derive(Trace, Finalize)]
struct Node {
    next: RefCell<Option<Cc<Node>>>,
    #[rust_cc(ignore)]
    #[expect(dead_code, reason = "the payload is only counted in and out")]
    payload: Counted,
}

fn node(next: Option<Cc<Node>>, value: u64) -> Cc<Node> {
    Cc::new(Node {
        next: RefCell::new(next),
        payload: Counted::new(value),
    })
}

/// Builds an `n`-node chain, drops it and collects.
pub(super) fn chain(n: u64) -> Result<ChainTimes> {
    measure_chain(
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
            collect_cycles();
        },
    )
}

/// `Cc::clone` + drop.
pub(super) fn clone(iters: u64) -> Result<LoopTimes> {
    let a = node(None, 0);
    let e = measure_loop(iters, || drop(black_box(Cc::clone(black_box(&a)))));
    drop(a);
    collect_cycles();
    expect_live(0, "after dropping the object and collecting")?;
    Ok(e.into())
}

/// `Cc::downgrade` + `Weak::upgrade` + drops.
pub(super) fn weakref(iters: u64) -> Result<LoopTimes> {
    let a = node(None, 0);
    let mut upgraded = 0;
    let e = measure_loop(iters, || {
        let w = black_box(Cc::downgrade(black_box(&a)));
        upgraded += u64::from(black_box(w.upgrade()).is_some());
    });
    expect_upgrades(upgraded, iters + warmup_iters(iters))?;
    drop(a);
    collect_cycles();
    expect_live(0, "after dropping the object and collecting")?;
    Ok(e.into())
}
