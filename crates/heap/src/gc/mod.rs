//! # The cycle collector: CPython's generational GC and the `gc` module
//!
//! Reference counting frees everything except cycles. The collector finds groups of tracked
//! objects that reference each other but that nothing else references, and breaks them. It
//! is CPython 3.11's collector (the default build's, which 3.14.5 and 3.15 went back to),
//! step for step, with one change where Rust's rules demand it (how garbage is broken, see
//! [`garbage`] below).
//!
//! ## Generations
//!
//! Every tracked object is in one of three generation lists (or the permanent generation
//! of [`freeze`]). New tracked objects join generation 0. Three counts decide when to
//! collect, as in CPython 3.11:
//!
//! * `count[0]` rises with each tracked allocation and falls with each free; when it passes
//!   `threshold[0]` (700) the allocation itself runs a collection (while [`is_enabled`]);
//! * `count[1]` counts generation-0 collections since the last generation-1 collection,
//!   `count[2]` generation-1 collections since the last full one (thresholds 10 and 10);
//! * the collection takes the **oldest** generation whose count is over its threshold, but
//!   generation 2 only when the objects that survived a generation-1 collection since the
//!   last full one are at least 25% of the objects that survived that full collection (so
//!   a growing heap is not scanned whole every few thousand allocations: total work stays
//!   linear).
//!
//! Collecting generation *g* merges generations 0..*g* into *g*, finds the garbage among
//! them, and moves the survivors to generation *g*+1. A generation-0 collection therefore
//! costs in proportion to generation 0: it traces only objects in it, and touches an older
//! object only to read one flag when a young object references it.
//!
//! ## One collection
//!
//! 1. update counts, merge the younger generations in;
//! 2. **reachability** (`reach`): copy reference counts to scratch counts, subtract the
//!    references from inside the set, then move everything not reachable from an object
//!    with outside references to an "unreachable" list (no recursion, no memory but the
//!    objects' own 16-byte links);
//! 3. untrack survivors that hold only untracked objects if their type allows it
//!    ([`Untrack`](crate::Untrack): tuples on every collection, dicts on full ones), move the
//!    survivors to the next generation;
//! 4. objects with a legacy finalizer ([`Object::LEGACY_FINALIZER`](crate::Object::LEGACY_FINALIZER),
//!    `tp_del`) and everything they reach are **uncollectable**: set aside for [`garbage`];
//! 5. with [`DEBUG_COLLECTABLE`], print `gc: collectable <type 0xaddr>` for each object;
//! 6. **weak references**: clear every weak reference to the garbage, and every weak
//!    reference that is itself garbage; call the callbacks of the cleared ones that are not
//!    garbage (a callback belonging to garbage never runs);
//! 7. **finalizers** (PEP 442): run each garbage object's finalizer that has not run yet,
//!    with every object still intact;
//! 8. **resurrection**: compute reachability again over the garbage; whatever a finalizer
//!    made reachable survives (it, and everything it reaches), the rest is final;
//! 9. **break the garbage**: clear slots, then payloads dropped in place, so reference
//!    counting frees it all (with [`DEBUG_SAVEALL`] it goes to [`garbage`] instead);
//! 10. count and print (`DEBUG_UNCOLLECTABLE`, `DEBUG_STATS`) the uncollectable objects and
//!     the totals; 11. append them to [`garbage`].
//!
//! The number returned is the garbage found: collected plus uncollectable.
//!
//! ## Code that runs inside a collection
//!
//! Finalizers, weak-reference callbacks, clear slots and [`add_callback`] callbacks get the
//! GIL token and may do anything: allocate (no automatic collection starts while one runs),
//! drop objects (even garbage), resurrect, call [`collect`] (which returns 0), or panic (the
//! panic is caught and reported like CPython's "Exception ignored in", through the
//! [unraisable hook](crate::set_unraisable_hook)). `Trace` implementations must not panic:
//! the lists are mid-surgery while they run, so a panic there aborts with a message.
//!
//! ## Timing
//!
//! Each collection is timed: [`get_stats`] keeps the total, last and longest pause per
//! generation, callbacks receive the duration in their [`CallbackInfo`], and `DEBUG_STATS`
//! prints it as CPython does.
//!
//! ```
//! use heap::{GilCell, Obj, Object, Trace, gc, with_gil};
//!
//! #[derive(Trace)]
//! struct Node { next: GilCell<Option<Obj<Node>>> }
//! impl Object for Node {}
//!
//! with_gil(|gil| {
//!     gc::collect(gil, 2).unwrap();
//!     let a = Obj::new(gil, Node { next: GilCell::new(None) });
//!     let b = Obj::new(gil, Node { next: GilCell::new(Some(a.clone())) });
//!     a.get(gil).next.set(gil, Some(b.clone()));      // a -> b -> a
//!     drop((a, b));                                    // a cycle: counting cannot free it
//!     assert_eq!(gc::collect(gil, 2).unwrap(), 2);     // the collector does
//!     assert_eq!(gc::get_stats(gil)[2].collected >= 2, true);
//! });
//! ```

