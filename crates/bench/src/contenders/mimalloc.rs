//! `mimalloc`: `mi_malloc` / `mi_free` from libmimalloc-sys (mimalloc v3, statically linked; it does
//! not override `malloc`).

use std::ptr::NonNull;

use super::RawAlloc;

/// mimalloc through `mi_malloc` / `mi_free`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Mimalloc;

impl RawAlloc for Mimalloc {
    #[inline]
    fn alloc(&mut self, size: usize) -> Option<NonNull<u8>> {
        // SAFETY: mi_malloc has no preconditions.
        NonNull::new(unsafe { libmimalloc_sys::mi_malloc(size) }.cast())
    }

    #[inline]
    unsafe fn free(&mut self, ptr: NonNull<u8>, _size: usize) {
        // SAFETY: the caller guarantees `ptr` is a live block from `mi_malloc` above.
        unsafe { libmimalloc_sys::mi_free(ptr.as_ptr().cast()) }
    }
}
