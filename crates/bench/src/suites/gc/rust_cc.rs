//! Contender `rust-cc`: rust-cc 0.6.2's `Cc` (trial deletion; default features, which include
//! automatic collection and finalization, plus `weak-ptrs`). A `Cc` dropped to a non-zero count
//! is buffered as a candidate root; `collect_cycles()` examines only the candidates and what
//! they reach, so a collection without candidates costs nothing.

use std::cell::RefCell;

use anyhow::{Result, anyhow};
use rust_cc::{Cc, Finalize, Trace, collect_cycles};

use super::Counted;
use super::peer::{Collector, Peer};

/// The registered contender.
pub(super) static CONTENDER: Peer<RustCc> = Peer::new();

/// rust-cc as a [`Collector`].
pub(super) struct RustCc;

/// A node with one link.
#[derive(Trace, Finalize)]
pub(super) struct Node {
    next: RefCell<Option<Cc<Node>>>,
    #[rust_cc(ignore)]
    #[expect(dead_code, reason = "the payload is only counted in and out")]
    payload: Counted,
}

/// A doubly linked node.
#[derive(Trace, Finalize)]
pub(super) struct DNode {
    next: RefCell<Option<Cc<DNode>>>,
    prev: RefCell<Option<Cc<DNode>>>,
    #[rust_cc(ignore)]
    #[expect(dead_code, reason = "the payload is only counted in and out")]
    payload: Counted,
}

/// A list of handles.
#[derive(Trace, Finalize)]
pub(super) struct List {
    items: Vec<Cc<List>>,
    #[rust_cc(ignore)]
    #[expect(dead_code, reason = "the payload is only counted in and out")]
    payload: Counted,
}

impl Collector for RustCc {
    const NAME: &'static str = "rust-cc";
    const DESCRIBE: &'static str = "rust-cc 0.6.2 Cc, links in a RefCell; defaults (auto-collect, \
         finalization) + weak-ptrs; collection = collect_cycles() (trial deletion from the \
         buffered candidates); system malloc";

    type Node = Cc<Node>;
    type DNode = Cc<DNode>;
    type List = Cc<List>;
    type Cx<'a> = ();

    fn enter<R>(f: impl for<'a> FnOnce(&mut ()) -> R) -> R {
        f(&mut ())
    }

    fn node(_cx: &(), value: u64) -> Cc<Node> {
        Cc::new(Node {
            next: RefCell::new(None),
            payload: Counted::new(value),
        })
    }

    fn set_next(_cx: &(), node: &Cc<Node>, next: Cc<Node>) {
        *node.next.borrow_mut() = Some(next);
    }

    fn next(_cx: &(), node: &Cc<Node>) -> Option<Cc<Node>> {
        node.next.borrow().clone()
    }

    fn dnode(_cx: &(), value: u64) -> Cc<DNode> {
        Cc::new(DNode {
            next: RefCell::new(None),
            prev: RefCell::new(None),
            payload: Counted::new(value),
        })
    }

    fn link_next(_cx: &(), node: &Cc<DNode>, next: &Cc<DNode>) {
        *node.next.borrow_mut() = Some(next.clone());
        *next.prev.borrow_mut() = Some(node.clone());
    }

    fn list(_cx: &(), items: Vec<Cc<List>>, value: u64) -> Cc<List> {
        Cc::new(List {
            items,
            payload: Counted::new(value),
        })
    }

    fn collect(_cx: &mut ()) -> Result<()> {
        collect_cycles();
        Ok(())
    }

    fn set_auto_collect(_cx: &(), on: bool) -> Result<()> {
        rust_cc::config::config(|c| c.set_auto_collect(on))
            .map_err(|e| anyhow!("rust-cc config: {e}"))
    }
}
