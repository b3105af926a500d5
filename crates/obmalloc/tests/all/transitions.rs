//! Deterministic state transitions through the public API and `stats()`: pools filling,
//! reopening and emptying, arenas released under CPython's policy and kept by the arena
//! cache, the realloc rules, `owns`, `free(null)`, `calloc`, and sized free.
//!
//! Pool and arena layout is checked through addresses: pools are `POOL_SIZE`-aligned
//! (`pool = addr & !(POOL_SIZE - 1)`), arenas `ARENA_SIZE`-aligned, a fresh pool's first
//! block is at offset `POOL_OVERHEAD` and its blocks are carved in address order, and an
//! arena's pools are carved in address order after its cached empty pools are used up.

use std::collections::BTreeSet;
use std::ptr::{self, NonNull};

use obmalloc::{
    ALIGNMENT, ARENA_SIZE, Config, MAX_POOLS_IN_ARENA, NB_SMALL_SIZE_CLASSES, Obmalloc,
    POOL_OVERHEAD, POOL_SIZE, SMALL_REQUEST_THRESHOLD, SizeClass, Stats,
};

use crate::common::{
    arena_of, block_size, blocks_per_pool, check_stats_invariants, class_of, heavy_lock,
    light_lock, pool_of,
};

/// Every size class; under Miri a sample (smallest, 64 bytes, a middle one, the largest).
fn classes() -> Vec<usize> {
    if cfg!(miri) {
        vec![0, 3, 20, 31]
    } else {
        (0..NB_SMALL_SIZE_CLASSES).collect()
    }
}

fn cpython() -> Obmalloc {
    Obmalloc::with_config(Config::cpython())
}

fn addr(p: NonNull<u8>) -> usize {
    p.as_ptr().addr()
}

/// `stats()`, after checking its invariants and `validate()`.
fn stats(h: &Obmalloc) -> Stats {
    let st = h.stats();
    if let Err(e) = check_stats_invariants(&st) {
        panic!("inconsistent stats: {e}\n{st}");
    }
    if let Err(e) = h.validate() {
        panic!("validate(): {e}");
    }
    st
}

fn alloc(h: &mut Obmalloc, n: usize) -> NonNull<u8> {
    h.alloc(n)
        .unwrap_or_else(|| panic!("alloc({n}) returned None"))
}

/// Frees a block of `h`.
fn free(h: &mut Obmalloc, p: NonNull<u8>) {
    // SAFETY: every caller passes a live block of `h` (or from malloc) and drops it after.
    unsafe { h.free(p.as_ptr()) }
}

/// Writes `len` bytes `fill, fill + 1, ...` at `p`.
fn fill(p: NonNull<u8>, len: usize, fill: u8) {
    for j in 0..len {
        // SAFETY: callers pass a live block of at least `len` bytes.
        unsafe { p.as_ptr().add(j).write(fill.wrapping_add(j as u8)) };
    }
}

/// Whether the first `len` bytes at `p` are `fill, fill + 1, ...`.
fn holds(p: NonNull<u8>, len: usize, fill: u8) -> bool {
    // SAFETY: callers pass a live block of at least `len` bytes.
    (0..len).all(|j| unsafe { p.as_ptr().add(j).read() } == fill.wrapping_add(j as u8))
}

#[test]
fn constants_and_size_classes_match_cpython() {
    let _light = light_lock();
    assert_eq!(ALIGNMENT, 16);
    assert_eq!(SMALL_REQUEST_THRESHOLD, 512);
    assert_eq!(NB_SMALL_SIZE_CLASSES, 32);
    assert_eq!(POOL_SIZE, 16 * 1024);
    assert_eq!(ARENA_SIZE, 1 << 20);
    assert_eq!(POOL_OVERHEAD, 48);
    assert_eq!(MAX_POOLS_IN_ARENA, 64);
    assert!(SizeClass::for_request(0).is_none());
    assert!(SizeClass::for_request(513).is_none());
    assert!(SizeClass::from_index(32).is_none());
    for n in 1..=512 {
        let c = SizeClass::for_request(n).unwrap_or_else(|| panic!("no class for {n} bytes"));
        assert_eq!(Some(c.index()), class_of(n), "class of {n} bytes");
        assert_eq!(c.block_size(), block_size(c.index()));
        assert_eq!(c.blocks_per_pool(), blocks_per_pool(c.index()));
        assert_eq!(
            SizeClass::from_index(c.index()).map(SizeClass::index),
            Some(c.index())
        );
    }
    // cpython-memory-management.md §1.2: block size -> blocks per 16 KiB pool.
    for (size, count) in [
        (16, 1021),
        (32, 510),
        (48, 340),
        (64, 255),
        (80, 204),
        (96, 170),
        (128, 127),
        (256, 63),
        (400, 40),
        (496, 32),
        (512, 31),
    ] {
        assert_eq!(
            SizeClass::for_request(size).map(SizeClass::blocks_per_pool),
            Some(count),
            "{size}-byte class"
        );
    }
}

