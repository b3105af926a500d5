//! Reachability: which objects of a generation are referenced only from inside it.
//!
//! CPython's `deduce_unreachable`, three passes over the list being collected and no memory
//! besides the objects' own links:
//!
//! 1. **update_refs** — copy each object's reference count into its scratch count (the
//!    `prev` link word turns into `refs << 4 | COLLECTING`);
//! 2. **subtract_refs** — trace every object and decrement the scratch count of each
//!    referent that is also being collected. What remains is the number of references from
//!    outside the set: from older generations, untracked objects, Rust locals, anywhere;
//! 3. **move_unreachable** — scan the list in order. An object with references left is
//!    reachable: trace it and give every referent still at zero a count of one (if the
//!    referent was already moved to the unreachable list, move it back to the tail of the
//!    list being scanned, so it is scanned again), then restore its `prev` pointer and clear
//!    its flag. An object at zero is moved, tentatively, to the unreachable list (tagged
//!    `UNREACHABLE` in `next`). When the scan ends, whatever is left in the unreachable list
//!    is referenced only by other unreachable objects: garbage.
//!
//! The scan never recurses and each object is traced at most twice. Moving the tentatively
//! unreachable objects (rather than the reachable ones) means a chain met tail first is
//! moved out and back once and then sits in scan order, so the next collection moves nothing.
//!
//! A `Trace` must not panic (its contract): these passes leave the lists in a transient
//! state, so a panic here aborts the process with a message naming the phase.

use std::ptr::NonNull;

use crate::generation::{
    COLLECTING, FLAG_MASK, GcList, REFS_SHIFT, UNREACHABLE, header_at, links, links_at,
};
use crate::header::{FINALIZED, HAS_WEAKREFS, Header, IS_WEAKREF};
use crate::trace::Tracer;

/// Aborts the process if dropped while unwinding (a panic escaped a `Trace` while the
/// collector's lists were in a transient state).
pub(crate) struct AbortOnUnwind(pub(crate) &'static str);

impl Drop for AbortOnUnwind {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "pymem: a panic escaped {} during a cycle collection; the collector's lists are \
                 inconsistent, aborting (Trace implementations must not panic)",
                self.0
            );
            std::process::abort();
        }
    }
}

/// Traces one object.
///
/// # Safety
/// `h` is a live object.
#[inline(always)]
pub(crate) unsafe fn trace(h: NonNull<Header>, visit: &mut dyn FnMut(NonNull<Header>)) {
    // SAFETY: (caller) live, so its type's slot applies.
    unsafe { ((*h.as_ptr()).ty.trace)(h, &mut Tracer::new(visit)) }
}

/// The links of a referent if it is a tracked object in the set being collected.
///
/// # Safety
/// `h` is a live object.
#[inline(always)]
unsafe fn collecting_links<'a>(h: NonNull<Header>) -> Option<&'a crate::header::GcLinks> {
    // SAFETY: (caller) live; links exist for tracked types.
    unsafe {
        if !(*h.as_ptr()).ty.tracked {
            return None;
        }
        let l = links(h);
        l.is_collecting().then_some(l)
    }
}

/// Passes 1 and 2: scratch counts = references from outside `list`.
///
/// # Safety
/// `list` is a proper list of live objects; no other list has `COLLECTING` set.
pub(crate) unsafe fn update_and_subtract(list: &GcList) -> usize {
    let _guard = AbortOnUnwind("subtract_refs");
    let mut n = 0;
    list.for_each(|h| {
        n += 1;
        // SAFETY: listed objects are live and tracked.
        unsafe {
            let count = (*h.as_ptr()).count();
            links(h).prev.set((count << REFS_SHIFT) | COLLECTING);
        }
    });
    let mut visit = |t: NonNull<Header>| {
        // SAFETY: a traced reference points at a live object.
        if let Some(l) = unsafe { collecting_links(t) } {
            let p = l.prev.get();
            if p >> REFS_SHIFT == 0 {
                negative_count(t);
            }
            l.prev.set(p - (1 << REFS_SHIFT));
        }
    };
    list.for_each(|h| {
        // SAFETY: listed objects are live.
        unsafe { trace(h, &mut visit) }
    });
    n
}

