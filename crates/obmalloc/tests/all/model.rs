//! Property tests: random programs of allocator calls replayed on an [`Obmalloc`] and on a
//! model of the live blocks (`address -> (size, fill, kind)` in a `BTreeMap`).
//!
//! After every operation the harness checks that
//! * every block is 16-byte aligned and overlaps no other live block (a `BTreeMap` range query);
//! * every live block still holds the byte pattern written when it was (re)allocated, and a
//!   realloc preserved the first `min(old, new)` bytes;
//! * `allocated_blocks()` is the model's live count, each `stats()` row's `blocks_in_use` is the
//!   model's count for that class, `raw_blocks` the model's count of system-allocator blocks;
//! * the `stats()` byte breakdown sums to `arenas_current * ARENA_SIZE` (and the other
//!   [`check_stats_invariants`]);
//! * no more wholly free arenas stay mapped than CPython's one plus the configured arena cache
//!   (plus one kept by a lingering pool with `Config::linger`), and after `trim()` none at all;
//! * `validate()` is `Ok`.
//!
//! At the end everything is freed: no blocks, every class empty, and after `trim()` no arena.

use std::collections::{BTreeMap, BTreeSet};
use std::ptr::{self, NonNull};

use obmalloc::{ALIGNMENT, Config, NB_SMALL_SIZE_CLASSES, Obmalloc};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};

use crate::common::{arena_of, block_size, check_stats_invariants, class_of, heavy_lock};

/// One step of a program. Indices pick a live block: the `i % live`-th in address order.
#[derive(Clone, Debug)]
enum Op {
    Alloc(usize),
    Free(usize),
    /// `free_sized` of the `i % n`-th of the `n` blocks that may be freed by size: those
    /// never passed to `realloc` (its contract excludes realloc'd blocks, since a system block
    /// stays with the system when it shrinks to a small size).
    FreeSized(usize),
    Realloc(usize, usize),
    Trim,
    SetArenaCache(usize),
    /// `count` allocations of `size` bytes: fills pools, opens arenas.
    AllocBatch(usize, usize),
    /// Frees `count` consecutive live blocks (address order) from the `i`-th: empties pools
    /// and whole arenas, which random single frees almost never do.
    FreeRun(usize, usize),
}

/// Where a block lives: a pool of size class `c`, or the system allocator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Small(usize),
    Raw,
}

impl Kind {
    /// The kind of a fresh `alloc(nbytes)`: 0 and > 512 bytes go to the system allocator.
    fn for_request(nbytes: usize) -> Kind {
        class_of(nbytes).map_or(Kind::Raw, Kind::Small)
    }
}

/// A live block of the model.
#[derive(Clone, Copy, Debug)]
struct Block {
    /// The block (the model's key is its address).
    ptr: NonNull<u8>,
    /// The size it was (re)allocated with.
    size: usize,
    /// Byte `j` of the block holds `PATTERN[fill + j]`, i.e. `fill + j` (mod 256).
    fill: u8,
    kind: Kind,
    /// Returned by `realloc`: must be freed with `free`, not `free_sized`.
    reallocated: bool,
}

/// Largest request in the programs.
const MAX_REQUEST: usize = 700;

/// `PATTERN[k] == k as u8`: a block with fill `f` holds `PATTERN[f..f + size]`, so a byte
/// copied to the wrong offset, or a block handed out twice, shows up.
static PATTERN: [u8; 1024] = {
    let mut t = [0u8; 1024];
    let mut k = 0;
    while k < t.len() {
        t[k] = k as u8;
        k += 1;
    }
    t
};

fn expected_bytes(b: &Block) -> &'static [u8] {
    &PATTERN[b.fill as usize..b.fill as usize + b.size]
}

/// An `Obmalloc` and the model it must agree with.
struct Harness {
    heap: Obmalloc,
    live: BTreeMap<usize, Block>,
    next_fill: u8,
}

fn fail(msg: String) -> TestCaseError {
    TestCaseError::fail(msg)
}

impl Harness {
    fn new(config: Config) -> Harness {
        Harness {
            heap: Obmalloc::with_config(config),
            live: BTreeMap::new(),
            next_fill: 0,
        }
    }

    /// A fill byte in 1..=255, different from the previous one.
    fn fresh_fill(&mut self) -> u8 {
        self.next_fill = self.next_fill % 255 + 1;
        self.next_fill
    }