#[test]
fn a_fresh_heap_maps_nothing() {
    let _light = light_lock();
    for mut h in [Obmalloc::new(), cpython()] {
        let st = stats(&h);
        assert_eq!(
            (
                st.arenas_current,
                st.arenas_allocated_total,
                st.arenas_highwater
            ),
            (0, 0, 0)
        );
        assert_eq!((st.unused_pools, st.raw_blocks), (0, 0));
        assert!(
            st.classes
                .iter()
                .all(|c| c.pools == 0 && c.blocks_in_use == 0 && c.avail_blocks == 0)
        );
        assert_eq!(h.allocated_blocks(), 0);
        assert_eq!(h.trim(), 0);
    }
}

/// For every size class, on a fresh heap: fill exactly one pool, open a second, make the
/// first reusable by one free, empty the second and see it reused by another class.
#[test]
fn pools_fill_reopen_and_empty_in_every_class() {
    let _light = light_lock();
    for c in classes() {
        let (size, per_pool) = (block_size(c), blocks_per_pool(c));
        let mut h = cpython();

        // 1. Exactly one pool's worth: one pool, full (no available block), carved in order
        //    from the first pool of a fresh, aligned arena.
        let first: Vec<NonNull<u8>> = (0..per_pool).map(|_| alloc(&mut h, size)).collect();
        let p1 = pool_of(addr(first[0]));
        assert_eq!(
            p1,
            arena_of(p1),
            "class {c}: the first pool is at the start of the arena"
        );
        for (k, &p) in first.iter().enumerate() {
            assert_eq!(
                addr(p),
                p1 + POOL_OVERHEAD + k * size,
                "class {c}: block {k} carved in order"
            );
        }
        let st = stats(&h);
        let row = &st.classes[c];
        assert_eq!(
            (row.pools, row.blocks_in_use, row.avail_blocks),
            (1, per_pool, 0),
            "class {c}: one full pool"
        );
        assert_eq!(
            (st.arenas_current, st.unused_pools),
            (1, MAX_POOLS_IN_ARENA - 1)
        );

        // 2. One more allocation opens a second pool, the next one carved.
        let extra = alloc(&mut h, size);
        let p2 = pool_of(addr(extra));
        assert_eq!(
            p2,
            p1 + POOL_SIZE,
            "class {c}: the second pool is the next one carved"
        );
        assert_eq!(addr(extra), p2 + POOL_OVERHEAD);
        let st = stats(&h);
        let row = &st.classes[c];
        assert_eq!(
            (row.pools, row.blocks_in_use, row.avail_blocks),
            (2, per_pool + 1, per_pool - 1),
            "class {c}: two pools"
        );
        assert_eq!(st.unused_pools, MAX_POOLS_IN_ARENA - 2);

        // 3. Freeing one block of the full first pool puts that pool at the front of the
        //    class's used pools: the next allocation comes from it (the same block: LIFO).
        let victim = first[per_pool / 2];
        free(&mut h, victim);
        let st = stats(&h);
        assert_eq!(
            (st.classes[c].pools, st.classes[c].avail_blocks),
            (2, per_pool),
            "class {c}"
        );
        let again = alloc(&mut h, size);
        assert_eq!(
            pool_of(addr(again)),
            p1,
            "class {c}: the reopened first pool is used first"
        );
        assert_eq!(
            again, victim,
            "class {c}: the freed block is handed out again (LIFO)"
        );

        // 4. Emptying the second pool makes it an unused pool.
        free(&mut h, extra);
        let st = stats(&h);
        let row = &st.classes[c];
        assert_eq!(
            (row.pools, row.blocks_in_use, row.avail_blocks),
            (1, per_pool, 0),
            "class {c}: emptied pool dropped from the table"
        );
        assert_eq!(
            st.unused_pools,
            MAX_POOLS_IN_ARENA - 1,
            "class {c}: the emptied pool is unused again"
        );

        // 5. A new pool of another class takes the emptied pool before carving a new one.
        let other = (c + 1) % NB_SMALL_SIZE_CLASSES;
        let q = alloc(&mut h, block_size(other));
        assert_eq!(
            pool_of(addr(q)),
            p2,
            "class {c}: the empty pool is reused for class {other}"
        );
        assert_eq!(
            addr(q),
            p2 + POOL_OVERHEAD,
            "a reused pool of a new class is initialised afresh"
        );
        let st = stats(&h);
        assert_eq!(st.unused_pools, MAX_POOLS_IN_ARENA - 2);
        assert_eq!(
            (st.classes[other].pools, st.classes[other].blocks_in_use),
            (1, 1)
        );

        // 6. Free everything: every class empty; CPython keeps the (last) arena; trim() unmaps it.
        free(&mut h, q);
        for p in first {
            free(&mut h, p);
        }
        let st = stats(&h);
        assert!(
            st.classes
                .iter()
                .all(|r| r.pools == 0 && r.blocks_in_use == 0)
        );
        assert_eq!(
            (st.arenas_current, st.unused_pools),
            (1, MAX_POOLS_IN_ARENA)
        );
        assert_eq!(h.allocated_blocks(), 0);
        assert_eq!(h.trim(), 1);
        assert_eq!(stats(&h).arenas_current, 0);
    }
}

