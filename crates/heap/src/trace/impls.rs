//! [`Trace`] for std types.
//!
//! Three families, in this order below:
//!
//! 1. **Leaves** own no handles and trace nothing: numbers, `bool`, `char`, `()`, strings
//!    and paths, `Duration`, `Instant`, `TypeId`, `NonZero*`, atomics, `PhantomData`, and
//!    `Cell<T: Copy>` (see its impl for why a `Copy` type cannot own a handle).
//! 2. **Containers** own their contents and trace each element once, in the container's
//!    iteration order: `Option`, `Result`, `Box<T: ?Sized>` (so `Box<str>`, `Box<[T]>` and
//!    `Box<dyn Trace>` too), slices, arrays, `Vec`, `VecDeque`, `LinkedList`, `BinaryHeap`,
//!    tuples up to twelve elements, `BTreeMap` / `HashMap` (keys, then the value, entry by
//!    entry), `BTreeSet` / `HashSet`, `Reverse`, and `OnceCell` / `OnceLock` (when set).
//! 3. **Deliberately absent**, so that a field of these types is a compile error instead of
//!    a wrong count:
//!    * `Rc<T>` / `Arc<T>`: the contents are shared. Every clone would visit the handles
//!      inside once, so a value held by two `Rc`s reports its handles twice, and the
//!      collector would subtract more references than exist (the unsound direction). Put
//!      shared contents in an object of their own and share the `Obj` instead.
//!    * `RefCell<T>`, `Mutex<T>`, `RwLock<T>`: tracing would have to borrow or lock, and a
//!      borrow held across a collection would make the object untraceable (boa_gc panics
//!      there, dumpster guesses). Use `GilCell`, whose borrows are tied to the GIL token that
//!      a collection needs, so the two can never overlap.
//!    * `Cell<T>` for non-`Copy` `T`: its contents cannot be borrowed. Use `GilCell`.
//!    * `ManuallyDrop<T>` / `MaybeUninit<T>`: whether the contents are still there is not
//!      recorded, so no implementation could know whether to visit them.
//!    * References (`&T`) other than `&str`: a reference does not own what it points to, so
//!      it must not visit it; a payload that is `'static` has no use for one anyway.
//!
//! Every implementation here is `unsafe impl` with its reason; the containers rely only on
//! each element being owned by exactly one slot of the container.

use std::any::TypeId;
use std::cell::{Cell, OnceCell};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::ffi::{CStr, CString, OsStr, OsString};
use std::marker::{PhantomData, PhantomPinned};
use std::num::NonZero;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{
    AtomicBool, AtomicI8, AtomicI16, AtomicI32, AtomicI64, AtomicIsize, AtomicPtr, AtomicU8,
    AtomicU16, AtomicU32, AtomicU64, AtomicUsize,
};
use std::time::{Duration, Instant, SystemTime};

use super::{Trace, Tracer};

// ---------------------------------------------------------------------------------------
// Leaves
// ---------------------------------------------------------------------------------------

// Every type in these lists is plain data: its values hold no `Obj` or `AnyObj`, directly or
// through anything they own, so visiting nothing is exactly right. (Brace-delimited so that
// rustfmt keeps the lists in rows.)
crate::unsafe_empty_trace! {
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64, bool, char, (),
}
crate::unsafe_empty_trace! {
    NonZero<u8>, NonZero<u16>, NonZero<u32>, NonZero<u64>, NonZero<u128>, NonZero<usize>,
    NonZero<i8>, NonZero<i16>, NonZero<i32>, NonZero<i64>, NonZero<i128>, NonZero<isize>,
}
crate::unsafe_empty_trace! {
    AtomicBool, AtomicU8, AtomicU16, AtomicU32, AtomicU64, AtomicUsize,
    AtomicI8, AtomicI16, AtomicI32, AtomicI64, AtomicIsize,
}
crate::unsafe_empty_trace! {
    str, String, CStr, CString, OsStr, OsString, Path, PathBuf,
}
crate::unsafe_empty_trace! {
    Duration, Instant, SystemTime, TypeId, std::cmp::Ordering, PhantomPinned,
}

