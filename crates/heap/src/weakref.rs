//! Weak references, CPython's way (`Objects/weakrefobject.c`).
//!
//! A weak reference is itself an object ([`WeakRef`]): it points at its referent without
//! owning a reference, can carry a callback, and is what the callback receives. The weak
//! references to one object form a doubly linked list threaded through the `WeakRef`
//! payloads; the list head lives in a side table keyed by the referent's address, and a flag
//! in the referent's header says whether it has an entry. So an object pays nothing for being
//! weakly referenceable until a weak reference to it exists (CPython spends a pointer per
//! instance on `tp_weaklistoffset`), and dropping an object with no weak references costs one
//! flag test.
//!
//! The list keeps CPython's order: the shared callback-less reference first, then the shared
//! callback-less proxy, then every other weak reference, newest first. Callback-less
//! references (and proxies) are shared — asking twice returns the same object — because
//! nothing can tell two of them apart.
//!
//! When the referent dies on the refcount path (after its finalizer, see
//! [`dealloc`](crate::dealloc)), every weak reference is cleared first — so a callback sees
//! all of them dead — and then the callbacks of the weak references that are themselves still
//! alive are called in list order: newest first. Each callback is taken out of its weak
//! reference before the call (`__callback__` reads `None` after death). Proxies are weak
//! references whose every use after the referent's death is an error
//! ([`ReferenceError`]).

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;
use std::sync::Arc;

use crate::cell::GilCell;
use crate::gil::Gil;
use crate::header::{HAS_WEAKREFS, Header, IS_WEAKREF, ObjBox};
use crate::obj::{AnyObj, Obj};
use crate::state::heap;
use crate::trace::{Trace, Tracer};
use crate::types::Object;
use crate::unraisable::{self, Unraisable};

/// Whether a weak reference is a plain reference or a proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeakKind {
    /// `weakref.ref`: calling it gives the referent or `None`.
    Ref,
    /// `weakref.proxy`: every use after the referent died raises `ReferenceError`.
    Proxy,
}

/// A weak reference object (`weakref.ref` / `weakref.proxy`).
///
/// ```
/// use heap::{Obj, Object, Trace, WeakRef, with_gil};
///
/// #[derive(Trace)]
/// struct Node;
/// impl Object for Node {}
///
/// with_gil(|gil| {
///     let node = Obj::new(gil, Node);
///     let wr = WeakRef::new(gil, node.as_any(), None).unwrap();
///     assert!(WeakRef::upgrade(&wr, gil).is_some());
///     assert_eq!(node.refcount(gil), 1); // weak references do not count
///     drop(node);
///     assert!(WeakRef::upgrade(&wr, gil).is_none());
/// });
/// ```
pub struct WeakRef {
    /// The referent; `None` once it died.
    target: Cell<Option<NonNull<Header>>>,
    callback: GilCell<Option<AnyObj>>,
    kind: WeakKind,
    /// Created without a callback: the shared reference (or proxy) of its referent.
    basic: bool,
    /// Neighbours in the referent's list (headers of `WeakRef` objects).
    prev: Cell<Option<NonNull<Header>>>,
    next: Cell<Option<NonNull<Header>>>,
}

// SAFETY: the raw pointers are only followed under the GIL (like every handle).
unsafe impl Send for WeakRef {}

// SAFETY: the referent is not owned (that is the point); the callback is.
unsafe impl Trace for WeakRef {
    fn trace(&self, tracer: &mut Tracer<'_>) {
        self.callback.trace(tracer);
    }
}

impl Object for WeakRef {
    const WEAKREFABLE: bool = false;

    fn type_name() -> &'static str {
        "weakref"
    }
}

/// Why a weak reference could not be created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WeakRefError {
    /// The referent's type does not support weak references (CPython: `TypeError: cannot
    /// create weak reference to 'int' object`).
    NotWeakrefable {
        /// The referent's type name.
        type_name: &'static str,
    },
}

