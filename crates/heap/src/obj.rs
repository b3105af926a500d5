//! Strong handles: [`Obj<T>`] (typed) and [`AnyObj`] (untyped, CPython's `PyObject *`).
//!
//! A handle is one pointer to the object's header. Cloning increments the reference count
//! and dropping decrements it; when the count reaches zero the object is finalized and freed
//! on the spot (see [`dealloc`](crate::dealloc)). The counts are plain, non-atomic integers:
//! only the thread holding the GIL touches them. Handles are `Send`, so they can move to other
//! threads, but every operation needs the GIL: the ones that read or change the object take a
//! [`Gil`] token (a compile-time proof), and the two that cannot take one — `Clone` and `Drop`
//! — check a thread-local flag. `clone` without the GIL panics (naming the misuse);
//! `drop` without it is queued and applied by the next thread that takes the GIL, as PyO3 does.
//! [`Obj::clone_ref`] is the check-free clone for code that holds a token.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ptr::NonNull;

use crate::dealloc::dealloc;
use crate::generation;
use crate::gil::{self, Gil};
#[cfg(doc)]
use crate::header::IMMORTAL_REFCOUNT;
use crate::header::{GcLinks, Header, ObjBox, links_size};
use crate::state::heap;
use crate::trace::{Trace, Tracer};
use crate::types::{Object, TypeInfo, TypeOf};

/// A strong handle to an object whose payload is a `T` (an `Rc<T>` for the GIL world).
///
/// ```
/// use heap::{Obj, Object, Trace, with_gil};
///
/// #[derive(Trace)]
/// struct Name(String);
/// impl Object for Name {}
///
/// with_gil(|gil| {
///     let a = Obj::new(gil, Name("spam".into()));
///     assert_eq!(a.refcount(gil), 1);
///     let b = a.clone_ref(gil);
///     assert_eq!(a.refcount(gil), 2);
///     drop(b);
///     assert_eq!(a.get(gil).0, "spam");
/// });
/// ```
#[repr(transparent)]
pub struct Obj<T> {
    ptr: NonNull<Header>,
    _marker: PhantomData<ObjBox<T>>,
}

/// A strong handle to an object of any type: CPython's `PyObject *`.
///
/// Converts from and to [`Obj<T>`] (checked downcast) and reaches the payload as `&dyn Any`.
#[repr(transparent)]
pub struct AnyObj {
    ptr: NonNull<Header>,
}

// SAFETY: handles may move to another thread; every access to the object (count included)
// happens under the GIL (module docs), and the payload is `Send` (`Object: Send`).
unsafe impl<T: Object> Send for Obj<T> {}
// SAFETY: as for Obj<T>: all payloads are `Send`.
unsafe impl Send for AnyObj {}

/// An allocation failure: the allocator could not provide memory for the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllocError {
    /// Bytes that were requested.
    pub size: usize,
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "out of memory allocating a {}-byte object", self.size)
    }
}

impl std::error::Error for AllocError {}

impl<T: Object> Obj<T> {
    /// Allocates an object holding `value`, with a reference count of one. Tracked types
    /// join generation 0 of the cycle collector. Aborts like `Box::new` if memory runs out;
    /// see [`try_new`](Self::try_new).
    #[inline]
    pub fn new(gil: &Gil<'_>, value: T) -> Obj<T> {
        match Obj::try_new(gil, value) {
            Ok(obj) => obj,
            Err(e) => std::alloc::handle_alloc_error(
                std::alloc::Layout::from_size_align(e.size, 16).expect("object layout"),
            ),
        }
    }

