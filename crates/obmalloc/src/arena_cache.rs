//! The arena cache: how many wholly free arenas stay mapped.
//!
//! CPython unmaps an arena the moment its last pool empties, unless it is the last arena of
//! `usable_arenas` (bpo-37257). That gives memory back promptly, and makes a program that
//! frees and rebuilds a large structure pay for every page again: on this project's machines
//! re-mapping an arena costs 30–90 µs, about 20 ns per operation of the `w2` benchmark.
//!
//! pymem keeps up to `bound + 1` wholly free arenas mapped (CPython's one and the cache),
//! and gives the rest back at once, as CPython does. The bound starts at
//! [`Config::arena_cache`] and adapts:
//!
//! * **It grows with churn.** Mapping a new arena within the decay period of giving one
//!   back means the program is rebuilding what it freed; each such re-map raises the bound by
//!   one (never past the most arenas ever mapped), so the next time the structure is freed
//!   its arenas stay for the rebuild.
//! * **It decays.** Once a whole decay period passes without churn, the next allocation slow
//!   path puts the bound back to `Config::arena_cache` and gives the excess back.
//!
//! A program that only grows, or frees most of its heap and goes on with the rest, never
//! churns: its memory goes back at once, as in CPython (the `w4` benchmark and the
//! 2,000,000-block test). [`Obmalloc::trim`] gives back every cached arena at any time, and
//! [`Config::cpython`] switches adaptation off.

use std::time::{Duration, Instant};

use crate::config::Config;
use crate::instance::Obmalloc;

/// The adaptive bound and the moments it adapts to.
pub(crate) struct ArenaCache {
    bound: usize,
    last_release: Option<Instant>,
    last_churn: Option<Instant>,
}

impl ArenaCache {
    pub(crate) const fn new(config: &Config) -> ArenaCache {
        ArenaCache {
            bound: config.arena_cache,
            last_release: None,
            last_churn: None,
        }
    }

    /// Wholly free arenas kept beyond CPython's one.
    pub(crate) fn bound(&self) -> usize {
        self.bound
    }

    /// Back to the configured bound, forgetting past churn.
    pub(crate) fn reset(&mut self, config: &Config) {
        *self = ArenaCache::new(config);
    }

    /// An arena was given back to the OS.
    pub(crate) fn note_release(&mut self, config: &Config) {
        if config.adaptive_cache.is_some() {
            self.last_release = Some(Instant::now());
        }
    }

    /// An arena is about to be mapped; `limit` is the most the bound may reach.
    pub(crate) fn note_map(&mut self, config: &Config, limit: usize) {
        let Some(period) = config.adaptive_cache else {
            return;
        };
        if self.last_release.is_some_and(|t| t.elapsed() < period) {
            self.bound = (self.bound + 1).min(limit.max(config.arena_cache));
            self.last_churn = Some(Instant::now());
        }
    }

    /// Whether the bound just decayed back to the configured one (the caller then gives
    /// back the excess). Reads the clock only while the bound is above the configured one.
    pub(crate) fn decayed(&mut self, config: &Config) -> bool {
        if self.bound <= config.arena_cache {
            return false;
        }
        let period = config.adaptive_cache.unwrap_or(Duration::ZERO);
        if self.last_churn.is_some_and(|t| t.elapsed() < period) {
            return false;
        }
        self.reset(config);
        true
    }
}

impl Obmalloc {
    /// Wholly free arenas this instance currently keeps mapped beyond CPython's one: the
    /// configured [`Config::arena_cache`], or more while the program churns (see
    /// `arena_cache.rs`).
    pub fn arena_cache_bound(&self) -> usize {
        self.cache.bound()
    }

    /// Changes how many wholly free arenas stay mapped, forgetting past churn, and gives
    /// back at once any cached arena beyond the new bound.
    pub fn set_arena_cache(&mut self, arenas: usize) {
        self.config.arena_cache = arenas;
        self.cache.reset(&self.config);
        self.release_excess();
    }

    /// Puts the bound back after a decay period without churn (an allocation slow path).
    pub(crate) fn decay_arena_cache(&mut self) {
        if self.cache.decayed(&self.config) {
            self.release_excess();
        }
    }

