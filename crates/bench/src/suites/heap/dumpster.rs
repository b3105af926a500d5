//! Contender `dumpster`: dumpster 2.1.0's `unsync::Gc<Node>` with its default collect condition
//! (a collection whenever more `Gc`s were dropped since the last one than exist). A `Gc` dropped
//! to zero is freed at once (recursively); one dropped to a non-zero count is marked dirty in a
//! thread-local map for the next collection. No weak pointers.

use std::cell::RefCell;
use std::hint::black_box;

use ::dumpster::Trace;
use ::dumpster::unsync::{Gc, collect};
use anyhow::Result;

use super::{ChainTimes, Counted, LoopTimes, expect_live, measure_chain, measure_loop};

#[derive(Trace)]
struct Node {
    next: RefCell<Option<Gc<Node>>>,
    payload: Counted,
}

fn node(next: Option<Gc<Node>>, value: u64) -> Gc<Node> {
    Gc::new(Node {
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
            collect();
        },
    )
}

/// `Gc::clone` + drop.
pub(super) fn clone(iters: u64) -> Result<LoopTimes> {
    let a = node(None, 0);
    let e = measure_loop(iters, || drop(black_box(Gc::clone(black_box(&a)))));
    drop(a);
    collect();
    expect_live(0, "after dropping the object and collecting")?;
    Ok(e.into())
}