    /// Allocates an object holding `value`, or returns `AllocError` (CPython's `MemoryError`)
    /// if memory runs out; `value` is dropped then.
    #[inline]
    pub fn try_new(_gil: &Gil<'_>, value: T) -> Result<Obj<T>, AllocError> {
        #[allow(clippy::let_unit_value)]
        let () = TypeOf::<T>::ALIGN_OK;
        let info = TypeOf::<T>::INFO;
        let h = heap();
        // A block off the type's free list is not counted (CPython makes such an object
        // with `_Py_NewReference` alone).
        let reused = match T::FREE_LIST {
            Some(fl) => crate::free_list::pop(fl.slot, info.alloc_size),
            None => None,
        };
        let block = match reused {
            Some(block) => block,
            None => {
                if T::TRACKED {
                    // CPython 3.11's `_PyObject_GC_Link`: count the allocation, and collect
                    // right here once generation 0 is over its threshold (the trigger is
                    // `usize::MAX` while collection is disabled or running).
                    let count0 = &h.gc.counts[0];
                    let c = count0.get() + 1;
                    count0.set(c);
                    if c > h.gc.trigger.get() {
                        crate::gc::collect_automatic();
                    }
                }
                // SAFETY: GIL held (token), the borrow ends before anything else runs.
                unsafe { h.obmalloc().alloc(info.alloc_size) }.ok_or(AllocError {
                    size: info.alloc_size,
                })?
            }
        };
        let prefix = links_size(T::TRACKED);
        // SAFETY: the block has alloc_size bytes, 16-aligned (ALIGN_OK); links (if any) come
        // first, then the ObjBox.
        let ptr = unsafe {
            if T::TRACKED {
                block.cast::<GcLinks>().write(GcLinks::untracked());
            }
            let bx = block.add(prefix).cast::<ObjBox<T>>();
            bx.write(ObjBox {
                header: Header::new(info),
                value,
            });
            bx.cast::<Header>()
        };
        h.live_objects.set(h.live_objects.get() + 1);
        if T::TRACKED {
            // SAFETY: a fresh object of a tracked type, in no list.
            unsafe { h.gc.gens[0].push_back(ptr) };
        }
        Ok(Obj {
            ptr,
            _marker: PhantomData,
        })
    }

    /// Allocates an immortal object (CPython 3.12+): its count never changes, it is never
    /// freed, and [`refcount`](Self::refcount) reports [`IMMORTAL_REFCOUNT`].
    pub fn new_immortal(gil: &Gil<'_>, value: T) -> Obj<T> {
        let obj = Obj::new(gil, value);
        obj.as_any().make_immortal(gil);
        obj
    }

    /// Builds a handle from a header without touching the count.
    ///
    /// # Safety
    /// `h` is a live object of type `T`, and the new handle owns one of its references.
    #[inline]
    pub(crate) unsafe fn from_header(h: NonNull<Header>) -> Obj<T> {
        Obj {
            ptr: h,
            _marker: PhantomData,
        }
    }

    #[inline]
    fn boxed(&self) -> &ObjBox<T> {
        // SAFETY: a handle keeps its object alive and the box initialised; shared access only.
        unsafe { self.ptr.cast::<ObjBox<T>>().as_ref() }
    }

    /// The payload. Mutable state lives in [`GilCell`](crate::GilCell)s inside it.
    ///
    /// The reference lives as long as this handle's borrow and the GIL acquisition (`'py`),
    /// but does not keep the token borrowed.
    #[inline]
    pub fn get<'a, 'py: 'a>(&'a self, _gil: &Gil<'py>) -> &'a T {
        &self.boxed().value
    }

    /// A new handle to the same object (increments the count). Needs no thread check: the
    /// token proves the GIL is held.
    #[inline]
    pub fn clone_ref(&self, _gil: &Gil<'_>) -> Obj<T> {
        self.boxed().header.incref();
        Obj {
            ptr: self.ptr,
            _marker: PhantomData,
        }
    }

    /// The reference count (`sys.getrefcount` minus the argument's own reference);
    /// [`IMMORTAL_REFCOUNT`] for an immortal object.
    #[inline]
    pub fn refcount(&self, gil: &Gil<'_>) -> usize {
        self.as_any().refcount(gil)
    }
}

