//! Generation lists: circular doubly linked lists threaded through tracked objects' GC links,
//! each with a sentinel node (CPython's `gc_generation.head`).
//!
//! Every tracked object is in exactly one list: one of the three generations, the permanent
//! generation of `gc.freeze()`, or — during a collection — one of the collector's scratch
//! lists (unreachable, finalizers, ...). Linking, unlinking, moving and splicing are O(1) and
//! touch no memory besides the links themselves; unlinking needs no knowledge of which list
//! the object is in, so an object that dies in the middle of a collection (a finalizer dropped
//! the last reference) leaves whatever list it is in. Lists do not keep their length (that
//! would need the list at hand on unlink); `len` walks.
//!
//! ## The low bits
//!
//! Links hold addresses of other links, which are 16-aligned, so their four low bits are free.
//! The collector uses two of them while it runs, as CPython does:
//!
//! * `prev` bit 1, [`COLLECTING`]: the object belongs to the set being collected. While the
//!   collector computes reachability, the rest of `prev` is not a pointer but the object's
//!   scratch reference count, shifted left by [`REFS_SHIFT`] (`gc_refs`), so the collector
//!   needs no memory of its own per object;
//! * `next` bit 0, [`UNREACHABLE`]: the object sits in the tentatively unreachable list
//!   (only inside `move_unreachable`).
//!
//! Outside a collection both are clear; list operations that may run while one is under way
//! (an object dying during a finalizer) keep their neighbours' flag bits intact.

use std::ptr::NonNull;

use crate::header::{GcLinks, Header};

/// `prev` flag: in the set being collected.
pub(crate) const COLLECTING: usize = 0b10;
/// `next` flag: in the tentatively unreachable list.
pub(crate) const UNREACHABLE: usize = 0b01;
/// Mask of the flag bits of a link word.
pub(crate) const FLAG_MASK: usize = 0b1111;
/// The scratch count lives in `prev` above this many bits.
pub(crate) const REFS_SHIFT: u32 = 4;

/// The links of a tracked object's header.
///
/// # Safety
/// `h` is a live object of a tracked type.
#[inline(always)]
pub(crate) unsafe fn links<'a>(h: NonNull<Header>) -> &'a GcLinks {
    // SAFETY: (caller) a tracked type's links sit right before its header.
    unsafe { Header::links(h).as_ref() }
}

/// The links at an address taken from a link word (flag bits ignored).
///
/// # Safety
/// `addr` (without flags) is the address of a sentinel or of a linked object's links.
#[inline(always)]
pub(crate) unsafe fn links_at<'a>(addr: usize) -> &'a GcLinks {
    // SAFETY: (caller) addresses in link words were exposed when stored.
    unsafe { &*std::ptr::with_exposed_provenance::<GcLinks>(addr & !FLAG_MASK) }
}

/// The header of the object whose links are at `addr` (flag bits ignored).
///
/// # Safety
/// `addr` is the links address of a linked object (not a sentinel).
#[inline(always)]
pub(crate) unsafe fn header_at(addr: usize) -> NonNull<Header> {
    let links = std::ptr::with_exposed_provenance_mut::<GcLinks>(addr & !FLAG_MASK);
    // SAFETY: (caller) the header follows the links in the same block.
    unsafe { NonNull::new_unchecked(links.add(1).cast::<Header>()) }
}

/// The address of a tracked object's links, exposed for storing in link words.
///
/// # Safety
/// `h` is a live object of a tracked type.
#[inline(always)]
pub(crate) unsafe fn links_addr(h: NonNull<Header>) -> usize {
    // SAFETY: (caller).
    unsafe { Header::links(h) }.as_ptr().expose_provenance()
}

/// A list of tracked objects (a sentinel whose links point at itself when empty). It must
/// stay at one address while objects are linked into it (scratch lists live on the
/// collector's stack frame and are emptied before it returns).
pub(crate) struct GcList {
    head: GcLinks,
}

impl GcList {
    pub(crate) const fn new() -> GcList {
        GcList {
            head: GcLinks::untracked(),
        }
    }

    /// A new, empty list at this address (`init` done).
    #[inline]
    pub(crate) fn head_addr(&self) -> usize {
        (&raw const self.head).expose_provenance()
    }

    /// Points the sentinel at itself.
    pub(crate) fn init(&self) {
        self.head.next.set(self.head_addr());
        self.head.prev.set(self.head_addr());
    }