mod collect;
mod garbage;
mod reach;
pub(crate) mod state;

use std::fmt;
use std::time::Duration;

use crate::generation::GcList;
use crate::gil::Gil;
use crate::header::{FINALIZED, Header};
use crate::obj::AnyObj;
use crate::state::heap;

pub(crate) use collect::collect_automatic;
pub use state::{DEFAULT_THRESHOLDS, DebugSink, NUM_GENERATIONS};

/// `gc.DEBUG_STATS`: print statistics at each collection.
pub const DEBUG_STATS: u32 = 1;
/// `gc.DEBUG_COLLECTABLE`: print each collectable object found.
pub const DEBUG_COLLECTABLE: u32 = 2;
/// `gc.DEBUG_UNCOLLECTABLE`: print each uncollectable object found.
pub const DEBUG_UNCOLLECTABLE: u32 = 4;
/// `gc.DEBUG_SAVEALL`: append garbage to [`garbage`] instead of freeing it.
pub const DEBUG_SAVEALL: u32 = 32;
/// `gc.DEBUG_LEAK`: `DEBUG_COLLECTABLE | DEBUG_UNCOLLECTABLE | DEBUG_SAVEALL`.
pub const DEBUG_LEAK: u32 = DEBUG_COLLECTABLE | DEBUG_UNCOLLECTABLE | DEBUG_SAVEALL;

/// A bad argument to a `gc` function (the VM raises `ValueError` with the message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GcError {
    /// `collect` with a generation outside 0..=2 (`invalid generation`).
    InvalidGeneration(usize),
    /// `get_objects` with a generation outside 0..=2.
    GenerationOutOfRange(usize),
}

impl fmt::Display for GcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GcError::InvalidGeneration(_) => f.write_str("invalid generation"),
            GcError::GenerationOutOfRange(_) => write!(
                f,
                "generation parameter must be less than the number of available generations \
                 ({NUM_GENERATIONS})"
            ),
        }
    }
}

impl std::error::Error for GcError {}

/// Statistics of one generation (`gc.get_stats()`, plus pause times).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenerationStats {
    /// Collections of this generation.
    pub collections: usize,
    /// Objects collected by them.
    pub collected: usize,
    /// Uncollectable objects they found.
    pub uncollectable: usize,
    /// Time spent in them, callbacks excluded.
    pub total_duration: Duration,
    /// The last one's duration.
    pub last_duration: Duration,
    /// The longest one's duration.
    pub max_duration: Duration,
}

impl GenerationStats {
    pub(crate) const ZERO: GenerationStats = GenerationStats {
        collections: 0,
        collected: 0,
        uncollectable: 0,
        total_duration: Duration::ZERO,
        last_duration: Duration::ZERO,
        max_duration: Duration::ZERO,
    };
}

/// The phase a `gc.callbacks` entry is called for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Before the collection (`"start"`).
    Start,
    /// After it (`"stop"`).
    Stop,
}

impl Phase {
    /// `"start"` or `"stop"`, as CPython passes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Start => "start",
            Phase::Stop => "stop",
        }
    }
}

/// The info mapping of a `gc.callbacks` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallbackInfo {
    /// The generation collected.
    pub generation: usize,
    /// Objects collected (0 at `Start`).
    pub collected: usize,
    /// Uncollectable objects found (0 at `Start`).
    pub uncollectable: usize,
    /// How long the collection took (zero at `Start`; CPython 3.15 adds it as `duration`).
    pub duration: Duration,
}

/// Identifies a callback registered with [`add_callback`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CallbackId(u64);

/// Collects `generation` (0, 1 or 2; `gc.collect(generation)`) and returns the number of
/// unreachable objects found: collected plus uncollectable. Runs even while automatic
/// collection is disabled; returns `Ok(0)` if a collection is already running (a finalizer or
/// callback asked for one).
pub fn collect(gil: &mut Gil<'_>, generation: usize) -> Result<usize, GcError> {
    if generation >= NUM_GENERATIONS {
        return Err(GcError::InvalidGeneration(generation));
    }
    Ok(collect::collect_with_callbacks(gil, generation))
}