/// 200 pools of 512-byte blocks (31 per pool) span 4 arenas: 64 + 64 + 64 + 8 pools.
const POOLS: usize = 200;
const BIG_CLASS: usize = 31;

fn four_arenas(h: &mut Obmalloc) -> Vec<NonNull<u8>> {
    let blocks: Vec<NonNull<u8>> = (0..POOLS * blocks_per_pool(BIG_CLASS))
        .map(|_| alloc(h, block_size(BIG_CLASS)))
        .collect();
    let arenas: BTreeSet<usize> = blocks.iter().map(|&p| arena_of(addr(p))).collect();
    assert_eq!(arenas.len(), 4, "200 pools fill 4 arenas");
    let st = stats(h);
    assert_eq!(st.classes[BIG_CLASS].pools, POOLS);
    assert_eq!(st.unused_pools, 4 * MAX_POOLS_IN_ARENA - POOLS);
    blocks
}

#[test]
fn cpython_policy_keeps_exactly_one_free_arena() {
    let _heavy = heavy_lock();
    let mut h = cpython();
    let blocks = four_arenas(&mut h);
    let st = stats(&h);
    assert_eq!(
        (
            st.arenas_allocated_total,
            st.arenas_highwater,
            st.arenas_current,
            st.arenas_reclaimed
        ),
        (4, 4, 4, 0)
    );

    for p in blocks {
        free(&mut h, p);
    }
    let st = stats(&h);
    assert_eq!(h.allocated_blocks(), 0);
    assert!(st.classes.iter().all(|r| r.pools == 0));
    assert_eq!(
        (
            st.arenas_allocated_total,
            st.arenas_highwater,
            st.arenas_current,
            st.arenas_reclaimed
        ),
        (4, 4, 1, 3),
        "CPython keeps the last usable arena (bpo-37257) and unmaps the others"
    );
    assert_eq!(st.unused_pools, MAX_POOLS_IN_ARENA);

    assert_eq!(h.trim(), 1);
    let st = stats(&h);
    assert_eq!(
        (st.arenas_current, st.arenas_reclaimed, st.unused_pools),
        (0, 4, 0)
    );

    // The heap works after releasing every arena; a new arena is mapped.
    let p = alloc(&mut h, 64);
    let st = stats(&h);
    assert_eq!(
        (
            st.arenas_allocated_total,
            st.arenas_highwater,
            st.arenas_current
        ),
        (5, 4, 1)
    );
    free(&mut h, p);
}

