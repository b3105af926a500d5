//! # obmalloc: CPython's small-object allocator, rebuilt in Rust
//!
//! This crate is pymalloc (CPython 3.11–3.13's `Objects/obmalloc.c`, 64-bit build) with
//! its observable behaviour: the same size classes, pools, arenas, list policies and
//! `sys._debugmallocstats()` report, so that a program's memory profile reads the same.
//! Where pymalloc loses time, pymem departs from it, and says so below.
//!
//! ## The layers
//!
//! ```text
//!   request of n bytes
//!     n == 0 or n > 512 ──────────────────────────────► system malloc (counted as raw)
//!     1..=512: class (n-1)>>4, blocks of 16·(class+1) bytes
//!       │
//!       ▼
//!   used_pools[class] ── ring of Used pools of that class ─► pop the head pool's free list
//!       │ (no Used pool)
//!       ▼
//!   usable_arenas ── arenas with a free pool, fullest first ─► take a pool from the head
//!       │ (none)
//!       ▼
//!   mmap a new 1 MiB arena (aligned to 1 MiB: 64 pools of 16 KiB)
//! ```
//!
//! * **Blocks** (`size_class.rs`): 32 classes, 16 to 512 bytes in steps of 16.
//! * **Pools** (`pool.rs`): 16 KiB, a 48-byte header and blocks of one class. A pool is
//!   Used, Full or Empty; its free list is LIFO and untouched blocks are carved lazily.
//! * **used_pools** (`used_pools.rs`): per class, a ring of Used pools. A pool that leaves
//!   the Full state goes to the front, so the next allocation of that class reuses it.
//! * **Arenas** (`arena.rs`): 1 MiB from `mmap`, cut into 64 pools; Empty pools are kept on
//!   the arena's list of free pools.
//! * **usable_arenas** (`usable_arenas.rs`): arenas with a free pool, sorted by free-pool
//!   count, fewest first, and re-sorted in O(1) per change (CPython's `nfp2lasta`).
//! * **Arena release** (`instance.rs`): an arena whose last pool empties is unmapped, which
//!   is how Python gives memory back to the OS.
//!
//! ## Where pymem differs from CPython, and why
//!
//! 1. **Arenas are aligned to 1 MiB** (`os.rs`). CPython's are only page-aligned, so each
//!    usually loses a pool (1.6% of address space) and "is this pointer ours" needs a
//!    three-level radix tree. Ours have 64 pools and the question is a two-level table
//!    lookup keyed by `addr >> 20` (`arena_map.rs`). The "bytes lost to arena alignment"
//!    line of the report is always 0.
//! 2. **A bounded, adaptive arena cache** ([`Config::arena_cache`],
//!    [`Config::adaptive_cache`], `arena_cache.rs`). CPython unmaps an arena the moment it
//!    is wholly free (keeping only the last one of `usable_arenas`, bpo-37257), and pays to
//!    fault it back in on the next burst of allocation: the design notes measured 2.0–2.7×
//!    on bulk workloads from caching alone. pymem keeps up to `arena_cache + 1` wholly free
//!    arenas mapped and gives the rest back at once, so memory returns to the OS as it does
//!    in CPython. Only when the program *churns* (maps an arena within a second of giving
//!    one back) does the bound grow, one arena per re-map, and it decays back after a second
//!    without churn: a heap that frees most of itself and goes on keeps CPython's behaviour
//!    (w4: 17.6 MiB left where pymalloc leaves 14.3), and one that frees and rebuilds keeps
//!    its arenas for the rebuild (w2: 72 → 55 ns). [`Obmalloc::trim`] gives back all of
//!    them; `Config::cpython()` reproduces CPython's policy exactly.
//! 3. **Huge pages where they cost no density** (`os.rs`, [`Config::huge_pages`]). Arenas
//!    are mapped in 2 MiB pairs; a pair becomes one transparent huge page when its second
//!    arena is taken into use, and after churn pairs are huge from the start. Faulting
//!    memory in costs 13 times less per byte that way on our machines, and random access
//!    stops missing the TLB; the last, half-used pair keeps small pages, so RSS stays within
//!    1% of the live bytes as in pymalloc.
//! 4. **The last pool of a class lingers** ([`Config::linger`]). When the only Used pool of
//!    a class empties, CPython returns it to its arena and the next allocation takes it
//!    back through the slow path; a loop that allocates and frees one block pays both slow
//!    paths every time (12.8 ns instead of 2.1 ns here). pymem keeps that pool on its ring,
//!    held by a phantom count, until the next slow path of any kind.
//! 5. **Reused pools are initialised afresh**, so their blocks come out in address order
//!    instead of the order of the frees that emptied them (CPython reuses that free list).
//! 6. **A sized free** ([`Obmalloc::free_sized`]) skips the ownership lookup when the
//!    caller knows the size, as jemalloc's `sdallocx` does.
//! 7. **Threads** ([`ObmallocGlobal`]): a thread-safe global allocator with a heap per
//!    thread and lock-free frees from other threads; pymalloc itself needs the GIL.
//! 8. **used_pools is a plain array of ring heads**, not CPython's aliasing trick; the
//!    fast path is the same one load and one test.
//!
//! None of this changes what the statistics report: `Config::cpython()` switches 2–4 off,
//! and a differential test replays one trace through CPython's own pymalloc and through
//! obmalloc and finds the same per-class tables and arena counters.
//!
//! ## Where to start reading
//!
//! `instance.rs` holds the allocation and free paths; `pool.rs` the pool state machine
//! and its invariants (P1–P3); `usable_arenas.rs` the sorted arena list (S1–S3);
//! `validate.rs` checks all of them and is run after every step of the property tests.
//! `debug.rs` is `PYTHONMALLOC=debug`: guard bytes, fill patterns and clear reports of
//! buffer overflows, double frees and frees through the wrong API family.
//!
//! ```
//! use obmalloc::{Obmalloc, SizeClass};
//!
//! let mut heap = Obmalloc::new();
//! let p = heap.alloc(40).unwrap();            // class 2: 48-byte blocks
//! assert_eq!(heap.stats().classes[2].blocks_in_use, 1);
//! assert_eq!(SizeClass::for_request(40).unwrap().block_size(), 48);
//! // SAFETY: `p` came from `heap.alloc(40)` and is freed once.
//! unsafe { heap.free_sized(p, 40) };
//! assert_eq!(heap.allocated_blocks(), 0);
//! ```

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_debug_implementations)]
#![doc(test(attr(deny(warnings))))]

mod arena;
mod arena_cache;
mod arena_map;
mod config;
pub mod debug;
mod global;
mod instance;
mod os;
mod pool;
mod size_class;
mod stats;
mod usable_arenas;
mod used_pools;
mod validate;

pub use config::{
    ALIGNMENT, ALIGNMENT_SHIFT, ARENA_BITS, ARENA_SIZE, ARENA_SIZE_MASK, Config,
    MAX_POOLS_IN_ARENA, NB_SMALL_SIZE_CLASSES, POOL_BITS, POOL_OVERHEAD, POOL_SIZE, POOL_SIZE_MASK,
    SMALL_REQUEST_THRESHOLD,
};
pub use global::ObmallocGlobal;
pub use instance::Obmalloc;
pub use size_class::SizeClass;
pub use stats::{ClassStats, Stats, free_list_line};
