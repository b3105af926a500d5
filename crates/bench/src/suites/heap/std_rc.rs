//! Contender `rc`: `Rc<RefCell<Node>>`, the baseline. Dropping the head recurses once per node.

use std::cell::RefCell;
use std::hint::black_box;
use std::rc::Rc;

use anyhow::Result;

use super::{
    ChainTimes, Counted, LoopTimes, expect_live, expect_upgrades, measure_chain, measure_loop,
    warmup_iters,
};

struct Node {
    #[expect(dead_code, reason = "a link is only dropped")]
    next: Option<Rc<RefCell<Node>>>,
    #[expect(dead_code, reason = "the payload is only counted in and out")]
    payload: Counted,
}

fn node(next: Option<Rc<RefCell<Node>>>, value: u64) -> Rc<RefCell<Node>> {
    Rc::new(RefCell::new(Node {
        next,
        payload: Counted::new(value),
    }))
}

/// Builds an `n`-node chain and drops it.
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
        |_, head| drop(head),
    )
}

/// `Rc::clone` + drop.
pub(super) fn clone(iters: u64) -> Result<LoopTimes> {
    let a = node(None, 0);
    let e = measure_loop(iters, || drop(black_box(Rc::clone(black_box(&a)))));
    drop(a);
    expect_live(0, "after dropping the object")?;
    Ok(e.into())
}

/// `Rc::downgrade` + `Weak::upgrade` + drops.
pub(super) fn weakref(iters: u64) -> Result<LoopTimes> {
    let a = node(None, 0);
    let mut upgraded = 0;
    let e = measure_loop(iters, || {
        let w = black_box(Rc::downgrade(black_box(&a)));
        upgraded += u64::from(black_box(w.upgrade()).is_some());
    });
    expect_upgrades(upgraded, iters + warmup_iters(iters))?;
    drop(a);
    expect_live(0, "after dropping the object")?;
    Ok(e.into())
}