impl<T: Object + Copy> Obj<T> {
    /// Overwrites the payload with `value` when this handle is the object's only reference
    /// (a count of one, no weak reference, not immortal), so the object is reused where a
    /// new one would be allocated and this one freed: CPython 3.12+'s `BINARY_OP` on floats
    /// writes its result into an operand about to die the same way. Gives `value` back and
    /// changes nothing otherwise.
    ///
    /// Nothing can observe the change: no other handle exists, so no other reference to the
    /// payload does either (`&mut self` ends this handle's own borrows), and `T: Copy` means
    /// the old payload needs no drop, so no code runs meanwhile.
    ///
    /// ```
    /// use heap::{Obj, Object, Trace, with_gil};
    ///
    /// #[derive(Trace, Clone, Copy)]
    /// struct Float(f64);
    /// impl Object for Float {}
    ///
    /// with_gil(|gil| {
    ///     let mut x = Obj::new(gil, Float(1.5));
    ///     assert!(x.set_unique(gil, Float(2.5)).is_ok());
    ///     assert_eq!(x.get(gil).0, 2.5);
    ///     let y = x.clone_ref(gil); // shared now: left alone
    ///     assert_eq!(x.set_unique(gil, Float(3.5)).map_err(|v| v.0), Err(3.5));
    ///     assert_eq!(y.get(gil).0, 2.5);
    /// });
    /// ```
    #[inline]
    pub fn set_unique(&mut self, _gil: &Gil<'_>, value: T) -> Result<(), T> {
        if !self.boxed().header.is_sole_owner() {
            return Err(value);
        }
        let p = self.ptr.cast::<ObjBox<T>>().as_ptr();
        // SAFETY: the object is alive (this handle) and its only handle is borrowed mutably
        // here, so no reference to the payload exists; the write replaces a `Copy` value in
        // place, so nothing is dropped and no other code runs before it completes.
        unsafe { std::ptr::addr_of_mut!((*p).value).write(value) };
        Ok(())
    }
}

impl<T> Obj<T> {
    /// This handle as an untyped one (no count change).
    #[inline]
    pub fn as_any(&self) -> &AnyObj {
        // SAFETY: both are repr(transparent) over the same NonNull<Header>.
        unsafe { &*(self as *const Obj<T>).cast::<AnyObj>() }
    }

    /// Converts into an untyped handle (no count change).
    #[inline]
    pub fn into_any(self) -> AnyObj {
        let this = ManuallyDrop::new(self);
        AnyObj { ptr: this.ptr }
    }

    /// Whether two handles point at the same object (`is`).
    #[inline]
    pub fn ptr_eq(&self, other: &Obj<T>) -> bool {
        self.ptr == other.ptr
    }
}

impl AnyObj {
    #[inline]
    pub(crate) fn header_ptr(&self) -> NonNull<Header> {
        self.ptr
    }

    #[inline]
    fn header(&self) -> &Header {
        // SAFETY: a handle keeps its object alive.
        unsafe { self.ptr.as_ref() }
    }

    /// A new strong handle to a live object, incrementing its count.
    ///
    /// # Safety
    /// `h` is a live object (count > 0) and the GIL is held.
    #[inline]
    pub(crate) unsafe fn new_ref(h: NonNull<Header>) -> AnyObj {
        // SAFETY: (caller).
        unsafe { h.as_ref().incref() };
        AnyObj { ptr: h }
    }

