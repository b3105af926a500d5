//! Contenders `pymem` and `pymem-tracked`: the `heap` crate's `Obj<Node>`, on its own obmalloc
//! instance, inside one `with_gil`.
//!
//! - `pymem`: an untracked node type (`Object::TRACKED = false`: the 16-byte header of count
//!   and type, no GC links) whose `next` is a plain `Option<Obj<Node>>` set at construction: a
//!   chain whose links never change cannot be part of a cycle, so this is its natural type.
//! - `pymem-tracked`: `next` in a `GilCell` and the default tracked type (32-byte header with
//!   the collector's links, like a CPython container), linked into generation 0 on creation.
//!
//! Dropping the head frees the chain through the heap's trashcan, which bounds the nesting of
//! deallocations, so the stack stays flat. Clone is measured twice: `clone_ref(&Gil)` (the
//! token proves the GIL is held) and the `Clone` impl (which checks a thread-local flag). Weak
//! references are measured as `downgrade(&Gil)` + `Weak::upgrade`, and as a `WeakRef` object
//! (`WeakRef::new` + `WeakRef::upgrade`); both create a weakref object when the referent has
//! none, as CPython's `weakref.ref` does.

use std::hint::black_box;

use anyhow::{Result, bail};
use heap::{Gil, GilCell, Obj, Object, Trace, WeakRef, with_gil};

use super::{
    ChainTimes, Counted, LoopTimes, expect_live, expect_upgrades, measure_chain, measure_loop,
    warmup_iters,
};

/// A chain node of either flavour.
trait BenchNode: Object {
    fn make(next: Option<Obj<Self>>, value: u64) -> Self;
}

/// `pymem`'s node: untracked, `next` fixed at construction.
#[derive(Trace)]
struct Node {
    next: Option<Obj<Node>>,
    #[trace(skip)]
    #[expect(dead_code, reason = "the payload is only counted in and out")]
    payload: Counted,
}

impl Object for Node {
    const TRACKED: bool = false;
}

impl BenchNode for Node {
    #[inline]
    fn make(next: Option<Obj<Node>>, value: u64) -> Node {
        Node {
            next,
            payload: Counted::new(value),
        }
    }
}

/// `pymem-tracked`'s node: tracked, `next` in a `GilCell`.
#[derive(Trace)]
struct TrackedNode {
    next: GilCell<Option<Obj<TrackedNode>>>,
    #[trace(skip)]
    #[expect(dead_code, reason = "the payload is only counted in and out")]
    payload: Counted,
}

impl Object for TrackedNode {}

impl BenchNode for TrackedNode {
    #[inline]
    fn make(next: Option<Obj<TrackedNode>>, value: u64) -> TrackedNode {
        TrackedNode {
            next: GilCell::new(next),
            payload: Counted::new(value),
        }
    }
}

/// Fails unless the heap holds `expected` objects and nothing waits in the trashcan.
fn expect_objects(gil: &Gil<'_>, expected: usize, when: &str) -> Result<()> {
    let (live, pending) = (gil.live_objects(), gil.trash_pending());
    if live != expected || pending != 0 {
        bail!("{live} heap objects alive {when} (expected {expected}), {pending} in the trashcan");
    }
    Ok(())
}

fn chain_of<N: BenchNode>(n: u64) -> Result<ChainTimes> {
    with_gil(|gil| {
        let before = gil.live_objects();
        let times = measure_chain(
            gil,
            n,
            |gil, n| {
                let mut head: Option<Obj<N>> = None;
                for i in 0..n {
                    head = Some(Obj::new(gil, N::make(head.take(), i)));
                }
                head
            },
            |_, head| drop(head),
        )?;
        expect_objects(gil, before, "after the free")?;
        Ok(times)
    })
}

/// Builds an `n`-node chain and drops it.
pub(super) fn chain(n: u64, tracked: bool) -> Result<ChainTimes> {
    if tracked {
        chain_of::<TrackedNode>(n)
    } else {
        chain_of::<Node>(n)
    }
}

fn clone_of<N: BenchNode>(iters: u64) -> Result<LoopTimes> {
    with_gil(|gil| {
        let before = gil.live_objects();
        let gil: &Gil<'_> = gil;
        let a = Obj::new(gil, N::make(None, 0));
        let main = measure_loop(iters, || drop(black_box(black_box(&a).clone_ref(gil))));
        let alt = measure_loop(iters, || drop(black_box(black_box(&a).clone())));
        drop(a);
        expect_objects(gil, before, "after dropping the object")?;
        expect_live(0, "after dropping the object")?;
        Ok(LoopTimes {
            main,
            alt: Some(alt),
        })
    })
}

/// `clone_ref` + drop, then `Clone` + drop.
pub(super) fn clone(iters: u64, tracked: bool) -> Result<LoopTimes> {
    if tracked {
        clone_of::<TrackedNode>(iters)
    } else {
        clone_of::<Node>(iters)
    }
}

fn weakref_of<N: BenchNode>(iters: u64) -> Result<LoopTimes> {
    with_gil(|gil| {
        let before = gil.live_objects();
        let gil: &Gil<'_> = gil;
        let a = Obj::new(gil, N::make(None, 0));
        let mut upgraded = 0;
        let main = measure_loop(iters, || {
            let w = black_box(black_box(&a).downgrade(gil));
            upgraded += u64::from(w.is_ok_and(|w| black_box(w.upgrade(gil)).is_some()));
        });
        expect_upgrades(upgraded, iters + warmup_iters(iters))?;
        let mut upgraded = 0;
        let alt = measure_loop(iters, || {
            let w = black_box(WeakRef::new(gil, black_box(&a).as_any(), None));
            upgraded += u64::from(w.is_ok_and(|w| black_box(WeakRef::upgrade(&w, gil)).is_some()));
        });
        expect_upgrades(upgraded, iters + warmup_iters(iters))?;
        drop(a);
        expect_objects(gil, before, "after dropping the object")?;
        expect_live(0, "after dropping the object")?;
        Ok(LoopTimes {
            main,
            alt: Some(alt),
        })
    })
}

/// `downgrade` + `Weak::upgrade`, then `WeakRef::new` + `WeakRef::upgrade`.
pub(super) fn weakref(iters: u64, tracked: bool) -> Result<LoopTimes> {
    if tracked {
        weakref_of::<TrackedNode>(iters)
    } else {
        weakref_of::<Node>(iters)
    }
}
