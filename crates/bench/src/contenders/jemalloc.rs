//! `jemalloc`: tikv-jemalloc-sys with its default, *prefixed* symbols (`_rjem_malloc`,
//! `_rjem_sdallocx`), so it does not replace glibc's `malloc` in the process.

use std::ptr::NonNull;

use super::RawAlloc;

/// jemalloc 5.3 through `_rjem_malloc` and sized `_rjem_sdallocx`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Jemalloc;

impl RawAlloc for Jemalloc {
    #[inline]
    fn alloc(&mut self, size: usize) -> Option<NonNull<u8>> {
        // SAFETY: malloc (linked as _rjem_malloc) has no preconditions.
        NonNull::new(unsafe { tikv_jemalloc_sys::malloc(size) }.cast())
    }

    #[inline]
    unsafe fn free(&mut self, ptr: NonNull<u8>, size: usize) {
        // SAFETY: the caller guarantees `ptr` is a live block from `_rjem_malloc(size)`; flags 0
        // matches a plain malloc, and `size` is the size it was allocated with.
        unsafe { tikv_jemalloc_sys::sdallocx(ptr.as_ptr().cast(), size, 0) }
    }
}