// SAFETY: a string slice is bytes; the reference borrows them and owns nothing. (Boxed
// strings are covered by `Box<T: ?Sized>` over the `str` impl above.)
unsafe impl Trace for &str {
    #[inline]
    fn trace(&self, _tracer: &mut Tracer<'_>) {}
}

// SAFETY: `PhantomData<T>` is zero-sized: it owns no `T`, whatever `T` is, so no handle.
unsafe impl<T: ?Sized> Trace for PhantomData<T> {
    #[inline]
    fn trace(&self, _tracer: &mut Tracer<'_>) {}
}

// SAFETY: an atomic pointer is an address; it owns nothing (a raw pointer is not a handle,
// and the heap never hands out raw pointers to objects).
unsafe impl<T> Trace for AtomicPtr<T> {
    #[inline]
    fn trace(&self, _tracer: &mut Tracer<'_>) {}
}

// SAFETY: a `Copy` type owns no handle. `Obj` and `AnyObj` have a `Drop` impl (it gives the
// reference back), so they are not `Copy`, and a type is `Copy` only if all of its fields
// are, so no `Copy` type contains one, however deeply. A `&'static AnyObj` inside a `Copy`
// type is a borrow, not an owned reference, and must not be visited either. So there is
// nothing to trace, and `T: Trace` is not required: `Cell<T>` is allowed for every `Copy`
// `T`, which is what `Cell` is for (non-`Copy` contents: use `GilCell`).
unsafe impl<T: Copy> Trace for Cell<T> {
    #[inline]
    fn trace(&self, _tracer: &mut Tracer<'_>) {}
}

// ---------------------------------------------------------------------------------------
// Containers with one element, or none
// ---------------------------------------------------------------------------------------

// SAFETY: an `Option` owns its value when it is `Some`, and nothing else; the value is
// traced once.
unsafe impl<T: Trace> Trace for Option<T> {
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if let Some(value) = self {
            T::trace(value, tracer);
        }
    }
}

// SAFETY: a `Result` owns exactly its `Ok` or its `Err` value; that one is traced once.
unsafe impl<T: Trace, E: Trace> Trace for Result<T, E> {
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        match self {
            Ok(value) => T::trace(value, tracer),
            Err(error) => E::trace(error, tracer),
        }
    }
}

// SAFETY: a `Box` uniquely owns its contents, which are traced once. This covers `Box<str>`,
// `Box<[T]>` and trait objects (`Box<dyn Trace>`).
unsafe impl<T: ?Sized + Trace> Trace for Box<T> {
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        T::trace(&**self, tracer);
    }
}

// SAFETY: `Reverse` is a transparent wrapper owning its one value, traced once.
unsafe impl<T: Trace> Trace for Reverse<T> {
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        T::trace(&self.0, tracer);
    }
}

// SAFETY: a set `OnceCell` owns its value, traced once; an unset one owns nothing. Tracing
// runs no user code, so the cell cannot be set while it is being traced.
unsafe impl<T: Trace> Trace for OnceCell<T> {
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if let Some(value) = self.get() {
            T::trace(value, tracer);
        }
    }
}

// SAFETY: as for `OnceCell`. Another thread cannot set a lock inside a payload while the
// collector traces it: reaching a payload takes the GIL token, which the collector holds.
unsafe impl<T: Trace> Trace for OnceLock<T> {
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if let Some(value) = self.get() {
            T::trace(value, tracer);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Sequences and sets: every element once
// ---------------------------------------------------------------------------------------

/// `unsafe impl<T: Trace> Trace for $ty` that traces each item of `&self`'s iterator.
macro_rules! trace_each_item {
    ($($ty:ty),* $(,)?) => {
        $(
            // SAFETY: the collection owns each of its elements and nothing else, and its
            // iterator yields every element exactly once.
            unsafe impl<T: Trace> Trace for $ty {
                #[inline]
                fn trace(&self, tracer: &mut Tracer<'_>) {
                    for item in self {
                        T::trace(item, tracer);
                    }
                }
            }
        )*
    };
}

trace_each_item!(
    [T],
    Vec<T>,
    VecDeque<T>,
    LinkedList<T>,
    BinaryHeap<T>,
    BTreeSet<T>
);

// SAFETY: an array owns its `N` elements, each traced once.
unsafe impl<T: Trace, const N: usize> Trace for [T; N] {
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        <[T]>::trace(self.as_slice(), tracer);
    }
}

// SAFETY: a set owns each of its elements, and its iterator yields every element once. The
// hasher `S` holds no element.
unsafe impl<T: Trace, S> Trace for HashSet<T, S> {
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        for item in self {
            T::trace(item, tracer);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Maps: every key and every value once
// ---------------------------------------------------------------------------------------

// SAFETY: a map owns each key and each value, and its iterator yields every entry once.
unsafe impl<K: Trace, V: Trace> Trace for BTreeMap<K, V> {
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        for (key, value) in self {
            K::trace(key, tracer);
            V::trace(value, tracer);
        }
    }
}

// SAFETY: as for `BTreeMap`; the hasher `S` holds no entry.
unsafe impl<K: Trace, V: Trace, S> Trace for HashMap<K, V, S> {
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        for (key, value) in self {
            K::trace(key, tracer);
            V::trace(value, tracer);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Tuples: every element once, left to right
// ---------------------------------------------------------------------------------------

/// `Trace` for one tuple type: each `$name` is a type parameter, `$index` its position.
macro_rules! trace_tuple {
    ($($name:ident $index:tt),+) => {
        // SAFETY: a tuple owns its elements, each traced once.
        unsafe impl<$($name: Trace),+> Trace for ($($name,)+) {
            #[inline]
            fn trace(&self, tracer: &mut Tracer<'_>) {
                $($name::trace(&self.$index, tracer);)+
            }
        }
    };
}

trace_tuple!(A 0);
trace_tuple!(A 0, B 1);
trace_tuple!(A 0, B 1, C 2);
trace_tuple!(A 0, B 1, C 2, D 3);
trace_tuple!(A 0, B 1, C 2, D 3, E 4);
trace_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);
trace_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
trace_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
trace_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
trace_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
trace_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
trace_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
