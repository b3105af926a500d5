//! `used_pools`: per size class, the ring of Used pools (state Used in `pool.rs`).
//!
//! CPython stores these rings behind a famous trick: `usedpools[2*i]` and `[2*i+1]` pose as
//! the `nextpool`/`prevpool` fields of a fake pool header, so that the list head is itself
//! a ring member and "is the ring empty" is `pool == pool->nextpool`. pymem keeps a plain
//! head pointer per class instead (null when the class has no Used pool): the fast path is
//! one load and one null test, and there is no fake header to explain.
//!
//! **U1**: every pool on ring `c` is Used and of class `c`.
//! **U2**: allocation always takes from the head; a pool that leaves the Full state is
//! pushed at the head, so the next allocation of that class reuses it (as CPython does).

use core::ptr;

use crate::config::NB_SMALL_SIZE_CLASSES;
use crate::pool::PoolHeader;
use crate::size_class::SizeClass;

/// The rings, one head per class.
#[doc(alias = "usedpools")]
pub(crate) struct UsedPools {
    heads: [*mut PoolHeader; NB_SMALL_SIZE_CLASSES],
}

impl UsedPools {
    pub(crate) const fn new() -> UsedPools {
        UsedPools {
            heads: [ptr::null_mut(); NB_SMALL_SIZE_CLASSES],
        }
    }

    /// The pool the next block of `class` comes from, or null.
    #[inline(always)]
    pub(crate) fn head(&self, class: SizeClass) -> *mut PoolHeader {
        // SAFETY: a class index is always < NB_SMALL_SIZE_CLASSES.
        unsafe { *self.heads.get_unchecked(class.index()) }
    }

    /// Puts `pool` at the front of ring `class`.
    ///
    /// # Safety
    /// `pool` is a live pool of class `class` on no ring.
    pub(crate) unsafe fn push_front(&mut self, class: SizeClass, pool: *mut PoolHeader) {
        let head = self.heads[class.index()];
        // SAFETY: `pool` and the ring members are live pools (U1).
        unsafe {
            if head.is_null() {
                (*pool).next = pool;
                (*pool).prev = pool;
            } else {
                let tail = (*head).prev;
                (*pool).next = head;
                (*pool).prev = tail;
                (*tail).next = pool;
                (*head).prev = pool;
            }
        }
        self.heads[class.index()] = pool;
    }

    /// Takes `pool` off ring `class`.
    ///
    /// # Safety
    /// `pool` is on ring `class`.
    pub(crate) unsafe fn unlink(&mut self, class: SizeClass, pool: *mut PoolHeader) {
        // SAFETY: `pool` and its neighbours are live ring members.
        unsafe {
            let next = (*pool).next;
            if next == pool {
                self.heads[class.index()] = ptr::null_mut();
            } else {
                let prev = (*pool).prev;
                (*prev).next = next;
                (*next).prev = prev;
                if self.heads[class.index()] == pool {
                    self.heads[class.index()] = next;
                }
            }
        }
    }

    /// Every pool on ring `class`, head first (for validation and tests).
    pub(crate) fn ring(&self, class: SizeClass) -> Vec<*mut PoolHeader> {
        let mut out = Vec::new();
        let head = self.head(class);
        let mut p = head;
        while !p.is_null() {
            out.push(p);
            // SAFETY: ring members are live pools (U1).
            p = unsafe { (*p).next };
            if p == head {
                break;
            }
        }
        out
    }
}