    /// The object's type descriptor.
    #[inline]
    pub fn type_info(&self) -> &'static TypeInfo {
        self.header().ty
    }

    /// The embedder's tag of the object's type ([`Object::TAG`]).
    #[inline]
    pub fn tag(&self) -> u32 {
        self.type_info().tag
    }

    /// The object's type name.
    pub fn type_name(&self) -> &'static str {
        self.type_info().name()
    }

    /// Whether the payload is a `T`.
    ///
    /// Decided without the 128-bit `TypeId` comparison in the common cases: a header that
    /// points at `T`'s descriptor is a `T` (the descriptor's address is not guaranteed
    /// unique, so a different address proves nothing), and a tag other than `T::TAG` is not
    /// (every descriptor of `T` carries `T::TAG`). Only equal tags at another address need
    /// the `TypeId`.
    #[inline]
    pub fn is<T: Object>(&self) -> bool {
        let ty = self.type_info();
        std::ptr::eq(ty, TypeOf::<T>::INFO) || (ty.tag == T::TAG && ty.is::<T>())
    }

    /// A typed view of this handle, if the payload is a `T`.
    #[inline]
    pub fn downcast_ref<T: Object>(&self) -> Option<&Obj<T>> {
        // SAFETY: same representation; the type was checked.
        self.is::<T>()
            .then(|| unsafe { &*(self as *const AnyObj).cast::<Obj<T>>() })
    }

    /// A typed view of this handle, mutable (for [`Obj::set_unique`]), if the payload is a `T`.
    #[inline]
    pub fn downcast_mut<T: Object>(&mut self) -> Option<&mut Obj<T>> {
        // SAFETY: same representation; the type was checked.
        self.is::<T>()
            .then(|| unsafe { &mut *(self as *mut AnyObj).cast::<Obj<T>>() })
    }

    /// Converts into a typed handle, or gives the handle back if the payload is not a `T`.
    #[inline]
    pub fn downcast<T: Object>(self) -> Result<Obj<T>, AnyObj> {
        if self.is::<T>() {
            let this = ManuallyDrop::new(self);
            Ok(Obj {
                ptr: this.ptr,
                _marker: PhantomData,
            })
        } else {
            Err(self)
        }
    }

    /// The payload as `&dyn Any` (for dynamic dispatch on the payload type).
    #[inline]
    pub fn get<'a, 'py: 'a>(&'a self, _gil: &Gil<'py>) -> &'a dyn Any {
        // SAFETY: a live object; the type's slot builds the fat pointer for its payload.
        unsafe { &*(self.type_info().as_any)(self.ptr) }
    }

    /// A new handle to the same object.
    #[inline]
    pub fn clone_ref(&self, _gil: &Gil<'_>) -> AnyObj {
        self.header().incref();
        AnyObj { ptr: self.ptr }
    }

    /// Drops this handle: what dropping it does, without the check that this thread holds
    /// the GIL (the token proves it). For an interpreter's hottest paths.
    #[inline]
    pub fn release(self, _gil: &Gil<'_>) {
        let this = ManuallyDrop::new(self);
        release_held(this.ptr);
    }

    /// The reference count; [`IMMORTAL_REFCOUNT`] for an immortal object.
    #[inline]
    pub fn refcount(&self, _gil: &Gil<'_>) -> usize {
        self.header().count()
    }

    /// Whether two handles point at the same object (`is`).
    #[inline]
    pub fn ptr_eq(&self, other: &AnyObj) -> bool {
        self.ptr == other.ptr
    }

    /// The object's address (`id()` in CPython).
    #[inline]
    pub fn addr(&self) -> usize {
        self.ptr.addr().get()
    }

    /// Makes the object immortal: from now on its count never changes and it is never
    /// freed (everything it references stays alive too). The heap remembers its immortal
    /// objects, so leak checkers (Miri, valgrind) see them as reachable, not lost.
    pub fn make_immortal(&self, _gil: &Gil<'_>) {
        let header = self.header();
        if !header.is_immortal() {
            header.set_count(u32::MAX);
            // SAFETY: the GIL is held, and no other borrow of the list is alive (nothing
            // else runs while it grows).
            unsafe { (*heap().immortals.get()).push(self.ptr) };
        }
    }

    /// Whether the object is immortal.
    pub fn is_immortal(&self, _gil: &Gil<'_>) -> bool {
        self.header().is_immortal()
    }

    /// Whether the cycle collector tracks the object now (`gc.is_tracked`).
    pub fn is_tracked(&self, _gil: &Gil<'_>) -> bool {
        // SAFETY: links exist for tracked types; the object is alive.
        self.type_info().tracked && unsafe { generation::is_linked(self.ptr) }
    }

    /// Stops tracking the object (CPython's `PyObject_GC_UnTrack`; idempotent). A VM uses
    /// it for containers that hold only atomic values, which cannot be part of a cycle.
    pub fn untrack(&self, gil: &Gil<'_>) {
        if self.is_tracked(gil) {
            // SAFETY: a tracked object is linked in some proper list.
            unsafe { generation::unlink(self.ptr) }
        }
    }

    /// Tracks the object again (`PyObject_GC_Track`); returns false for an untracked type,
    /// whose objects have no GC links. Idempotent.
    pub fn track(&self, gil: &Gil<'_>) -> bool {
        if !self.type_info().tracked {
            return false;
        }
        if !self.is_tracked(gil) {
            // SAFETY: a live object of a tracked type, in no list.
            unsafe { heap().gc.gens[0].push_back(self.ptr) }
        }
        true
    }

    /// Runs the type's clear slot (CPython's `tp_clear`, [`Object::CLEAR`]): the object
    /// drops the references it holds and stays valid. Returns false if the type has no clear
    /// slot (then nothing happens).
    pub fn clear(&self, gil: &mut Gil<'_>) -> bool {
        match self.type_info().clear {
            Some(clear) => {
                // SAFETY: a live object of its type (this handle keeps it alive).
                unsafe { clear(self.ptr, gil) };
                true
            }
            None => false,
        }
    }

    /// The objects this one references, in the order its [`Trace`] visits them
    /// (`gc.get_referents`).
    pub fn referents(&self, _gil: &Gil<'_>) -> Vec<AnyObj> {
        let mut out = Vec::new();
        let mut visit = |h: NonNull<Header>| {
            // SAFETY: a traced reference points at a live object (the referent holds it).
            out.push(unsafe { AnyObj::new_ref(h) });
        };
        // SAFETY: a live object of its type.
        unsafe { (self.type_info().trace)(self.ptr, &mut Tracer::new(&mut visit)) };
        out
    }
}

