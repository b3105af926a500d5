//! [`GilCell`]: interior mutability for payloads, proven safe by the GIL token instead of
//! per-object borrow flags.
//!
//! Payloads are shared (`Obj::get` hands out `&T`), so mutable state lives in cells. A
//! `RefCell` would spend a flag per cell and turn reentrancy (a finalizer that touches the
//! object whose method dropped its last reference) into a runtime panic. `GilCell` has no
//! flag. Its soundness rests on two rules:
//!
//! 1. The `&Gil<'_>` operations ([`replace`](GilCell::replace), [`set`](GilCell::set),
//!    [`take`](GilCell::take), [`get`](GilCell::get), [`cloned`](GilCell::cloned)) are
//!    `Cell`'s: they move values in and out and never hand out a reference to the contents,
//!    so no code that runs later — a finalizer triggered by dropping the old value, say — can
//!    invalidate a reference someone still holds. (`cloned` briefly reads the contents in
//!    place, so it is limited to [`PureClone`] types, whose `clone` runs no user code.)
//! 2. [`with_mut`](GilCell::with_mut) does hand out `&mut T`, so it takes `&mut Gil<'_>`: while
//!    the closure runs, no token is available to it, so it cannot reach any object's
//!    contents; and any object whose count reaches zero meanwhile is parked in the trashcan
//!    and finalized only after the closure returns.
//!
//! Only the thread holding the GIL has a token, so the contents are never touched by two
//! threads at once; `GilCell<T>` is therefore `Send` when `T` is (it is never `Sync`: sharing
//! happens through handles).

use std::cell::UnsafeCell;
use std::fmt;

use crate::dealloc;
use crate::gil::Gil;
use crate::obj::{AnyObj, Obj};
use crate::state::heap;
use crate::trace::{Trace, Tracer};
use crate::types::Object;

/// A mutable slot in a payload, accessed with the GIL token.
///
/// ```
/// use heap::{GilCell, Obj, Object, Trace, with_gil};
///
/// #[derive(Trace)]
/// struct List { items: GilCell<Vec<i64>> }
/// impl Object for List {}
///
/// with_gil(|gil| {
///     let list = Obj::new(gil, List { items: GilCell::new(vec![1, 2]) });
///     list.get(gil).items.with_mut(gil, |v| v.push(3));
///     assert_eq!(list.get(gil).items.cloned(gil), [1, 2, 3]);
/// });
/// ```
#[derive(Default)]
pub struct GilCell<T: ?Sized> {
    value: UnsafeCell<T>,
}

impl<T> GilCell<T> {
    /// A cell holding `value`.
    pub const fn new(value: T) -> GilCell<T> {
        GilCell {
            value: UnsafeCell::new(value),
        }
    }

    /// Puts `value` in and returns the old contents. The old value is dropped by the caller,
    /// after the cell already holds the new one.
    #[inline]
    pub fn replace(&self, _gil: &Gil<'_>, value: T) -> T {
        // SAFETY: rule 1 of the module docs: no reference into the contents exists, and
        // nothing else runs during the swap.
        unsafe { std::ptr::replace(self.value.get(), value) }
    }

    /// Puts `value` in, dropping the old contents afterwards.
    #[inline]
    pub fn set(&self, gil: &Gil<'_>, value: T) {
        drop(self.replace(gil, value));
    }

