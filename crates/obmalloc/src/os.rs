//! Memory from the operating system: 1 MiB-aligned arenas, and the system allocator for
//! large blocks and for the allocator's own bookkeeping.
//!
//! **Arenas come in pairs.** An [`ArenaSource`] maps 2 MiB-aligned *chunks* and hands out
//! their two halves as arenas, lower half first; each arena goes back to the OS on its own
//! with `munmap`. The pairing is for transparent huge pages (THP). On this project's
//! machines a fresh 4 KiB page costs about 1.3 µs to fault in (zeroing and page-table work
//! in a VM guest) and a 2 MiB huge page about 56 µs, 13 times less per byte; and a heap of
//! 4 KiB pages misses the TLB on almost every random access once it outgrows a few MiB,
//! where huge pages keep it covered. mimalloc's lead on bulk work comes largely from this.
//!
//! But a huge page is resident as a whole, so backing a chunk with one as soon as it is
//! mapped would make the last, half-used chunk cost a whole extra MiB, and pymalloc's
//! density (RSS within 1% of the live bytes) is a target. So a chunk starts with ordinary
//! pages; when its second half is handed out, which means the first is in use, the chunk
//! is advised with `MADV_HUGEPAGE` and collapsed into a huge page at once
//! (`MADV_COLLAPSE`, Linux 6.1+; elsewhere the advice alone lets the kernel do it later).
//! Only the last chunk of a growing heap stays in small pages.
//!
//! Once an instance has given an arena back and needs a new one (the sign of *churn*: a
//! program freeing and re-building most of its heap), new chunks are advised at once, so
//! re-faulting them costs one huge-page fault each rather than 512 small ones.
//!
//! Giving back one half of a huge chunk splits its huge page, and RSS drops by that half as
//! it would have with small pages.
//!
//! Under Miri, which cannot follow `mmap`, arenas come one at a time from
//! `std::alloc::System` with the arena size as alignment.
//!
//! Bookkeeping (the arena table, the arena map's leaves, thread heaps) uses
//! [`std::alloc::System`], never the Rust global allocator, so that this crate can itself
//! be the global allocator without recursing into itself.

use core::ptr::{self, NonNull};

use crate::config::{ALIGNMENT, ARENA_SIZE};

/// Where an instance gets its arenas: chunks of two, the second half kept until needed.
pub(crate) struct ArenaSource {
    /// The unused upper half of the last chunk, or null (always null under Miri, whose
    /// arenas come one at a time).
    #[cfg_attr(miri, allow(dead_code))]
    spare: *mut u8,
}

/// A chunk: two arenas, one transparent huge page.
#[cfg(not(miri))]
const CHUNK: usize = 2 * ARENA_SIZE;

impl ArenaSource {
    pub(crate) const fn new() -> ArenaSource {
        ArenaSource {
            spare: ptr::null_mut(),
        }
    }

    /// Maps one arena: `ARENA_SIZE` bytes, aligned to `ARENA_SIZE`, zero-filled. Without
    /// `huge_pages` no huge page is ever asked for; with it, `churned` asks for them from
    /// the start (see the module documentation). `None` when the OS refuses.
    #[cfg(not(miri))]
    pub(crate) fn map(&mut self, huge_pages: bool, churned: bool) -> Option<NonNull<u8>> {
        if let Some(upper) = NonNull::new(core::mem::replace(&mut self.spare, ptr::null_mut())) {
            if huge_pages {
                // SAFETY: the spare is the upper half of a chunk whose lower half is in use.
                let chunk = unsafe { upper.byte_sub(ARENA_SIZE) };
                // SAFETY: advice on a chunk of ours; failure (no THP, old kernel) is harmless.
                unsafe {
                    libc::madvise(chunk.as_ptr().cast(), CHUNK, libc::MADV_HUGEPAGE);
                    libc::madvise(chunk.as_ptr().cast(), CHUNK, MADV_COLLAPSE);
                }
            }
            return Some(upper);
        }
        let chunk = map_aligned(CHUNK, CHUNK)?;
        if huge_pages && churned {
            // SAFETY: as above.
            unsafe { libc::madvise(chunk.as_ptr().cast(), CHUNK, libc::MADV_HUGEPAGE) };
        }
        // SAFETY: the upper half lies inside the chunk.
        self.spare = unsafe { chunk.byte_add(ARENA_SIZE) }.as_ptr();
        Some(chunk)
    }

    /// Gives an arena back to the OS, and with it the spare half of its chunk, if unused.
    ///
    /// # Safety
    /// 1. `arena` came from this source's [`map`](Self::map) and was not unmapped since.
    /// 2. Nothing refers to its memory any more.
    #[cfg(not(miri))]
    pub(crate) unsafe fn unmap(&mut self, arena: NonNull<u8>) {
        if self.spare == arena.as_ptr().wrapping_add(ARENA_SIZE) {
            self.spare = ptr::null_mut();
            // SAFETY: (1), (2), and the spare half is unused: the whole chunk goes.
            unsafe { munmap(arena, CHUNK) };
        } else {
            // SAFETY: (1), (2).
            unsafe { munmap(arena, ARENA_SIZE) };
        }
    }

    /// Unmaps the spare half, if any.
    #[cfg(not(miri))]
    pub(crate) fn release_spare(&mut self) {
        if let Some(spare) = NonNull::new(core::mem::replace(&mut self.spare, ptr::null_mut())) {
            // SAFETY: the spare is an unused, mapped arena-sized range of ours.
            unsafe { munmap(spare, ARENA_SIZE) };
        }
    }

    /// Under Miri: one `ARENA_SIZE`-aligned allocation from the system allocator.
    #[cfg(miri)]
    pub(crate) fn map(&mut self, _huge_pages: bool, _churned: bool) -> Option<NonNull<u8>> {
        use std::alloc::GlobalAlloc;
        // SAFETY: the layout has a non-zero size.
        NonNull::new(unsafe { std::alloc::System.alloc_zeroed(arena_layout()) })
    }

    /// Under Miri: frees an arena made by [`map`](Self::map).
    ///
    /// # Safety
    /// 1. `arena` came from this source's [`map`](Self::map) and was not unmapped since.
    /// 2. Nothing refers to its memory any more.
    #[cfg(miri)]
    pub(crate) unsafe fn unmap(&mut self, arena: NonNull<u8>) {
        use std::alloc::GlobalAlloc;
        // SAFETY: (1) allocated by System with this layout.
        unsafe { std::alloc::System.dealloc(arena.as_ptr(), arena_layout()) }
    }

    /// Under Miri there is no spare half.
    #[cfg(miri)]
    pub(crate) fn release_spare(&mut self) {}
}

impl Drop for ArenaSource {
    fn drop(&mut self) {
        self.release_spare();
    }
}

/// `MADV_COLLAPSE` (Linux 6.1): make a range huge-page-backed now.
#[cfg(not(miri))]
const MADV_COLLAPSE: libc::c_int = 25;

#[cfg(miri)]
fn arena_layout() -> std::alloc::Layout {
    std::alloc::Layout::from_size_align(ARENA_SIZE, ARENA_SIZE).unwrap()
}

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