    /// The `i % live`-th live block in address order.
    fn nth(&self, i: usize) -> Option<(usize, Block)> {
        if self.live.is_empty() {
            return None;
        }
        self.live
            .iter()
            .nth(i % self.live.len())
            .map(|(&a, &b)| (a, b))
    }

    /// The `i % n`-th of the `n` blocks that `free_sized` may free (never realloc'd).
    fn nth_sized(&self, i: usize) -> Option<usize> {
        let n = self.live.values().filter(|b| !b.reallocated).count();
        if n == 0 {
            return None;
        }
        self.live
            .iter()
            .filter(|(_, b)| !b.reallocated)
            .nth(i % n)
            .map(|(&a, _)| a)
    }

    /// Records a block just handed out at `ptr`: checks alignment and overlap, then writes
    /// its pattern.
    fn insert(
        &mut self,
        ptr: NonNull<u8>,
        size: usize,
        kind: Kind,
        reallocated: bool,
    ) -> Result<(), TestCaseError> {
        let addr = ptr.as_ptr().addr();
        prop_assert_eq!(
            addr % ALIGNMENT,
            0,
            "block {:#x} of {} bytes is not 16-byte aligned",
            addr,
            size
        );
        let extent = size.max(1);
        if let Some((&other, b)) = self.live.range(..addr + extent).next_back() {
            prop_assert!(
                other + b.size.max(1) <= addr,
                "new block {addr:#x}+{size} ({kind:?}) overlaps live block {other:#x} {b:?}"
            );
        }
        let block = Block {
            ptr,
            size,
            fill: self.fresh_fill(),
            kind,
            reallocated,
        };
        // SAFETY: `ptr` was just returned by the allocator for a request of `size` bytes, so
        // it is valid for `size` bytes of writes, and it overlaps no other live block (checked
        // above); PATTERN is a static that cannot overlap heap memory.
        unsafe { ptr::copy_nonoverlapping(expected_bytes(&block).as_ptr(), ptr.as_ptr(), size) };
        self.live.insert(addr, block);
        Ok(())
    }

    fn alloc(&mut self, size: usize) -> Result<(), TestCaseError> {
        let p = self
            .heap
            .alloc(size)
            .ok_or_else(|| fail(format!("alloc({size}) returned None")))?;
        self.insert(p, size, Kind::for_request(size), false)
    }

    fn free(&mut self, addr: usize, sized: bool) {
        let b = self.live.remove(&addr).expect("freeing a live block");
        if sized {
            assert!(!b.reallocated, "free_sized is not for realloc'd blocks");
            let p = b.ptr;
            // SAFETY: `p` is live, from this heap's alloc (never realloc'd), and `b.size` is
            // the size it was allocated with; it is removed from the model, so it is never
            // used again.
            unsafe { self.heap.free_sized(p, b.size) };
        } else {
            // SAFETY: `b.ptr` is live and from this heap; it is removed from the model, so it
            // is never used again.
            unsafe { self.heap.free(b.ptr.as_ptr()) };
        }
    }

    fn realloc(&mut self, addr: usize, old: Block, size: usize) -> Result<(), TestCaseError> {
        // SAFETY: `old.ptr` is a live block of this heap; the model forgets it below and
        // only uses the returned pointer from now on.
        let p = unsafe { self.heap.realloc(old.ptr.as_ptr(), size) }
            .ok_or_else(|| fail(format!("realloc({addr:#x} {old:?}, {size}) returned None")))?;
        self.live.remove(&addr);
        let new = p.as_ptr().addr();
        let kind = match old.kind {
            // Never migrated into pymalloc: libc realloc (bug 1185883).
            Kind::Raw => Kind::Raw,
            Kind::Small(c) => {
                let class_size = block_size(c);
                if size <= class_size && 4 * size > 3 * class_size {
                    prop_assert_eq!(
                        new,
                        addr,
                        "realloc {:?} -> {} bytes: a shrink by < 25% stays in place",
                        old,
                        size
                    );
                    Kind::Small(c)
                } else {
                    prop_assert_ne!(
                        new,
                        addr,
                        "realloc {:?} -> {} bytes must move (new block before old is freed)",
                        old,
                        size
                    );
                    Kind::for_request(size)
                }
            }
        };
        let kept = old.size.min(size);
        // SAFETY: `p` is the live block just returned for `size >= kept` bytes.
        let bytes = unsafe { std::slice::from_raw_parts(p.as_ptr(), kept) };
        prop_assert!(
            bytes == &expected_bytes(&old)[..kept],
            "realloc {addr:#x} {old:?} -> {new:#x} ({size} bytes) did not preserve the first {kept} bytes"
        );
        self.insert(p, size, kind, true)
    }

