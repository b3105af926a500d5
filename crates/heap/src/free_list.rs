//! Free lists: dead objects kept for reuse, as CPython 3.11 keeps them for its tuples (2000
//! of each size), lists (80), dicts (80) and floats (100).
//!
//! A type opts in with [`Object::FREE_LIST`](crate::Object::FREE_LIST): which of the heap's
//! [`FREE_LIST_SLOTS`] lists it uses, and how many blocks that list may hold. When an object
//! of the type dies, its payload is dropped as usual; then, if its list has room, its block
//! goes on the list instead of back to obmalloc. The next allocation of the type takes the
//! newest block off the list and builds the object in it afresh.
//!
//! What this changes is what CPython's free lists change, and pymem copies it on purpose
//! because it is visible to Python code:
//!
//! - **gc counts.** CPython counts an allocation in generation 0 (`_PyObject_GC_Link`) only
//!   when the object comes from the allocator, and takes one off (`PyObject_GC_Del`) only
//!   when it goes back: an object made from a free list, or put on one, leaves
//!   `gc.get_count()` unchanged. Here too: a block taken off a list skips the count (and so
//!   cannot start an automatic collection), and a block put on one does not give its count
//!   back. For a tracked type that opts in, the count is given back after the payload is
//!   dropped (CPython's `tupledealloc` order), not before.
//! - **allocated blocks.** Blocks on a list stay allocated: `sys.getallocatedblocks()` counts
//!   them, as CPython's does.
//! - **full collections empty the lists** (CPython's `clear_freelists`, run when generation 2
//!   is collected): their blocks go back to obmalloc.
//!
//! A block on a list holds no object: no header that anything points at, no payload, no GC
//! links in any list. Taking one off is taking a fresh block of the type's size.

use std::ptr::NonNull;

use crate::gil::Gil;
use crate::state::heap;
use crate::types::{Object, TypeOf};

/// How many free lists the heap has; [`FreeList::slot`] picks one.
pub const FREE_LIST_SLOTS: usize = 8;

/// A type's free list: slot `slot` of the heap's lists, holding at most `capacity` blocks.
///
/// Types that share a slot must have the same allocation size (checked in debug builds).
///
/// ```
/// use heap::{FreeList, Obj, Object, Trace, with_gil};
///
/// #[derive(Trace)]
/// struct Number(f64);
/// impl Object for Number {
///     const TRACKED: bool = false;
///     const FREE_LIST: Option<FreeList> = Some(FreeList { slot: 7, capacity: 100 });
/// }
///
/// with_gil(|gil| {
///     let before = heap::free_list_len(gil, 7);
///     drop(Obj::new(gil, Number(1.5)));
///     assert_eq!(heap::free_list_len(gil, 7), before + 1);
///     let again = Obj::new(gil, Number(2.5));
///     assert_eq!(heap::free_list_len(gil, 7), before);
///     assert_eq!(again.get(gil).0, 2.5);
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreeList {
    /// Which of the heap's [`FREE_LIST_SLOTS`] lists.
    pub slot: usize,
    /// Most blocks the list keeps (CPython 3.11: 2000 tuples of each size, 80 lists, 80
    /// dicts, 100 floats).
    pub capacity: usize,
}

/// One list: the blocks and the size they were allocated with.
pub(crate) struct Blocks {
    blocks: Vec<NonNull<u8>>,
    size: usize,
}

impl Blocks {
    pub(crate) const fn new() -> Blocks {
        Blocks {
            blocks: Vec::new(),
            size: 0,
        }
    }
}

/// A block of `size` bytes off list `slot`, if it has one. GIL held.
#[inline]
pub(crate) fn pop(slot: usize, size: usize) -> Option<NonNull<u8>> {
    // SAFETY: GIL held (caller); the borrow ends here and runs no code.
    let list = unsafe { &mut *heap().free_lists[slot].get() };
    let block = list.blocks.pop()?;
    debug_assert_eq!(
        list.size, size,
        "types sharing free list {slot} differ in size"
    );
    Some(block)
}

/// Keeps the block of a dead object of size `size` on list `fl` if it has room; false if
/// the caller must free it. GIL held.
#[inline]
pub(crate) fn push(fl: FreeList, block: NonNull<u8>, size: usize) -> bool {
    // SAFETY: GIL held (caller); the borrow ends here and runs no code.
    let list = unsafe { &mut *heap().free_lists[fl.slot].get() };
    if list.blocks.len() >= fl.capacity {
        return false;
    }
    debug_assert!(
        list.blocks.is_empty() || list.size == size,
        "types sharing free list {} differ in size",
        fl.slot
    );
    list.size = size;
    list.blocks.push(block);
    true
}

/// Gives every block on every list back to obmalloc (CPython's `clear_freelists`, run by a
/// collection of the oldest generation). GIL held.
pub(crate) fn clear_all() {
    let h = heap();
    for slot in &h.free_lists {
        // SAFETY: GIL held; the list is taken out before anything is freed.
        let list = std::mem::take(unsafe { &mut (*slot.get()).blocks });
        // SAFETY: as above.
        let size = unsafe { (*slot.get()).size };
        for block in list {
            // SAFETY: the block was allocated by the heap's obmalloc with `size` bytes and
            // holds no object.
            unsafe { h.obmalloc().free_sized(block, size) };
        }
    }
}

/// The size of the block an object of `T` takes from the allocator: its GC links (when
/// `T` is tracked), header and payload. A free list of `T` holds blocks of this size.
///
/// ```
/// use heap::{Object, Trace};
///
/// #[derive(Trace)]
/// struct Pair(u64, u64);
/// impl Object for Pair {
///     const TRACKED: bool = false;
/// }
///
/// // A 16-byte header, then the payload.
/// assert_eq!(heap::block_size::<Pair>(), 16 + 16);
/// ```
pub const fn block_size<T: Object>() -> usize {
    TypeOf::<T>::INFO.alloc_size
}

/// How many dead objects' blocks free list `slot` holds right now.
///
/// # Panics
/// If `slot` is not below [`FREE_LIST_SLOTS`].
pub fn free_list_len(_gil: &Gil<'_>, slot: usize) -> usize {
    assert!(
        slot < FREE_LIST_SLOTS,
        "heap::free_list_len: slot {slot} out of range (there are {FREE_LIST_SLOTS})"
    );
    // SAFETY: GIL held (token); short borrow.
    unsafe { (*heap().free_lists[slot].get()).blocks.len() }
}
