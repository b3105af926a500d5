//! The arena map: "is this pointer ours, and whose?" in O(1).
//!
//! CPython 3.10+ answers `address_in_range` with a three-level radix tree because its
//! arenas are only page-aligned, so an arena can straddle two 1 MiB regions. pymem's
//! arenas are aligned to their size, so the arena containing an address is
//! `addr >> ARENA_BITS` exactly, and the map only has to say which allocator instance owns
//! that arena, if any: a two-level table of `u32` owner ids (0 = nobody) indexed by the
//! arena number. With 48-bit user addresses there are 2^28 arena numbers: a static root of
//! 2^14 leaf pointers (128 KiB of zero pages, never touched unless used) and leaves of
//! 2^14 entries (64 KiB each, made on demand from the system allocator and never freed,
//! as CPython's mid and bottom nodes are not). A lookup is two dependent loads.
//!
//! The map is process-wide and lock-free: leaves are installed with a compare-and-swap,
//! and entries are atomics. An entry is written only by the instance that maps or unmaps
//! that arena; other threads read it only for pointers they received from that instance
//! through some synchronisation, which orders the write before their read.

use core::sync::atomic::{AtomicPtr, AtomicU32, AtomicUsize, Ordering};
use std::alloc::{GlobalAlloc, Layout, System};

use crate::config::ARENA_BITS;

/// User-space addresses this map covers (x86-64 and AArch64 with 4-level page tables).
const ADDRESS_BITS: u32 = 48;
const ARENA_NUMBER_BITS: u32 = ADDRESS_BITS - ARENA_BITS;
const LEAF_BITS: u32 = ARENA_NUMBER_BITS / 2;
const ROOT_BITS: u32 = ARENA_NUMBER_BITS - LEAF_BITS;
const LEAF_LEN: usize = 1 << LEAF_BITS;
const ROOT_LEN: usize = 1 << ROOT_BITS;

/// Bytes of one leaf, as reported in the statistics.
pub(crate) const LEAF_BYTES: usize = LEAF_LEN * core::mem::size_of::<AtomicU32>();
/// Bytes of the root, as reported in the statistics.
pub(crate) const ROOT_BYTES: usize = ROOT_LEN * core::mem::size_of::<AtomicPtr<Leaf>>();

struct Leaf([AtomicU32; LEAF_LEN]);

static ROOT: [AtomicPtr<Leaf>; ROOT_LEN] =
    [const { AtomicPtr::new(core::ptr::null_mut()) }; ROOT_LEN];
static LEAVES: AtomicUsize = AtomicUsize::new(0);

/// Splits an address into (root index, leaf index), or `None` beyond the covered range.
#[inline(always)]
fn split(addr: usize) -> Option<(usize, usize)> {
    let arena = addr >> ARENA_BITS;
    if arena >> ARENA_NUMBER_BITS != 0 {
        return None;
    }
    Some((arena >> LEAF_BITS, arena & (LEAF_LEN - 1)))
}

/// The id of the instance owning the arena that contains `addr`, or 0.
#[inline]
pub(crate) fn owner_of(addr: usize) -> u32 {
    let Some((hi, lo)) = split(addr) else {
        return 0;
    };
    let leaf = ROOT[hi].load(Ordering::Acquire);
    if leaf.is_null() {
        return 0;
    }
    // SAFETY: leaves are never freed once installed, and were zero-initialised.
    unsafe { (*leaf).0[lo].load(Ordering::Relaxed) }
}

/// Records that the arena starting at `base` belongs to `owner` (0 clears it). Returns
/// `false` when the address is outside the covered range or no leaf could be made.
pub(crate) fn set_owner(base: usize, owner: u32) -> bool {
    let Some((hi, lo)) = split(base) else {
        return false;
    };
    let mut leaf = ROOT[hi].load(Ordering::Acquire);
    if leaf.is_null() {
        if owner == 0 {
            return true;
        }
        let layout = Layout::new::<Leaf>();
        // SAFETY: `Leaf` has a non-zero size; all-zero bytes are valid `AtomicU32`s.
        let fresh = unsafe { System.alloc_zeroed(layout) }.cast::<Leaf>();
        if fresh.is_null() {
            return false;
        }
        match ROOT[hi].compare_exchange(
            core::ptr::null_mut(),
            fresh,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => {
                LEAVES.fetch_add(1, Ordering::Relaxed);
                leaf = fresh;
            }
            Err(winner) => {
                // SAFETY: `fresh` was allocated above with `layout` and never shared.
                unsafe { System.dealloc(fresh.cast(), layout) };
                leaf = winner;
            }
        }
    }
    // SAFETY: installed leaves live forever.
    unsafe { (*leaf).0[lo].store(owner, Ordering::Relaxed) };
    true
}

/// How many leaves exist (CPython's "arena map bot nodes").
pub(crate) fn leaf_count() -> usize {
    LEAVES.load(Ordering::Relaxed)
}
