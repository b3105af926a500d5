//! What the collector does with the unreachable objects it found (steps 4–11 of
//! [`collect`](super::collect)): set aside the ones with legacy finalizers, clear weak
//! references, run finalizers, take back what they resurrected, and break the rest.
//!
//! Every step that runs code of the user's (finalizers, weak-reference callbacks, clear
//! slots) takes the object it works on out of the list first and holds a reference to it for
//! the call, so the object can die, be resurrected, be untracked or be tracked again meanwhile
//! without the walk losing its place. Panics in that code are caught and reported through the
//! unraisable hook.
//!
//! ## Breaking the garbage, soundly
//!
//! CPython calls `tp_clear` on each garbage object. A type here may have a clear slot
//! ([`Object::CLEAR`](crate::Object::CLEAR)), but most do not, so the collector breaks the
//! garbage in two rounds:
//!
//! 1. objects with a clear slot get it called (their payloads, and everyone else's, are intact
//!    then). A clear slot holds the GIL token, so it can store references anywhere: after the
//!    round the collector computes reachability again, and anything a clear slot made
//!    reachable survives;
//! 2. every object still unreachable has its **payload dropped in place** (flagged `CLEARED`
//!    so that its deallocation skips the payload). Dropping payloads drops the handles they
//!    hold, so the garbage falls apart by reference counting.
//!
//! Round 2 is sound because nothing can reach a garbage object from outside the garbage: no
//! handle outside it points in (that is what unreachable means, re-checked after the last code
//! that could have changed it), every weak reference to it was cleared beforehand, and the
//! only code that runs during the round is payload `Drop`s (which have no GIL token, so they
//! cannot look into objects) and the finalizers and callbacks of objects *outside* the garbage
//! that die because garbage held their last reference (which hold no reference into it).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;

use crate::dealloc::dealloc;
use crate::generation::{GcList, links, unlink};
use crate::gil::Gil;
use crate::header::{CLEARED, FINALIZED, HAS_WEAKREFS, Header, IS_WEAKREF};
use crate::obj::AnyObj;
use crate::state::heap;
use crate::unraisable;
use crate::weakref;

use super::reach::{AbortOnUnwind, Scan, UntrackPass, deduce_unreachable, trace};

/// Gives back a reference the collector took; deallocates at zero.
fn release(op: NonNull<Header>) {
    // SAFETY: the collector holds this reference.
    if unsafe { op.as_ref() }.decref_is_zero() {
        dealloc(op);
    }
}

/// Calls a slot of the user's on a live object, holding a reference to it for the call
/// (it may die or be resurrected by the slot); a panic is reported as unraisable.
fn call_holding_ref(
    gil: &mut Gil<'_>,
    op: NonNull<Header>,
    slot: unsafe fn(NonNull<Header>, &mut Gil<'_>),
    what: &str,
) {
    // SAFETY: a live object.
    let h = unsafe { op.as_ref() };
    h.incref();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: a live object of its type; we hold a reference for the call.
        unsafe { slot(op, gil) }
    }));
    if outcome.is_err() {
        unraisable::report_panic(gil, &format!("{what} of {}", h.ty.name()));
    }
    release(op);
}

/// Step 4: moves the unreachable objects that have a legacy finalizer (`tp_del`), and every
/// unreachable object they reach, to `finalizers` (they are uncollectable: CPython cannot
/// know in which order to run such finalizers). Their `COLLECTING` flags are cleared.
///
/// # Safety
/// `unreachable` came out of `deduce_unreachable`; `finalizers` is empty.
pub(crate) unsafe fn move_legacy_finalizers(unreachable: &GcList, finalizers: &GcList) -> usize {
    let mut legacy = Vec::new();
    unreachable.for_each(|op| {
        // SAFETY: listed objects are live.
        if unsafe { op.as_ref() }.ty.legacy_del.is_some() {
            legacy.push(op);
        }
    });
    if legacy.is_empty() {
        return 0;
    }
    let _guard = AbortOnUnwind("move_legacy_finalizer_reachable");
    // SAFETY: proper lists; listed objects are live and tracked.
    unsafe {
        for op in legacy {
            links(op).clear_collecting();
            finalizers.move_back(op);
        }
        // Everything they reach goes too; the list is its own worklist.
        let mut at = finalizers.first();
        while let Some(op) = at {
            trace(op, &mut |t| {
                if (*t.as_ptr()).ty.tracked && links(t).is_collecting() {
                    links(t).clear_collecting();
                    finalizers.move_back(t);
                }
            });
            let next = links(op).next.get() & !crate::generation::FLAG_MASK;
            at = (next != finalizers.head_addr()).then(|| crate::generation::header_at(next));
        }
    }
    finalizers.len()
}