    fn apply(&mut self, op: &Op) -> Result<(), TestCaseError> {
        match *op {
            Op::Alloc(size) => self.alloc(size)?,
            Op::AllocBatch(size, count) => {
                for _ in 0..count {
                    self.alloc(size)?;
                }
            }
            Op::Free(i) => {
                if let Some((addr, _)) = self.nth(i) {
                    self.free(addr, false);
                }
            }
            Op::FreeSized(i) => {
                if let Some(addr) = self.nth_sized(i) {
                    self.free(addr, true);
                }
            }
            Op::FreeRun(i, count) => {
                if let Some((first, _)) = self.nth(i) {
                    let run: Vec<(usize, bool)> = self
                        .live
                        .range(first..)
                        .take(count)
                        .map(|(&a, b)| (a, b.reallocated))
                        .collect();
                    for (k, (addr, reallocated)) in run.into_iter().enumerate() {
                        self.free(addr, k % 2 == 1 && !reallocated);
                    }
                }
            }
            Op::Realloc(i, size) => {
                if let Some((addr, old)) = self.nth(i) {
                    self.realloc(addr, old, size)?;
                }
            }
            Op::Trim => {
                let before = self.heap.stats().arenas_current;
                let released = self.heap.trim();
                let after = self.heap.stats().arenas_current;
                prop_assert_eq!(
                    after + released,
                    before,
                    "trim() returned {} but arenas went {} -> {}",
                    released,
                    before,
                    after
                );
                let used = self.small_block_arenas().len();
                prop_assert_eq!(
                    after,
                    used,
                    "after trim() only the arenas holding live blocks stay mapped"
                );
            }
            Op::SetArenaCache(k) => {
                self.heap.set_arena_cache(k);
                prop_assert_eq!(self.heap.config().arena_cache, k);
                // Lowering the bound gives back the excess at once.
                prop_assert_eq!(self.heap.arena_cache_bound(), k);
            }
        }
        Ok(())
    }

    /// The distinct arenas holding live small blocks.
    fn small_block_arenas(&self) -> BTreeSet<usize> {
        self.live
            .iter()
            .filter(|(_, b)| matches!(b.kind, Kind::Small(_)))
            .map(|(&a, _)| arena_of(a))
            .collect()
    }

    fn check(&self) -> Result<(), TestCaseError> {
        for (&addr, b) in &self.live {
            // SAFETY: `b.ptr` is a live block of at least `b.size` bytes (its pattern was
            // written by `insert`); nothing else writes to it.
            let bytes = unsafe { std::slice::from_raw_parts(b.ptr.as_ptr(), b.size) };
            let expected = expected_bytes(b);
            if bytes != expected {
                let at = bytes
                    .iter()
                    .zip(expected)
                    .position(|(x, y)| x != y)
                    .unwrap_or(0);
                return Err(fail(format!(
                    "live block {addr:#x} {b:?} corrupted at offset {at}: {:#04x}, expected {:#04x}",
                    bytes[at], expected[at]
                )));
            }
        }

        let mut per_class = [0usize; NB_SMALL_SIZE_CLASSES];
        let mut raw = 0;
        for b in self.live.values() {
            match b.kind {
                Kind::Small(c) => per_class[c] += 1,
                Kind::Raw => raw += 1,
            }
        }
        prop_assert_eq!(
            self.heap.allocated_blocks(),
            self.live.len(),
            "allocated_blocks()"
        );
        let st = self.heap.stats();
        check_stats_invariants(&st).map_err(|e| fail(format!("stats: {e}")))?;
        prop_assert_eq!(st.raw_blocks, raw, "stats().raw_blocks");
        for (c, row) in st.classes.iter().enumerate() {
            prop_assert_eq!(
                row.blocks_in_use,
                per_class[c],
                "stats() class {} blocks_in_use",
                c
            );
        }
        // Arenas without live blocks: at most CPython's one plus the cache are wholly free;
        // with `linger`, the pool whose last block was freed may stay on its ring until the
        // next slow path (Config::linger), keeping one more arena. Only one pool lingers at
        // a time, since emptying a pool is itself a slow path.
        let used_arenas = self.small_block_arenas().len();
        let lingering = usize::from(self.heap.config().linger);
        // The bound adapts to churn (Config::adaptive_cache) and drops back with the excess
        // given back at once, so the current bound holds at every step; it is never below
        // the configured one.
        let bound = self.heap.arena_cache_bound();
        prop_assert!(bound >= self.heap.config().arena_cache);
        prop_assert!(
            st.arenas_current >= used_arenas
                && st.arenas_current - used_arenas <= 1 + bound + lingering,
            "{} arenas mapped, {} hold live blocks: at most 1 + arena cache {} + lingering {} may have none",
            st.arenas_current,
            used_arenas,
            bound,
            lingering
        );
        self.heap
            .validate()
            .map_err(|e| fail(format!("validate(): {e}")))?;
        Ok(())
    }