/// Turns automatic collection on (`gc.enable()`).
pub fn enable(_gil: &Gil<'_>) {
    let gc = &heap().gc;
    gc.enabled.set(true);
    gc.update_trigger();
}

/// Turns automatic collection off (`gc.disable()`); [`collect`] still works.
pub fn disable(_gil: &Gil<'_>) {
    let gc = &heap().gc;
    gc.enabled.set(false);
    gc.update_trigger();
}

/// Whether automatic collection is on (`gc.isenabled()`).
pub fn is_enabled(_gil: &Gil<'_>) -> bool {
    heap().gc.enabled.get()
}

/// A collection is running right now (from a finalizer or callback it is).
pub fn is_collecting(_gil: &Gil<'_>) -> bool {
    heap().gc.collecting.get()
}

/// `gc.get_count()`: tracked allocations minus frees since the last collection, and the
/// collections of generations 0 and 1 since the last collection of the next one.
pub fn get_count(_gil: &Gil<'_>) -> [usize; NUM_GENERATIONS] {
    heap().gc.counts.each_ref().map(|c| c.get())
}

/// `gc.get_threshold()`: (700, 10, 10) unless changed.
pub fn get_threshold(_gil: &Gil<'_>) -> [usize; NUM_GENERATIONS] {
    heap().gc.thresholds.each_ref().map(|c| c.get())
}

/// `gc.set_threshold(t0, t1, t2)`; a `threshold[0]` of 0 turns automatic collection off.
pub fn set_threshold(_gil: &Gil<'_>, thresholds: [usize; NUM_GENERATIONS]) {
    let gc = &heap().gc;
    for (slot, t) in gc.thresholds.iter().zip(thresholds) {
        slot.set(t);
    }
    gc.update_trigger();
}

/// `gc.set_debug(flags)`.
pub fn set_debug(_gil: &Gil<'_>, flags: u32) {
    heap().gc.debug.set(flags);
}

/// `gc.get_debug()`.
pub fn get_debug(_gil: &Gil<'_>) -> u32 {
    heap().gc.debug.get()
}

/// Sends `DEBUG_*` output to `sink` instead of stderr (a VM passes its `sys.stderr`);
/// `None` restores stderr.
pub fn set_debug_output(_gil: &Gil<'_>, sink: Option<state::DebugSink>) {
    // SAFETY: GIL held; the slot is never borrowed across a call.
    unsafe { *heap().gc.debug_sink.get() = sink };
}

/// `gc.get_stats()`: per generation, collections, collected and uncollectable objects (and
/// the time spent).
pub fn get_stats(_gil: &Gil<'_>) -> [GenerationStats; NUM_GENERATIONS] {
    heap().gc.stats.each_ref().map(|c| c.get())
}

fn list_handles(list: &GcList, out: &mut Vec<AnyObj>) {
    list.for_each(|h| {
        // SAFETY: listed objects are alive; GIL held by the caller.
        out.push(unsafe { AnyObj::new_ref(h) })
    });
}

/// `gc.get_objects(generation)`: the tracked objects of one generation, or of all three
/// (`None`; the permanent generation is never included).
pub fn get_objects(_gil: &Gil<'_>, generation: Option<usize>) -> Result<Vec<AnyObj>, GcError> {
    let gc = &heap().gc;
    let mut out = Vec::new();
    match generation {
        Some(g) if g >= NUM_GENERATIONS => return Err(GcError::GenerationOutOfRange(g)),
        Some(g) => list_handles(&gc.gens[g], &mut out),
        None => gc.gens.iter().for_each(|l| list_handles(l, &mut out)),
    }
    Ok(out)
}

/// Number of objects in each generation list (walks them).
pub fn generation_sizes(_gil: &Gil<'_>) -> [usize; NUM_GENERATIONS] {
    heap().gc.gens.each_ref().map(GcList::len)
}

/// `gc.get_referrers(*objs)`: the tracked objects (generations 0–2) whose `Trace` visits
/// any of `objs`.
pub fn get_referrers(_gil: &Gil<'_>, objs: &[&AnyObj]) -> Vec<AnyObj> {
    let wanted: Vec<usize> = objs.iter().map(|o| o.addr()).collect();
    let mut found: Vec<std::ptr::NonNull<Header>> = Vec::new();
    for list in &heap().gc.gens {
        list.for_each(|h| {
            let mut hit = false;
            // SAFETY: listed objects are alive.
            unsafe { reach::trace(h, &mut |t| hit |= wanted.contains(&t.addr().get())) };
            if hit {
                found.push(h);
            }
        });
    }
    found
        .into_iter()
        // SAFETY: alive (nothing ran since the walk); GIL held.
        .map(|h| unsafe { AnyObj::new_ref(h) })
        .collect()
}

