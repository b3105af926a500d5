//! Deallocation, and the trashcan that keeps it off the stack.
//!
//! When an object's count reaches zero, `dealloc` takes it apart in CPython's
//! `subtype_dealloc` order:
//!
//! 1. **finalize** — if the type has a finalizer that has not run yet, mark the object
//!    finalized, give it back one reference, and call the finalizer with the object intact
//!    (its weak references still work). If the finalizer stored a new reference somewhere,
//!    the object is **resurrected**: it stays alive, and since the flag is set its
//!    finalizer will never run again (PEP 442);
//! 2. **weak references** — clear every weak reference to the object, then call their
//!    callbacks, newest first ([`weakref`]);
//! 3. **legacy finalizer** (`tp_del`, if the type has one) — runs at every death and may
//!    resurrect too;
//! 4. **untrack** it from the cycle collector's lists;
//! 5. **drop the payload** — which drops the handles it holds, so children die here (skipped
//!    if the cycle collector already dropped it in place to break a cycle);
//! 6. **free** the memory (obmalloc, sized free).
//!
//! Step 5 is where a naive implementation recurses: dropping the head of a 10,000,000-long
//! chain drops its `next`, whose count reaches zero, whose payload drops its `next`... one
//! Rust stack frame group per link, and the stack overflows (every Rust GC crate measured in
//! the design notes does, and so does `Rc`). The **trashcan** (CPython's
//! `Py_TRASHCAN_BEGIN`) bounds that: a counter tracks how many deallocations are nested on
//! the stack; past [`TRASH_NESTING_LIMIT`] an object whose count reaches zero is not taken
//! apart but pushed on a list, and when the outermost deallocation returns, the list is
//! drained in a loop. The stack never holds more than `TRASH_NESTING_LIMIT` deallocations, so
//! depth costs heap memory for the list (one pointer per deferred object) instead of stack.
//!
//! The same list serves [`GilCell::with_mut`](crate::GilCell::with_mut): while a payload is
//! borrowed mutably, no finalizer may run (it could reach the borrowed value through the
//! object graph), so every deallocation waits on the list until the borrow ends.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;

use crate::gil::Gil;
use crate::header::{CLEARED, FINALIZED, HAS_WEAKREFS, Header, links_size};
use crate::state::heap;
use crate::{free_list, generation, unraisable, weakref};

/// Nested deallocations allowed on the stack before the trashcan defers (CPython 3.11's
/// `_PyTrash_UNWIND_LEVEL`).
pub const TRASH_NESTING_LIMIT: u32 = 50;

/// Deallocates an object whose count just reached zero (or defers it, see module docs).
#[inline(never)]
pub(crate) fn dealloc(obj: NonNull<Header>) {
    let h = heap();
    // SAFETY: the object is alive (count 0, not yet freed).
    let ty = unsafe { obj.as_ref() }.ty;
    if ty.leaf {
        // An int, a float: nothing to finalize, call back, untrack or drop, so nothing can
        // run and nothing nests; the block goes straight back (even while a `with_mut`
        // borrow defers other deallocations).
        h.live_objects.set(h.live_objects.get() - 1);
        if let Some(fl) = ty.free_list
            && free_list::push(fl, obj.cast::<u8>(), ty.alloc_size)
        {
            return;
        }
        // SAFETY: an untracked type's block starts at the header and was allocated by the
        // heap's allocator with `alloc_size` bytes; the count is zero, nobody uses it.
        unsafe { h.obmalloc().free_sized(obj.cast::<u8>(), ty.alloc_size) };
        return;
    }
    if h.trash_nesting.get() >= TRASH_NESTING_LIMIT || h.trash_defer.get() > 0 {
        defer(obj);
        return;
    }
    destroy_nested(obj);
    if h.trash_nesting.get() == 0 && h.trash_defer.get() == 0 {
        drain();
    }
}

/// Takes an object apart one nesting level deeper (the level is undone even if a payload's
/// `Drop` panics).
fn destroy_nested(obj: NonNull<Header>) {
    let h = heap();
    h.trash_nesting.set(h.trash_nesting.get() + 1);
    let _nesting = NestingGuard;
    destroy(obj);
}

/// Undoes one nesting level when dropped.
struct NestingGuard;

impl Drop for NestingGuard {
    fn drop(&mut self) {
        let h = heap();
        h.trash_nesting.set(h.trash_nesting.get() - 1);
    }
}

fn defer(obj: NonNull<Header>) {
    let h = heap();
    // A dead object must be out of the collector's sight while it waits (CPython's
    // deallocators untrack before the trashcan): a collection started meanwhile would
    // otherwise find it unreferenced and take it apart a second time.
    untrack(obj);
    // SAFETY: GIL held; the borrow ends here.
    let later = unsafe { &mut *h.trash_later.get() };
    later.push(obj);
    if later.len() > h.trash_highwater.get() {
        h.trash_highwater.set(later.len());
    }
}

