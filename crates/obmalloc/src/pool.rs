//! Pools: 16 KiB of blocks of one size class, behind a 48-byte header.
//!
//! ```text
//!  pool (16 KiB-aligned)
//!  +--------+---------+---------+-----+---------+------------------+----------+
//!  | header | block 0 | block 1 | ... | block k | never touched... | leftover |
//!  +--------+---------+---------+-----+---------+------------------+----------+
//!  0        48                                  ^ next_offset      ^ max_next_offset + size
//! ```
//!
//! Free blocks form a singly linked list through their first word (`free_block`, LIFO).
//! Blocks past `next_offset` have never been handed out and are carved one at a time, when
//! the list runs dry, so a pool's pages become resident only as they are needed.
//!
//! A pool is always in exactly one of three states:
//!
//! | state | `count`            | list it is on                 | enters the state when            |
//! |-------|--------------------|-------------------------------|----------------------------------|
//! | Used  | 0 < count < blocks | `used_pools[class]` ring      | taken from an arena, or a block is freed while Full |
//! | Full  | count == blocks    | none                          | its last available block is taken |
//! | Empty | 0                  | its arena's `free_pools` list | its last live block is freed     |
//!
//! **P1**: a Used pool always has a block on its free list (`free_block` is not null).
//! **P2**: `free_block` is null exactly when the pool is Full.
//! **P3**: `count == 0` exactly when the pool is Empty (or was never carved).
//!
//! CPython reuses an Empty pool's free list when the pool is taken again for the same class
//! (its `szidx == size` shortcut). pymem initialises it afresh every time: the free list of an
//! emptied pool is in the order of the frees, often random, and carving again hands blocks
//! out in address order, which keeps neighbours in allocation order close in memory, as
//! mimalloc does for its pages. The statistics are the same either way.

use core::ptr;
use core::sync::atomic::AtomicU32;

use crate::config::{POOL_OVERHEAD, POOL_SIZE, POOL_SIZE_MASK};
use crate::size_class::SizeClass;

/// A free block: the first word links to the next free block of the same pool.
#[repr(C)]
pub(crate) struct FreeBlock {
    pub(crate) next: *mut FreeBlock,
}

/// The class of a pool that was carved but never initialised (CPython's `DUMMY_SIZE_IDX`).
pub(crate) const NO_CLASS: u32 = u32::MAX;

/// The 48 bytes at the start of every pool. Field order keeps the hot fields in the first
/// 24 bytes. Always accessed through raw pointers: another thread may read `owner` (and
/// only `owner`) concurrently when it frees a block of this pool.
#[repr(C)]
pub(crate) struct PoolHeader {
    /// Blocks handed out and not yet freed.
    pub(crate) count: u32,
    /// Size class index, or [`NO_CLASS`].
    pub(crate) class: u32,
    /// Head of the free list (P1, P2).
    pub(crate) free_block: *mut FreeBlock,
    /// Ring links in `used_pools[class]`; `next` also links an arena's `free_pools`.
    pub(crate) next: *mut PoolHeader,
    pub(crate) prev: *mut PoolHeader,
    /// Index of the owning arena in its instance's arena table.
    pub(crate) arena: u32,
    /// Byte offset of the first never-used block.
    pub(crate) next_offset: u32,
    /// The largest valid `next_offset`: `POOL_SIZE - block size`.
    pub(crate) max_next_offset: u32,
    /// Id of the allocator instance owning this pool (see `global.rs`).
    pub(crate) owner: AtomicU32,
}

const _: () = assert!(core::mem::size_of::<PoolHeader>() == POOL_OVERHEAD);

/// The pool containing `p`.
///
/// The pool header is reached through the arena's *exposed* provenance (see
/// `Obmalloc::new_arena`), not through `p`'s: a block pointer that passed through a
/// reference (`Box`, `&mut [u8]`) only carries permission for the block's own bytes under
/// Stacked Borrows, and reading the header through it would be undefined behaviour. Exposing
/// the arena's provenance once, when it is mapped, costs nothing at run time.
///
/// Writing the free-list link into a block being freed goes the other way: it must use the
/// caller's pointer, because a `Box` being dropped still protects its bytes and only its own
/// pointer may write them. That write may reach past the bytes the caller asked for (a
/// 1-byte `Box` lives in a 16-byte block), which Tree Borrows allows and Stacked Borrows
/// cannot express; CI runs Miri with `-Zmiri-tree-borrows -Zmiri-permissive-provenance`.
#[inline(always)]
pub(crate) fn pool_of<T>(p: *mut T) -> *mut PoolHeader {
    ptr::with_exposed_provenance_mut(p.addr() & !POOL_SIZE_MASK)
}

