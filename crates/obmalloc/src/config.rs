//! Geometry and tunables.
//!
//! Every number here is CPython 3.11's 64-bit configuration (`USE_LARGE_ARENAS`,
//! `USE_LARGE_POOLS`), except [`Config::arena_cache`], which CPython does not have. The
//! relations between them are checked at compile time at the bottom of this file, so a
//! change that breaks the geometry does not build.

use std::time::Duration;

/// Every block is aligned to this many bytes, and size classes are this far apart.
pub const ALIGNMENT: usize = 16;
/// `log2(ALIGNMENT)`: a request of `n` bytes is in class `(n - 1) >> ALIGNMENT_SHIFT`.
pub const ALIGNMENT_SHIFT: u32 = 4;
/// Requests larger than this (and requests of zero bytes) go to the system allocator.
pub const SMALL_REQUEST_THRESHOLD: usize = 512;
/// Number of size classes: 16, 32, ..., 512 bytes.
pub const NB_SMALL_SIZE_CLASSES: usize = SMALL_REQUEST_THRESHOLD >> ALIGNMENT_SHIFT;

/// `log2(POOL_SIZE)`.
pub const POOL_BITS: u32 = 14;
/// A pool is 16 KiB: a header followed by blocks of one size class.
pub const POOL_SIZE: usize = 1 << POOL_BITS;
/// `addr & !POOL_SIZE_MASK` is the pool holding `addr`.
pub const POOL_SIZE_MASK: usize = POOL_SIZE - 1;
/// Bytes of pool header before the first block (CPython's `sizeof(struct pool_header)`).
pub const POOL_OVERHEAD: usize = 48;

/// `log2(ARENA_SIZE)`.
pub const ARENA_BITS: u32 = 20;
/// An arena is 1 MiB of address space obtained from the OS in one piece.
pub const ARENA_SIZE: usize = 1 << ARENA_BITS;
/// `addr & !ARENA_SIZE_MASK` is the arena holding `addr` (arenas are `ARENA_SIZE`-aligned).
pub const ARENA_SIZE_MASK: usize = ARENA_SIZE - 1;
/// Pools in one arena. Because pymem aligns arenas to their size, every arena holds this
/// many; CPython's page-aligned arenas usually lose one pool to alignment.
pub const MAX_POOLS_IN_ARENA: usize = ARENA_SIZE / POOL_SIZE;

/// Settings of an [`Obmalloc`](crate::Obmalloc) instance.
///
/// ```
/// let exact = obmalloc::Config::cpython();
/// assert_eq!((exact.arena_cache, exact.huge_pages, exact.linger), (0, false, false));
/// assert_eq!(exact.adaptive_cache, None);
/// assert!(obmalloc::Config::default().arena_cache > 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// How many wholly free arenas stay mapped besides the one CPython keeps: at most
    /// `arena_cache + 1` in all while the program does not churn (with
    /// [`adaptive_cache`](Self::adaptive_cache) the bound grows while it does, and decays
    /// back). An arena that becomes wholly free beyond the bound is given back to the OS at
    /// once; [`Obmalloc::trim`](crate::Obmalloc::trim) gives back all of them. `0` (with no
    /// adaptation) is CPython 3.11's exact policy: only an arena that is already the last of
    /// `usable_arenas` when it becomes wholly free stays mapped (bpo-37257).
    pub arena_cache: usize,
    /// Whether arenas are backed by transparent huge pages where that costs no density: a
    /// pair of arenas becomes one huge page when its second arena is taken into use, and
    /// after the instance has churned (given an arena back and needed a new one) new pairs
    /// are huge from the start (see `os.rs`). Has no effect where the OS has no THP.
    pub huge_pages: bool,
    /// Whether the last Used pool of a class stays on its ring when its last block is
    /// freed, until the next slow path, instead of going back to its arena at once. Without
    /// it, allocating and freeing one block in a loop (when nothing else of that class is
    /// live) takes both slow paths every time: 12.8 ns per pair instead of 2.1 ns measured
    /// here. CPython does not need it as much: an interpreter always has live objects of
    /// most classes.
    pub linger: bool,
    /// Whether the arena cache adapts (see `arena_cache.rs`), and its period: mapping an
    /// arena within this long of giving one back raises the bound by one, and a whole period
    /// without that puts it back to `arena_cache`. `None` keeps the bound fixed.
    pub adaptive_cache: Option<Duration>,
}

impl Config {
    /// The default bound of the arena cache: 4 arenas (4 MiB of address space, resident
    /// only where pools were touched). See the crate documentation for the measurements
    /// behind it.
    pub const DEFAULT_ARENA_CACHE: usize = 4;

    /// The default period of the adaptive arena cache: one second, mimalloc's purge delay.
    pub const DEFAULT_CACHE_PERIOD: Duration = Duration::from_secs(1);

    /// CPython 3.11's exact arena policy: no cache beyond the one retained arena.
    pub const fn cpython() -> Config {
        Config {
            arena_cache: 0,
            huge_pages: false,
            linger: false,
            adaptive_cache: None,
        }
    }
}

impl Config {
    /// The same settings with another arena cache bound.
    pub const fn with_arena_cache(self, arenas: usize) -> Config {
        Config {
            arena_cache: arenas,
            ..self
        }
    }

    /// The same settings with the adaptive arena cache's period (`None`: a fixed bound).
    pub const fn with_adaptive_cache(self, period: Option<Duration>) -> Config {
        Config {
            adaptive_cache: period,
            ..self
        }
    }

    /// The same settings with lingering pools switched on or off.
    pub const fn with_linger(self, on: bool) -> Config {
        Config { linger: on, ..self }
    }

    /// The same settings with huge pages after churn switched on or off.
    pub const fn with_huge_pages(self, on: bool) -> Config {
        Config {
            huge_pages: on,
            ..self
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            arena_cache: Config::DEFAULT_ARENA_CACHE,
            huge_pages: true,
            linger: true,
            adaptive_cache: Some(Config::DEFAULT_CACHE_PERIOD),
        }
    }
}

const _: () = assert!(ALIGNMENT == 1 << ALIGNMENT_SHIFT);
const _: () = assert!(SMALL_REQUEST_THRESHOLD.is_multiple_of(ALIGNMENT));
const _: () = assert!(NB_SMALL_SIZE_CLASSES == 32);
const _: () = assert!(
    ARENA_SIZE.is_multiple_of(POOL_SIZE),
    "an arena is a whole number of pools"
);
const _: () = assert!(
    POOL_OVERHEAD.is_multiple_of(ALIGNMENT),
    "the first block is aligned"
);
const _: () = assert!(
    POOL_SIZE - POOL_OVERHEAD >= 2 * SMALL_REQUEST_THRESHOLD,
    "a fresh pool carves two blocks of every class"
);
const _: () = assert!(MAX_POOLS_IN_ARENA == 64);
const _: () = assert!(POOL_SIZE < u32::MAX as usize, "pool offsets fit in u32");
