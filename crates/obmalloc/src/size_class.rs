//! Size classes: a request of `n` bytes (1..=512) is served from class `(n - 1) >> 4`,
//! whose blocks are `16 * (class + 1)` bytes.
//!
//! | request  | class | block | blocks per pool | bytes lost per pool |
//! |----------|-------|-------|-----------------|---------------------|
//! | 1..=16   | 0     | 16    | 1021            | 0                   |
//! | 17..=32  | 1     | 32    | 510             | 16                  |
//! | 49..=64  | 3     | 64    | 255             | 16                  |
//! | 497..=512| 31    | 512   | 31              | 464                 |

use crate::config::{
    ALIGNMENT, ALIGNMENT_SHIFT, NB_SMALL_SIZE_CLASSES, POOL_OVERHEAD, POOL_SIZE,
    SMALL_REQUEST_THRESHOLD,
};

/// One of the 32 size classes. Blocks of class `i` are `16 * (i + 1)` bytes.
///
/// ```
/// use obmalloc::SizeClass;
/// let c = SizeClass::for_request(33).unwrap();
/// assert_eq!((c.index(), c.block_size(), c.blocks_per_pool()), (2, 48, 340));
/// assert!(SizeClass::for_request(0).is_none());
/// assert!(SizeClass::for_request(513).is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SizeClass(u8);

impl SizeClass {
    /// The class serving a request of `nbytes`, or `None` for 0 and for more than 512 bytes
    /// (those go to the system allocator).
    #[inline(always)]
    pub const fn for_request(nbytes: usize) -> Option<SizeClass> {
        // One compare covers both 0 (wraps to usize::MAX) and sizes above the threshold.
        let m = nbytes.wrapping_sub(1);
        if m < SMALL_REQUEST_THRESHOLD {
            Some(SizeClass((m >> ALIGNMENT_SHIFT) as u8))
        } else {
            None
        }
    }

    /// Class number `i`, for `i < 32`.
    pub const fn from_index(i: usize) -> Option<SizeClass> {
        if i < NB_SMALL_SIZE_CLASSES {
            Some(SizeClass(i as u8))
        } else {
            None
        }
    }

    /// Every class, smallest first.
    pub fn all() -> impl Iterator<Item = SizeClass> {
        (0..NB_SMALL_SIZE_CLASSES as u8).map(SizeClass)
    }

    /// The class number, 0..32.
    #[inline(always)]
    pub const fn index(self) -> usize {
        self.0 as usize
    }

    /// The size of every block of this class (CPython's `INDEX2SIZE`).
    #[inline(always)]
    pub const fn block_size(self) -> usize {
        (self.0 as usize + 1) * ALIGNMENT
    }

    /// How many blocks a 16 KiB pool of this class holds (CPython's `NUMBLOCKS`).
    #[inline(always)]
    pub const fn blocks_per_pool(self) -> usize {
        (POOL_SIZE - POOL_OVERHEAD) / self.block_size()
    }

    /// Whether a block of this class resized to `nbytes` stays where it is: CPython's realloc
    /// rule, which keeps it unless it grows past the block or shrinks by 25% or more.
    #[inline]
    pub(crate) const fn keeps_in_place(self, nbytes: usize) -> bool {
        nbytes <= self.block_size() && 4 * nbytes > 3 * self.block_size()
    }

    /// Bytes at the end of a pool too small for another block.
    pub const fn quantization_per_pool(self) -> usize {
        (POOL_SIZE - POOL_OVERHEAD) % self.block_size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries() {
        for n in 1..=SMALL_REQUEST_THRESHOLD {
            let c = SizeClass::for_request(n).unwrap();
            assert!(
                c.block_size() >= n && c.block_size() - n < ALIGNMENT,
                "n={n}"
            );
        }
        assert_eq!(SizeClass::for_request(usize::MAX), None);
        assert_eq!(SizeClass::all().count(), NB_SMALL_SIZE_CLASSES);
    }

    #[test]
    fn blocks_per_pool_match_cpython() {
        // (block size, blocks, leftover) from CPython's NUMBLOCKS on 64-bit.
        for (size, blocks, left) in [
            (16, 1021, 0),
            (32, 510, 16),
            (48, 340, 16),
            (64, 255, 16),
            (80, 204, 16),
            (96, 170, 16),
            (128, 127, 80),
            (256, 63, 208),
            (400, 40, 336),
            (496, 32, 464),
            (512, 31, 464),
        ] {
            let c = SizeClass::for_request(size).unwrap();
            assert_eq!(
                (c.blocks_per_pool(), c.quantization_per_pool()),
                (blocks, left)
            );
        }
    }
}