#[test]
fn the_arena_cache_keeps_up_to_k_more_free_arenas() {
    let _heavy = heavy_lock();
    // Under Miri (about 45 s per round of 4 arenas) one bound, below the 3 arenas that
    // can be cached here.
    let bounds: &[usize] = if cfg!(miri) { &[2] } else { &[1, 2, 3, 5] };
    let configs = bounds.iter().map(|&k| Config {
        arena_cache: k,
        ..Config::cpython()
    });
    let with_default = if cfg!(miri) {
        None
    } else {
        Some(Config::default())
    };
    for config in configs.chain(with_default) {
        let k = config.arena_cache;
        let mut h = Obmalloc::with_config(config);
        let blocks = four_arenas(&mut h);
        for p in blocks {
            free(&mut h, p);
        }
        let kept = 1 + k.min(3);
        let st = stats(&h);
        assert_eq!(
            st.arenas_current, kept,
            "arena_cache {k}: CPython's one plus up to {k} more stay mapped"
        );
        assert_eq!(st.arenas_reclaimed, 4 - kept);
        assert_eq!(st.unused_pools, kept * MAX_POOLS_IN_ARENA);

        // Cached arenas are reused: a second round maps only what is missing.
        let blocks = four_arenas(&mut h);
        assert_eq!(
            stats(&h).arenas_allocated_total,
            4 + (4 - kept),
            "arena_cache {k}: cached arenas reused"
        );
        for p in blocks {
            free(&mut h, p);
        }
        assert_eq!(stats(&h).arenas_current, kept);

        assert_eq!(
            h.trim(),
            kept,
            "arena_cache {k}: trim() unmaps every wholly free arena"
        );
        assert_eq!(stats(&h).arenas_current, 0);
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "4 arenas take ~45 s under Miri; the same paths run in the arena cache test"
)]
fn set_arena_cache_applies_to_later_frees() {
    let _heavy = heavy_lock();
    let mut h = cpython();
    h.set_arena_cache(2);
    assert_eq!(h.config().arena_cache, 2);
    let blocks = four_arenas(&mut h);
    for p in blocks {
        free(&mut h, p);
    }
    assert_eq!(stats(&h).arenas_current, 3);
    assert_eq!(h.trim(), 3);
}

#[test]
fn realloc_shrinks_by_less_than_a_quarter_in_place_and_moves_otherwise() {
    let _light = light_lock();
    let mut h = cpython();
    for c in classes() {
        let size = block_size(c);
        // Every request size; under Miri the ends and both sides of the 25% boundary.
        let sizes: Vec<usize> = if cfg!(miri) {
            vec![1, size / 2, 3 * size / 4, 3 * size / 4 + 1, size]
        } else {
            (1..=size).collect()
        };
        for n in sizes {
            let p = alloc(&mut h, size);
            fill(p, size, n as u8);
            // SAFETY: `p` is live; only `q` is used afterwards.
            let q = unsafe { h.realloc(p.as_ptr(), n) }.expect("realloc");
            let st = stats(&h);
            if 4 * n > 3 * size {
                assert_eq!(
                    q, p,
                    "{size}-byte block shrunk to {n}: < 25% smaller, stays in place"
                );
                assert_eq!(st.classes[c].blocks_in_use, 1);
            } else {
                // A new block of n's class (smaller, or the same for the smallest sizes of a
                // class) is allocated before the old one is freed, so it is elsewhere.
                assert_ne!(q, p, "{size}-byte block shrunk to {n}: moves");
                let to = class_of(n).expect("n >= 1");
                assert!(to <= c);
                assert_eq!(
                    st.classes[to].blocks_in_use, 1,
                    "{size} -> {n}: now in class {to}"
                );
                assert_eq!(
                    st.classes.iter().map(|r| r.blocks_in_use).sum::<usize>(),
                    1,
                    "{size} -> {n}: old block freed"
                );
            }
            assert!(holds(q, n, n as u8), "{size} -> {n}: contents preserved");
            assert_eq!(h.allocated_blocks(), 1);
            free(&mut h, q);
        }
    }
}

#[test]
fn realloc_growing_moves_to_a_larger_class() {
    let _light = light_lock();
    let mut h = cpython();
    let p = alloc(&mut h, 64);
    fill(p, 64, 7);
    // SAFETY: `p` is live; only `q` is used afterwards.
    let q = unsafe { h.realloc(p.as_ptr(), 65) }.expect("realloc");
    assert_ne!(q, p);
    assert!(holds(q, 64, 7));
    let st = stats(&h);
    assert_eq!(
        (st.classes[3].blocks_in_use, st.classes[4].blocks_in_use),
        (0, 1)
    );
    // Growing within the block's class (65 -> 80 bytes in the 80-byte class) stays in place.
    // SAFETY: `q` is live; only `r` is used afterwards.
    let r = unsafe { h.realloc(q.as_ptr(), 80) }.expect("realloc");
    assert_eq!(
        r, q,
        "a request that still fits the block's class (and shrinks < 25%) stays"
    );
    free(&mut h, r);
}

