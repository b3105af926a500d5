//! Contender `bacon`: bacon_rajan_cc 0.4.0's `Cc` (synchronous Bacon–Rajan trial deletion,
//! collected only by an explicit `collect_cycles()`). A `Cc` dropped to a non-zero count is
//! buffered as a possible root; a collection examines only those roots and what they reach.

use std::cell::RefCell;

use anyhow::{Result, bail};
use bacon_rajan_cc::{Cc, Trace, Tracer, collect_cycles, number_of_roots_buffered};

use super::Counted;
use super::peer::{Collector, Peer};

/// The registered contender.
pub(super) static CONTENDER: Peer<Bacon> = Peer::new();

/// bacon_rajan_cc as a [`Collector`].
pub(super) struct Bacon;

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

// bacon_rajan_cc has no derive; its `Trace` is a safe trait. The payloads hold no `Cc`.
impl Trace for Node {
    fn trace(&self, tracer: &mut Tracer) {
        self.next.trace(tracer);
    }
}

impl Trace for DNode {
    fn trace(&self, tracer: &mut Tracer) {
        self.next.trace(tracer);
        self.prev.trace(tracer);
    }
}

impl Trace for List {
    fn trace(&self, tracer: &mut Tracer) {
        self.items.trace(tracer);
    }
}

impl Collector for Bacon {
    const NAME: &'static str = "bacon";
    const DESCRIBE: &'static str = "bacon_rajan_cc 0.4.0 Cc, links in a RefCell; collection = \
         collect_cycles() (trial deletion from the buffered roots, checked empty afterwards); \
         no automatic collection; system malloc";

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
        let left = number_of_roots_buffered();
        if left != 0 {
            bail!("{left} roots still buffered after collect_cycles()");
        }
        Ok(())
    }
}