impl<T> Clone for Obj<T> {
    /// Increments the count.
    ///
    /// # Panics
    /// If this thread does not hold the GIL (use [`Obj::clone_ref`] with a token).
    #[inline]
    fn clone(&self) -> Obj<T> {
        gil::assert_held("Obj::clone");
        self.as_any().header().incref();
        Obj {
            ptr: self.ptr,
            _marker: PhantomData,
        }
    }
}

impl Clone for AnyObj {
    /// Increments the count.
    ///
    /// # Panics
    /// If this thread does not hold the GIL (use [`AnyObj::clone_ref`] with a token).
    #[inline]
    fn clone(&self) -> AnyObj {
        gil::assert_held("AnyObj::clone");
        self.header().incref();
        AnyObj { ptr: self.ptr }
    }
}

/// Drops one reference; deallocates at zero. Without the GIL, queues the decrement.
#[inline]
fn release(ptr: NonNull<Header>) {
    if !gil::held() {
        gil::defer_decref(ptr);
        return;
    }
    release_held(ptr);
}

/// Drops one reference of a handle being given up, with the GIL held; deallocates at zero.
#[inline]
fn release_held(ptr: NonNull<Header>) {
    // SAFETY: the handle being given up kept the object alive; the caller holds the GIL.
    if unsafe { ptr.as_ref() }.decref_is_zero() {
        dealloc(ptr);
    }
}

impl<T> Drop for Obj<T> {
    #[inline]
    fn drop(&mut self) {
        release(self.ptr);
    }
}

impl Drop for AnyObj {
    #[inline]
    fn drop(&mut self) {
        release(self.ptr);
    }
}

impl<T: Object> From<Obj<T>> for AnyObj {
    fn from(obj: Obj<T>) -> AnyObj {
        obj.into_any()
    }
}

impl<T> fmt::Debug for Obj<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_any().fmt(f)
    }
}

impl fmt::Debug for AnyObj {
    /// `<TypeName object at 0x...>` (the payload needs the GIL, so it is not shown).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} object at {:#x}>", self.type_name(), self.addr())
    }
}

// SAFETY: a handle owns exactly one strong reference: itself.
unsafe impl<T> Trace for Obj<T> {
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.visit(self.as_any());
    }
}

// SAFETY: as for Obj<T>.
unsafe impl Trace for AnyObj {
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.visit(self);
    }
}