    /// Frees everything, then checks the heap is empty and that `trim()` unmaps every arena.
    fn finish(&mut self) -> Result<(), TestCaseError> {
        let all: Vec<usize> = self.live.keys().copied().collect();
        for addr in all {
            self.free(addr, false);
        }
        self.check()?;
        prop_assert_eq!(self.heap.allocated_blocks(), 0);
        let st = self.heap.stats();
        prop_assert_eq!(st.raw_blocks, 0);
        for (c, row) in st.classes.iter().enumerate() {
            prop_assert!(
                row.pools == 0 && row.blocks_in_use == 0 && row.avail_blocks == 0,
                "class {c} not empty after freeing everything: {} pools, {} in use, {} avail",
                row.pools,
                row.blocks_in_use,
                row.avail_blocks
            );
        }
        self.heap.trim();
        let st = self.heap.stats();
        prop_assert_eq!(
            st.arenas_current,
            0,
            "arenas still mapped after freeing everything and trim()"
        );
        check_stats_invariants(&st).map_err(|e| fail(format!("stats after trim: {e}")))?;
        self.heap
            .validate()
            .map_err(|e| fail(format!("validate() after trim: {e}")))?;
        Ok(())
    }
}

fn run_program(config: Config, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut h = Harness::new(config);
    h.check()?;
    for (step, op) in ops.iter().enumerate() {
        h.apply(op)
            .and_then(|()| h.check())
            .map_err(|e| fail(format!("op #{step} {op:?}: {e}")))?;
    }
    h.finish().map_err(|e| fail(format!("final free-all: {e}")))
}

fn any_config() -> impl Strategy<Value = Config> {
    prop_oneof![
        Just(Config::cpython()),
        Just(Config::default()),
        (1usize..=3).prop_map(|k| Config {
            arena_cache: k,
            ..Config::cpython()
        }),
    ]
}

fn size() -> impl Strategy<Value = usize> {
    0..=MAX_REQUEST
}

fn index() -> impl Strategy<Value = usize> {
    any::<usize>()
}

/// The operations of the brief: single allocations, frees, reallocs, trims, cache changes.
fn simple_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => size().prop_map(Op::Alloc),
        3 => index().prop_map(Op::Free),
        3 => index().prop_map(Op::FreeSized),
        3 => (index(), size()).prop_map(|(i, n)| Op::Realloc(i, n)),
        1 => Just(Op::Trim),
        1 => (0usize..=4).prop_map(Op::SetArenaCache),
    ]
}

/// The same plus batches and runs of frees, which fill and empty whole pools and arenas.
fn bulk_op(max_batch: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => simple_op(),
        2 => (size(), 1..=max_batch).prop_map(|(s, n)| Op::AllocBatch(s, n)),
        2 => (index(), 1..=max_batch).prop_map(|(i, n)| Op::FreeRun(i, n)),
    ]
}

fn run(cases: u32, strategy: impl Strategy<Value = (Config, Vec<Op>)>) {
    let _heavy = heavy_lock();
    let mut runner = TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    if let Err(e) = runner.run(&strategy, |(config, ops)| run_program(config, &ops)) {
        panic!("{e}");
    }
}

#[test]
fn random_programs_match_the_model() {
    let (cases, ops) = if cfg!(miri) { (4, 40) } else { (256, 300) };
    run(cases, (any_config(), vec(simple_op(), 1..=ops)));
}

#[test]
fn bulk_programs_match_the_model() {
    // Batches of up to 1,000 blocks (~350 KB): several arenas, full pools, emptied arenas, while
    // the per-op content check of every live byte stays affordable.
    let (cases, ops, batch) = if cfg!(miri) {
        (2, 12, 40)
    } else {
        (64, 100, 1000)
    };
    run(cases, (any_config(), vec(bulk_op(batch), 1..=ops)));
}