#[test]
fn realloc_above_the_threshold_goes_to_the_system_allocator() {
    let _light = light_lock();
    let mut h = cpython();
    let p = alloc(&mut h, 100);
    fill(p, 100, 3);
    // SAFETY: `p` is live; only `q` is used afterwards.
    let q = unsafe { h.realloc(p.as_ptr(), 600) }.expect("realloc");
    assert!(holds(q, 100, 3));
    assert!(!h.owns(q.as_ptr()), "a 600-byte block comes from malloc");
    let st = stats(&h);
    assert_eq!(st.raw_blocks, 1);
    assert!(st.classes.iter().all(|r| r.blocks_in_use == 0));
    assert_eq!(h.allocated_blocks(), 1);
    free(&mut h, q);
    assert_eq!((stats(&h).raw_blocks, h.allocated_blocks()), (0, 0));
}

#[test]
fn realloc_to_zero_returns_a_valid_block() {
    let _light = light_lock();
    let mut h = cpython();
    let p = alloc(&mut h, 64);
    // SAFETY: `p` is live; only `q` is used afterwards.
    let q = unsafe { h.realloc(p.as_ptr(), 0) }.expect("realloc(p, 0) returns a block");
    assert_ne!(q, p);
    assert_eq!(addr(q) % ALIGNMENT, 0);
    let st = stats(&h);
    assert_eq!(
        (st.raw_blocks, st.classes[3].blocks_in_use),
        (1, 0),
        "a 0-byte block is a raw block"
    );
    free(&mut h, q);
    assert_eq!(h.allocated_blocks(), 0);
}

#[test]
fn realloc_of_null_allocates() {
    let _light = light_lock();
    let mut h = cpython();
    // SAFETY: realloc of null is alloc.
    let p = unsafe { h.realloc(ptr::null_mut(), 40) }.expect("realloc(null, 40)");
    assert!(h.owns(p.as_ptr()));
    assert_eq!(stats(&h).classes[2].blocks_in_use, 1);
    free(&mut h, p);
}

#[test]
fn realloc_of_a_malloced_pointer_stays_foreign() {
    let _light = light_lock();
    let mut h = cpython();
    // SAFETY: plain malloc; the block is freed with libc::free below.
    let p = NonNull::new(unsafe { libc::malloc(100) }.cast::<u8>()).expect("malloc");
    fill(p, 100, 9);
    // SAFETY: `p` came from malloc (allowed by realloc's contract); only `q` is used afterwards.
    let q = unsafe { h.realloc(p.as_ptr(), 32) }.expect("realloc");
    assert!(
        !h.owns(q.as_ptr()),
        "a malloc'd block is never migrated into the pools"
    );
    assert!(holds(q, 32, 9));
    let st = stats(&h);
    assert!(st.classes.iter().all(|r| r.pools == 0));
    assert_eq!(
        (st.arenas_current, st.raw_blocks),
        (0, 0),
        "CPython's raw counter only counts its own raw allocations"
    );
    // SAFETY: still a malloc'd block, freed once.
    unsafe { libc::free(q.as_ptr().cast()) };
}

#[test]
fn a_raw_block_realloced_small_stays_raw() {
    let _light = light_lock();
    let mut h = cpython();
    let p = alloc(&mut h, 600);
    fill(p, 600, 1);
    // SAFETY: `p` is live; only `q` is used afterwards.
    let q = unsafe { h.realloc(p.as_ptr(), 16) }.expect("realloc");
    assert!(!h.owns(q.as_ptr()));
    assert!(holds(q, 16, 1));
    let st = stats(&h);
    assert_eq!((st.raw_blocks, st.classes[0].blocks_in_use), (1, 0));
    free(&mut h, q);
    assert_eq!(stats(&h).raw_blocks, 0);
}