/// Deallocates every deferred object, iteratively (called with nothing on the stack).
/// Inlined check, out-of-line work: nearly every call finds the trashcan empty.
#[inline]
pub(crate) fn drain() {
    // SAFETY: GIL held; the borrow ends at once.
    if unsafe { !(*heap().trash_later.get()).is_empty() } {
        drain_pending();
    }
}

#[cold]
#[inline(never)]
fn drain_pending() {
    let h = heap();
    loop {
        // SAFETY: GIL held; the borrow ends before `destroy` runs.
        let next = unsafe { (*h.trash_later.get()).pop() };
        let Some(obj) = next else { break };
        destroy_nested(obj);
    }
}

/// Number of deallocations waiting in the trashcan right now.
pub(crate) fn pending() -> usize {
    // SAFETY: GIL held by the caller (a token-taking API).
    unsafe { (*heap().trash_later.get()).len() }
}

/// Takes apart an object whose count is zero (steps 1–6 of the module docs).
fn destroy(obj: NonNull<Header>) {
    // SAFETY: the object is alive (count 0, not yet freed) until step 6.
    let header = unsafe { obj.as_ref() };
    let ty = header.ty;

    let cleared = header.has_flag(CLEARED);
    // Out of the collector's sight from now on, except while a finalizer runs (it may
    // resurrect the object, which must then be tracked like any live one).
    untrack(obj);
    if let Some(finalize) = ty.finalize
        && !cleared
        // SAFETY: the object is alive; the conjured token stands for the GIL our caller holds.
        && unsafe { ty.finalizer_due(obj, &Gil::conjure()) }
    {
        header.set_flag(FINALIZED, true);
        if resurrected_by(obj, finalize, "the finalizer") {
            return;
        }
    }

    if header.has_flag(HAS_WEAKREFS) {
        weakref::clear_and_call_back(obj);
    }

    if let Some(del) = ty.legacy_del
        && !cleared
        && resurrected_by(obj, del, "the legacy finalizer")
    {
        return;
    }

    let h = heap();
    // The generation 0 count goes back as the block does (`PyObject_GC_Del`): here, before
    // the payload's drop, for most types; after it for a type with a free list, and only if
    // the block does not go on the list (CPython's `tupledealloc` order).
    if ty.tracked && ty.free_list.is_none() {
        uncount();
    }

    if !cleared {
        // SAFETY: count zero, finalizer and callbacks done: nobody can reach the payload.
        unsafe { (ty.drop_value)(obj) };
    }

    let prefix = links_size(ty.tracked);
    h.live_objects.set(h.live_objects.get() - 1);
    // SAFETY: the block starts `prefix` bytes before the header and was allocated by the
    // heap's obmalloc with alloc_size bytes; nothing uses it any more.
    let block = unsafe { obj.cast::<u8>().sub(prefix) };
    if let Some(fl) = ty.free_list {
        if free_list::push(fl, block, ty.alloc_size) {
            return;
        }
        if ty.tracked {
            uncount();
        }
    }
    // SAFETY: as above.
    unsafe { h.obmalloc().free_sized(block, ty.alloc_size) };
}

/// Takes a freed object's allocation off generation 0's count (never below zero).
fn uncount() {
    let count0 = &heap().gc.counts[0];
    if count0.get() > 0 {
        count0.set(count0.get() - 1);
    }
}

/// Calls a finalizer slot on a dying object, tracked and holding one reference for the
/// call (a panic is reported as unraisable); true if the slot resurrected it (a reference is
/// left afterwards), false if it is dead again and untracked.
fn resurrected_by(
    obj: NonNull<Header>,
    slot: unsafe fn(NonNull<Header>, &mut Gil<'_>),
    what: &str,
) -> bool {
    // SAFETY: the object is alive (count 0, not yet freed).
    let header = unsafe { obj.as_ref() };
    retrack(obj);
    header.set_count(1);
    let mut gil = Gil::conjure();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: a live object of its type; we hold the one reference the call borrows.
        unsafe { slot(obj, &mut gil) }
    }));
    if outcome.is_err() {
        unraisable::report_panic(&mut gil, &format!("{what} of {}", header.ty.name()));
    }
    // Give back our reference; anything left means the slot resurrected it.
    if !header.decref_is_zero() {
        return true;
    }
    untrack(obj);
    false
}

/// Unlinks a dying object of a tracked type from its list, if it is in one.
fn untrack(obj: NonNull<Header>) {
    // SAFETY: the object is alive (not freed); links exist for tracked types, and a linked
    // object sits in a proper list (objects die only outside the collector's reachability
    // passes, which run no code of the user's).
    unsafe {
        if obj.as_ref().ty.tracked && generation::is_linked(obj) {
            generation::unlink(obj);
        }
    }
}

/// Tracks a dying object again (in generation 0) while its finalizer runs.
fn retrack(obj: NonNull<Header>) {
    // SAFETY: as in `untrack`; an unlinked object of a tracked type may join a list.
    unsafe {
        if obj.as_ref().ty.tracked && !generation::is_linked(obj) {
            heap().gc.gens[0].push_back(obj);
        }
    }
}
