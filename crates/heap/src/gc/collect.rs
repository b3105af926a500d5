//! One collection, start to finish (CPython's `gc_collect_main`), and the choice of which
//! generation an automatic collection takes (`gc_collect_generations`).

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use crate::generation::GcList;
use crate::gil::Gil;
use crate::state::heap;
use crate::unraisable;

use super::garbage::{
    delete_garbage, finalize_garbage, handle_resurrected, handle_weakrefs, move_legacy_finalizers,
};
use super::reach::{UntrackPass, deduce_unreachable};
use super::state::NUM_GENERATIONS;
use super::{
    CallbackInfo, DEBUG_COLLECTABLE, DEBUG_SAVEALL, DEBUG_STATS, DEBUG_UNCOLLECTABLE, Phase,
};

/// Clears the "collecting" state when a collection ends, even by a panic.
struct Collecting;

impl Collecting {
    fn begin() -> Option<Collecting> {
        let gc = &heap().gc;
        if gc.collecting.get() {
            return None;
        }
        gc.collecting.set(true);
        gc.update_trigger();
        Some(Collecting)
    }
}

impl Drop for Collecting {
    fn drop(&mut self) {
        let gc = &heap().gc;
        gc.collecting.set(false);
        gc.update_trigger();
    }
}

/// The automatic collection started by an allocation that took `count[0]` over its
/// threshold: the oldest generation over its threshold, generation 2 only when the objects
/// waiting for their first full collection are at least a quarter of those that survived the
/// last one.
#[cold]
#[inline(never)]
pub(crate) fn collect_automatic() {
    let gc = &heap().gc;
    for g in (0..NUM_GENERATIONS).rev() {
        if gc.counts[g].get() > gc.thresholds[g].get() {
            if g == NUM_GENERATIONS - 1
                && gc.long_lived_pending.get() < gc.long_lived_total.get() / 4
            {
                continue;
            }
            let mut gil = Gil::conjure();
            collect_with_callbacks(&mut gil, g);
            return;
        }
    }
}

/// A collection of `generation` with the `gc.callbacks` around it; 0 if one is running.
pub(crate) fn collect_with_callbacks(gil: &mut Gil<'_>, generation: usize) -> usize {
    let Some(_collecting) = Collecting::begin() else {
        return 0;
    };
    let mut info = CallbackInfo {
        generation,
        collected: 0,
        uncollectable: 0,
        duration: Default::default(),
    };
    invoke_callbacks(gil, Phase::Start, &info);
    let start = Instant::now();
    let (collected, uncollectable) = collect_main(gil, generation);
    info.duration = start.elapsed();
    info.collected = collected;
    info.uncollectable = uncollectable;
    heap()
        .gc
        .add_stats(generation, collected, uncollectable, info.duration);
    invoke_callbacks(gil, Phase::Stop, &info);
    collected + uncollectable
}