#[test]
fn owns_is_true_only_for_blocks_in_our_arenas() {
    let _light = light_lock();
    let mut h = cpython();
    let mut other = cpython();
    let small = alloc(&mut h, 32);
    let raw = alloc(&mut h, 1000);
    let zero = alloc(&mut h, 0);
    let foreign_small = alloc(&mut other, 32);
    // SAFETY: plain malloc, freed below.
    let malloced = unsafe { libc::malloc(32) }.cast::<u8>();
    assert!(!malloced.is_null());
    let on_stack = 0u64;

    assert!(h.owns(small.as_ptr()));
    // SAFETY: in bounds of the 32-byte block.
    let last_byte = unsafe { small.as_ptr().add(31) };
    assert!(h.owns(last_byte), "an interior pointer is in our arena");
    assert!(!h.owns(raw.as_ptr()), "raw blocks come from malloc");
    assert!(!h.owns(zero.as_ptr()), "0-byte blocks come from malloc");
    assert!(!h.owns(malloced));
    assert!(!h.owns(ptr::from_ref(&on_stack).cast()));
    assert!(!h.owns(ptr::null()));
    assert!(
        !h.owns(foreign_small.as_ptr()),
        "another instance's block is not ours"
    );
    assert!(other.owns(foreign_small.as_ptr()));

    let arena = arena_of(addr(small));
    free(&mut h, small);
    free(&mut h, raw);
    free(&mut h, zero);
    free(&mut other, foreign_small);
    // SAFETY: malloc'd above, freed once.
    unsafe { libc::free(malloced.cast()) };
    assert_eq!(h.trim(), 1);
    assert!(
        !h.owns(ptr::without_provenance(arena)),
        "an unmapped arena is no longer ours"
    );
}

#[test]
fn free_of_null_is_a_noop() {
    let _light = light_lock();
    let mut h = cpython();
    let p = alloc(&mut h, 48);
    let before = stats(&h).to_string();
    // SAFETY: null is always allowed.
    unsafe { h.free(ptr::null_mut()) };
    assert_eq!(stats(&h).to_string(), before);
    assert_eq!(h.allocated_blocks(), 1);
    free(&mut h, p);
}

#[test]
fn calloc_zeroes_a_recycled_block() {
    let _light = light_lock();
    let mut h = cpython();
    let p = alloc(&mut h, 64);
    fill(p, 64, 0xAB);
    free(&mut h, p);
    let q = h.calloc(4, 16).expect("calloc(4, 16)");
    assert_eq!(q, p, "the freed block is recycled (LIFO)");
    assert!(
        (0..64).all(|j| {
            // SAFETY: `q` is a live 64-byte block.
            let byte = unsafe { q.as_ptr().add(j).read() };
            byte == 0
        }),
        "calloc zeroes a recycled block"
    );
    free(&mut h, q);

    let big = h.calloc(1, 1000).expect("calloc(1, 1000)");
    // SAFETY: `big` is a live 1000-byte block.
    assert!((0..1000).all(|j| unsafe { big.as_ptr().add(j).read() } == 0));
    assert_eq!(stats(&h).raw_blocks, 1);
    let empty = h.calloc(0, 5).expect("calloc(0, 5) returns a block");
    assert_eq!(
        stats(&h).raw_blocks,
        2,
        "0 bytes go to the system allocator"
    );
    assert!(
        h.calloc(usize::MAX, 2).is_none(),
        "nelem * elsize overflows"
    );
    free(&mut h, big);
    free(&mut h, empty);
    assert_eq!(h.allocated_blocks(), 0);
}

#[test]
fn zero_byte_allocations_are_raw_blocks() {
    let _light = light_lock();
    let mut h = cpython();
    let p = alloc(&mut h, 0);
    assert_eq!(addr(p) % ALIGNMENT, 0);
    assert!(!h.owns(p.as_ptr()));
    let st = stats(&h);
    assert_eq!((st.raw_blocks, st.arenas_current), (1, 0));
    assert_eq!(h.allocated_blocks(), 1);
    free(&mut h, p);
    assert_eq!(h.allocated_blocks(), 0);
}

#[test]
fn allocations_are_16_byte_aligned_and_counted() {
    let _light = light_lock();
    let mut h = cpython();
    let blocks: Vec<(NonNull<u8>, usize)> = (0..=700).map(|n| (alloc(&mut h, n), n)).collect();
    assert!(
        blocks
            .iter()
            .all(|(p, _)| addr(*p).is_multiple_of(ALIGNMENT))
    );
    assert_eq!(h.allocated_blocks(), 701);
    let st = stats(&h);
    assert_eq!(st.raw_blocks, 1 + 188, "size 0 and sizes 513..=700");
    for (c, row) in st.classes.iter().enumerate() {
        assert_eq!(row.blocks_in_use, 16, "class {c}: 16 request sizes each");
    }
    for (p, n) in blocks {
        let p = NonNull::new(p.as_ptr()).expect("non-null");
        // SAFETY: `p` is live, `n` its allocation size; freed once.
        unsafe { h.free_sized(p, n) };
    }
    assert_eq!(h.allocated_blocks(), 0);
    assert_eq!(stats(&h).raw_blocks, 0);
}

