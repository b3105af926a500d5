//! `obmalloc` and `obmalloc-global`: our allocator, through its instance API and through its
//! `GlobalAlloc` type (called directly, not installed as the global allocator).
//!
//! Both sit behind an `#[inline(never)]` wrapper so that, like the C contenders, each allocation
//! and each free is one call; obmalloc's `#[inline]` fast path is inlined inside the wrapper.

use std::alloc::{GlobalAlloc, Layout};
use std::ptr::NonNull;

use obmalloc::{Obmalloc, ObmallocGlobal};

use super::RawAlloc;

/// Alignment requested from `ObmallocGlobal` (what a `Box` of pointer-sized fields asks for).
const GLOBAL_ALIGN: usize = 8;

/// One `Obmalloc` instance (one per thread in w5), using `alloc` and sized `free_sized`.
pub struct ObmallocInstance(Obmalloc);

impl ObmallocInstance {
    /// A fresh instance with obmalloc's default (tuned) configuration.
    pub fn new() -> Self {
        ObmallocInstance(Obmalloc::new())
    }

    /// A fresh instance with the given configuration.
    pub fn with_config(config: ::obmalloc::Config) -> Self {
        ObmallocInstance(Obmalloc::with_config(config))
    }
}

impl Default for ObmallocInstance {
    fn default() -> Self {
        Self::new()
    }
}

impl RawAlloc for ObmallocInstance {
    #[inline(never)]
    fn alloc(&mut self, size: usize) -> Option<NonNull<u8>> {
        self.0.alloc(size)
    }

    #[inline(never)]
    unsafe fn free(&mut self, ptr: NonNull<u8>, size: usize) {
        // SAFETY: the caller guarantees `ptr` is live from this instance's `alloc(size)`.
        unsafe { self.0.free_sized(ptr, size) }
    }
}

/// `ObmallocGlobal` (thread-local heaps behind `GlobalAlloc`), calling `alloc` / `dealloc`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ObmallocGlobalContender;

fn layout(size: usize) -> Layout {
    match Layout::from_size_align(size, GLOBAL_ALIGN) {
        Ok(layout) => layout,
        Err(_) => panic!("invalid layout for {size} bytes"),
    }
}

impl RawAlloc for ObmallocGlobalContender {
    #[inline(never)]
    fn alloc(&mut self, size: usize) -> Option<NonNull<u8>> {
        let layout = layout(size.max(1));
        // SAFETY: the layout has a non-zero size (GlobalAlloc::alloc's only requirement).
        NonNull::new(unsafe { ObmallocGlobal.alloc(layout) })
    }

    #[inline(never)]
    unsafe fn free(&mut self, ptr: NonNull<u8>, size: usize) {
        // SAFETY: the caller guarantees `ptr` is live from `alloc(size)` above, which used this
        // same layout with the same allocator.
        unsafe { ObmallocGlobal.dealloc(ptr.as_ptr(), layout(size.max(1))) }
    }
}
