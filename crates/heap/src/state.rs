//! The heap's global state: one per process, like CPython's main interpreter.
//!
//! Everything here is reached only by the thread that holds the GIL, which is what makes the
//! `UnsafeCell`s and the non-atomic `Cell`s sound; the one exception, drops of handles on
//! threads that do not hold it, goes through the mutex-protected pending queue in
//! [`gil`](crate::gil). Borrows of the cells are kept short and never span a call that can
//! run a finalizer, a callback or a payload's `Drop` (which could reenter the heap).

use std::cell::{Cell, UnsafeCell};
use std::collections::HashMap;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

use rustc_hash::FxBuildHasher;

use crate::free_list::{Blocks, FREE_LIST_SLOTS};
use crate::gc::state::GcState;
use crate::header::Header;
use crate::malloc::ObjAllocator;
use crate::unraisable::UnraisableHook;

/// Map from an object's address to the first weak reference of its list.
pub(crate) type WeakTable = HashMap<usize, NonNull<Header>, FxBuildHasher>;

pub(crate) struct HeapState {
    initialized: Cell<bool>,
    /// The object allocator: pymalloc unless `heap::set_malloc_mode` chose otherwise.
    obmalloc: UnsafeCell<MaybeUninit<ObjAllocator>>,
    /// The cycle collector: generations, counts, thresholds, `gc` module settings.
    pub(crate) gc: GcState,
    /// Weak references created so far (the collector checks whether code it ran made any).
    pub(crate) weakrefs_created: Cell<u64>,
    /// Objects alive right now (all types).
    pub(crate) live_objects: Cell<usize>,
    /// Trashcan: nesting of deallocations on the current stack.
    pub(crate) trash_nesting: Cell<u32>,
    /// Trashcan: active `GilCell::with_mut` borrows; deallocations wait while any is.
    pub(crate) trash_defer: Cell<u32>,
    /// Trashcan: deallocations put off until the stack unwinds.
    pub(crate) trash_later: UnsafeCell<Vec<NonNull<Header>>>,
    /// Most objects deallocations were put off at once, for statistics.
    pub(crate) trash_highwater: Cell<usize>,
    pub(crate) weak: UnsafeCell<WeakTable>,
    /// Objects made immortal: never freed, but always reachable from here, so that leak
    /// checkers (Miri's, valgrind's) count them as still in use rather than lost.
    pub(crate) immortals: UnsafeCell<Vec<NonNull<Header>>>,
    pub(crate) unraisable: Cell<Option<UnraisableHook>>,
    /// Dead objects' blocks kept for reuse ([`free_list`](crate::free_list)).
    pub(crate) free_lists: [UnsafeCell<Blocks>; FREE_LIST_SLOTS],
}

struct Global(HeapState);

// SAFETY: every field is accessed only by the thread holding the GIL (module docs).
unsafe impl Sync for Global {}

static HEAP: Global = Global(HeapState {
    initialized: Cell::new(false),
    obmalloc: UnsafeCell::new(MaybeUninit::uninit()),
    gc: GcState::new(),
    weakrefs_created: Cell::new(0),
    live_objects: Cell::new(0),
    trash_nesting: Cell::new(0),
    trash_defer: Cell::new(0),
    trash_later: UnsafeCell::new(Vec::new()),
    trash_highwater: Cell::new(0),
    weak: UnsafeCell::new(HashMap::with_hasher(FxBuildHasher)),
    immortals: UnsafeCell::new(Vec::new()),
    unraisable: Cell::new(None),
    free_lists: [const { UnsafeCell::new(Blocks::new()) }; FREE_LIST_SLOTS],
});

/// The heap state. Only call with the GIL held.
#[inline(always)]
pub(crate) fn heap() -> &'static HeapState {
    &HEAP.0
}

impl HeapState {
    /// Sets up what cannot be built in a `static` (called once the GIL is taken).
    pub(crate) fn ensure_init(&self) {
        if !self.initialized.get() {
            // SAFETY: GIL held, first use: nobody has a reference into the slot yet.
            unsafe { (*self.obmalloc.get()).write(ObjAllocator::new()) };
            self.gc.init();
            self.initialized.set(true);
        }
    }

    /// The object allocator (pymalloc, or the mode `heap::set_malloc_mode` chose). The borrow
    /// must end before anything can reenter the heap.
    ///
    /// # Safety
    /// GIL held, `ensure_init` done, and no other borrow of the allocator alive.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn obmalloc(&self) -> &mut ObjAllocator {
        // SAFETY: (caller) initialised and exclusively borrowed.
        unsafe { (*self.obmalloc.get()).assume_init_mut() }
    }

    /// The weak-reference table. Same rules as [`obmalloc`](Self::obmalloc).
    ///
    /// # Safety
    /// GIL held and no other borrow of the table alive.
    #[inline]
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn weak_table(&self) -> &mut WeakTable {
        // SAFETY: (caller).
        unsafe { &mut *self.weak.get() }
    }
}