/// A scratch count would go below zero: some `Trace` visits a reference it does not own.
#[cold]
#[inline(never)]
fn negative_count(t: NonNull<Header>) -> ! {
    // SAFETY: live object.
    let name = unsafe { t.as_ref() }.ty.name();
    panic!(
        "wrong Trace: a `{name}` object is visited more often than it is referenced (a Trace \
         visits a reference twice, or one it does not own); heap::check_traces names the \
         referrer"
    );
}

/// What a scan found besides the two lists.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Scan {
    /// Objects in the scanned list before the scan.
    pub(crate) total: usize,
    /// Objects left in it (reachable and still tracked).
    pub(crate) reachable: usize,
    /// Reachable objects the scan untracked (tuples and dicts holding only atomic values).
    pub(crate) untracked: usize,
    /// Some object moved to the unreachable list on the way has a legacy finalizer.
    pub(crate) legacy: bool,
    /// ... has weak references, or is one.
    pub(crate) weak: bool,
    /// ... has a finalizer that has not run.
    pub(crate) finalizer: bool,
    /// ... has a clear slot.
    pub(crate) clear: bool,
}

impl Scan {
    /// Objects found unreachable.
    pub(crate) fn unreachable(&self) -> usize {
        self.total - self.reachable - self.untracked
    }

    /// Notes what an object moved to the unreachable list will need (an over-approximation:
    /// it may be moved back).
    #[inline(always)]
    fn note(&mut self, h: &Header) {
        let ty = h.ty;
        let flags = h.flags();
        self.legacy |= ty.legacy_del.is_some();
        self.weak |= flags & (HAS_WEAKREFS | IS_WEAKREF) != 0;
        self.finalizer |= ty.finalize.is_some() && flags & FINALIZED == 0;
        self.clear |= ty.clear.is_some();
    }
}

/// When the scan untracks reachable objects that hold only untracked ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UntrackPass {
    /// Not in this scan (the re-checks after finalizers and clear slots).
    Off,
    /// `Untrack::Collections` types.
    Young,
    /// Both policies (full collections).
    Full,
}

/// Whether the reachable object `h` may be untracked by this scan.
///
/// # Safety
/// `h` is live.
#[inline(always)]
unsafe fn untrackable(h: NonNull<Header>, pass: UntrackPass) -> bool {
    use crate::types::Untrack;
    // SAFETY: (caller).
    let eligible = match unsafe { (*h.as_ptr()).ty.untrack } {
        Untrack::Never => false,
        Untrack::Collections => pass != UntrackPass::Off,
        Untrack::FullCollections => pass == UntrackPass::Full,
    };
    if !eligible {
        return false;
    }
    let mut any = false;
    // SAFETY: live.
    unsafe { trace(h, &mut |t| any |= may_be_tracked(t)) };
    !any
}