impl fmt::Display for WeakRefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeakRefError::NotWeakrefable { type_name } => {
                write!(f, "cannot create weak reference to '{type_name}' object")
            }
        }
    }
}

impl std::error::Error for WeakRefError {}

/// The referent of a proxy is gone (`ReferenceError: weakly-referenced object no longer
/// exists`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReferenceError;

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("weakly-referenced object no longer exists")
    }
}

impl std::error::Error for ReferenceError {}

/// The `WeakRef` payload behind a header.
///
/// # Safety
/// `h` is a live (not yet freed) `WeakRef` object.
unsafe fn payload<'a>(h: NonNull<Header>) -> &'a WeakRef {
    // SAFETY: (caller).
    unsafe { &h.cast::<ObjBox<WeakRef>>().as_ref().value }
}

fn is_basic(w: &WeakRef, kind: WeakKind) -> bool {
    w.basic && w.kind == kind
}

impl WeakRef {
    /// A weak reference to `target`, with an optional callback called (with the weak
    /// reference as argument) after the target dies. Without a callback, an existing
    /// callback-less reference is returned instead of a new one.
    pub fn new(
        gil: &Gil<'_>,
        target: &AnyObj,
        callback: Option<AnyObj>,
    ) -> Result<Obj<WeakRef>, WeakRefError> {
        WeakRef::create(gil, target, callback, WeakKind::Ref)
    }

    /// A proxy to `target` (`weakref.proxy`): like [`new`](Self::new), but
    /// [`referent`](Self::referent) fails with [`ReferenceError`] after the target died.
    pub fn new_proxy(
        gil: &Gil<'_>,
        target: &AnyObj,
        callback: Option<AnyObj>,
    ) -> Result<Obj<WeakRef>, WeakRefError> {
        WeakRef::create(gil, target, callback, WeakKind::Proxy)
    }

    fn create(
        gil: &Gil<'_>,
        target: &AnyObj,
        callback: Option<AnyObj>,
        kind: WeakKind,
    ) -> Result<Obj<WeakRef>, WeakRefError> {
        if !target.type_info().is_weakrefable() {
            return Err(WeakRefError::NotWeakrefable {
                type_name: target.type_name(),
            });
        }
        let t = target.header_ptr();
        let basic = callback.is_none();
        if basic && let Some(existing) = basic_ref(t, kind) {
            return Ok(existing);
        }
        let wr = Obj::new(
            gil,
            WeakRef {
                target: Cell::new(Some(t)),
                callback: GilCell::new(callback),
                kind,
                basic,
                prev: Cell::new(None),
                next: Cell::new(None),
            },
        );
        // SAFETY: a live object this handle owns.
        unsafe { wr.as_any().header_ptr().as_ref() }.set_flag(IS_WEAKREF, true);
        // Where it goes: basic ref at the head; basic proxy after the basic ref; anything
        // else after both (so the others run newest first).
        let (head, after) = leading_basics(t);
        let insert_after = match (basic, kind) {
            (true, WeakKind::Ref) => None,
            (true, WeakKind::Proxy) => after.filter(|&a| {
                // SAFETY: listed weak references are live.
                unsafe { payload(a) }.kind == WeakKind::Ref
            }),
            (false, _) => after,
        };
        link(t, wr.as_any().header_ptr(), insert_after, head);
        let h = heap();
        h.weakrefs_created.set(h.weakrefs_created.get() + 1);
        Ok(wr)
    }

    /// The referent, if it is still alive (calling a `weakref.ref`).
    pub fn upgrade(this: &Obj<WeakRef>, gil: &Gil<'_>) -> Option<AnyObj> {
        let t = this.get(gil).target.get()?;
        // SAFETY: a set target is not freed yet (its death clears it first); a count of 0
        // means it is being torn down (waiting in the trashcan): treat as dead.
        let alive = unsafe { t.as_ref() }.count() > 0;
        // SAFETY: alive, GIL held.
        alive.then(|| unsafe { AnyObj::new_ref(t) })
    }

