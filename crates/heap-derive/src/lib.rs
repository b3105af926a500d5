//! # `#[derive(Trace)]` for pymem's heap
//!
//! `heap::Trace` is CPython's `tp_traverse`: an object's payload hands every strong
//! reference it owns to a `Tracer`, exactly once, so the cycle collector can subtract the
//! references objects hold to each other and `gc.get_referents` can list them. The trait is
//! `unsafe` because a wrong implementation misleads the collector; this derive is the safe
//! way to implement it. Use it through the re-export, `heap::Trace` (the trait and the
//! derive share the name, as serde's do):
//!
//! ```
//! use heap::{Obj, Object, Trace};
//!
//! #[derive(Trace)]
//! struct Leaf(i64);
//! impl Object for Leaf {}
//!
//! #[derive(Trace)]
//! struct Node {
//!     name: String,
//!     children: Vec<Obj<Node>>,
//!     leaf: Option<Obj<Leaf>>,
//! }
//! impl Object for Node {}
//! ```
//!
//! ## What is generated
//!
//! For `Node` above, exactly this (`tracer` is hygienic, so a field may be called `tracer`):
//!
//! ```text
//! #[automatically_derived]
//! unsafe impl ::heap::Trace for Node {
//!     #[inline]
//!     fn trace(&self, tracer: &mut ::heap::Tracer<'_>) {
//!         ::heap::Trace::trace(&self.name, tracer);
//!         ::heap::Trace::trace(&self.children, tracer);
//!         ::heap::Trace::trace(&self.leaf, tracer);
//!     }
//! }
//! ```
//!
//! * **Structs** (named, tuple or unit) trace every field, in declaration order.
//! * **Enums** `match self` and trace the fields of the active variant only, in declaration
//!   order; fieldless variants (and enums without variants) trace nothing.
//! * **Unions** are rejected: nothing records which field is active, so no code can tell
//!   which handles the value owns. Implement `Trace` by hand for them.
//! * **Generics**: every type parameter `T` gets a `T: ::heap::Trace` bound, as the std
//!   derives add `T: Clone`; the type's own bounds and `where` clause are kept, and lifetime
//!   and const parameters pass through unchanged.
//! * **`#[repr(packed)]`** types are rejected: the generated code borrows each field, and a
//!   field of a packed type may be unaligned.
//!
//! ### `#[trace(skip)]`
//!
//! A field marked `#[trace(skip)]` is not traced, and its type need not implement `Trace`.
//! It is meant for fields that cannot own handles but whose types have no `Trace`
//! implementation (a foreign type, a `std::fs::File`, ...). It is the only option; anything
//! else inside `#[trace(...)]`, and `#[trace(...)]` anywhere but on a field, is a compile
//! error pointing at the attribute.
//!
//! ## Why the generated impl is sound
//!
//! The contract of `Trace` is: visit every owned handle exactly once, visit nothing else,
//! and create, clone or drop no handle. The generated method calls each field's own
//! `Trace` implementation once, through a borrow of the field, and does nothing else, so:
//!
//! * each handle the value owns is owned through exactly one field (ownership is a tree
//!   inside one value), and that field's implementation visits it once: nothing is
//!   visited twice, and nothing the value does not own is visited;
//! * the code moves, clones and drops nothing;
//! * `#[trace(skip)]` can only *hide* edges. A hidden edge makes its target look
//!   referenced from outside, so a cycle through it is never collected: a leak, never a
//!   corrupted count. That is why `skip` needs no `unsafe`.
//!
//! The soundness of a derived impl therefore rests only on the field types' impls; the
//! ones in `heap` are reviewed, and hand-written ones carry their own `unsafe`. The
//! generated `unsafe impl` comes from the derive, so deriving is allowed in crates that
//! `#![forbid(unsafe_code)]`.
//!
//! ## Recursive types
//!
//! The derive adds bounds on type *parameters* only, never on field types, and the
//! generated impl only calls the field impls. So a type that contains itself compiles
//! without the trait solver chasing its own tail (the failure of gcmodule's derive,
//! [gcmodule PR #14](https://github.com/quark-zju/gcmodule/pull/14), and gc-arena's,
//! [gc-arena #120](https://github.com/kyren/gc-arena/issues/120)):
//!
//! ```
//! use heap::{Obj, Object, Trace};
//!
//! // `Obj<T>` requires `T: Object`, so the parameter needs the bounds `Object` puts on it.
//! #[derive(Trace)]
//! struct ListNode<T: Trace + Send + 'static> {
//!     value: T,
//!     next: Option<Obj<ListNode<T>>>,
//! }
//! impl<T: Trace + Send + 'static> Object for ListNode<T> {}
//!
//! #[derive(Trace)]
//! enum Tree {
//!     Leaf(Obj<ListNode<i64>>),
//!     Branch(Box<Tree>, Box<Tree>),
//!     Empty,
//! }
//! ```
//!
//! Tracing stops at handles (`Obj<T>` visits itself, it does not trace the object it points
//! to), so tracing one object never walks the object graph. It does walk the value's
//! *inline* structure, such as the `Box<Tree>` chain above, recursively, as dropping that
//! value does; long chains belong in separate objects.
//!
//! ## No `Drop` guard
//!
//! Some Rust GC derives (rust-gc, boa_gc, rust-cc) forbid a `Drop` impl on traced types,
//! because there a destructor could dereference an object the collector has already
//! freed. This heap does not need the guard: reading or changing any object's contents
//! requires the GIL token, which a payload's `Drop` is never given and cannot obtain, so a
//! destructor can only drop the handles its payload owns, which is always safe. `Drop`
//! impls on derived types are therefore allowed; Python-level `__del__` behaviour belongs in
//! the heap's finalizers, which run while the objects are still intact.
//!
//! ## Errors
//!
//! A union is rejected:
//!
//! ```compile_fail
//! #[derive(heap::Trace)]
//! union Bits {
//!     int: u64,
//!     float: f64,
//! }
//! ```
//!
//! So is any `#[trace(...)]` but a field's `#[trace(skip)]`. This compiles:
//!
//! ```
//! #[derive(heap::Trace)]
//! struct Logged {
//!     count: u64,
//!     #[trace(skip)]
//!     log: std::fs::File,
//! }
//! ```
//!
//! while a misspelt option, a bare `#[trace]`, a value given to `skip`, or the attribute
//! on the type or on a variant, does not:
//!
//! ```compile_fail
//! #[derive(heap::Trace)]
//! struct Logged {
//!     count: u64,
//!     #[trace(skipp)]
//!     log: std::fs::File,
//! }
//! ```
//!
//! ```compile_fail
//! #[derive(heap::Trace)]
//! struct Logged {
//!     count: u64,
//!     #[trace]
//!     log: std::fs::File,
//! }
//! ```
//!
//! ```compile_fail
//! #[derive(heap::Trace)]
//! struct Logged {
//!     count: u64,
//!     #[trace(skip = true)]
//!     log: std::fs::File,
//! }
//! ```
//!
//! ```compile_fail
//! #[derive(heap::Trace)]
//! #[trace(skip)]
//! struct Logged {
//!     count: u64,
//! }
//! ```
//!
//! ```compile_fail
//! #[derive(heap::Trace)]
//! enum Event {
//!     #[trace(skip)]
//!     Opened(std::fs::File),
//!     Closed,
//! }
//! ```
//!
//! A field whose type does not implement `Trace`, and is not skipped, is an error at that
//! field (here `RefCell` is deliberately not `Trace`: use `heap::GilCell`):
//!
//! ```compile_fail
//! #[derive(heap::Trace)]
//! struct Counter {
//!     hits: std::cell::RefCell<u64>,
//! }
//! ```
//!
//! A packed type is rejected:
//!
//! ```compile_fail
//! #[derive(heap::Trace)]
//! #[repr(C, packed)]
//! struct Wire {
//!     tag: u8,
//!     len: u32,
//! }
//! ```

#![forbid(unsafe_code)]

mod attr;
mod expand;

use proc_macro::TokenStream;

/// Derives `heap::Trace`: the generated `trace` visits every field (but those marked
/// `#[trace(skip)]`) in declaration order, and for an enum the fields of the active
/// variant. See the [crate docs](crate) for the exact expansion and why it is sound.
#[proc_macro_derive(Trace, attributes(trace))]
pub fn derive_trace(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

#[cfg(test)]
mod tests;
