//! Integration tests of the heap: refcounting, finalizers, weak references, the trashcan,
//! immortal objects, tracking, the GIL, and a model-based property test.
//!
//! Every test body runs inside `with_gil`, so tests serialize on the GIL and the heap's
//! global counters (`live_objects`, the young list) only move under the test looking at them.

mod clear;
mod common;
mod finalize;
mod free_list;
mod gc;
mod gc_deep;
mod gc_finalize;
mod gc_model;
mod gil;
mod model;
mod refcount;
mod trashcan;
mod weakref;
