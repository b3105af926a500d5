//! Arenas and the arena table.
//!
//! An arena is 1 MiB of address space from the OS, aligned to 1 MiB and cut into 64 pools.
//! Pools are carved from the low end as needed (`pool_address` moves up), and pools that
//! become Empty are kept on the arena's `free_pools` list for reuse. `free_pool_count`
//! counts both kinds: the arena has that many pools to give.
//!
//! Each arena is described by an [`ArenaObject`] in the instance's arena table. The table
//! grows by doubling (16 entries first, as in CPython), and is addressed by [`ArenaIdx`]
//! rather than by pointer, so that growing it cannot leave a dangling link. Entries whose
//! arena was given back to the OS are reused; they are chained on the `unused` list.
//!
//! **A1**: an entry is on the `unused` list iff its `address` is null.
//! **A2**: a live arena is on `usable_arenas` iff `free_pool_count > 0`
//! (see `usable_arenas.rs`).
//! **A3**: `free_pool_count` = length of `free_pools` + pools never carved.

use core::ptr::{self, NonNull};
use std::alloc::{GlobalAlloc, Layout, System};

use crate::pool::PoolHeader;

/// Index into the arena table. `ArenaIdx::NONE` ends a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ArenaIdx(pub(crate) u32);

impl ArenaIdx {
    pub(crate) const NONE: ArenaIdx = ArenaIdx(u32::MAX);

    #[inline(always)]
    pub(crate) fn is_none(self) -> bool {
        self == ArenaIdx::NONE
    }
}

/// The bookkeeping of one arena (CPython's `struct arena_object`).
#[derive(Clone, Copy)]
pub(crate) struct ArenaObject {
    /// Base of the arena's memory, null when the entry is unused (A1).
    pub(crate) address: *mut u8,
    /// The next pool never carved.
    pub(crate) pool_address: *mut u8,
    /// Pools available: Empty ones plus never-carved ones (A3).
    pub(crate) free_pool_count: u32,
    /// Pools in the arena in all.
    pub(crate) total_pools: u32,
    /// Empty pools, linked through `PoolHeader::next`.
    pub(crate) free_pools: *mut PoolHeader,
    /// Links in `usable_arenas` (both) or in the unused list (`next` only).
    pub(crate) next: ArenaIdx,
    pub(crate) prev: ArenaIdx,
}

impl ArenaObject {
    const UNUSED: ArenaObject = ArenaObject {
        address: ptr::null_mut(),
        pool_address: ptr::null_mut(),
        free_pool_count: 0,
        total_pools: 0,
        free_pools: ptr::null_mut(),
        next: ArenaIdx::NONE,
        prev: ArenaIdx::NONE,
    };

    /// Whether no pool of this arena holds a live block.
    #[inline]
    pub(crate) fn is_wholly_free(&self) -> bool {
        self.free_pool_count == self.total_pools
    }
}

/// The arena table: a growable array allocated from the system allocator.
pub(crate) struct ArenaTable {
    ptr: NonNull<ArenaObject>,
    len: usize,
    /// Head of the unused entries (A1).
    pub(crate) unused: ArenaIdx,
}

const INITIAL_ARENA_OBJECTS: usize = 16;

impl ArenaTable {
    pub(crate) const fn new() -> ArenaTable {
        ArenaTable {
            ptr: NonNull::dangling(),
            len: 0,
            unused: ArenaIdx::NONE,
        }
    }

    /// Number of entries, used or not.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Entry `i`.
    #[inline]
    pub(crate) fn get(&self, i: ArenaIdx) -> &ArenaObject {
        assert!(
            (i.0 as usize) < self.len,
            "arena index {} out of range",
            i.0
        );
        // SAFETY: in bounds; entries are initialised when the table grows.
        unsafe { &*self.ptr.as_ptr().add(i.0 as usize) }
    }

    /// Entry `i`, mutably.
    #[inline]
    pub(crate) fn get_mut(&mut self, i: ArenaIdx) -> &mut ArenaObject {
        assert!(
            (i.0 as usize) < self.len,
            "arena index {} out of range",
            i.0
        );
        // SAFETY: in bounds; entries are initialised when the table grows.
        unsafe { &mut *self.ptr.as_ptr().add(i.0 as usize) }
    }

    /// Every entry with its index.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (ArenaIdx, &ArenaObject)> {
        (0..self.len).map(|i| (ArenaIdx(i as u32), self.get(ArenaIdx(i as u32))))
    }

    /// Takes an unused entry, growing the table when there is none. `None` when the system
    /// allocator cannot grow it.
    pub(crate) fn take_unused(&mut self) -> Option<ArenaIdx> {
        if self.unused.is_none() {
            self.grow()?;
        }
        let i = self.unused;
        self.unused = self.get(i).next;
        Some(i)
    }

    /// Puts entry `i` (whose arena is gone) back on the unused list.
    pub(crate) fn put_unused(&mut self, i: ArenaIdx) {
        let unused = self.unused;
        *self.get_mut(i) = ArenaObject {
            next: unused,
            ..ArenaObject::UNUSED
        };
        self.unused = i;
    }

    #[cold]
    fn grow(&mut self) -> Option<()> {
        let new_len = if self.len == 0 {
            INITIAL_ARENA_OBJECTS
        } else {
            self.len.checked_mul(2)?
        };
        if new_len > u32::MAX as usize {
            return None;
        }
        let new_layout = Layout::array::<ArenaObject>(new_len).ok()?;
        let p = if self.len == 0 {
            // SAFETY: non-zero size.
            unsafe { System.alloc(new_layout) }
        } else {
            let old = Layout::array::<ArenaObject>(self.len).ok()?;
            // SAFETY: `ptr` was allocated by System with `old`; the new size is non-zero.
            unsafe { System.realloc(self.ptr.as_ptr().cast(), old, new_layout.size()) }
        };
        let p = NonNull::new(p.cast::<ArenaObject>())?;
        // Link the new entries, lowest index first, on the (empty) unused list.
        for i in self.len..new_len {
            let next = if i + 1 < new_len {
                ArenaIdx(i as u32 + 1)
            } else {
                ArenaIdx::NONE
            };
            // SAFETY: `i < new_len`, inside the new allocation.
            unsafe {
                p.as_ptr().add(i).write(ArenaObject {
                    next,
                    ..ArenaObject::UNUSED
                })
            };
        }
        self.unused = ArenaIdx(self.len as u32);
        self.ptr = p;
        self.len = new_len;
        Some(())
    }
}

impl Drop for ArenaTable {
    fn drop(&mut self) {
        if self.len > 0 {
            let layout = Layout::array::<ArenaObject>(self.len).unwrap();
            // SAFETY: allocated by System with this layout in `grow`.
            unsafe { System.dealloc(self.ptr.as_ptr().cast(), layout) };
        }
    }
}