/// `p` as the allocator sees it: a pointer with the arena's exposed provenance, allowed to
/// touch the whole block (and its pool), whatever reference the caller's pointer came from.
#[inline(always)]
pub(crate) fn reclaim(p: *mut u8) -> *mut u8 {
    ptr::with_exposed_provenance_mut(p.addr())
}

/// The size class of an initialised pool.
///
/// # Safety
/// `pool` is an initialised pool (its class is not [`NO_CLASS`]).
#[inline(always)]
pub(crate) unsafe fn class_of(pool: *const PoolHeader) -> SizeClass {
    // SAFETY: the caller's promise: an initialised pool holds a valid class index.
    unsafe { SizeClass::from_index((*pool).class as usize).unwrap_unchecked() }
}

/// Prepares a pool taken from an arena for `class`, and returns its first block. The
/// second block becomes a one-element free list, the rest stay untouched.
///
/// # Safety
/// 1. `pool` is a pool-aligned, writable region of `POOL_SIZE` bytes that no live block
///    uses (an Empty or never-carved pool of an arena of this instance).
/// 2. Its `arena` and `owner` fields are already set.
pub(crate) unsafe fn init(pool: *mut PoolHeader, class: SizeClass) -> *mut u8 {
    let size = class.block_size();
    let base = pool.cast::<u8>();
    // SAFETY: (1) the header and the first two blocks are inside the pool (config.rs
    // asserts two blocks of the largest class fit).
    unsafe {
        (*pool).class = class.index() as u32;
        (*pool).count = 1;
        (*pool).next_offset = (POOL_OVERHEAD + 2 * size) as u32;
        (*pool).max_next_offset = (POOL_SIZE - size) as u32;
        let second = base.add(POOL_OVERHEAD + size).cast::<FreeBlock>();
        (*second).next = ptr::null_mut();
        (*pool).free_block = second;
        base.add(POOL_OVERHEAD)
    }
}

/// Called when the free list of a Used pool has just run dry: carves untouched blocks up to
/// the end of the OS page holding the next one (at least one block), linked in address
/// order, or reports that the pool is now Full (returns `false`).
///
/// Carving a page's worth at once touches no page that carving block by block would not
/// touch (CPython's granularity), and makes this path run once per page instead of once
/// per block.
///
/// # Safety
/// `pool` is a live pool of this instance whose free list is empty.
pub(crate) unsafe fn extend(pool: *mut PoolHeader) -> bool {
    // SAFETY: the caller's promise; blocks are carved only while `off <= max_next_offset`,
    // which keeps each inside the pool.
    unsafe {
        let first = (*pool).next_offset as usize;
        let max = (*pool).max_next_offset as usize;
        if first > max {
            return false;
        }
        let size = class_of(pool).block_size();
        // Blocks starting before the end of `first`'s page, but at least one.
        let page_end = (first | (OS_PAGE - 1)) + 1;
        let mut off = first;
        let base = pool.cast::<u8>();
        while off + size <= max && off + size < page_end {
            let block = base.add(off).cast::<FreeBlock>();
            (*block).next = base.add(off + size).cast();
            off += size;
        }
        (*base.add(off).cast::<FreeBlock>()).next = ptr::null_mut();
        (*pool).free_block = base.add(first).cast();
        (*pool).next_offset = (off + size) as u32;
        true
    }
}

/// The OS page size assumed for carving (a smaller real page only means carving touches a
/// few more pages at once).
const OS_PAGE: usize = 4096;

/// Number of blocks ever carved from a pool (free-listed or live).
///
/// # Safety
/// `pool` is an initialised pool.
pub(crate) unsafe fn carved_blocks(pool: *const PoolHeader) -> usize {
    // SAFETY: the caller's promise.
    unsafe {
        let size = class_of(pool).block_size();
        ((*pool).next_offset as usize - POOL_OVERHEAD) / size
    }
}