/// Steps 1–11 of the algorithm (module docs of [`gc`](crate::gc)); returns (collected,
/// uncollectable).
fn collect_main(gil: &mut Gil<'_>, generation: usize) -> (usize, usize) {
    let h = heap();
    let gc = &h.gc;
    let debug = gc.debug.get();
    let start = Instant::now();
    if debug & DEBUG_STATS != 0 {
        let mut s =
            format!("gc: collecting generation {generation}...\ngc: objects in each generation:");
        for g in &gc.gens {
            let _ = write!(s, " {}", g.len());
        }
        let _ = writeln!(
            s,
            "\ngc: objects in permanent generation: {}",
            gc.permanent.len()
        );
        emit(&s);
    }

    // 1. Counts, and the younger generations merged into this one.
    if generation + 1 < NUM_GENERATIONS {
        let c = &gc.counts[generation + 1];
        c.set(c.get() + 1);
    }
    for c in &gc.counts[..=generation] {
        c.set(0);
    }
    let young = &gc.gens[generation];
    for g in &gc.gens[..generation] {
        // SAFETY: proper, distinct lists (no collection is under way).
        unsafe { g.merge_into(young) };
    }
    let old = if generation + 1 < NUM_GENERATIONS {
        &gc.gens[generation + 1]
    } else {
        young
    };

    // 2.–3. Reachability; survivors untracked where their type allows, then promoted.
    let unreachable = GcList::new();
    unreachable.init();
    let untrack = if generation == NUM_GENERATIONS - 1 {
        UntrackPass::Full
    } else {
        UntrackPass::Young
    };
    // SAFETY: `young` is a proper list; nothing else is marked.
    let scan = unsafe { deduce_unreachable(young, &unreachable, untrack) };
    if !std::ptr::eq(young, old) {
        if generation == NUM_GENERATIONS - 2 {
            gc.long_lived_pending
                .set(gc.long_lived_pending.get() + scan.reachable);
        }
        // SAFETY: proper, distinct.
        unsafe { young.merge_into(old) };
    } else {
        gc.long_lived_pending.set(0);
        gc.long_lived_total.set(scan.reachable);
    }

    // 4. Legacy finalizers make their garbage uncollectable.
    let finalizers = GcList::new();
    finalizers.init();
    let mut garbage_count = scan.unreachable();
    if scan.legacy {
        // SAFETY: fresh from deduce_unreachable.
        garbage_count -= unsafe { move_legacy_finalizers(&unreachable, &finalizers) };
    }

    // 5.
    if debug & DEBUG_COLLECTABLE != 0 {
        debug_objects("collectable", &unreachable);
    }

    // 6.–7. Weak references and finalizers: the first code of the user's that can run.
    let weakrefs_before = h.weakrefs_created.get();
    let mut collected = 0;
    let mut ran_code = false;
    if scan.weak {
        // SAFETY: proper list, flags mark the garbage.
        let (freed, called) = unsafe { handle_weakrefs(gil, &unreachable) };
        collected += freed;
        ran_code |= called;
    }
    if scan.finalizer {
        // SAFETY: proper.
        ran_code |= unsafe { finalize_garbage(gil, &unreachable) };
    }

    // 8. Resurrection: only code of the user's can have changed what is reachable.
    let final_unreachable = GcList::new();
    final_unreachable.init();
    let mut any_clear = scan.clear;
    let garbage = if ran_code {
        // SAFETY: proper lists.
        let again = unsafe { handle_resurrected(&unreachable, &final_unreachable, old) };
        garbage_count = again.unreachable();
        any_clear = again.clear;
        if h.weakrefs_created.get() != weakrefs_before {
            // Finalizers or callbacks made new weak references: clear those to the garbage
            // too (CPython 3.15 does the same; 3.11 could hand out a cleared object through
            // them).
            // SAFETY: proper, flags mark the garbage.
            collected += unsafe { handle_weakrefs(gil, &final_unreachable) }.0;
        }
        &final_unreachable
    } else {
        &unreachable
    };

    // 9. Break the garbage.
    collected += garbage_count;
    // SAFETY: nothing outside reaches it and its weak references are gone.
    unsafe { delete_garbage(gil, garbage, old, debug & DEBUG_SAVEALL != 0, any_clear) };

    // 10.–11. Uncollectable objects.
    let uncollectable = finalizers.len();
    if generation == NUM_GENERATIONS - 1 {
        // CPython's `clear_freelists`: a full collection gives the free lists' blocks back.
        crate::free_list::clear_all();
    }
    if debug & DEBUG_UNCOLLECTABLE != 0 {
        debug_objects("uncollectable", &finalizers);
    }
    if debug & DEBUG_STATS != 0 {
        emit(&format!(
            "gc: done, {} unreachable, {} uncollectable, {:.4}s elapsed\n",
            collected + uncollectable,
            uncollectable,
            start.elapsed().as_secs_f64()
        ));
    }
    let mut saved = Vec::new();
    finalizers.for_each(|op| {
        // SAFETY: live listed objects.
        if debug & DEBUG_SAVEALL != 0 || unsafe { op.as_ref() }.ty.legacy_del.is_some() {
            // SAFETY: live; GIL held.
            saved.push(unsafe { crate::obj::AnyObj::new_ref(op) });
        }
    });
    // SAFETY: proper lists.
    unsafe { finalizers.merge_into(old) };
    // SAFETY: GIL held; short borrow.
    unsafe { (*gc.garbage.get()).extend(saved) };
    debug_assert!(unreachable.is_empty() && final_unreachable.is_empty());
    (collected, uncollectable)
}

/// `gc: <what> <type 0xaddr>` for each object of `list`.
fn debug_objects(what: &str, list: &GcList) {
    let mut s = String::new();
    list.for_each(|op| {
        // SAFETY: live listed object.
        let name = unsafe { op.as_ref() }.ty.name();
        let _ = writeln!(s, "gc: {what} <{name} {:#x}>", op.addr());
    });
    emit(&s);
}

/// Writes debug output to the sink (stderr by default).
pub(crate) fn emit(s: &str) {
    if s.is_empty() {
        return;
    }
    let gc = &heap().gc;
    // SAFETY: GIL held; the sink is taken out for the call, so a sink that changes the
    // setting cannot alias it.
    let sink = unsafe { (*gc.debug_sink.get()).take() };
    match sink {
        Some(mut f) => {
            f(s);
            // SAFETY: as above.
            let slot = unsafe { &mut *gc.debug_sink.get() };
            if slot.is_none() {
                *slot = Some(f);
            }
        }
        None => eprint!("{s}"),
    }
}

/// Calls every `gc.callbacks` entry (a panic in one is reported and the others still run).
fn invoke_callbacks(gil: &mut Gil<'_>, phase: Phase, info: &CallbackInfo) {
    let gc = &heap().gc;
    // SAFETY: GIL held; the list is taken out while callbacks run (they may add or remove).
    let mut running = std::mem::take(unsafe { &mut *gc.callbacks.get() });
    if running.is_empty() {
        return;
    }
    gc.dispatching.set(true);
    for (_, cb) in running.iter_mut() {
        if catch_unwind(AssertUnwindSafe(|| cb(gil, phase, info))).is_err() {
            unraisable::report_panic(gil, "while calling GC callback");
        }
    }
    gc.dispatching.set(false);
    // SAFETY: as above.
    let slot = unsafe { &mut *gc.callbacks.get() };
    // SAFETY: as above.
    let removed = std::mem::take(unsafe { &mut *gc.removed_callbacks.get() });
    running.retain(|(id, _)| !removed.contains(id));
    running.append(slot);
    *slot = running;
}
