//! The collector's state: generations, counts, thresholds, statistics and the `gc` module's
//! settings (CPython's `struct _gc_runtime_state`), part of the heap's global state.

use std::cell::{Cell, UnsafeCell};
use std::time::Duration;

use crate::generation::GcList;
use crate::gil::Gil;
use crate::obj::AnyObj;

use super::{CallbackInfo, GenerationStats, Phase};

/// Number of generations (CPython's `NUM_GENERATIONS`).
pub const NUM_GENERATIONS: usize = 3;

/// CPython 3.11's default thresholds.
pub const DEFAULT_THRESHOLDS: [usize; NUM_GENERATIONS] = [700, 10, 10];

/// A `gc.callbacks` entry.
pub(crate) type GcCallback = Box<dyn FnMut(&mut Gil<'_>, Phase, &CallbackInfo) + Send>;

/// Where `DEBUG_*` output goes (CPython: `sys.stderr`); see
/// [`set_debug_output`](super::set_debug_output).
pub type DebugSink = Box<dyn FnMut(&str) + Send>;

pub(crate) struct GcState {
    /// Generations 0, 1, 2.
    pub(crate) gens: [GcList; NUM_GENERATIONS],
    /// `gc.freeze()`'s permanent generation.
    pub(crate) permanent: GcList,
    /// `count[0]`: tracked allocations minus frees since the last collection; `count[1]`,
    /// `count[2]`: collections of the generation below since this one's last collection.
    pub(crate) counts: [Cell<usize>; NUM_GENERATIONS],
    pub(crate) thresholds: [Cell<usize>; NUM_GENERATIONS],
    pub(crate) enabled: Cell<bool>,
    /// A collection is running.
    pub(crate) collecting: Cell<bool>,
    /// `count[0]` above this starts an automatic collection: `thresholds[0]` while enabled,
    /// not collecting and `thresholds[0] != 0`; `usize::MAX` otherwise (one compare on the
    /// allocation path).
    pub(crate) trigger: Cell<usize>,
    pub(crate) debug: Cell<u32>,
    pub(crate) long_lived_total: Cell<usize>,
    pub(crate) long_lived_pending: Cell<usize>,
    pub(crate) stats: [Cell<GenerationStats>; NUM_GENERATIONS],
    /// `gc.garbage`.
    pub(crate) garbage: UnsafeCell<Vec<AnyObj>>,
    pub(crate) callbacks: UnsafeCell<Vec<(u64, GcCallback)>>,
    pub(crate) next_callback_id: Cell<u64>,
    /// Callbacks are running (taken out of `callbacks`); removals wait in `removed_callbacks`.
    pub(crate) dispatching: Cell<bool>,
    pub(crate) removed_callbacks: UnsafeCell<Vec<u64>>,
    pub(crate) debug_sink: UnsafeCell<Option<DebugSink>>,
}

impl GcState {
    pub(crate) const fn new() -> GcState {
        GcState {
            gens: [GcList::new(), GcList::new(), GcList::new()],
            permanent: GcList::new(),
            counts: [Cell::new(0), Cell::new(0), Cell::new(0)],
            thresholds: [
                Cell::new(DEFAULT_THRESHOLDS[0]),
                Cell::new(DEFAULT_THRESHOLDS[1]),
                Cell::new(DEFAULT_THRESHOLDS[2]),
            ],
            enabled: Cell::new(true),
            collecting: Cell::new(false),
            trigger: Cell::new(DEFAULT_THRESHOLDS[0]),
            debug: Cell::new(0),
            long_lived_total: Cell::new(0),
            long_lived_pending: Cell::new(0),
            stats: [
                Cell::new(GenerationStats::ZERO),
                Cell::new(GenerationStats::ZERO),
                Cell::new(GenerationStats::ZERO),
            ],
            garbage: UnsafeCell::new(Vec::new()),
            callbacks: UnsafeCell::new(Vec::new()),
            next_callback_id: Cell::new(0),
            dispatching: Cell::new(false),
            removed_callbacks: UnsafeCell::new(Vec::new()),
            debug_sink: UnsafeCell::new(None),
        }
    }

    pub(crate) fn init(&self) {
        for g in &self.gens {
            g.init();
        }
        self.permanent.init();
    }

    /// Recomputes [`trigger`](Self::trigger) after a setting changed.
    pub(crate) fn update_trigger(&self) {
        let t0 = self.thresholds[0].get();
        let on = self.enabled.get() && !self.collecting.get() && t0 != 0;
        self.trigger.set(if on { t0 } else { usize::MAX });
    }

    /// Adds `d` to a generation's statistics.
    pub(crate) fn add_stats(
        &self,
        generation: usize,
        collected: usize,
        uncollectable: usize,
        d: Duration,
    ) {
        let mut s = self.stats[generation].get();
        s.collections += 1;
        s.collected += collected;
        s.uncollectable += uncollectable;
        s.total_duration += d;
        s.last_duration = d;
        if d > s.max_duration {
            s.max_duration = d;
        }
        self.stats[generation].set(s);
    }
}
