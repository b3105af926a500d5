//! Generation lists: circular doubly linked lists threaded through tracked objects' GC links,
//! with a sentinel node (CPython's `gc_generation.head`).
//!
//! This heap keeps only generation 0 (where `Obj::new` links new tracked objects and
//! `untrack`/`track` unlink and relink them); the cycle collector builds its other
//! generations from the same list type. Linking, unlinking and splicing are O(1) and touch no
//! memory besides the links themselves.

use std::cell::Cell;
use std::ptr::NonNull;

use crate::header::{GcLinks, Header};

/// A list of tracked objects (a sentinel whose links point at itself when empty).
pub(crate) struct GcList {
    head: GcLinks,
    len: Cell<usize>,
}

impl GcList {
    pub(crate) const fn new() -> GcList {
        GcList {
            head: GcLinks::untracked(),
            len: Cell::new(0),
        }
    }

    fn head_addr(&self) -> usize {
        (&raw const self.head).expose_provenance()
    }

    /// Points the sentinel at itself; the list must live at a fixed address from now on.
    pub(crate) fn init(&self) {
        self.head.next.set(self.head_addr());
        self.head.prev.set(self.head_addr());
        self.len.set(0);
    }

    /// Number of objects in the list.
    pub(crate) fn len(&self) -> usize {
        self.len.get()
    }

    /// Appends the object at the tail.
    ///
    /// # Safety
    /// `obj` is a live object of a tracked type, not in any list.
    pub(crate) unsafe fn push_back(&self, obj: NonNull<Header>) {
        // SAFETY: (caller) a tracked type has links.
        let links = unsafe { Header::links(obj) };
        let me = links.as_ptr().expose_provenance();
        let last = self.head.prev.get();
        // SAFETY: (caller) links are ours; `last` is the sentinel or a linked object's links.
        unsafe {
            links.as_ref().prev.set(last);
            links.as_ref().next.set(self.head_addr());
            (*std::ptr::with_exposed_provenance::<GcLinks>(last))
                .next
                .set(me);
        }
        self.head.prev.set(me);
        self.len.set(self.len.get() + 1);
    }

    /// Removes the object from this list and marks it untracked.
    ///
    /// # Safety
    /// `obj` is a live object of a tracked type, linked in this list.
    pub(crate) unsafe fn unlink(&self, obj: NonNull<Header>) {
        // SAFETY: (caller) linked, so its neighbours are valid links.
        unsafe {
            let links = Header::links(obj).as_ref();
            let prev = std::ptr::with_exposed_provenance::<GcLinks>(links.prev.get());
            let next = std::ptr::with_exposed_provenance::<GcLinks>(links.next.get());
            (*prev).next.set(links.next.get());
            (*next).prev.set(links.prev.get());
            links.next.set(0);
            links.prev.set(0);
        }
        self.len.set(self.len.get() - 1);
    }

    /// The headers of the objects in the list, in order.
    pub(crate) fn headers(&self) -> Vec<NonNull<Header>> {
        let mut out = Vec::with_capacity(self.len());
        let mut at = self.head.next.get();
        while at != self.head_addr() {
            let links = std::ptr::with_exposed_provenance_mut::<GcLinks>(at);
            // SAFETY: linked objects' links are followed by their header.
            out.push(unsafe { NonNull::new_unchecked(links.add(1).cast::<Header>()) });
            // SAFETY: a linked node.
            at = unsafe { (*links).next.get() };
        }
        out
    }
}

/// Whether a tracked type's object is currently in a list.
///
/// # Safety
/// `obj` is a live object of a tracked type.
pub(crate) unsafe fn is_linked(obj: NonNull<Header>) -> bool {
    // SAFETY: (caller).
    unsafe { Header::links(obj).as_ref().next.get() != 0 }
}
