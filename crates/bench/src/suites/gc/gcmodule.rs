//! Contender `gcmodule`: gcmodule 0.3.3's `Cc` (CPython's update/subtract-refs algorithm over a
//! thread-local list of every tracked object, collected only by an explicit
//! `collect_thread_cycles()`): every collection is a full scan, as in CPython. The node types
//! are tracked, so every object carries the 3-word GC header. No generations.

use std::cell::RefCell;

use anyhow::Result;
use gcmodule::{Cc, Trace, Tracer, collect_thread_cycles, count_thread_tracked};

use super::Counted;
use super::peer::{Collector, Peer, expect_tracked};

/// The registered contender.
pub(super) static CONTENDER: Peer<Gcmodule> = Peer::new();

/// gcmodule as a [`Collector`].
pub(super) struct Gcmodule;

/// A node with one link.
pub(super) struct Node {
    next: RefCell<Option<Cc<Node>>>,
    #[expect(dead_code, reason = "the payload is only counted in and out")]
    payload: Counted,
}

/// A doubly linked node.
pub(super) struct DNode {
    next: RefCell<Option<Cc<DNode>>>,
    prev: RefCell<Option<Cc<DNode>>>,
    #[expect(dead_code, reason = "the payload is only counted in and out")]
    payload: Counted,
}

/// A list of handles.
pub(super) struct List {
    items: Vec<Cc<List>>,
    #[expect(dead_code, reason = "the payload is only counted in and out")]
    payload: Counted,
}

// gcmodule's derive recurses forever on self-referential types (its PR #14), so the impls are
// written by hand, as gcmodule's docs advise for recursive types. `Trace` is a safe trait.
impl Trace for Node {
    fn trace(&self, tracer: &mut Tracer) {
        self.next.trace(tracer);
    }

    fn is_type_tracked() -> bool {
        true
    }
}

impl Trace for DNode {
    fn trace(&self, tracer: &mut Tracer) {
        self.next.trace(tracer);
        self.prev.trace(tracer);
    }

    fn is_type_tracked() -> bool {
        true
    }
}

impl Trace for List {
    fn trace(&self, tracer: &mut Tracer) {
        self.items.trace(tracer);
    }

    fn is_type_tracked() -> bool {
        true
    }
}

impl Collector for Gcmodule {
    const NAME: &'static str = "gcmodule";
    const DESCRIBE: &'static str = "gcmodule 0.3.3 Cc of tracked types (3-word GC header), links \
         in a RefCell; collection = collect_thread_cycles() (a full scan of every tracked object; \
         tracked count checked equal to the live nodes afterwards); system malloc";

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
        collect_thread_cycles();
        expect_tracked(count_thread_tracked())
    }
}