#[test]
fn free_of_a_malloced_pointer_goes_to_libc() {
    let _light = light_lock();
    let mut h = cpython();
    let small = alloc(&mut h, 64);
    // SAFETY: plain malloc; ownership passes to `h.free` below.
    let p = unsafe { libc::malloc(64) }.cast::<u8>();
    assert!(!p.is_null());
    // SAFETY: free's contract allows a pointer from the system malloc.
    unsafe { h.free(p) };
    let st = stats(&h);
    assert_eq!(
        (st.classes[3].pools, st.classes[3].blocks_in_use),
        (1, 1),
        "pools untouched"
    );
    free(&mut h, small);
}

/// Runs `f`, which must panic with a message containing `expected`.
#[cfg(debug_assertions)]
fn expect_panic(expected: &str, f: impl FnOnce()) {
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .expect_err("the misuse was not caught");
    let msg = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("");
    assert!(
        msg.contains(expected),
        "panicked with {msg:?}, expected {expected:?}"
    );
}

/// `free_sized`'s contract excludes realloc'd blocks; debug builds catch the misuse of
/// freeing a block that shrank in place by its new size, which is in a smaller class, before
/// touching anything: the block can still be freed properly afterwards.
#[test]
#[cfg(debug_assertions)]
fn debug_builds_catch_free_sized_of_a_block_shrunk_in_place() {
    let _light = light_lock();
    let mut h = cpython();
    let p = alloc(&mut h, 80);
    // SAFETY: `p` is live; only `q` is used afterwards.
    let q = unsafe { h.realloc(p.as_ptr(), 62) }.expect("realloc");
    assert_eq!(q, p, "4 * 62 > 3 * 80: stays in the 80-byte class");
    expect_panic("belongs to another size class", || {
        // SAFETY: none: this is the misuse the debug check must catch before freeing
        // anything.
        unsafe { h.free_sized(q, 62) }
    });
    assert_eq!(h.allocated_blocks(), 1);
    free(&mut h, q);
    assert_eq!(stats(&h).classes[4].blocks_in_use, 0);
}

/// A raw block reallocated to a small size stays with the system allocator, so a small
/// `nbytes` does not mean the block is in a pool: debug builds catch that misuse too.
#[test]
#[cfg(debug_assertions)]
fn debug_builds_catch_free_sized_of_a_raw_block_realloced_small() {
    let _light = light_lock();
    let mut h = cpython();
    let p = alloc(&mut h, 600);
    // SAFETY: `p` is live; only `q` is used afterwards.
    let q = unsafe { h.realloc(p.as_ptr(), 100) }.expect("realloc");
    assert!(!h.owns(q.as_ptr()), "a raw block stays raw");
    expect_panic("not a block of this instance", || {
        // SAFETY: none: this is the misuse the debug check must catch before freeing
        // anything.
        unsafe { h.free_sized(q, 100) }
    });
    assert_eq!(h.allocated_blocks(), 1);
    free(&mut h, q);
    assert_eq!(stats(&h).raw_blocks, 0);
}

/// A small block freed with a raw size would go to `free()` and corrupt glibc; debug builds
/// stop it first, naming the misuse.
#[test]
#[cfg(debug_assertions)]
fn debug_builds_catch_free_sized_of_a_small_block_with_a_raw_size() {
    let _light = light_lock();
    let mut h = Obmalloc::new();
    let p = h.alloc(64).unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: deliberately wrong size; the debug check panics before anything is freed.
        unsafe { h.free_sized(p, 600) }
    }));
    let msg = caught.expect_err("the misuse must panic");
    let msg = msg.downcast_ref::<String>().expect("a formatted message");
    assert!(
        msg.contains("freed with the size of a system block"),
        "{msg}"
    );
    // Nothing was freed: the block is still live and can be freed correctly.
    assert_eq!(h.allocated_blocks(), 1);
    // SAFETY: `p` is still live.
    unsafe { h.free_sized(p, 64) };
    assert_eq!(h.allocated_blocks(), 0);
}
