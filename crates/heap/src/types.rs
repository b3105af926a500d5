//! Types: the [`Object`] trait a payload implements, and the type descriptor built from it.
//!
//! Every object's header points at a [`TypeInfo`], a table of functions monomorphised for its
//! payload type — CPython's `PyTypeObject` reduced to what memory management needs: name,
//! size, whether instances are tracked by the cycle collector or can be weakly referenced,
//! and the slots `trace` (`tp_traverse`), `drop` (the payload part of `tp_dealloc`),
//! `finalize` (`tp_finalize`, i.e. `__del__`) and `call` (used for weak-reference callbacks).
//! An untyped handle ([`AnyObj`]) reaches all of them through the header, which is what lets
//! one heap hold many payload types, as a VM needs.

use std::any::{Any, TypeId};
use std::fmt;
use std::mem::ManuallyDrop;
use std::ptr::NonNull;

use crate::free_list::{FREE_LIST_SLOTS, FreeList};
use crate::gil::Gil;
use crate::header::{Header, ObjBox, links_size};
use crate::obj::{AnyObj, Obj};
use crate::trace::{Trace, Tracer};

/// A finalizer: CPython's `tp_finalize` (`__del__`). See [`Object::FINALIZER`].
pub type Finalizer<T> = fn(this: &Obj<T>, gil: &mut Gil<'_>);

/// Whether an object's finalizer has work to do. See [`Object::FINALIZER_WANTED`].
pub type FinalizerWanted<T> = fn(this: &Obj<T>, gil: &Gil<'_>) -> bool;

/// A clear slot: CPython's `tp_clear`. See [`Object::CLEAR`].
pub type ClearSlot<T> = fn(this: &Obj<T>, gil: &mut Gil<'_>);

/// A call slot taking one argument (used to call weak-reference callbacks). See
/// [`Object::CALL`].
pub type CallSlot<T> = fn(this: &Obj<T>, gil: &mut Gil<'_>, arg: &AnyObj);

/// A payload type that can live in the heap.
///
/// ```
/// use heap::{Obj, Object, Trace, with_gil};
///
/// #[derive(Trace)]
/// struct Point { x: f64, y: f64 }
/// impl Object for Point {
///     const TRACKED: bool = false; // holds no handles: an atomic object, no GC links
/// }
///
/// with_gil(|gil| {
///     let p = Obj::new(gil, Point { x: 1.0, y: 2.0 });
///     assert_eq!(p.get(gil).x + p.get(gil).y, 3.0);
/// });
/// ```
pub trait Object: Trace + Send + Sized + 'static {
    /// Whether instances are tracked by the cycle collector (CPython's `Py_TPFLAGS_HAVE_GC`).
    /// Containers that can be part of a cycle must be tracked; atomic payloads (numbers,
    /// strings) and types whose handles are all set at construction and never changed (they
    /// cannot close a cycle) may be untracked and save the 16 bytes of GC links.
    const TRACKED: bool = true;

    /// Whether weak references to instances can be created (`tp_weaklistoffset != 0`).
    const WEAKREFABLE: bool = true;

    /// The finalizer (`__del__`), if the type has one. It runs at most once per object
    /// (PEP 442), with the object intact, before its weak references are cleared: when the
    /// last reference is dropped, or when the cycle collector finds the object in garbage.
    /// It may resurrect the object by storing a new strong reference to it somewhere; the
    /// object then stays alive and is not freed.
    ///
    /// "At most once" holds for every object here, tracked or not: CPython 3.11 keeps the
    /// finalized bit in the GC header, so an object of a type without GC support is
    /// finalized again each time it dies after a resurrection; pymem keeps the bit in the
    /// header every object has.
    const FINALIZER: Option<Finalizer<Self>> = None;

    /// Whether [`FINALIZER`](Self::FINALIZER) has anything to do for this object, asked
    /// before any of the finalizer machinery runs. CPython's `tp_finalize` belongs to a
    /// type; a VM with one payload type for all its classes, some with `__del__` and some
    /// without, answers per object here. An object it says `false` for is not finalized
    /// (not marked, not called) and dies or is collected like one of a type without a
    /// finalizer. `None` (the default): always.
    const FINALIZER_WANTED: Option<FinalizerWanted<Self>> = None;

    /// CPython's `tp_clear`: drop the references the object holds (through its `GilCell`s),
    /// leaving it valid but empty, so that a cycle through it falls apart. The cycle
    /// collector calls it on unreachable objects after their finalizers ran;
    /// [`AnyObj::clear`] calls it on demand. `None` (the default) tells the collector to
    /// break the object by dropping its payload in place, which needs no code from the type
    /// but leaves nothing behind (fine for garbage, which nothing can reach).
    const CLEAR: Option<ClearSlot<Self>> = None;

    /// CPython's `tp_del`, a legacy finalizer (before PEP 442). On the reference-counting
    /// path it runs at every death, after the weak references were cleared, and may
    /// resurrect the object (it then runs again at the next death). The cycle collector
    /// cannot know in which order to run such finalizers, so garbage that contains an
    /// object with one, and everything that object reaches, is **uncollectable**: it goes
    /// to [`gc::garbage`](crate::gc::garbage) untouched (CPython's behaviour for C types
    /// with `tp_del`). Meant for reproducing CPython; new types should use `FINALIZER`.
    const LEGACY_FINALIZER: Option<Finalizer<Self>> = None;

    /// Whether the collector may untrack instances that reference only untracked objects
    /// (CPython does it for tuples and dicts). Only for types that re-track themselves when
    /// they gain a tracked referent (or cannot, being immutable).
    const UNTRACK: Untrack = Untrack::Never;

    /// The call slot, if instances are callable: used when an instance is a weak
    /// reference's callback (the argument is the weak reference).
    const CALL: Option<CallSlot<Self>> = None;

    /// A number the embedder chooses for its own dispatch, read back with
    /// [`AnyObj::tag`] in two loads (a VM can `match` on it instead of trying downcasts one
    /// after another). The heap never looks at it. Default `0`.
    const TAG: u32 = 0;

    /// The free list dead instances go on for reuse, as CPython keeps for its tuples, lists,
    /// dicts and floats (see [`FreeList`]); `None` (the default) frees them at once. Visible
    /// to Python code the way CPython's are: an object made from the list, or put on it, does
    /// not move the generation 0 count.
    const FREE_LIST: Option<FreeList> = None;

    /// The type's name in messages and `Debug` output (default: the Rust type name).
    fn type_name() -> &'static str {
        std::any::type_name::<Self>()
    }
}

/// When the cycle collector may untrack an object that references only untracked objects
/// ([`Object::UNTRACK`]). The collector checks each referent: one of an untracked type never
/// counts; one of a tracked type counts if it is tracked now, or — for types with
/// `FullCollections` or `Never`, which can become tracked again — always.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Untrack {
    /// Never (the default).
    Never,
    /// At every collection that finds the object alive (CPython's tuples: immutable, so
    /// once untracked they stay so, and count as untracked referents).
    Collections,
    /// At full collections only (CPython's dicts: they track themselves again when a
    /// tracked value is stored, so they always count as possibly tracked referents).
    FullCollections,
}

/// The descriptor every object's header points at (a vtable built from [`Object`]).
pub struct TypeInfo {
    pub(crate) name: fn() -> &'static str,
    pub(crate) type_id: TypeId,
    pub(crate) tag: u32,
    /// Bytes allocated per object, GC links included.
    pub(crate) alloc_size: usize,
    pub(crate) tracked: bool,
    pub(crate) weakrefable: bool,
    /// Instances hold nothing to drop (so no handles), are untracked, and have no
    /// finalizer and no weak references: freeing one runs no code (`dealloc`'s fast path).
    pub(crate) leaf: bool,
    pub(crate) trace: unsafe fn(NonNull<Header>, &mut Tracer<'_>),
    pub(crate) drop_value: unsafe fn(NonNull<Header>),
    pub(crate) finalize: Option<unsafe fn(NonNull<Header>, &mut Gil<'_>)>,
    pub(crate) finalize_wanted: Option<unsafe fn(NonNull<Header>, &Gil<'_>) -> bool>,
    pub(crate) clear: Option<unsafe fn(NonNull<Header>, &mut Gil<'_>)>,
    pub(crate) legacy_del: Option<unsafe fn(NonNull<Header>, &mut Gil<'_>)>,
    pub(crate) untrack: Untrack,
    pub(crate) free_list: Option<FreeList>,
    pub(crate) call: Option<unsafe fn(NonNull<Header>, &mut Gil<'_>, &AnyObj)>,
    pub(crate) as_any: unsafe fn(NonNull<Header>) -> *const dyn Any,
}

impl TypeInfo {
    /// Whether the finalizer of the live object `h` (of this type) should run now: it has
    /// one, it has not run, and the type's [`Object::FINALIZER_WANTED`] agrees.
    ///
    /// # Safety
    /// `h` is the header of a live object of this type.
    pub(crate) unsafe fn finalizer_due(&self, h: NonNull<Header>, gil: &Gil<'_>) -> bool {
        // SAFETY: (caller) a live object.
        let header = unsafe { h.as_ref() };
        self.finalize.is_some()
            && !header.has_flag(crate::header::FINALIZED)
            // SAFETY: (caller) a live object of this type.
            && self.finalize_wanted.is_none_or(|f| unsafe { f(h, gil) })
    }

    /// The type's name.
    pub fn name(&self) -> &'static str {
        (self.name)()
    }

    /// Whether instances carry GC links and join the collector's generations.
    pub fn is_tracked_type(&self) -> bool {
        self.tracked
    }

    /// Whether instances can be weakly referenced.
    pub fn is_weakrefable(&self) -> bool {
        self.weakrefable
    }

    /// Whether the type has its own clear slot ([`Object::CLEAR`]).
    pub fn has_clear(&self) -> bool {
        self.clear.is_some()
    }

    /// Whether instances have a legacy finalizer ([`Object::LEGACY_FINALIZER`]).
    pub fn has_legacy_finalizer(&self) -> bool {
        self.legacy_del.is_some()
    }

    /// Whether instances have a finalizer.
    pub fn has_finalizer(&self) -> bool {
        self.finalize.is_some()
    }

    /// Bytes allocated for each instance, header and GC links included.
    pub fn instance_size(&self) -> usize {
        self.alloc_size
    }

    /// The embedder's tag ([`Object::TAG`]).
    #[inline]
    pub fn tag(&self) -> u32 {
        self.tag
    }

    /// Whether this describes payload type `T`.
    #[inline]
    pub fn is<T: 'static>(&self) -> bool {
        self.type_id == TypeId::of::<T>()
    }
}

impl fmt::Debug for TypeInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TypeInfo")
            .field("name", &self.name())
            .field("tracked", &self.tracked)
            .field("weakrefable", &self.weakrefable)
            .field("finalizer", &self.finalize.is_some())
            .field("instance_size", &self.alloc_size)
            .finish()
    }
}

/// The descriptor of `T`, as an associated constant so every object of `T` points at it.
pub(crate) struct TypeOf<T>(std::marker::PhantomData<T>);

impl<T: Object> TypeOf<T> {
    pub(crate) const INFO: &'static TypeInfo = &TypeInfo {
        name: T::type_name,
        type_id: TypeId::of::<T>(),
        tag: T::TAG,
        alloc_size: links_size(T::TRACKED) + size_of::<ObjBox<T>>(),
        tracked: T::TRACKED,
        weakrefable: T::WEAKREFABLE,
        leaf: !std::mem::needs_drop::<T>()
            && !T::TRACKED
            && !T::WEAKREFABLE
            && T::FINALIZER.is_none()
            && T::LEGACY_FINALIZER.is_none(),
        trace: trace_value::<T>,
        drop_value: drop_value::<T>,
        finalize: match T::FINALIZER {
            Some(_) => Some(finalize_value::<T>),
            None => None,
        },
        finalize_wanted: match T::FINALIZER_WANTED {
            Some(_) => Some(finalize_wanted_value::<T>),
            None => None,
        },
        clear: match T::CLEAR {
            Some(_) => Some(clear_value::<T>),
            None => None,
        },
        legacy_del: match T::LEGACY_FINALIZER {
            Some(_) => Some(legacy_del_value::<T>),
            None => None,
        },
        untrack: T::UNTRACK,
        free_list: T::FREE_LIST,
        call: match T::CALL {
            Some(_) => Some(call_value::<T>),
            None => None,
        },
        as_any: as_any_value::<T>,
    };

    /// Checks, at compile time, that `T` fits the heap's 16-byte alignment and names one of
    /// the heap's free lists, if any.
    pub(crate) const ALIGN_OK: () = {
        assert!(
            align_of::<ObjBox<T>>() <= 16,
            "heap objects are 16-byte aligned: payloads with a larger alignment are not supported"
        );
        if let Some(fl) = T::FREE_LIST {
            assert!(
                fl.slot < FREE_LIST_SLOTS,
                "Object::FREE_LIST names a slot past FREE_LIST_SLOTS"
            );
        }
    };
}

/// # Safety (all slot functions below)
/// `h` is the header of a live object whose payload type is `T`.
unsafe fn trace_value<T: Object>(h: NonNull<Header>, tracer: &mut Tracer<'_>) {
    // SAFETY: (slot contract) the object is a live ObjBox<T>.
    let value = unsafe { &h.cast::<ObjBox<T>>().as_ref().value };
    value.trace(tracer);
}

unsafe fn drop_value<T: Object>(h: NonNull<Header>) {
    // SAFETY: (slot contract) the payload is initialised; the caller never touches it again.
    unsafe { std::ptr::drop_in_place(&raw mut (*h.cast::<ObjBox<T>>().as_ptr()).value) }
}

unsafe fn finalize_value<T: Object>(h: NonNull<Header>, gil: &mut Gil<'_>) {
    // SAFETY: (slot contract) a borrowed handle to the live object; ManuallyDrop keeps the
    // caller's reference where it is.
    let this = ManuallyDrop::new(unsafe { Obj::<T>::from_header(h) });
    if let Some(f) = T::FINALIZER {
        f(&this, gil);
    }
}

unsafe fn finalize_wanted_value<T: Object>(h: NonNull<Header>, gil: &Gil<'_>) -> bool {
    // SAFETY: as in finalize_value.
    let this = ManuallyDrop::new(unsafe { Obj::<T>::from_header(h) });
    T::FINALIZER_WANTED.is_none_or(|f| f(&this, gil))
}

unsafe fn legacy_del_value<T: Object>(h: NonNull<Header>, gil: &mut Gil<'_>) {
    // SAFETY: as in finalize_value.
    let this = ManuallyDrop::new(unsafe { Obj::<T>::from_header(h) });
    if let Some(f) = T::LEGACY_FINALIZER {
        f(&this, gil);
    }
}

unsafe fn clear_value<T: Object>(h: NonNull<Header>, gil: &mut Gil<'_>) {
    // SAFETY: as in finalize_value.
    let this = ManuallyDrop::new(unsafe { Obj::<T>::from_header(h) });
    if let Some(f) = T::CLEAR {
        f(&this, gil);
    }
}

unsafe fn call_value<T: Object>(h: NonNull<Header>, gil: &mut Gil<'_>, arg: &AnyObj) {
    // SAFETY: as in finalize_value.
    let this = ManuallyDrop::new(unsafe { Obj::<T>::from_header(h) });
    if let Some(f) = T::CALL {
        f(&this, gil, arg);
    }
}

unsafe fn as_any_value<T: Object>(h: NonNull<Header>) -> *const dyn Any {
    // SAFETY: (slot contract) the object is a live ObjBox<T>.
    unsafe { &raw const (*h.cast::<ObjBox<T>>().as_ptr()).value as *const dyn Any }
}
