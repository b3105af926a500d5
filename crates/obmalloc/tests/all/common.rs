//! Helpers shared by the test modules: the heavy-test lock, the size-class arithmetic of the
//! spec (computed here independently of the crate), and the invariants every `Stats` must hold.

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use obmalloc::{
    ARENA_SIZE, MAX_POOLS_IN_ARENA, NB_SMALL_SIZE_CLASSES, POOL_OVERHEAD, POOL_SIZE, Stats,
};

/// Serialises the tests that map a lot of memory (or measure RSS) against all others.
///
/// The RSS test in [`crate::release`] compares the process's resident set before and after
/// its allocations; anything another test of this binary maps or faults in meanwhile (a
/// heap, code pages, the debug info a panicking test reads to print its backtrace) would
/// show up in that difference. So the tests that map more than a few hundred KiB take this
/// lock exclusively, and every other test takes it shared ([`light_lock`]): light tests run
/// in parallel with each other, heavy ones alone.
pub(crate) fn heavy_lock() -> RwLockWriteGuard<'static, ()> {
    // A test that panicked while holding the lock has already failed; the lock protects no
    // data, so the others can go on.
    LOCK.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Taken (shared) by every test that does not take [`heavy_lock`].
pub(crate) fn light_lock() -> RwLockReadGuard<'static, ()> {
    LOCK.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

static LOCK: RwLock<()> = RwLock::new(());

/// The size class CPython gives a request of `nbytes`: `(n - 1) >> 4` for 1..=512,
/// `None` for 0 and for sizes above 512 (those go to the system allocator).
pub(crate) const fn class_of(nbytes: usize) -> Option<usize> {
    if nbytes == 0 || nbytes > 512 {
        None
    } else {
        Some((nbytes - 1) >> 4)
    }
}

/// Block size of class `c`: `(c + 1) * 16`.
pub(crate) const fn block_size(c: usize) -> usize {
    (c + 1) * 16
}

/// Blocks per 16 KiB pool of class `c` (CPython's `NUMBLOCKS`).
pub(crate) const fn blocks_per_pool(c: usize) -> usize {
    (POOL_SIZE - POOL_OVERHEAD) / block_size(c)
}

/// The pool holding `addr` (pools are `POOL_SIZE`-aligned).
pub(crate) const fn pool_of(addr: usize) -> usize {
    addr & !(POOL_SIZE - 1)
}

/// The arena holding `addr` (arenas are `ARENA_SIZE`-aligned).
pub(crate) const fn arena_of(addr: usize) -> usize {
    addr & !(ARENA_SIZE - 1)
}

/// Checks everything a `Stats` must satisfy on its own, whatever the heap holds:
///
/// * each class row has the class's block size, and `pools * blocks_per_pool ==
///   blocks_in_use + avail_blocks` (avail counts the never-carved blocks too);
/// * the arena counters are consistent (reclaimed = total - current, highwater between);
/// * every pool of every arena is either counted in a class row or is an unused pool, and
///   arenas are 1 MiB-aligned, so `sum(pools) + unused_pools == arenas_current * 64`;
/// * each line of the byte breakdown is what CPython computes from the table, there are no
///   bytes lost to arena alignment, and the breakdown sums to `arenas_current * ARENA_SIZE`.
pub(crate) fn check_stats_invariants(st: &Stats) -> Result<(), String> {
    if st.classes.len() != NB_SMALL_SIZE_CLASSES {
        return Err(format!(
            "{} class rows, expected {NB_SMALL_SIZE_CLASSES}",
            st.classes.len()
        ));
    }
    let (mut pools, mut allocated, mut available, mut headers, mut quantization) = (0, 0, 0, 0, 0);
    for (c, row) in st.classes.iter().enumerate() {
        let size = block_size(c);
        if row.size != size {
            return Err(format!("class {c}: size {} (expected {size})", row.size));
        }
        if row.pools * blocks_per_pool(c) != row.blocks_in_use + row.avail_blocks {
            return Err(format!(
                "class {c}: {} pools * {} blocks/pool != {} in use + {} available",
                row.pools,
                blocks_per_pool(c),
                row.blocks_in_use,
                row.avail_blocks
            ));
        }
        pools += row.pools;
        allocated += row.blocks_in_use * size;
        available += row.avail_blocks * size;
        headers += row.pools * POOL_OVERHEAD;
        quantization += row.pools * ((POOL_SIZE - POOL_OVERHEAD) % size);
    }
    let checks: [(&str, usize, usize); 9] = [
        (
            "arenas_reclaimed",
            st.arenas_reclaimed,
            st.arenas_allocated_total.saturating_sub(st.arenas_current),
        ),
        (
            "used pools + unused pools",
            pools + st.unused_pools,
            st.arenas_current * MAX_POOLS_IN_ARENA,
        ),
        ("allocated_bytes", st.allocated_bytes, allocated),
        ("available_bytes", st.available_bytes, available),
        (
            "unused_pool_bytes",
            st.unused_pool_bytes,
            st.unused_pools * POOL_SIZE,
        ),
        ("pool_header_bytes", st.pool_header_bytes, headers),
        ("quantization_bytes", st.quantization_bytes, quantization),
        (
            "arena_alignment_bytes (arenas are 1 MiB-aligned)",
            st.arena_alignment_bytes,
            0,
        ),
        (
            "byte breakdown total",
            st.allocated_bytes
                + st.available_bytes
                + st.unused_pool_bytes
                + st.pool_header_bytes
                + st.quantization_bytes
                + st.arena_alignment_bytes,
            st.arenas_current * ARENA_SIZE,
        ),
    ];
    for (what, got, expected) in checks {
        if got != expected {
            return Err(format!("{what} = {got}, expected {expected}"));
        }
    }
    if !(st.arenas_current <= st.arenas_highwater
        && st.arenas_highwater <= st.arenas_allocated_total)
    {
        return Err(format!(
            "arena counters out of order: current {} highwater {} total {}",
            st.arenas_current, st.arenas_highwater, st.arenas_allocated_total
        ));
    }
    Ok(())
}

/// The process's resident set size in bytes (`VmRSS` of `/proc/self/status`).
#[cfg(target_os = "linux")]
pub(crate) fn rss_bytes() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .expect("VmRSS line in /proc/self/status");
    let kib: usize = line["VmRSS:".len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .expect("VmRSS value in kB");
    kib * 1024
}