    /// Gives back wholly free arenas until at most `bound + 1` remain.
    fn release_excess(&mut self) {
        self.release_cached_arenas(self.cache.bound() + 1);
    }
}

#[cfg(test)]
mod tests {
    use core::ptr::NonNull;
    use std::time::Duration;

    use crate::config::{Config, MAX_POOLS_IN_ARENA};
    use crate::instance::Obmalloc;
    use crate::size_class::SizeClass;

    /// Fills `arenas` whole arenas with 512-byte blocks.
    fn fill(a: &mut Obmalloc, arenas: usize) -> Vec<NonNull<u8>> {
        let per_arena = MAX_POOLS_IN_ARENA * SizeClass::for_request(512).unwrap().blocks_per_pool();
        (0..arenas * per_arena)
            .map(|_| a.alloc(512).unwrap())
            .collect()
    }

    fn free_all(a: &mut Obmalloc, blocks: Vec<NonNull<u8>>) {
        for p in blocks {
            // SAFETY: every block is live and freed once.
            unsafe { a.free_sized(p, 512) };
        }
    }

    fn config(period: Duration) -> Config {
        Config::default()
            .with_arena_cache(0)
            .with_linger(false)
            .with_adaptive_cache(Some(period))
    }

    #[test]
    #[cfg_attr(miri, ignore = "maps three arenas three times: minutes under Miri")]
    fn churn_grows_the_bound_and_keeps_the_rebuild_mapped() {
        let mut a = Obmalloc::with_config(config(Duration::from_secs(3600)));
        let blocks = fill(&mut a, 3);
        free_all(&mut a, blocks);
        // No churn yet: CPython's rule, one arena stays.
        assert_eq!((a.stats().arenas_current, a.arena_cache_bound()), (1, 0));
        // Rebuilding maps two arenas right after giving two back: churn.
        let blocks = fill(&mut a, 3);
        assert_eq!(a.arena_cache_bound(), 2);
        free_all(&mut a, blocks);
        assert_eq!(
            a.stats().arenas_current,
            3,
            "bound 2 + 1: the whole rebuild stays"
        );
        // The third build maps nothing.
        let blocks = fill(&mut a, 3);
        assert_eq!(a.stats().arenas_allocated_total, 5);
        free_all(&mut a, blocks);
        a.validate().unwrap();
        assert_eq!(a.trim(), 3);
        assert_eq!(a.arena_cache_bound(), 0, "trim forgets the churn");
    }

    #[test]
    #[cfg_attr(miri, ignore = "maps three arenas three times: minutes under Miri")]
    fn the_bound_decays_after_a_period_without_churn() {
        let period = Duration::from_millis(30);
        let mut a = Obmalloc::with_config(config(period));
        let blocks = fill(&mut a, 3);
        free_all(&mut a, blocks);
        let blocks = fill(&mut a, 3);
        free_all(&mut a, blocks);
        assert_eq!((a.stats().arenas_current, a.arena_cache_bound()), (3, 2));
        std::thread::sleep(period * 3);
        // The next allocation slow path puts the bound back and gives back the excess.
        let p = a.alloc(100).unwrap();
        assert_eq!((a.stats().arenas_current, a.arena_cache_bound()), (1, 0));
        a.validate().unwrap();
        // SAFETY: live block, freed once.
        unsafe { a.free(p.as_ptr()) };
    }

    #[test]
    fn a_heap_that_only_grows_and_shrinks_never_churns() {
        let mut a = Obmalloc::with_config(config(Duration::from_secs(3600)));
        let n = if cfg!(miri) { 1 } else { 3 };
        let blocks = fill(&mut a, n);
        free_all(&mut a, blocks);
        assert_eq!(a.arena_cache_bound(), 0);
        assert_eq!(a.stats().arenas_current, 1);
    }

    #[test]
    fn lowering_the_bound_gives_back_the_excess_at_once() {
        let mut a = Obmalloc::with_config(Config::default().with_linger(false));
        let n = if cfg!(miri) { 2 } else { 3 };
        let blocks = fill(&mut a, n);
        free_all(&mut a, blocks);
        assert_eq!(a.stats().arenas_current, n, "the default cache keeps them");
        a.set_arena_cache(0);
        assert_eq!(a.stats().arenas_current, 1);
        a.validate().unwrap();
    }
}