    /// The referent of a proxy (or reference), or [`ReferenceError`] if it died.
    pub fn referent(this: &Obj<WeakRef>, gil: &Gil<'_>) -> Result<AnyObj, ReferenceError> {
        WeakRef::upgrade(this, gil).ok_or(ReferenceError)
    }

    /// Whether the referent is still alive.
    pub fn is_alive(&self, _gil: &Gil<'_>) -> bool {
        // SAFETY: as in upgrade.
        self.target
            .get()
            .is_some_and(|t| unsafe { t.as_ref() }.count() > 0)
    }

    /// Reference or proxy.
    pub fn kind(&self) -> WeakKind {
        self.kind
    }

    /// The callback (`__callback__`): `None` if there is none, or after the referent died.
    pub fn callback(&self, gil: &Gil<'_>) -> Option<AnyObj> {
        self.callback.cloned(gil)
    }
}

impl Drop for WeakRef {
    /// A weak reference that dies before its referent leaves the referent's list.
    fn drop(&mut self) {
        if let Some(t) = self.target.get() {
            unlink(t, self.prev.get(), self.next.get());
        }
    }
}

/// The shared callback-less reference (or proxy) of `t`, if there is a live one.
fn basic_ref(t: NonNull<Header>, kind: WeakKind) -> Option<Obj<WeakRef>> {
    let mut at = first(t);
    for _ in 0..2 {
        let wr = at?;
        // SAFETY: listed weak references are live objects.
        let w = unsafe { payload(wr) };
        // SAFETY: `wr` is listed, hence not freed.
        if is_basic(w, kind) && unsafe { wr.as_ref() }.count() > 0 {
            // SAFETY: alive; GIL held.
            return unsafe { AnyObj::new_ref(wr) }.downcast::<WeakRef>().ok();
        }
        if !is_basic(w, w.kind) {
            return None;
        }
        at = w.next.get();
    }
    None
}

/// The list head of `t` and the last of its leading callback-less entries (at most two).
fn leading_basics(t: NonNull<Header>) -> (Option<NonNull<Header>>, Option<NonNull<Header>>) {
    let head = first(t);
    let mut last = None;
    let mut at = head;
    for _ in 0..2 {
        let Some(wr) = at else { break };
        // SAFETY: listed weak references are live objects.
        let w = unsafe { payload(wr) };
        if !is_basic(w, w.kind) {
            break;
        }
        last = Some(wr);
        at = w.next.get();
    }
    (head, last)
}

fn first(t: NonNull<Header>) -> Option<NonNull<Header>> {
    // SAFETY: a live object is being asked about.
    if !unsafe { t.as_ref() }.has_flag(HAS_WEAKREFS) {
        return None;
    }
    // SAFETY: GIL held; short borrow.
    unsafe { heap().weak_table() }.get(&t.addr().get()).copied()
}

/// Inserts `wr` into `t`'s list after `after` (or at the head).
fn link(
    t: NonNull<Header>,
    wr: NonNull<Header>,
    after: Option<NonNull<Header>>,
    head: Option<NonNull<Header>>,
) {
    // SAFETY: `wr` and the listed neighbours are live WeakRef objects; GIL held.
    unsafe {
        let w = payload(wr);
        match after {
            None => {
                w.next.set(head);
                if let Some(h) = head {
                    payload(h).prev.set(Some(wr));
                }
                heap().weak_table().insert(t.addr().get(), wr);
                t.as_ref().set_flag(HAS_WEAKREFS, true);
            }
            Some(a) => {
                let pa = payload(a);
                let next = pa.next.get();
                w.prev.set(Some(a));
                w.next.set(next);
                pa.next.set(Some(wr));
                if let Some(n) = next {
                    payload(n).prev.set(Some(wr));
                }
            }
        }
    }
}

