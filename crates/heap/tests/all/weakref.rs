//! Weak references: upgrade, sharing, CPython's list order, callbacks newest first with the
//! weak reference as argument and every reference already dead, proxies, and errors.

use std::sync::Mutex;

use heap::{AnyObj, Callback, Obj, ReferenceError, WeakKind, WeakRef, WeakRefError, with_gil};

use crate::common::{Int, Node};

static CALLS: Mutex<Vec<(u32, bool, bool)>> = Mutex::new(Vec::new());

/// A callback that records its tag, whether the weakref it got is dead, and whether all the
/// other weak references (in `others`) were already dead when it ran.
fn recorder(gil: &heap::Gil, tag: u32, others: std::sync::Arc<Mutex<Vec<Obj<WeakRef>>>>) -> AnyObj {
    Callback::new(gil, move |gil, wr| {
        let all_dead = others
            .lock()
            .unwrap()
            .iter()
            .all(|w| WeakRef::upgrade(w, gil).is_none());
        CALLS
            .lock()
            .unwrap()
            .push((tag, WeakRef::upgrade(wr, gil).is_none(), all_dead));
    })
}

#[test]
fn callbacks_run_newest_first_after_all_refs_are_cleared() {
    with_gil(|gil| {
        CALLS.lock().unwrap().clear();
        let others = std::sync::Arc::new(Mutex::new(Vec::new()));
        let obj = Node::new(gil, 1);
        let mut refs = Vec::new();
        for tag in 1..=3 {
            let wr =
                WeakRef::new(gil, obj.as_any(), Some(recorder(gil, tag, others.clone()))).unwrap();
            others.lock().unwrap().push(wr.clone());
            refs.push(wr);
        }
        let basic = WeakRef::new(gil, obj.as_any(), None).unwrap();
        others.lock().unwrap().push(basic.clone());
        assert_eq!(heap::weakref::weakref_count(gil, obj.as_any()), 4);
        drop(obj);
        assert_eq!(
            *CALLS.lock().unwrap(),
            [(3, true, true), (2, true, true), (1, true, true)]
        );
        // Callbacks were taken out of the dead references.
        assert!(refs.iter().all(|w| w.get(gil).callback(gil).is_none()));
        others.lock().unwrap().clear();
    });
}

#[test]
fn a_weakref_that_dies_first_never_calls_back() {
    with_gil(|gil| {
        CALLS.lock().unwrap().clear();
        let none = std::sync::Arc::new(Mutex::new(Vec::new()));
        let obj = Node::new(gil, 1);
        let keep = WeakRef::new(gil, obj.as_any(), Some(recorder(gil, 1, none.clone()))).unwrap();
        let gone = WeakRef::new(gil, obj.as_any(), Some(recorder(gil, 2, none.clone()))).unwrap();
        drop(gone);
        assert_eq!(heap::weakref::weakref_count(gil, obj.as_any()), 1);
        drop(obj);
        assert_eq!(*CALLS.lock().unwrap(), [(1, true, true)]);
        drop(keep);
    });
}

#[test]
fn callback_less_refs_and_proxies_are_shared_and_listed_in_cpython_order() {
    with_gil(|gil| {
        let obj = Node::new(gil, 1);
        let any = obj.as_any();
        let cb1 = WeakRef::new(gil, any, Some(Callback::new(gil, |_, _| {}))).unwrap();
        let r1 = WeakRef::new(gil, any, None).unwrap();
        let cb2 = WeakRef::new(gil, any, Some(Callback::new(gil, |_, _| {}))).unwrap();
        let r2 = WeakRef::new(gil, any, None).unwrap();
        assert!(r1.ptr_eq(&r2), "ref(o) is ref(o)");
        let p1 = WeakRef::new_proxy(gil, any, None).unwrap();
        let p2 = WeakRef::new_proxy(gil, any, None).unwrap();
        assert!(p1.ptr_eq(&p2));
        assert!(!p1.ptr_eq(&r1));
        assert_eq!(p1.get(gil).kind(), WeakKind::Proxy);
        let pcb = WeakRef::new_proxy(gil, any, Some(Callback::new(gil, |_, _| {}))).unwrap();
        // [basic ref][basic proxy][others, newest first]
        let listed = heap::weakref::weakrefs(gil, any);
        let expect = [&r1, &p1, &pcb, &cb2, &cb1];
        assert_eq!(listed.len(), expect.len());
        for (got, want) in listed.iter().zip(expect) {
            assert!(got.ptr_eq(want));
        }
        assert_eq!(heap::weakref::weakref_count(gil, any), 5);
        drop(listed);
        // The shared ones die when their last handle goes; the count drops.
        drop((r1, r2));
        assert_eq!(heap::weakref::weakref_count(gil, any), 4);
        let r3 = WeakRef::new(gil, any, None).unwrap();
        assert!(
            heap::weakref::weakrefs(gil, any)[0].ptr_eq(&r3),
            "a new basic ref goes first"
        );
        drop((p1, p2, pcb, cb1, cb2, r3));
        assert_eq!(heap::weakref::weakref_count(gil, any), 0);
        assert!(heap::weakref::weakrefs(gil, any).is_empty());
    });
}

