//! Checking `Trace` implementations against reference counts.
//!
//! Every reference a `Trace` visits is a handle the object owns, and every handle counts
//! once in its target's reference count. So over any set of objects, the number of times
//! their traces visit a target can never exceed the target's count. The cycle collector
//! relies on exactly that when it subtracts internal references from counts (CPython's
//! `subtract_refs`): a count that goes negative there means some `Trace` reports a
//! reference twice, or one it does not own, and the collector would go on to break up live
//! objects. [`check_traces`] runs that subtraction over every tracked object and names the
//! culprit; the collector runs the same check in debug builds.

use std::collections::HashMap;
use std::fmt;
use std::ptr::NonNull;

use rustc_hash::FxBuildHasher;

use crate::gil::Gil;
use crate::header::Header;
use crate::state::heap;
use crate::trace::Tracer;

/// A `Trace` implementation that reports more references than its object owns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceError {
    /// Type whose `Trace` made the visit that overdrew the count.
    pub referrer: &'static str,
    /// Type of the object visited too often.
    pub target: &'static str,
    /// The target's reference count.
    pub refcount: usize,
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "wrong Trace for `{}`: it visits a `{}` object that has only {} reference(s) in \
             all, more often than it is referenced (a reference visited twice, or one the \
             object does not own)",
            self.referrer, self.target, self.refcount
        )
    }
}

impl std::error::Error for TraceError {}

/// Subtracts every tracked object's traced references from their targets' counts and
/// reports the first count that goes negative.
pub fn check_traces(_gil: &Gil<'_>) -> Result<(), TraceError> {
    let gc = &heap().gc;
    let mut objects = Vec::new();
    for list in gc.gens.iter().chain([&gc.permanent]) {
        objects.extend(list.headers());
    }
    let mut left: HashMap<usize, isize, FxBuildHasher> = HashMap::default();
    let mut error = None;
    for &obj in &objects {
        // SAFETY: listed objects are alive.
        let referrer = unsafe { obj.as_ref() }.ty;
        let mut visit = |target: NonNull<Header>| {
            // SAFETY: a traced reference points at a live object.
            let t = unsafe { target.as_ref() };
            let slot = left
                .entry(target.addr().get())
                .or_insert(t.count() as isize);
            *slot -= 1;
            if *slot < 0 && error.is_none() {
                error = Some(TraceError {
                    referrer: referrer.name(),
                    target: t.ty.name(),
                    refcount: t.count(),
                });
            }
        };
        // SAFETY: a live object of its type.
        unsafe { (referrer.trace)(obj, &mut Tracer::new(&mut visit)) };
    }
    error.map_or(Ok(()), Err)
}