/// Removes the entry with neighbours `prev`/`next` from `t`'s list.
fn unlink(t: NonNull<Header>, prev: Option<NonNull<Header>>, next: Option<NonNull<Header>>) {
    // SAFETY: neighbours are live listed WeakRef objects; `t` is alive (it clears the list
    // before it dies); GIL held (this runs in deallocation).
    unsafe {
        if let Some(n) = next {
            payload(n).prev.set(prev);
        }
        match prev {
            Some(p) => payload(p).next.set(next),
            None => {
                let table = heap().weak_table();
                match next {
                    Some(n) => {
                        table.insert(t.addr().get(), n);
                    }
                    None => {
                        table.remove(&t.addr().get());
                        t.as_ref().set_flag(HAS_WEAKREFS, false);
                    }
                }
            }
        }
    }
}

/// Clears every weak reference to `obj` (whose count is zero), then calls the callbacks of
/// those still alive, in list order (newest first).
pub(crate) fn clear_and_call_back(obj: NonNull<Header>) {
    let mut calls: Vec<(AnyObj, AnyObj)> = Vec::new();
    detach_all(obj, &mut calls, |_| false);
    let mut gil = Gil::conjure();
    for (wr, cb) in calls {
        call_back(&mut gil, &cb, &wr);
    }
}

/// Clears every weak reference to `obj` and collects, in list order, a new handle to each
/// one that is alive, has a callback and is not `doomed`, with its callback taken out.
pub(crate) fn detach_all(
    obj: NonNull<Header>,
    calls: &mut Vec<(AnyObj, AnyObj)>,
    doomed: impl Fn(NonNull<Header>) -> bool,
) {
    // SAFETY: GIL held; short borrow.
    let head = unsafe { heap().weak_table() }.remove(&obj.addr().get());
    // SAFETY: the object's header is still valid.
    unsafe { obj.as_ref() }.set_flag(HAS_WEAKREFS, false);
    let gil = Gil::conjure();
    let mut at = head;
    while let Some(wr) = at {
        // SAFETY: listed weak references are live objects.
        let w = unsafe { payload(wr) };
        at = w.next.get();
        w.target.set(None);
        w.prev.set(None);
        w.next.set(None);
        // SAFETY: listed, so not freed; a count of 0 means it is dying itself.
        if unsafe { wr.as_ref() }.count() > 0
            && !doomed(wr)
            && let Some(cb) = w.callback.take(&gil)
        {
            // SAFETY: alive; GIL held.
            calls.push((unsafe { AnyObj::new_ref(wr) }, cb));
        }
    }
}

/// Detaches a weak reference from its referent without calling anything (the collector's
/// treatment of a weak reference that is garbage itself; its callback stays, never called).
pub(crate) fn detach_self(wr: NonNull<Header>) {
    // SAFETY: a live WeakRef object.
    let w = unsafe { payload(wr) };
    if let Some(t) = w.target.take() {
        unlink(t, w.prev.get(), w.next.get());
        w.prev.set(None);
        w.next.set(None);
    }
}

/// Calls `cb(wr)`, reporting failures as unraisable.
pub(crate) fn call_back(gil: &mut Gil<'_>, cb: &AnyObj, wr: &AnyObj) {
    let Some(call) = cb.type_info().call else {
        unraisable::report_unraisable(
            gil,
            &Unraisable {
                context: format!("{wr:?}"),
                message: format!("TypeError: '{}' object is not callable", cb.type_name()),
            },
        );
        return;
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: a live object of the type whose slot this is.
        unsafe { call(cb.header_ptr(), gil, wr) }
    }));
    if outcome.is_err() {
        unraisable::report_panic(gil, &format!("the weak-reference callback {cb:?}"));
    }
}

