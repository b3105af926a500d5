//! # pymem's heap: CPython's object model on obmalloc
//!
//! The second layer of pymem. Objects live in blocks from [`obmalloc`]; each starts with a
//! 16-byte header — a reference count and a pointer to its type descriptor — and, if its type
//! is tracked by the cycle collector, 16 bytes of collector links in front of that: CPython's
//! `PyObject` and `PyGC_Head`, byte for byte ([`header`] has the picture).
//!
//! ## The pieces
//!
//! * **Handles** — [`Obj<T>`] and the untyped [`AnyObj`] are one pointer each. Clone
//!   increments, drop decrements, and at zero the object is finalized and freed on the spot.
//!   `refcount()` is what `sys.getrefcount` reports (minus its own argument).
//! * **Types** — a payload implements [`Object`] (tracked or not, weakly referenceable or
//!   not, an optional finalizer and call slot) and [`Trace`] (usually derived), and gets a
//!   [`TypeInfo`] descriptor its objects point at, so one heap holds any number of payload
//!   types and untyped handles dispatch through the header.
//! * **The GIL** — one lock per process and a token, [`Gil`], that every operation on objects
//!   takes. Counts are plain integers; handles are `Send` but only the GIL holder touches
//!   them ([`gil`] explains the two checked exceptions, `Clone` and `Drop`).
//! * **Mutation** — [`GilCell`]: `Cell`-like operations under `&Gil`, and `with_mut` under
//!   `&mut Gil`; no per-object borrow flags, and no way to observe an object while it is being
//!   taken apart.
//! * **Deallocation** — CPython's order: finalizer (once, may resurrect), weak references
//!   cleared and their callbacks called newest first, untrack, drop the payload, free; with a
//!   **trashcan** that bounds the stack to 50 nested deallocations, so a 10,000,000-long chain
//!   frees on a 64 KiB stack ([`dealloc`]). Types may keep dead objects' blocks on a
//!   [`FreeList`] for reuse, with CPython 3.11's visible effects on the gc counts.
//! * **Weak references** — [`WeakRef`] objects with callbacks and proxies, shared when
//!   callback-less, listed per referent in CPython's order ([`weakref`]).
//! * **Cycle collector** — CPython 3.11's generational collector and the `gc` module's whole
//!   surface ([`gc`]): generations, thresholds, PEP 442 finalization and resurrection, weak
//!   references cleared before finalizers, statistics, callbacks, debug output.
//! * **Immortal objects** — CPython 3.12+'s: a count of [`IMMORTAL_REFCOUNT`] that never
//!   changes ([`Obj::new_immortal`], [`AnyObj::make_immortal`]). pymem follows 3.12+ here on
//!   purpose (3.11 only started static objects at a count of 999,999,999).
//!
//! ## Soundness in one paragraph
//!
//! No safe code can reach an object whose count is zero: handles keep counts up, weak
//! references check the count before upgrading, and the finalizer is the only code that sees
//! a dying object, through a reference the heap lends it. Payloads are only ever mutated
//! through `GilCell`, whose `&Gil` operations never lend references into the contents and
//! whose `&mut Gil` borrow shuts out all other object access and defers deallocation. A
//! payload's `Drop` gets no token, so it cannot reach other objects' contents, which is why
//! user `Drop` impls are allowed (rust-gc, rust-cc and boa forbid them). A wrong hand-written
//! [`Trace`] can only mislead the cycle collector, which is why that trait is `unsafe`.
//!
//! ```
//! use heap::{Callback, GilCell, Obj, Object, Trace, WeakRef, with_gil};
//!
//! #[derive(Trace)]
//! struct Node {
//!     name: String,
//!     children: GilCell<Vec<Obj<Node>>>,
//! }
//! impl Object for Node {}
//!
//! with_gil(|gil| {
//!     let leaf = Obj::new(gil, Node { name: "leaf".into(), children: GilCell::default() });
//!     let root = Obj::new(gil, Node { name: "root".into(), children: GilCell::default() });
//!     root.get(gil).children.with_mut(gil, |c| c.push(leaf.clone()));
//!     assert_eq!(leaf.refcount(gil), 2);
//!
//!     let fired = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
//!     let flag = fired.clone();
//!     let cb = Callback::new(gil, move |_gil, _wr| flag.store(true, std::sync::atomic::Ordering::SeqCst));
//!     let wr = WeakRef::new(gil, leaf.as_any(), Some(cb)).unwrap();
//!
//!     drop(leaf);                       // root still holds it
//!     assert!(WeakRef::upgrade(&wr, gil).is_some());
//!     drop(root);                       // root dies, and with it the leaf
//!     assert!(WeakRef::upgrade(&wr, gil).is_none());
//!     assert!(fired.load(std::sync::atomic::Ordering::SeqCst));
//! });
//! ```

#![deny(unsafe_op_in_unsafe_fn)]
// Under loom only the lock is compiled, and only its models use it.
#![cfg_attr(loom, allow(dead_code))]

extern crate self as heap;

#[cfg(not(loom))]
mod cell;
#[cfg(not(loom))]
pub mod dealloc;
#[cfg(not(loom))]
mod free_list;
#[cfg(not(loom))]
pub mod gc;
#[cfg(not(loom))]
mod generation;
#[cfg(not(loom))]
pub mod gil;
/// Under `cfg(loom)` the crate is only the GIL lock, whose loom models run in its tests.
#[cfg(loom)]
mod gil {
    pub(crate) mod lock;
}
#[cfg(not(loom))]
pub mod header;
#[cfg(not(loom))]
pub mod malloc;
#[cfg(not(loom))]
mod obj;
#[cfg(not(loom))]
mod state;
#[cfg(not(loom))]
mod trace;
#[cfg(not(loom))]
mod types;
#[cfg(not(loom))]
pub mod unraisable;
#[cfg(not(loom))]
mod verify;
#[cfg(not(loom))]
pub mod weakref;

#[cfg(not(loom))]
pub use cell::{GilCell, PureClone};
#[cfg(not(loom))]
pub use free_list::{FREE_LIST_SLOTS, FreeList, block_size, free_list_len};
#[cfg(not(loom))]
pub use gil::{Gil, gil_held, with_gil};
#[cfg(not(loom))]
pub use header::IMMORTAL_REFCOUNT;
#[cfg(not(loom))]
pub use heap_derive::Trace;
#[cfg(not(loom))]
pub use malloc::{
    MallocMode, MallocModeError, allocated_blocks, malloc_debug_errors, malloc_mode, malloc_stats,
    set_malloc_mode,
};
#[cfg(not(loom))]
pub use obj::{AllocError, AnyObj, Obj};
#[cfg(not(loom))]
pub use trace::{Trace, Tracer};
#[cfg(not(loom))]
pub use types::{CallSlot, ClearSlot, Finalizer, FinalizerWanted, Object, TypeInfo, Untrack};
#[cfg(not(loom))]
pub use unraisable::{Unraisable, set_unraisable_hook};
#[cfg(not(loom))]
pub use verify::{TraceError, check_traces};
#[cfg(not(loom))]
pub use weakref::{Callback, ReferenceError, Weak, WeakKind, WeakRef, WeakRefError};

/// The README's examples (obmalloc's and the heap's), run as doctests here, in the highest
/// crate that depends on both.
#[cfg(all(doctest, not(loom)))]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
