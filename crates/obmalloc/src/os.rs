//! Memory from the operating system: 1 MiB-aligned arenas, and the system allocator for
//! large blocks and for the allocator's own bookkeeping.
//!
//! Arenas come from `mmap` and go back with `munmap`. To make them `ARENA_SIZE`-aligned,
//! we first ask for exactly one arena: the kernel usually places consecutive mappings next
//! to each other, so once one arena is aligned the next ones tend to be too. When the
//! answer is not aligned we map twice the size and unmap the two ends.
//!
//! **Huge pages after churn.** A fresh 4 KiB page costs about 1.4 µs to fault in on this
//! project's machines (zeroing and page-table work in a VM guest), so a program that frees
//! and re-allocates most of its heap pays that for every page of every arena it gets back
//! from the OS: the design notes measured this arena churn as pymalloc's main cost on bulk
//! work. A transparent huge page (2 MiB) costs about 56 µs, 13 times less per byte. But a
//! huge page is resident as a whole, so using them from the start would cost density (a
//! half-used chunk holds a whole extra MiB). pymem therefore maps arenas normally until the
//! instance has given an arena back to the OS and needs a new one, the sign of churn; from
//! then on new arenas are halves of 2 MiB chunks advised with `MADV_HUGEPAGE`, the second
//! half kept for the next arena. Giving back one half splits the huge page, and its RSS
//! goes back to the OS as before.
//!
//! Under Miri, which cannot follow `mmap`, arenas come from `std::alloc::System` with the
//! arena size as alignment.
//!
//! Bookkeeping (the arena table, the arena map's leaves, thread heaps) uses
//! [`std::alloc::System`], never the Rust global allocator, so that this crate can itself
//! be the global allocator without recursing into itself.

use core::ptr::NonNull;

#[cfg(not(miri))]
use core::sync::atomic::{AtomicPtr, Ordering};

use crate::config::{ALIGNMENT, ARENA_SIZE};

/// Maps one arena: `ARENA_SIZE` bytes, aligned to `ARENA_SIZE`, zero-filled and untouched
/// (pages become resident when first written). `None` when the OS refuses.
///
/// With `huge`, the arena is one half of a 2 MiB-aligned chunk advised for transparent
/// huge pages, and the other half is kept as the next arena to hand out (see the module
/// documentation for when and why).
#[cfg(not(miri))]
pub(crate) fn map_arena(huge: bool) -> Option<NonNull<u8>> {
    if !huge {
        return map_aligned(ARENA_SIZE, ARENA_SIZE);
    }
    let spare = SPARE_HALF.swap(core::ptr::null_mut(), Ordering::AcqRel);
    if let Some(spare) = NonNull::new(spare) {
        return Some(spare);
    }
    let chunk = map_aligned(HUGE_CHUNK, HUGE_CHUNK)?;
    // SAFETY: advice on a mapping we own; where THP is unsupported it fails harmlessly.
    unsafe { libc::madvise(chunk.as_ptr().cast(), HUGE_CHUNK, libc::MADV_HUGEPAGE) };
    // SAFETY: the upper half lies inside the chunk.
    let upper = unsafe { chunk.byte_add(ARENA_SIZE) };
    if SPARE_HALF
        .compare_exchange(
            core::ptr::null_mut(),
            upper.as_ptr(),
            Ordering::AcqRel,
            Ordering::Relaxed,
        )
        .is_err()
    {
        // Another thread stored a spare meanwhile: give our upper half back.
        // SAFETY: the upper half is ours and unused.
        unsafe { munmap(upper, ARENA_SIZE) };
    }
    Some(chunk)
}

/// Unmaps the spare half-chunk, if any (for `trim`).
#[cfg(not(miri))]
pub(crate) fn release_spare() {
    let spare = SPARE_HALF.swap(core::ptr::null_mut(), Ordering::AcqRel);
    if let Some(spare) = NonNull::new(spare) {
        // SAFETY: the spare is an unused, mapped arena-sized range nobody else holds.
        unsafe { munmap(spare, ARENA_SIZE) };
    }
}

/// A transparent huge page: the unit in which huge-page arenas are mapped.
#[cfg(not(miri))]
const HUGE_CHUNK: usize = 2 * ARENA_SIZE;

/// The unused upper half of the last huge-page chunk.
#[cfg(not(miri))]
static SPARE_HALF: AtomicPtr<u8> = AtomicPtr::new(core::ptr::null_mut());

/// Maps `len` bytes aligned to `align` (a power of two, at least the page size).
#[cfg(not(miri))]
fn map_aligned(len: usize, align: usize) -> Option<NonNull<u8>> {
    // SAFETY: an anonymous private mapping with a null hint has no preconditions.
    let p = unsafe { mmap_anon(len) }?;
    if p.addr().get() & (align - 1) == 0 {
        return Some(p);
    }
    // SAFETY: `p` is the mapping made just above.
    unsafe { munmap(p, len) };
    // SAFETY: as above.
    let big = unsafe { mmap_anon(len + align) }?;
    let head = big.addr().get().next_multiple_of(align) - big.addr().get();
    // SAFETY: `head < align`, inside the mapping.
    let aligned = unsafe { big.byte_add(head) };
    if head > 0 {
        // SAFETY: the `head` bytes before `aligned` are part of `big` and unused.
        unsafe { munmap(big, head) };
    }
    let tail = align - head;
    if tail > 0 {
        // SAFETY: the `tail` bytes after the aligned range are the rest of `big`, unused.
        unsafe { munmap(aligned.byte_add(len), tail) };
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

/// Under Miri there is no spare half-chunk.
#[cfg(miri)]
pub(crate) fn release_spare() {}

#[cfg(miri)]
fn arena_layout() -> std::alloc::Layout {
    std::alloc::Layout::from_size_align(ARENA_SIZE, ARENA_SIZE).unwrap()
}

/// Under Miri: an `ARENA_SIZE`-aligned allocation from the system allocator (`huge` has
/// no meaning there).
#[cfg(miri)]
pub(crate) fn map_arena(_huge: bool) -> Option<NonNull<u8>> {
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