/// Pass 3: moves the objects of `young` that are unreachable from outside to `unreachable`
/// (tagged `UNREACHABLE`, `prev` = pointer | `COLLECTING`); the rest stay in `young`, with
/// `prev` restored and `COLLECTING` cleared — except those the untrack policy of their type
/// lets go (CPython's `untrack_tuples`/`untrack_dicts`, folded into the scan), which leave
/// the list.
///
/// # Safety
/// `young` went through [`update_and_subtract`]; `unreachable` is empty.
pub(crate) unsafe fn move_unreachable(
    young: &GcList,
    unreachable: &GcList,
    untrack: UntrackPass,
) -> Scan {
    let mut scan = Scan::default();
    let _guard = AbortOnUnwind("move_unreachable");
    let young_head = young.head_addr();
    let unr_head = unreachable.head_addr();
    // Whenever an object is moved back, it goes to young's tail: young's sentinel `prev` is
    // kept pointing at the real tail throughout.
    let mut visit = |t: NonNull<Header>| {
        // SAFETY: traced references point at live objects.
        let Some(l) = (unsafe { collecting_links(t) }) else {
            return;
        };
        let next = l.next.get();
        if next & UNREACHABLE != 0 {
            // Tentatively unreachable, but referenced from a reachable object: unlink it
            // from the unreachable list (whose `next` words carry the tag) and append it to
            // young's tail with a count of one, so the scan reaches it again.
            // SAFETY: list neighbours are live links or sentinels.
            unsafe {
                let prev = l.prev.get() & !FLAG_MASK;
                let pl = links_at(prev);
                pl.next.set(next);
                let nl = links_at(next);
                nl.prev.set((prev) | (nl.prev.get() & FLAG_MASK));
                young.push_back(t);
            }
            l.prev.set((1 << REFS_SHIFT) | COLLECTING);
        } else if l.prev.get() >> REFS_SHIFT == 0 {
            // Still ahead in the scan: it will be found reachable.
            l.prev.set((1 << REFS_SHIFT) | COLLECTING);
        }
    };

    let mut prev = young_head;
    // SAFETY: young is a list whose `next` words are plain pointers (no tags) except for
    // objects moved back, which got plain pointers too.
    unsafe {
        let mut at = links_at(young_head).next.get();
        while at != young_head {
            let l = links_at(at);
            if l.refs() > 0 {
                let h = header_at(at);
                trace(h, &mut visit);
                if untrackable(h, untrack) {
                    links_at(prev).next.set(l.next.get());
                    l.next.set(0);
                    l.prev.set(0);
                    // Reachable, only no longer tracked: not garbage.
                    scan.untracked += 1;
                } else {
                    l.prev.set(prev);
                    prev = at;
                    scan.reachable += 1;
                }
            } else {
                scan.note(header_at(at).as_ref());
                // Unlink from young (singly: `prev` words are counts here) ...
                links_at(prev).next.set(l.next.get());
                // ... and append to unreachable, tagged.
                let us = links_at(unr_head);
                let last = us.prev.get() & !FLAG_MASK;
                let ll = links_at(last);
                // Tagged unconditionally (the sentinel's tag is removed at the end).
                ll.next.set(at | UNREACHABLE);
                l.prev.set(last | COLLECTING);
                l.next.set(unr_head | UNREACHABLE);
                us.prev.set(at);
            }
            at = links_at(prev).next.get();
        }
        let ys = links_at(young_head);
        ys.prev.set(prev);
        links_at(prev).next.set(young_head);
        // The sentinel's own `next` must be untagged.
        let us = links_at(unr_head);
        us.next.set(us.next.get() & !FLAG_MASK);
    }
    scan
}

/// Clears the `UNREACHABLE` tags of a list produced by [`move_unreachable`] (its `prev`
/// words keep `COLLECTING`).
///
/// # Safety
/// `list` came out of `move_unreachable`.
pub(crate) unsafe fn clear_unreachable_tags(list: &GcList) {
    let head = list.head_addr();
    // SAFETY: a list whose `next` words are pointers, some tagged.
    unsafe {
        let mut at = links_at(head).next.get() & !FLAG_MASK;
        while at != head {
            let l = links_at(at);
            let next = l.next.get() & !FLAG_MASK;
            l.next.set(next);
            at = next;
        }
    }
}

/// `deduce_unreachable`: passes 1–3, then the unreachable list made proper (tags cleared;
/// its objects keep `COLLECTING`).
///
/// # Safety
/// As for the passes.
pub(crate) unsafe fn deduce_unreachable(
    young: &GcList,
    unreachable: &GcList,
    untrack: UntrackPass,
) -> Scan {
    // SAFETY: (caller).
    unsafe {
        let total = update_and_subtract(young);
        let mut scan = move_unreachable(young, unreachable, untrack);
        clear_unreachable_tags(unreachable);
        scan.total = total;
        scan
    }
}

/// Whether `h` (live) may be a tracked object (CPython's `_PyObject_GC_MAY_BE_TRACKED`).
///
/// # Safety
/// `h` is live.
#[inline]
pub(crate) unsafe fn may_be_tracked(h: NonNull<Header>) -> bool {
    // SAFETY: (caller).
    unsafe {
        let ty = (*h.as_ptr()).ty;
        if !ty.tracked {
            return false;
        }
        match ty.untrack {
            // Mutable containers may be tracked again when they change.
            crate::types::Untrack::Never | crate::types::Untrack::FullCollections => true,
            crate::types::Untrack::Collections => links(h).next.get() != 0,
        }
    }
}
