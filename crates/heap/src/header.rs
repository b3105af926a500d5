//! The object header and the memory layout of an object.
//!
//! ```text
//!   tracked type:    [ GcLinks: next, prev (16 B) ][ Header: word, ty (16 B) ][ value ]
//!   untracked type:                                [ Header: word, ty (16 B) ][ value ]
//!                                                  ^ every handle points here
//! ```
//!
//! This is CPython's layout: `PyObject` (`ob_refcnt`, `ob_type`) at the handle, and the
//! `PyGC_Head` of a container in front of it, so a tracked object spends 32 bytes on
//! bookkeeping and an atomic one 16.
//!
//! The header's first word packs two things, as CPython 3.12+ does with `ob_refcnt_split`:
//! the **reference count** in its low 32 bits and the object's **flags** in the high 32.
//! A count of `u32::MAX` means **immortal** (3.12–3.13's `_Py_IMMORTAL_REFCNT`): increments
//! and decrements skip it, so an immortal object's count never changes and it is never freed.
//! An increment that would reach `u32::MAX` therefore makes an object immortal instead of
//! wrapping, like CPython's saturating increment: leaking is the only possible failure.
//!
//! `GcLinks` are the cycle collector's doubly linked generation lists (`_gc_next`,
//! `_gc_prev`); `next == 0` means "not tracked".

use std::cell::Cell;
use std::ptr::NonNull;

use crate::types::TypeInfo;

/// A count of this value marks an immortal object (CPython 3.12–3.13: 4,294,967,295).
pub const IMMORTAL_REFCOUNT: usize = u32::MAX as usize;

/// Flag: the finalizer has run (PEP 442: at most once per object).
pub(crate) const FINALIZED: u32 = 1 << 0;
/// Flag: some weak reference points at this object (its list is in the weak table).
pub(crate) const HAS_WEAKREFS: u32 = 1 << 1;
/// Flag: the cycle collector dropped the payload in place to break a cycle of garbage; the
/// deallocation that follows must not drop it again.
pub(crate) const CLEARED: u32 = 1 << 2;
/// Flag: the object is a [`WeakRef`](crate::WeakRef) (so the collector can tell without a
/// type lookup).
pub(crate) const IS_WEAKREF: u32 = 1 << 3;

/// The header every object starts with; handles point at it.
#[repr(C)]
pub(crate) struct Header {
    /// Reference count (low 32 bits) and flags (high 32 bits).
    word: Cell<u64>,
    /// The object's type descriptor.
    pub(crate) ty: &'static TypeInfo,
}

impl Header {
    pub(crate) const fn new(ty: &'static TypeInfo) -> Header {
        Header {
            word: Cell::new(1),
            ty,
        }
    }

    /// The reference count (`IMMORTAL_REFCOUNT` for immortal objects).
    #[inline]
    pub(crate) fn count(&self) -> usize {
        self.word.get() as u32 as usize
    }

    #[inline]
    pub(crate) fn set_count(&self, n: u32) {
        let w = self.word.get();
        self.word.set((w & !0xFFFF_FFFF) | u64::from(n));
    }

    #[inline]
    pub(crate) fn is_immortal(&self) -> bool {
        self.word.get() as u32 == u32::MAX
    }

    /// Whether the count is one and no flag is set (in particular no weak reference): the
    /// one handle there is owns the object outright.
    #[inline]
    pub(crate) fn is_sole_owner(&self) -> bool {
        self.word.get() == 1
    }

    /// Adds one reference (nothing for an immortal object).
    #[inline]
    pub(crate) fn incref(&self) {
        let w = self.word.get();
        if w as u32 != u32::MAX {
            self.word.set(w + 1);
        }
    }

    /// Removes one reference; true if the count reached zero (the caller deallocates).
    #[inline]
    pub(crate) fn decref_is_zero(&self) -> bool {
        let w = self.word.get();
        if w as u32 == u32::MAX {
            return false;
        }
        debug_assert!(w as u32 != 0, "decref of a dead {} object", self.ty.name());
        let w = w - 1;
        self.word.set(w);
        w as u32 == 0
    }

    #[inline]
    pub(crate) fn flags(&self) -> u32 {
        (self.word.get() >> 32) as u32
    }

    #[inline]
    pub(crate) fn has_flag(&self, flag: u32) -> bool {
        self.flags() & flag != 0
    }

    #[inline]
    pub(crate) fn set_flag(&self, flag: u32, on: bool) {
        let w = self.word.get();
        let bit = u64::from(flag) << 32;
        self.word.set(if on { w | bit } else { w & !bit });
    }

    /// The GC links in front of a tracked type's header.
    ///
    /// # Safety
    /// The object's type is tracked (`ty.tracked`), so the links exist.
    #[inline]
    pub(crate) unsafe fn links(this: NonNull<Header>) -> NonNull<GcLinks> {
        // SAFETY: (caller) a tracked type's allocation starts with its GcLinks right before
        // the header, inside the same block.
        unsafe { this.cast::<GcLinks>().sub(1) }
    }
}

/// The cycle collector's links of a tracked object (CPython's `PyGC_Head`). Aligned to 16
/// so the four low bits of every link word are free for the collector's flags.
#[repr(C, align(16))]
pub(crate) struct GcLinks {
    /// Next object in its generation's list; 0 if the object is not tracked.
    pub(crate) next: Cell<usize>,
    /// Previous object in its generation's list.
    pub(crate) prev: Cell<usize>,
}

/// Bytes in front of the header: the GC links of a tracked type, nothing otherwise.
pub(crate) const fn links_size(tracked: bool) -> usize {
    if tracked { size_of::<GcLinks>() } else { 0 }
}

impl GcLinks {
    pub(crate) const fn untracked() -> GcLinks {
        GcLinks {
            next: Cell::new(0),
            prev: Cell::new(0),
        }
    }
}

/// An object as laid out from its header on: the header, then the value.
#[repr(C)]
pub(crate) struct ObjBox<T> {
    pub(crate) header: Header,
    pub(crate) value: T,
}

const _: () = assert!(size_of::<Header>() == 16 && size_of::<GcLinks>() == 16);
const _: () = assert!(usize::BITS == 64, "pymem's heap needs a 64-bit target");
