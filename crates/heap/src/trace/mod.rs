//! Tracing: how the heap (and the cycle collector) learns which objects an object holds.
//!
//! [`Trace`] is CPython's `tp_traverse`: a type visits every strong reference it owns,
//! exactly once, by handing it to the [`Tracer`]. The collector uses it to subtract the
//! references that objects inside a generation hold to each other (what is left is the
//! number of references from outside); `gc.get_referents` uses it to list an object's
//! referents. Write it with `#[derive(Trace)]`, which visits every field; hand-written
//! implementations are `unsafe` because a wrong one misleads the collector:
//!
//! * a reference **not visited** makes its target look referenced from outside, so a cycle
//!   through it is never collected: a leak, but nothing worse;
//! * a reference **visited twice**, or a visited reference the object does not own, makes
//!   the target look less referenced than it is, so the collector may break up objects that
//!   are still in use. Debug builds catch the common form (a count that goes negative while
//!   internal references are subtracted) and name the type.
//!
//! Tracing must not create, clone or drop handles, and must not run code that could: it is
//! called while the collector has the heap's bookkeeping in a transient state. It cannot
//! reach the GIL token, so it cannot read or change any other object's contents.

mod impls;

use std::ptr::NonNull;

use crate::header::Header;
use crate::obj::AnyObj;

/// Visits every strong reference an object owns: CPython's `tp_traverse`.
///
/// Derive it with `#[derive(Trace)]` (see the crate docs). Types that hold no handles
/// (numbers, strings, ...) have empty implementations in this crate; for your own leaf types,
/// use [`unsafe_empty_trace!`](crate::unsafe_empty_trace).
///
/// # Safety
/// `trace` must pass every [`Obj`](crate::Obj) / [`AnyObj`] the value owns (directly or
/// through fields it owns) to [`Tracer::visit`] **exactly once**, must visit nothing it does
/// not own, and must not create, clone or drop handles. Under-reporting leaks cycles;
/// over-reporting lets the collector clear objects that are still referenced.
pub unsafe trait Trace {
    /// Passes each strong reference this value owns to `tracer`, once.
    fn trace(&self, tracer: &mut Tracer<'_>);
}

/// Receives the references a [`Trace`] implementation visits.
///
/// Only the heap creates tracers; user code passes them along.
pub struct Tracer<'a> {
    visit: &'a mut dyn FnMut(NonNull<Header>),
}

impl<'a> Tracer<'a> {
    /// A tracer that calls `visit` for each visited object.
    pub(crate) fn new(visit: &'a mut dyn FnMut(NonNull<Header>)) -> Tracer<'a> {
        Tracer { visit }
    }

    /// Reports one strong reference.
    #[inline]
    pub fn visit(&mut self, obj: &AnyObj) {
        (self.visit)(obj.header_ptr());
    }
}

/// Implements [`Trace`] with an empty body for types that own no handles.
///
/// ```
/// struct Celsius(f64);
/// heap::unsafe_empty_trace!(Celsius);
/// ```
///
/// It is `unsafe` in spirit (the name says so): a type that does own handles and uses this
/// hides them from the collector, so cycles through it leak.
#[macro_export]
macro_rules! unsafe_empty_trace {
    ($($ty:ty),* $(,)?) => {
        $(
            // SAFETY: the caller of the macro asserts that the type owns no handles.
            unsafe impl $crate::Trace for $ty {
                #[inline]
                fn trace(&self, _tracer: &mut $crate::Tracer<'_>) {}
            }
        )*
    };
}