/// Number of live weak references and proxies to `obj` (`weakref.getweakrefcount`).
pub fn weakref_count(gil: &Gil<'_>, obj: &AnyObj) -> usize {
    weakrefs(gil, obj).len()
}

/// The live weak references and proxies to `obj`, in list order (`weakref.getweakrefs`).
pub fn weakrefs(_gil: &Gil<'_>, obj: &AnyObj) -> Vec<Obj<WeakRef>> {
    let mut out = Vec::new();
    let mut at = first(obj.header_ptr());
    while let Some(wr) = at {
        // SAFETY: listed weak references are live objects.
        at = unsafe { payload(wr) }.next.get();
        // SAFETY: listed, so not freed.
        if unsafe { wr.as_ref() }.count() > 0 {
            // SAFETY: alive; GIL held.
            let any = unsafe { AnyObj::new_ref(wr) };
            out.extend(any.downcast::<WeakRef>().ok());
        }
    }
    out
}

/// A typed weak handle: a [`WeakRef`] that upgrades to an [`Obj<T>`].
///
/// ```
/// use heap::{Obj, Object, Trace, with_gil};
///
/// #[derive(Trace)]
/// struct Node(u32);
/// impl Object for Node {}
///
/// with_gil(|gil| {
///     let node = Obj::new(gil, Node(7));
///     let weak = node.downgrade(gil).unwrap();
///     assert_eq!(weak.upgrade(gil).unwrap().get(gil).0, 7);
///     drop(node);
///     assert!(weak.upgrade(gil).is_none());
/// });
/// ```
pub struct Weak<T: Object> {
    wr: Obj<WeakRef>,
    _marker: PhantomData<fn() -> T>,
}

impl<T: Object> Weak<T> {
    /// The referent, if alive.
    pub fn upgrade(&self, gil: &Gil<'_>) -> Option<Obj<T>> {
        // The weak reference was made from an Obj<T>, so the downcast cannot fail.
        WeakRef::upgrade(&self.wr, gil).and_then(|o| o.downcast::<T>().ok())
    }

    /// The underlying weak reference object.
    pub fn as_weakref(&self) -> &Obj<WeakRef> {
        &self.wr
    }
}

impl<T: Object> fmt::Debug for Weak<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Weak<{}>({:?})", std::any::type_name::<T>(), self.wr)
    }
}

impl<T: Object> Obj<T> {
    /// A weak handle to this object (sharing the callback-less `WeakRef`).
    pub fn downgrade(&self, gil: &Gil<'_>) -> Result<Weak<T>, WeakRefError> {
        Ok(Weak {
            wr: WeakRef::new(gil, self.as_any(), None)?,
            _marker: PhantomData,
        })
    }
}

/// The closure a [`Callback`] runs.
type CallbackFn = dyn Fn(&mut Gil<'_>, &Obj<WeakRef>) + Send + Sync;

/// A weak-reference callback written in Rust: an object whose call slot runs a closure.
///
/// The closure is not traced, so handles it captures keep their objects alive and a cycle
/// through it is never collected; prefer capturing weak handles.
pub struct Callback {
    f: Arc<CallbackFn>,
}

crate::unsafe_empty_trace!(Callback);

impl Object for Callback {
    const TRACKED: bool = false;
    const WEAKREFABLE: bool = false;
    const CALL: Option<crate::types::CallSlot<Callback>> = Some(|this, gil, arg| {
        if let Some(wr) = arg.downcast_ref::<WeakRef>() {
            let f = Arc::clone(&this.get(gil).f);
            f(gil, wr);
        }
    });

    fn type_name() -> &'static str {
        "callback"
    }
}

impl Callback {
    /// A callback object running `f` with the dead weak reference.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(
        gil: &Gil<'_>,
        f: impl Fn(&mut Gil<'_>, &Obj<WeakRef>) + Send + Sync + 'static,
    ) -> AnyObj {
        Obj::new(gil, Callback { f: Arc::new(f) }).into_any()
    }
}
