//! `glibc`: the C library's `malloc` / `free`.

use std::ptr::NonNull;

use super::RawAlloc;

/// glibc's ptmalloc2 through `malloc` / `free`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Glibc;

impl RawAlloc for Glibc {
    #[inline]
    fn alloc(&mut self, size: usize) -> Option<NonNull<u8>> {
        // SAFETY: malloc has no preconditions.
        NonNull::new(unsafe { libc::malloc(size) }.cast())
    }

    #[inline]
    unsafe fn free(&mut self, ptr: NonNull<u8>, _size: usize) {
        // SAFETY: the caller guarantees `ptr` is a live block from `malloc` above.
        unsafe { libc::free(ptr.as_ptr().cast()) }
    }
}