#[test]
fn proxies_fail_after_death_and_refs_return_none() {
    with_gil(|gil| {
        let obj = Node::new(gil, 9);
        let proxy = WeakRef::new_proxy(gil, obj.as_any(), None).unwrap();
        let r = obj.downgrade(gil).unwrap();
        let through = WeakRef::referent(&proxy, gil).unwrap();
        assert_eq!(through.downcast_ref::<Node>().unwrap().get(gil).name, 9);
        assert_eq!(obj.refcount(gil), 2);
        drop(through);
        assert_eq!(obj.refcount(gil), 1, "weak references do not count");
        assert_eq!(r.upgrade(gil).unwrap().get(gil).name, 9);
        drop(obj);
        assert_eq!(WeakRef::referent(&proxy, gil).unwrap_err(), ReferenceError);
        assert_eq!(
            ReferenceError.to_string(),
            "weakly-referenced object no longer exists"
        );
        assert!(r.upgrade(gil).is_none());
        assert!(!proxy.get(gil).is_alive(gil));
    });
}

#[test]
fn types_choose_whether_they_are_weakly_referenceable() {
    with_gil(|gil| {
        let five = Obj::new(gil, Int(5));
        let err = WeakRef::new(gil, five.as_any(), None).unwrap_err();
        assert_eq!(err, WeakRefError::NotWeakrefable { type_name: "int" });
        assert_eq!(
            err.to_string(),
            "cannot create weak reference to 'int' object"
        );
        assert_eq!(heap::weakref::weakref_count(gil, five.as_any()), 0);
        let wr = Node::new(gil, 1).downgrade(gil).unwrap();
        assert!(
            WeakRef::new(gil, wr.as_weakref().as_any(), None).is_err(),
            "weakrefs are not weakrefable"
        );
    });
}

#[test]
fn callbacks_see_their_own_weakref_and_may_drop_and_create_objects() {
    with_gil(|gil| {
        CALLS.lock().unwrap().clear();
        let obj = Node::new(gil, 1);
        let live = gil.live_objects();
        let cb = Callback::new(gil, |gil, wr| {
            // Allocate and drop inside the callback; make a new weakref to a new object.
            let tmp = Node::new(gil, 99);
            let w = WeakRef::new(gil, tmp.as_any(), None).unwrap();
            drop(tmp);
            assert!(WeakRef::upgrade(&w, gil).is_none());
            CALLS
                .lock()
                .unwrap()
                .push((0, WeakRef::upgrade(wr, gil).is_none(), true));
        });
        let wr = WeakRef::new(gil, obj.as_any(), Some(cb)).unwrap();
        drop(obj);
        drop(wr);
        assert_eq!(*CALLS.lock().unwrap(), [(0, true, true)]);
        assert_eq!(
            gil.live_objects(),
            live - 1,
            "node, callback and weakref freed; nothing leaked"
        );
    });
}

#[test]
fn a_non_callable_callback_is_reported_not_called() {
    with_gil(|gil| {
        static REPORTS: Mutex<Vec<heap::Unraisable>> = Mutex::new(Vec::new());
        let prev =
            heap::set_unraisable_hook(gil, Some(|_, e| REPORTS.lock().unwrap().push(e.clone())));
        let obj = Node::new(gil, 1);
        let five = Obj::new(gil, Int(5)).into_any();
        let wr = WeakRef::new(gil, obj.as_any(), Some(five)).unwrap();
        drop(obj);
        heap::set_unraisable_hook(gil, prev);
        let reports = REPORTS.lock().unwrap();
        assert_eq!(reports.len(), 1);
        assert_eq!(
            reports[0].message,
            "TypeError: 'int' object is not callable"
        );
        drop(wr);
    });
}
