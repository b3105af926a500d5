//! Memory from the operating system: 1 MiB-aligned arenas, and the system allocator for
//! large blocks and for the allocator's own bookkeeping.
//!
//! Arenas come from `mmap` and go back with `munmap`. To make them `ARENA_SIZE`-aligned,
//! we first ask for exactly one arena: the kernel usually places consecutive mappings next
//! to each other, so once one arena is aligned the next ones tend to be too. When the
//! answer is not aligned we map twice the size and unmap the two ends.
//!
//! Under Miri, which cannot follow `mmap`, arenas come from `std::alloc::System` with the
//! arena size as alignment.
//!
//! Bookkeeping (the arena table, the arena map's leaves, thread heaps) uses
//! [`std::alloc::System`], never the Rust global allocator, so that this crate can itself
//! be the global allocator without recursing into itself.

use core::ptr::NonNull;

use crate::config::{ALIGNMENT, ARENA_SIZE, ARENA_SIZE_MASK};

/// Maps one arena: `ARENA_SIZE` bytes, aligned to `ARENA_SIZE`, zero-filled and untouched
/// (pages become resident when first written). `None` when the OS refuses.
#[cfg(not(miri))]
pub(crate) fn map_arena() -> Option<NonNull<u8>> {
    // SAFETY: an anonymous private mapping with a null hint has no preconditions.
    let p = unsafe { mmap_anon(ARENA_SIZE) }?;
    if p.addr().get() & ARENA_SIZE_MASK == 0 {
        return Some(p);
    }
    // SAFETY: `p` is the ARENA_SIZE mapping made just above.
    unsafe { munmap(p, ARENA_SIZE) };
    // SAFETY: as above.
    let big = unsafe { mmap_anon(2 * ARENA_SIZE) }?;
    let head = big.addr().get().next_multiple_of(ARENA_SIZE) - big.addr().get();
    // SAFETY: `head < ARENA_SIZE`, inside the 2 * ARENA_SIZE mapping.
    let aligned = unsafe { big.byte_add(head) };
    if head > 0 {
        // SAFETY: the `head` bytes before `aligned` are part of `big` and unused.
        unsafe { munmap(big, head) };
    }
    let tail = ARENA_SIZE - head;
    if tail > 0 {
        // SAFETY: the `tail` bytes after the arena are the rest of `big`, unused.
        unsafe { munmap(aligned.byte_add(ARENA_SIZE), tail) };
    }
    Some(aligned)
}

/// Gives an arena back to the OS.
///
/// # Safety
/// 1. `arena` came from [`map_arena`] and has not been unmapped since.
/// 2. Nothing refers to its memory any more.
#[cfg(not(miri))]
pub(crate) unsafe fn unmap_arena(arena: NonNull<u8>) {
    // SAFETY: (1) it is a whole ARENA_SIZE mapping; (2) nobody uses it.
    unsafe { munmap(arena, ARENA_SIZE) }
}

/// # Safety
/// None beyond `mmap`'s own: the mapping is new and private.
#[cfg(not(miri))]
unsafe fn mmap_anon(len: usize) -> Option<NonNull<u8>> {
    // SAFETY: anonymous private mapping; the kernel picks the address.
    let p = unsafe {
        libc::mmap(
            core::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        None
    } else {
        NonNull::new(p.cast())
    }
}

/// # Safety
/// `[p, p + len)` is a mapped range that nothing uses any more.
#[cfg(not(miri))]
unsafe fn munmap(p: NonNull<u8>, len: usize) {
    // SAFETY: the caller's promise.
    let rc = unsafe { libc::munmap(p.as_ptr().cast(), len) };
    debug_assert_eq!(rc, 0, "munmap({p:p}, {len}) failed");
}

#[cfg(miri)]
fn arena_layout() -> std::alloc::Layout {
    std::alloc::Layout::from_size_align(ARENA_SIZE, ARENA_SIZE).unwrap()
}

/// Under Miri: an `ARENA_SIZE`-aligned allocation from the system allocator.
#[cfg(miri)]
pub(crate) fn map_arena() -> Option<NonNull<u8>> {
    use std::alloc::GlobalAlloc;
    // SAFETY: the layout has a non-zero size.
    NonNull::new(unsafe { std::alloc::System.alloc_zeroed(arena_layout()) })
}

/// Under Miri: frees an arena made by [`map_arena`].
///
/// # Safety
/// 1. `arena` came from [`map_arena`] and has not been unmapped since.
/// 2. Nothing refers to its memory any more.
#[cfg(miri)]
pub(crate) unsafe fn unmap_arena(arena: NonNull<u8>) {
    use std::alloc::GlobalAlloc;
    // SAFETY: (1) allocated by System with this layout.
    unsafe { std::alloc::System.dealloc(arena.as_ptr(), arena_layout()) }
}

/// `malloc` for blocks the pools do not serve: at least `ALIGNMENT` bytes are requested so
/// that even a zero-byte block is 16-byte aligned (CPython asks `malloc(1)`).
pub(crate) fn raw_malloc(nbytes: usize) -> Option<NonNull<u8>> {
    // SAFETY: malloc has no preconditions.
    NonNull::new(unsafe { libc::malloc(nbytes.max(ALIGNMENT)) }.cast())
}

/// `calloc` for blocks the pools do not serve.
pub(crate) fn raw_calloc(nbytes: usize) -> Option<NonNull<u8>> {
    // SAFETY: calloc has no preconditions.
    NonNull::new(unsafe { libc::calloc(1, nbytes.max(ALIGNMENT)) }.cast())
}

/// `realloc` of a block the pools do not serve.
///
/// # Safety
/// `p` came from `malloc`, `calloc` or `realloc` and was not freed.
pub(crate) unsafe fn raw_realloc(p: NonNull<u8>, nbytes: usize) -> Option<NonNull<u8>> {
    // SAFETY: the caller's promise.
    NonNull::new(unsafe { libc::realloc(p.as_ptr().cast(), nbytes.max(ALIGNMENT)) }.cast())
}

/// `free` of a block the pools do not serve.
///
/// # Safety
/// `p` came from `malloc`, `calloc` or `realloc` and was not freed.
pub(crate) unsafe fn raw_free(p: NonNull<u8>) {
    // SAFETY: the caller's promise.
    unsafe { libc::free(p.as_ptr().cast()) }
}