/// Step 6 (and its repeats): clears every weak reference to an object of `list`, and every
/// weak reference that is itself in `list` (its callback is never called); then calls the
/// callbacks of the cleared references that are not garbage themselves. Returns how many of
/// those weak references died once their callback returned (counted as collected, like
/// CPython), and whether any callback was called.
///
/// # Safety
/// `list` is a proper list of live objects whose `COLLECTING` flags mark the garbage.
pub(crate) unsafe fn handle_weakrefs(gil: &mut Gil<'_>, list: &GcList) -> (usize, bool) {
    let mut calls: Vec<(AnyObj, AnyObj)> = Vec::new();
    list.for_each(|op| {
        // SAFETY: listed objects are live.
        let h = unsafe { op.as_ref() };
        if h.has_flag(IS_WEAKREF) {
            weakref::detach_self(op);
        }
        if h.has_flag(HAS_WEAKREFS) {
            weakref::detach_all(op, &mut calls, |wr| {
                // SAFETY: weak references are live tracked objects.
                unsafe { crate::generation::is_linked(wr) && links(wr).is_collecting() }
            });
        }
    });
    let mut freed = 0;
    let called = !calls.is_empty();
    for (wr, cb) in calls {
        weakref::call_back(gil, &cb, &wr);
        drop(cb);
        if wr.refcount(gil) == 1 {
            freed += 1;
        }
        drop(wr);
    }
    (freed, called)
}

/// Step 7: runs the finalizer of every object of `unreachable` that has one and has not run
/// it yet (PEP 442), with all of them still intact. Returns whether any ran.
///
/// # Safety
/// `unreachable` is a proper list of live objects.
pub(crate) unsafe fn finalize_garbage(gil: &mut Gil<'_>, unreachable: &GcList) -> bool {
    let mut ran = false;
    let seen = GcList::new();
    seen.init();
    while let Some(op) = unreachable.first() {
        // SAFETY: listed, live, proper list.
        unsafe { seen.move_back(op) };
        // SAFETY: live.
        let h = unsafe { op.as_ref() };
        let Some(finalize) = h.ty.finalize else {
            continue;
        };
        // SAFETY: live, of its type.
        if !unsafe { h.ty.finalizer_due(op, gil) } {
            continue;
        }
        h.set_flag(FINALIZED, true);
        ran = true;
        call_holding_ref(gil, op, finalize, "the finalizer");
    }
    // SAFETY: both proper; `seen` is emptied before it goes out of scope.
    unsafe { seen.merge_into(unreachable) };
    ran
}

/// Step 8: computes reachability again over what is left of `unreachable` (finalizers may
/// have stored references to it anywhere). The objects still unreachable move to
/// `still_unreachable`; the rest, resurrected, join `old`.
///
/// # Safety
/// `unreachable` is a proper list; `still_unreachable` is empty.
pub(crate) unsafe fn handle_resurrected(
    unreachable: &GcList,
    still_unreachable: &GcList,
    old: &GcList,
) -> Scan {
    // SAFETY: (caller); the reachable part has its flags cleared by the scan.
    unsafe {
        let scan = deduce_unreachable(unreachable, still_unreachable, UntrackPass::Off);
        unreachable.merge_into(old);
        scan
    }
}

/// Step 9, breaking the garbage (module docs): clear slots (if `any_clear`), a reachability
/// check if any ran, then payloads dropped in place. With `save_all` (`DEBUG_SAVEALL`) the objects are
/// appended to `gc.garbage` and moved to `old` instead.
///
/// # Safety
/// `garbage` is a proper list of live objects marked `COLLECTING`, no handle outside it
/// points into it, and no weak reference to its objects is left.
pub(crate) unsafe fn delete_garbage(
    gil: &mut Gil<'_>,
    garbage: &GcList,
    old: &GcList,
    save_all: bool,
    any_clear: bool,
) {
    let h = heap();
    if save_all {
        let mut saved = Vec::new();
        garbage.for_each(|op| {
            // SAFETY: live listed object; GIL held.
            saved.push(unsafe { AnyObj::new_ref(op) });
            // SAFETY: tracked.
            unsafe { links(op).clear_collecting() };
        });
        // SAFETY: proper lists.
        unsafe { garbage.merge_into(old) };
        // SAFETY: GIL held; short borrow.
        unsafe { (*h.gc.garbage.get()).extend(saved) };
        return;
    }

    if any_clear {
        let rest = GcList::new();
        rest.init();
        let weakrefs_before = h.weakrefs_created.get();
        while let Some(op) = garbage.first() {
            // SAFETY: listed, live.
            unsafe { rest.move_back(op) };
            // SAFETY: live.
            let hd = unsafe { op.as_ref() };
            if let Some(clear) = hd.ty.clear {
                call_holding_ref(gil, op, clear, "tp_clear");
            }
        }
        // The clear slots held the token: check again what is unreachable.
        // SAFETY: `rest` is proper and its objects still carry COLLECTING.
        unsafe {
            deduce_unreachable(&rest, garbage, UntrackPass::Off);
            rest.merge_into(old);
        }
        if h.weakrefs_created.get() != weakrefs_before {
            // SAFETY: `garbage` is proper, flags mark it.
            unsafe { handle_weakrefs(gil, garbage) };
        }
    }

    while let Some(op) = garbage.first() {
        // SAFETY: live and listed; from now on no list holds it, so nothing can find it.
        unsafe { unlink(op) };
        // SAFETY: live.
        let hd = unsafe { op.as_ref() };
        hd.incref();
        hd.set_flag(CLEARED, true);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: the payload is intact and nothing outside the garbage reaches it (module
            // docs); the CLEARED flag stops the deallocation from dropping it again.
            unsafe { (hd.ty.drop_value)(op) }
        }));
        if outcome.is_err() {
            unraisable::report_panic(
                gil,
                &format!("dropping a {} in a garbage cycle", hd.ty.name()),
            );
        }
        release(op);
    }
}
