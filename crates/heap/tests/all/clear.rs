//! `clear` (tp_clear) breaks cycles; `check_traces` names a wrong `Trace`.

use heap::{AnyObj, GilCell, Obj, Object, Trace, Tracer, check_traces, with_gil};

use crate::common::{Int, Node};

/// A list with CPython's `list_clear` as its clear slot.
#[derive(Trace)]
struct List(GilCell<Vec<AnyObj>>);

impl Object for List {
    const CLEAR: Option<heap::ClearSlot<List>> = Some(|this, gil| {
        // Take the items out first, drop them after: the list is valid (empty) while any
        // finalizer they trigger runs.
        drop(this.get(gil).0.take(gil));
    });
}

#[test]
fn clear_breaks_a_cycle_that_refcounting_cannot_free() {
    with_gil(|gil| {
        let live = gil.live_objects();
        // a = []; a.append(a)
        let a = Obj::new(gil, List(GilCell::new(Vec::new())));
        let me = a.clone().into_any();
        a.get(gil).0.with_mut(gil, |v| v.push(me));
        assert_eq!(a.refcount(gil), 2);
        let weak = a.downgrade(gil).unwrap();
        drop(a);
        assert!(
            weak.upgrade(gil).is_some(),
            "reference counting alone leaks the cycle"
        );
        let a = weak.upgrade(gil).unwrap();
        assert!(a.as_any().clear(gil));
        assert_eq!(a.refcount(gil), 1);
        assert!(a.get(gil).0.with(gil, |v| v.is_empty()));
        drop(a);
        assert!(weak.upgrade(gil).is_none());
        drop(weak);
        assert_eq!(gil.live_objects(), live);
        // Types without a clear slot report it.
        let n = Node::new(gil, 1);
        assert!(!n.as_any().clear(gil));
        assert!(!n.as_any().type_info().has_clear());
    });
}

/// A deliberately wrong Trace: visits its one handle twice.
struct Twice(Obj<Int>);

// SAFETY: deliberately violated (visits twice) to test the checker; the checker only
// subtracts, it never frees.
unsafe impl Trace for Twice {
    fn trace(&self, tracer: &mut Tracer<'_>) {
        self.0.trace(tracer);
        self.0.trace(tracer);
    }
}

impl Object for Twice {
    fn type_name() -> &'static str {
        "Twice"
    }
}

#[test]
fn check_traces_names_a_trace_that_visits_twice() {
    with_gil(|gil| {
        check_traces(gil).expect("the derived Traces in this test binary are right");
        let bad = Obj::new(gil, Twice(Obj::new(gil, Int(1))));
        let err = check_traces(gil).unwrap_err();
        assert_eq!(err.referrer, "Twice");
        assert_eq!(err.target, "int");
        assert_eq!(err.refcount, 1);
        assert!(err.to_string().contains("wrong Trace for `Twice`"), "{err}");
        drop(bad);
        check_traces(gil).unwrap();
    });
}
