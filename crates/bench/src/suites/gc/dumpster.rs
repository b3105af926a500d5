//! Contender `dumpster`: dumpster 2.1.0's `unsync::Gc` with its default collect condition (a
//! collection whenever more `Gc`s were dropped since the last one than exist, which can run
//! inside a drop). A `Gc` dropped to a non-zero count is marked dirty in a thread-local map;
//! `collect()` examines the dirty objects and what they reach.

use std::cell::RefCell;

use ::dumpster::Trace;
use ::dumpster::unsync::{Gc, collect, default_collect_condition, set_collect_condition};
use anyhow::Result;

use super::Counted;
use super::peer::{Collector, Peer};

/// The registered contender.
pub(super) static CONTENDER: Peer<Dumpster> = Peer::new();

/// dumpster (unsync) as a [`Collector`].
pub(super) struct Dumpster;

/// A node with one link.
#[derive(Trace)]
pub(super) struct Node {
    next: RefCell<Option<Gc<Node>>>,
    payload: Counted,
}

/// A doubly linked node.
#[derive(Trace)]
pub(super) struct DNode {
    next: RefCell<Option<Gc<DNode>>>,
    prev: RefCell<Option<Gc<DNode>>>,
    payload: Counted,
}

/// A list of handles.
#[derive(Trace)]
pub(super) struct List {
    items: Vec<Gc<List>>,
    payload: Counted,
}

impl Collector for Dumpster {
    const NAME: &'static str = "dumpster";
    const DESCRIBE: &'static str = "dumpster 2.1.0 unsync::Gc, links in a RefCell, default \
         collect condition; collection = unsync::collect() (from the dirty objects); system \
         malloc";

    type Node = Gc<Node>;
    type DNode = Gc<DNode>;
    type List = Gc<List>;
    type Cx<'a> = ();

    fn enter<R>(f: impl for<'a> FnOnce(&mut ()) -> R) -> R {
        f(&mut ())
    }

    fn node(_cx: &(), value: u64) -> Gc<Node> {
        Gc::new(Node {
            next: RefCell::new(None),
            payload: Counted::new(value),
        })
    }

    fn set_next(_cx: &(), node: &Gc<Node>, next: Gc<Node>) {
        *node.next.borrow_mut() = Some(next);
    }

    fn next(_cx: &(), node: &Gc<Node>) -> Option<Gc<Node>> {
        node.next.borrow().clone()
    }

    fn dnode(_cx: &(), value: u64) -> Gc<DNode> {
        Gc::new(DNode {
            next: RefCell::new(None),
            prev: RefCell::new(None),
            payload: Counted::new(value),
        })
    }

    fn link_next(_cx: &(), node: &Gc<DNode>, next: &Gc<DNode>) {
        *node.next.borrow_mut() = Some(next.clone());
        *next.prev.borrow_mut() = Some(node.clone());
    }

    fn list(_cx: &(), items: Vec<Gc<List>>, value: u64) -> Gc<List> {
        Gc::new(List {
            items,
            payload: Counted::new(value),
        })
    }

    fn collect(_cx: &mut ()) -> Result<()> {
        collect();
        Ok(())
    }

    fn set_auto_collect(_cx: &(), on: bool) -> Result<()> {
        set_collect_condition(if on {
            default_collect_condition
        } else {
            |_| false
        });
        Ok(())
    }
}