    /// Whether the list is empty.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.head.next.get() & !FLAG_MASK == self.head_addr()
    }

    /// The first object, if any.
    #[inline]
    pub(crate) fn first(&self) -> Option<NonNull<Header>> {
        let at = self.head.next.get() & !FLAG_MASK;
        // SAFETY: a non-sentinel entry is a linked object's links.
        (at != self.head_addr()).then(|| unsafe { header_at(at) })
    }

    /// Number of objects in the list (walks it).
    pub(crate) fn len(&self) -> usize {
        let mut n = 0;
        self.for_each(|_| n += 1);
        n
    }

    /// Calls `f` with each object, in order. `f` must not change the list.
    #[inline]
    pub(crate) fn for_each(&self, mut f: impl FnMut(NonNull<Header>)) {
        let end = self.head_addr();
        let mut at = self.head.next.get() & !FLAG_MASK;
        while at != end {
            // SAFETY: a linked node: its links are followed by its header.
            let (h, next) = unsafe { (header_at(at), links_at(at).next.get()) };
            f(h);
            at = next & !FLAG_MASK;
        }
    }

    /// The headers of the objects in the list, in order.
    pub(crate) fn headers(&self) -> Vec<NonNull<Header>> {
        let mut out = Vec::new();
        self.for_each(|h| out.push(h));
        out
    }

    /// Appends the object at the tail (its own links are overwritten; flags dropped).
    ///
    /// # Safety
    /// `obj` is a live object of a tracked type, not in any list.
    #[inline]
    pub(crate) unsafe fn push_back(&self, obj: NonNull<Header>) {
        // SAFETY: (caller).
        let me = unsafe { links_addr(obj) };
        let last = self.head.prev.get() & !FLAG_MASK;
        // SAFETY: (caller) links are ours; `last` is the sentinel or a linked object's links.
        unsafe {
            let links = links_at(me);
            links.prev.set(last);
            links.next.set(self.head_addr());
            links_at(last).next.set(me);
        }
        self.head.prev.set(me);
    }

    /// Moves a linked object from whatever list it is in to this list's tail, keeping its
    /// `prev` flag bits (CPython's `gc_list_move`).
    ///
    /// # Safety
    /// `obj` is a live object of a tracked type, linked in some list, with a pointer (not a
    /// scratch count) in its `prev`.
    #[inline]
    pub(crate) unsafe fn move_back(&self, obj: NonNull<Header>) {
        // SAFETY: (caller).
        unsafe {
            let flags = links(obj).prev.get() & FLAG_MASK;
            unlink(obj);
            self.push_back(obj);
            let l = links(obj);
            l.prev.set(l.prev.get() | flags);
        }
    }

    /// Appends every object of `self` to `to`'s tail, leaving `self` empty (O(1)).
    ///
    /// # Safety
    /// Both lists are proper (pointers, not scratch counts, in `prev`; no `UNREACHABLE`
    /// bits), and distinct.
    pub(crate) unsafe fn merge_into(&self, to: &GcList) {
        if self.is_empty() {
            return;
        }
        let first = self.head.next.get() & !FLAG_MASK;
        let last = self.head.prev.get() & !FLAG_MASK;
        let to_last = to.head.prev.get() & !FLAG_MASK;
        // SAFETY: (caller) all four are sentinels or linked objects' links.
        unsafe {
            links_at(to_last).next.set(first);
            let f = links_at(first);
            f.prev.set(to_last | (f.prev.get() & FLAG_MASK));
            links_at(last).next.set(to.head_addr());
        }
        to.head.prev.set(last);
        self.init();
    }
}

/// Removes a linked object from whatever list it is in and marks it untracked
/// (`gc_list_remove`). Neighbours keep their flag bits.
///
/// # Safety
/// `obj` is a live object of a tracked type, linked in a proper list (pointers in `prev`).
#[inline]
pub(crate) unsafe fn unlink(obj: NonNull<Header>) {
    // SAFETY: (caller) linked, so its neighbours are valid links.
    unsafe {
        let l = links(obj);
        let prev = l.prev.get() & !FLAG_MASK;
        let next = l.next.get() & !FLAG_MASK;
        let p = links_at(prev);
        p.next.set(next | (p.next.get() & FLAG_MASK));
        let n = links_at(next);
        n.prev.set(prev | (n.prev.get() & FLAG_MASK));
        l.next.set(0);
        l.prev.set(0);
    }
}

/// Whether a tracked type's object is currently in a list.
///
/// # Safety
/// `obj` is a live object of a tracked type.
#[inline]
pub(crate) unsafe fn is_linked(obj: NonNull<Header>) -> bool {
    // SAFETY: (caller).
    unsafe { links(obj).next.get() != 0 }
}

impl GcLinks {
    /// Whether the object belongs to the set being collected.
    #[inline(always)]
    pub(crate) fn is_collecting(&self) -> bool {
        self.prev.get() & COLLECTING != 0
    }

    /// Clears the collecting flag.
    #[inline(always)]
    pub(crate) fn clear_collecting(&self) {
        self.prev.set(self.prev.get() & !COLLECTING);
    }

    /// The scratch count (valid while `prev` holds one).
    #[inline(always)]
    pub(crate) fn refs(&self) -> usize {
        self.prev.get() >> REFS_SHIFT
    }
}
