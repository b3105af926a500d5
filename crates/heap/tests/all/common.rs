//! Test payload types.

use std::sync::atomic::{AtomicUsize, Ordering};

use heap::{AnyObj, Gil, GilCell, Obj, Object, Trace};

/// A container node: a name and a mutable list of children (tracked).
#[derive(Trace)]
pub(crate) struct Node {
    pub(crate) name: u32,
    pub(crate) children: GilCell<Vec<AnyObj>>,
}

impl Object for Node {}

impl Node {
    pub(crate) fn new(gil: &Gil, name: u32) -> Obj<Node> {
        Obj::new(
            gil,
            Node {
                name,
                children: GilCell::new(Vec::new()),
            },
        )
    }

    pub(crate) fn push(this: &Obj<Node>, gil: &mut Gil, child: AnyObj) {
        this.get(gil).children.with_mut(gil, |c| c.push(child));
    }
}

/// An immutable chain link (untracked: it cannot close a cycle).
#[derive(Trace)]
pub(crate) struct Link {
    pub(crate) next: Option<Obj<Link>>,
}

impl Object for Link {
    const TRACKED: bool = false;
}

/// An atomic payload that cannot be weakly referenced (like `int`).
#[derive(Trace)]
pub(crate) struct Int(pub(crate) i64);

impl Object for Int {
    const TRACKED: bool = false;
    const WEAKREFABLE: bool = false;

    fn type_name() -> &'static str {
        "int"
    }
}

/// Counts instances dropped, per test (each test uses its own static).
pub(crate) struct DropCounter(pub(crate) &'static AtomicUsize);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

heap::unsafe_empty_trace!(DropCounter);
