//! Contender `pymem`: the `heap` crate's `Obj` of tracked node types (the 32-byte header with
//! the collector's links, as a CPython container has) on its own obmalloc instance, links in a
//! `GilCell`, collected by `heap::gc::collect` (CPython 3.11's generational algorithm: a full
//! collection is generation 2, `young` times generation 0). The whole workload runs inside one
//! `heap::with_gil`, whose token every operation takes, with automatic collection off (the
//! CPython script runs with `gc.disable()` likewise). After each full collection the heap's
//! own count of live objects must equal the live payloads, with nothing left in the trashcan.

use anyhow::{Result, anyhow, bail};
use heap::{Gil, GilCell, Obj, Object, Trace, with_gil};

use super::peer::{Collector, Peer};
use super::{Counted, Role};

/// The registered contender.
pub(super) static CONTENDER: Peer<Pymem> = Peer::new();

/// pymem's heap and cycle collector as a [`Collector`].
pub(super) struct Pymem;

/// A node with one link.
#[derive(Trace)]
pub(super) struct Node {
    next: GilCell<Option<Obj<Node>>>,
    #[trace(skip)]
    #[expect(dead_code, reason = "the payload is only counted in and out")]
    payload: Counted,
}

impl Object for Node {}

/// A doubly linked node.
#[derive(Trace)]
pub(super) struct DNode {
    next: GilCell<Option<Obj<DNode>>>,
    prev: GilCell<Option<Obj<DNode>>>,
    #[trace(skip)]
    #[expect(dead_code, reason = "the payload is only counted in and out")]
    payload: Counted,
}

impl Object for DNode {}

/// A list of handles, fixed at construction (tracked all the same, as a CPython list is).
#[derive(Trace)]
pub(super) struct List {
    items: Vec<Obj<List>>,
    #[trace(skip)]
    #[expect(dead_code, reason = "the payload is only counted in and out")]
    payload: Counted,
}

impl Object for List {}

/// Fails unless every object on the heap is a live node (the payloads count those) and the
/// trashcan is empty.
fn expect_heap(gil: &Gil<'_>, after: &str) -> Result<()> {
    let (objects, pending) = (gil.live_objects(), gil.trash_pending());
    let live = Counted::live();
    if objects as i64 != live || pending != 0 {
        bail!(
            "{objects} heap objects alive after {after}, {live} live nodes, {pending} in the \
             trashcan"
        );
    }
    Ok(())
}

impl Collector for Pymem {
    const NAME: &'static str = "pymem";
    const DESCRIBE: &'static str = "pymem's heap: Obj of tracked types (32-byte header), links in \
         a GilCell, one with_gil per workload; collection = heap::gc::collect(gil, 2) (CPython \
         3.11's update/subtract-refs over every tracked object; heap object count checked \
         equal to the live nodes afterwards), young = collect(gil, 0); obmalloc";
    const ROLE: Role = Role::Ours;

    type Node = Obj<Node>;
    type DNode = Obj<DNode>;
    type List = Obj<List>;
    type Cx<'a> = Gil<'a>;

    /// Automatic collection is off for the workload, as the CPython script's `gc.disable()`
    /// while building: both collect only when the workload says so, and both find their
    /// objects in allocation order.
    fn enter<R>(f: impl for<'a> FnOnce(&mut Gil<'a>) -> R) -> R {
        with_gil(|gil| {
            heap::gc::disable(gil);
            let out = f(gil);
            heap::gc::enable(gil);
            out
        })
    }

    fn node(gil: &Gil<'_>, value: u64) -> Obj<Node> {
        Obj::new(
            gil,
            Node {
                next: GilCell::new(None),
                payload: Counted::new(value),
            },
        )
    }

    fn set_next(gil: &Gil<'_>, node: &Obj<Node>, next: Obj<Node>) {
        node.get(gil).next.set(gil, Some(next));
    }

    fn next(gil: &Gil<'_>, node: &Obj<Node>) -> Option<Obj<Node>> {
        node.get(gil).next.cloned(gil)
    }

    fn dnode(gil: &Gil<'_>, value: u64) -> Obj<DNode> {
        Obj::new(
            gil,
            DNode {
                next: GilCell::new(None),
                prev: GilCell::new(None),
                payload: Counted::new(value),
            },
        )
    }

    fn link_next(gil: &Gil<'_>, node: &Obj<DNode>, next: &Obj<DNode>) {
        node.get(gil).next.set(gil, Some(next.clone_ref(gil)));
        next.get(gil).prev.set(gil, Some(node.clone_ref(gil)));
    }

    fn list(gil: &Gil<'_>, items: Vec<Obj<List>>, value: u64) -> Obj<List> {
        Obj::new(
            gil,
            List {
                items,
                payload: Counted::new(value),
            },
        )
    }

    fn collect(gil: &mut Gil<'_>) -> Result<()> {
        heap::gc::collect(gil, 2).map_err(|e| anyhow!("heap::gc::collect(gil, 2): {e}"))?;
        expect_heap(gil, "a full collection")
    }

    fn set_auto_collect(gil: &Gil<'_>, on: bool) -> Result<()> {
        if on {
            heap::gc::enable(gil);
        } else {
            heap::gc::disable(gil);
        }
        if heap::gc::is_enabled(gil) != on {
            bail!("heap::gc::is_enabled is {} after setting it {on}", !on);
        }
        Ok(())
    }

    fn has_generations() -> bool {
        true
    }

    fn collect_young(gil: &mut Gil<'_>) -> Result<()> {
        heap::gc::collect(gil, 0).map_err(|e| anyhow!("heap::gc::collect(gil, 0): {e}"))?;
        Ok(())
    }
}