    /// Takes the contents, leaving `T::default()`.
    #[inline]
    pub fn take(&self, gil: &Gil<'_>) -> T
    where
        T: Default,
    {
        self.replace(gil, T::default())
    }

    /// A copy of the contents.
    #[inline]
    pub fn get(&self, _gil: &Gil<'_>) -> T
    where
        T: Copy,
    {
        // SAFETY: rule 1: a plain copy, nothing runs meanwhile.
        unsafe { *self.value.get() }
    }

    /// A clone of the contents (for handles: a new reference).
    #[inline]
    pub fn cloned(&self, _gil: &Gil<'_>) -> T
    where
        T: PureClone,
    {
        // SAFETY: rule 1: PureClone's clone runs no user code, so nothing can reach the cell
        // while the shared reference lives.
        unsafe { (*self.value.get()).clone() }
    }

    /// Runs `f` with mutable access to the contents. While it runs, no other code can touch
    /// any object (`f` gets no token), and objects whose count reaches zero are finalized and
    /// freed only after it returns.
    #[inline(always)]
    pub fn with_mut<R>(&self, _gil: &mut Gil<'_>, f: impl FnOnce(&mut T) -> R) -> R {
        let _defer = DeferGuard::new();
        // SAFETY: rule 2: the &mut Gil<'_> borrow means no other GilCell operation or payload
        // access can run until `f` returns, and deallocations are deferred.
        f(unsafe { &mut *self.value.get() })
    }

    /// Runs `f` with shared access to the contents, under the same rules as
    /// [`with_mut`](Self::with_mut) (for reading contents that are not `PureClone`).
    #[inline(always)]
    pub fn with<R>(&self, _gil: &mut Gil<'_>, f: impl FnOnce(&T) -> R) -> R {
        let _defer = DeferGuard::new();
        // SAFETY: as in with_mut.
        f(unsafe { &*self.value.get() })
    }

    /// Mutable access without the GIL, for a cell the caller owns exclusively.
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    /// The contents.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

/// Element reads of a cell holding a vector: [`cloned`](GilCell::cloned) for one element,
/// with no borrow to set up (a list's `l[i]`, a list iterator's next item).
///
/// ```
/// use heap::{AnyObj, GilCell, Obj, Object, Trace, with_gil};
///
/// #[derive(Trace)]
/// struct Int(i64);
/// impl Object for Int {}
///
/// with_gil(|gil| {
///     let items: GilCell<Vec<AnyObj>> = GilCell::new(vec![Obj::new(gil, Int(7)).into_any()]);
///     assert_eq!(items.len(gil), 1);
///     let first = items.get_at(gil, 0).expect("one element");
///     assert_eq!(first.downcast_ref::<Int>().unwrap().get(gil).0, 7);
///     assert!(items.get_at(gil, 1).is_none());
/// });
/// ```
impl<T: PureClone> GilCell<Vec<T>> {
    /// A clone of element `i`, or `None` past the end.
    #[inline]
    pub fn get_at(&self, _gil: &Gil<'_>, i: usize) -> Option<T> {
        // SAFETY: rule 1: the element's PureClone clone runs no user code, so nothing can
        // reach the cell while the shared reference lives.
        unsafe { (&*self.value.get()).get(i).cloned() }
    }

    /// The number of elements.
    #[inline]
    pub fn len(&self, _gil: &Gil<'_>) -> usize {
        // SAFETY: rule 1: reads the length, nothing runs meanwhile.
        unsafe { (&*self.value.get()).len() }
    }

    /// Whether the vector is empty.
    #[inline]
    pub fn is_empty(&self, gil: &Gil<'_>) -> bool {
        self.len(gil) == 0
    }
}

/// Defers deallocations for the duration of a `with_mut`/`with` borrow.
struct DeferGuard;

impl DeferGuard {
    #[inline]
    fn new() -> DeferGuard {
        let h = heap();
        h.trash_defer.set(h.trash_defer.get() + 1);
        DeferGuard
    }
}

impl Drop for DeferGuard {
    #[inline]
    fn drop(&mut self) {
        let h = heap();
        let depth = h.trash_defer.get() - 1;
        h.trash_defer.set(depth);
        if depth == 0 && h.trash_nesting.get() == 0 {
            dealloc::drain();
        }
    }
}

impl<T: ?Sized> fmt::Debug for GilCell<T> {
    /// The contents need the GIL, so only the type is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GilCell { .. }")
    }
}

// SAFETY: tracing runs only from collector/referents code that holds a token, never while a
// with_mut borrow is active (that needs the token exclusively) nor during a replace; it
// visits what the contents own.
unsafe impl<T: Trace + ?Sized> Trace for GilCell<T> {
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        // SAFETY: see above: no &mut to the contents exists while tracing.
        unsafe { (*self.value.get()).trace(tracer) }
    }
}

mod sealed {
    pub trait Sealed {}
}

/// Types whose `clone` runs no user code (handles, primitives, strings, and `Option`, `Vec`,
/// tuples and boxes of them), so [`GilCell::cloned`] can clone them in place.
pub trait PureClone: Clone + sealed::Sealed {}

macro_rules! pure_clone {
    ($($ty:ty),*) => {
        $(impl sealed::Sealed for $ty {} impl PureClone for $ty {})*
    };
}

pure_clone!(
    bool,
    char,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
    (),
    String,
    &'static str,
    AnyObj
);

impl<T: Object> sealed::Sealed for Obj<T> {}
impl<T: Object> PureClone for Obj<T> {}
impl<T: PureClone> sealed::Sealed for Option<T> {}
impl<T: PureClone> PureClone for Option<T> {}
impl<T: PureClone> sealed::Sealed for Vec<T> {}
impl<T: PureClone> PureClone for Vec<T> {}
impl<T: PureClone> sealed::Sealed for Box<T> {}
impl<T: PureClone> PureClone for Box<T> {}
impl<A: PureClone, B: PureClone> sealed::Sealed for (A, B) {}
impl<A: PureClone, B: PureClone> PureClone for (A, B) {}
impl<A: PureClone, B: PureClone, C: PureClone> sealed::Sealed for (A, B, C) {}
impl<A: PureClone, B: PureClone, C: PureClone> PureClone for (A, B, C) {}