/// `gc.get_referents(*objs)`: what the `Trace` of each object of a tracked type visits, in
/// order (objects of untracked types contribute nothing, as in CPython).
pub fn get_referents(gil: &Gil<'_>, objs: &[&AnyObj]) -> Vec<AnyObj> {
    objs.iter()
        .filter(|o| o.type_info().is_tracked_type())
        .flat_map(|o| o.referents(gil))
        .collect()
}

/// `gc.is_tracked(obj)`.
pub fn is_tracked(gil: &Gil<'_>, obj: &AnyObj) -> bool {
    obj.is_tracked(gil)
}

/// `gc.is_finalized(obj)`: whether the finalizer of an object of a tracked type has run.
pub fn is_finalized(_gil: &Gil<'_>, obj: &AnyObj) -> bool {
    // SAFETY: a handle keeps its object alive.
    obj.type_info().is_tracked_type() && unsafe { obj.header_ptr().as_ref() }.has_flag(FINALIZED)
}

/// `gc.freeze()`: moves every tracked object to the permanent generation, which collections
/// ignore, and resets `count[0]` (as CPython 3.11 does).
pub fn freeze(_gil: &Gil<'_>) {
    let gc = &heap().gc;
    if gc.collecting.get() {
        return; // the lists belong to the running collection
    }
    for g in &gc.gens {
        // SAFETY: proper, distinct lists.
        unsafe { g.merge_into(&gc.permanent) };
    }
    gc.counts[0].set(0);
}

/// `gc.unfreeze()`: moves the permanent generation back into the oldest generation.
pub fn unfreeze(_gil: &Gil<'_>) {
    let gc = &heap().gc;
    if gc.collecting.get() {
        return;
    }
    // SAFETY: proper, distinct lists.
    unsafe { gc.permanent.merge_into(&gc.gens[NUM_GENERATIONS - 1]) };
}

/// `gc.get_freeze_count()`.
pub fn get_freeze_count(_gil: &Gil<'_>) -> usize {
    heap().gc.permanent.len()
}

/// `gc.garbage`: the uncollectable objects found so far (everything found, with
/// [`DEBUG_SAVEALL`]), as new handles.
pub fn garbage(gil: &Gil<'_>) -> Vec<AnyObj> {
    // SAFETY: GIL held; short borrow, clones run no user code.
    let g = unsafe { &*heap().gc.garbage.get() };
    g.iter().map(|o| o.clone_ref(gil)).collect()
}

/// Empties `gc.garbage` and returns what it held (a VM moves it into its `gc.garbage` list;
/// `del gc.garbage[:]`).
pub fn take_garbage(_gil: &Gil<'_>) -> Vec<AnyObj> {
    // SAFETY: GIL held; short borrow. The handles are dropped by the caller, not here.
    std::mem::take(unsafe { &mut *heap().gc.garbage.get() })
}

/// Registers a `gc.callbacks` entry, called with the token, the phase and the info before
/// and after every collection; a panic in it is reported as unraisable.
pub fn add_callback(
    _gil: &Gil<'_>,
    callback: impl FnMut(&mut Gil<'_>, Phase, &CallbackInfo) + Send + 'static,
) -> CallbackId {
    let gc = &heap().gc;
    let id = gc.next_callback_id.get();
    gc.next_callback_id.set(id + 1);
    // SAFETY: GIL held; short borrow (callbacks run with the list taken out).
    unsafe { (*gc.callbacks.get()).push((id, Box::new(callback))) };
    CallbackId(id)
}

/// Unregisters a callback; false if it was not registered.
pub fn remove_callback(_gil: &Gil<'_>, id: CallbackId) -> bool {
    let gc = &heap().gc;
    // SAFETY: GIL held; short borrows. The removed closure is dropped after the borrow.
    let list = unsafe { &mut *gc.callbacks.get() };
    if let Some(i) = list.iter().position(|(x, _)| *x == id.0) {
        let cb = list.remove(i);
        drop(cb);
        return true;
    }
    if gc.dispatching.get() {
        // SAFETY: as above.
        unsafe { (*gc.removed_callbacks.get()).push(id.0) };
        return true;
    }
    false
}
