//! Finalizers (PEP 442 on the refcount path): once, with the object intact, before weak
//! references are cleared, resurrection, panics reported as unraisable, and deallocations
//! deferred while a `GilCell::with_mut` borrow is active.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use heap::{
    AnyObj, Gil, GilCell, Obj, Object, Trace, Unraisable, WeakRef, set_unraisable_hook, with_gil,
};

use crate::common::Node;

/// Where resurrecting finalizers put their object.
static GRAVEYARD: Mutex<Vec<AnyObj>> = Mutex::new(Vec::new());
static DEL_CALLS: AtomicUsize = AtomicUsize::new(0);
/// What the finalizer saw: (payload value, weak reference still alive, refcount).
static SEEN: Mutex<Vec<(u32, bool, usize)>> = Mutex::new(Vec::new());

#[derive(Trace)]
struct Phoenix {
    value: u32,
    resurrect: GilCell<bool>,
    weak: GilCell<Option<Obj<WeakRef>>>,
}

impl Object for Phoenix {
    const FINALIZER: Option<heap::Finalizer<Phoenix>> = Some(|this, gil| {
        DEL_CALLS.fetch_add(1, Ordering::SeqCst);
        let me = this.get(gil);
        let weak_alive = me
            .weak
            .cloned(gil)
            .is_some_and(|w| WeakRef::upgrade(&w, gil).is_some());
        SEEN.lock()
            .unwrap()
            .push((me.value, weak_alive, this.refcount(gil)));
        if me.resurrect.get(gil) {
            GRAVEYARD
                .lock()
                .unwrap()
                .push(this.clone_ref(gil).into_any());
        }
    });
}

fn phoenix(gil: &Gil, value: u32, resurrect: bool) -> Obj<Phoenix> {
    Obj::new(
        gil,
        Phoenix {
            value,
            resurrect: GilCell::new(resurrect),
            weak: GilCell::new(None),
        },
    )
}

// The finalizer statics are shared, so the tests using them run as one.
#[test]
fn finalizers_run_once_intact_and_may_resurrect() {
    with_gil(|gil| {
        DEL_CALLS.store(0, Ordering::SeqCst);
        SEEN.lock().unwrap().clear();
        let live = gil.live_objects();

        // Plain: one call, with the payload intact and weak references still alive (CPython:
        // on the refcount path __del__ runs before weakrefs are cleared), then freed.
        let p = phoenix(gil, 1, false);
        let wr = WeakRef::new(gil, p.as_any(), None).unwrap();
        p.get(gil).weak.set(gil, Some(wr.clone()));
        // The weakref object is held by `p` (a cycle through a weakref is fine: weak refs
        // do not own their referent).
        drop(p);
        assert_eq!(DEL_CALLS.load(Ordering::SeqCst), 1);
        assert_eq!(SEEN.lock().unwrap().pop(), Some((1, true, 1)));
        assert!(WeakRef::upgrade(&wr, gil).is_none());
        drop(wr);
        assert_eq!(gil.live_objects(), live);

        // Resurrection: the finalizer stores a reference; the object lives on, intact, and
        // its weak reference stays alive (refcount path).
        let p = phoenix(gil, 2, true);
        let wr = WeakRef::new(gil, p.as_any(), None).unwrap();
        drop(p);
        assert_eq!(DEL_CALLS.load(Ordering::SeqCst), 2);
        let back = GRAVEYARD.lock().unwrap().pop().unwrap();
        assert_eq!(back.refcount(gil), 1);
        let back = back.downcast::<Phoenix>().unwrap();
        assert_eq!(back.get(gil).value, 2);
        assert!(
            WeakRef::upgrade(&wr, gil).is_some(),
            "resurrected: weakref alive"
        );
        // Second death: the finalizer does not run again (PEP 442), even though it would
        // resurrect again.
        drop(back);
        assert_eq!(DEL_CALLS.load(Ordering::SeqCst), 2, "finalizer ran twice");
        assert!(GRAVEYARD.lock().unwrap().is_empty());
        assert!(WeakRef::upgrade(&wr, gil).is_none());
        drop(wr);
        assert_eq!(gil.live_objects(), live);
    });
}

static ORDER: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[derive(Trace)]
struct Logged(u32);

impl Object for Logged {
    const FINALIZER: Option<heap::Finalizer<Logged>> = Some(|this, gil| {
        ORDER
            .lock()
            .unwrap()
            .push(format!("del {}", this.get(gil).0));
    });
}

#[test]
fn finalizer_runs_before_weakref_callbacks() {
    with_gil(|gil| {
        ORDER.lock().unwrap().clear();
        let obj = Obj::new(gil, Logged(1));
        let cb = heap::Callback::new(gil, |_gil, _wr| {
            ORDER.lock().unwrap().push("callback".into())
        });
        let wr = WeakRef::new(gil, obj.as_any(), Some(cb)).unwrap();
        drop(obj);
        assert_eq!(*ORDER.lock().unwrap(), ["del 1", "callback"]);
        assert!(
            wr.get(gil).callback(gil).is_none(),
            "__callback__ is None after death"
        );
    });
}

#[test]
fn deallocation_waits_for_a_with_mut_borrow() {
    with_gil(|gil| {
        ORDER.lock().unwrap().clear();
        let holder = Node::new(gil, 0);
        Node::push(&holder, gil, Obj::new(gil, Logged(7)).into_any());
        holder.get(gil).children.with_mut(gil, |children| {
            children.clear(); // drops the last reference to Logged(7)
            assert!(
                ORDER.lock().unwrap().is_empty(),
                "finalizer ran inside a with_mut borrow"
            );
            children.push(holder.clone().into_any());
        });
        assert_eq!(*ORDER.lock().unwrap(), ["del 7"]);
        assert_eq!(gil.trash_pending(), 0);
        // Break the self-reference so the node dies.
        holder.get(gil).children.take(gil);
        assert_eq!(holder.refcount(gil), 1);
    });
}

static REPORTS: Mutex<Vec<Unraisable>> = Mutex::new(Vec::new());

#[derive(Trace)]
struct Bomb;

impl Object for Bomb {
    const FINALIZER: Option<heap::Finalizer<Bomb>> = Some(|_, _| panic!("boom in __del__"));
}

#[test]
fn a_panicking_finalizer_is_reported_and_the_object_still_freed() {
    with_gil(|gil| {
        let previous =
            set_unraisable_hook(gil, Some(|_gil, e| REPORTS.lock().unwrap().push(e.clone())));
        let live = gil.live_objects();
        let bomb = Obj::new(gil, Bomb);
        drop(bomb);
        set_unraisable_hook(gil, previous);
        let reports = REPORTS.lock().unwrap();
        assert_eq!(reports.len(), 1);
        assert!(reports[0].context.contains("finalizer") && reports[0].context.contains("Bomb"));
        assert_eq!(gil.live_objects(), live);
    });
}

#[test]
fn finalizer_wanted_decides_per_object() {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    /// A node of a cycle whose finalizer only some instances want (like a VM's classes
    /// with and without `__del__`).
    #[derive(Trace)]
    struct Maybe {
        wants: bool,
        next: GilCell<Option<AnyObj>>,
    }
    impl Object for Maybe {
        const FINALIZER: Option<heap::Finalizer<Maybe>> = Some(|_, _| {
            CALLS.fetch_add(1, Ordering::SeqCst);
        });
        const FINALIZER_WANTED: Option<heap::FinalizerWanted<Maybe>> =
            Some(|this, gil| this.get(gil).wants);
    }
    with_gil(|gil| {
        let live = gil.live_objects();
        let make = |gil: &mut Gil<'_>, wants| {
            Obj::new(
                gil,
                Maybe {
                    wants,
                    next: GilCell::new(None),
                },
            )
        };
        // The refcount path: only the wanting object's finalizer runs.
        drop(make(gil, false));
        drop(make(gil, true));
        assert_eq!(CALLS.load(Ordering::SeqCst), 1);
        // The collector: a two-object cycle, one of each. While a handle keeps it
        // reachable nothing runs; once it is garbage, only the wanting object's finalizer.
        let a = make(gil, false);
        let b = make(gil, true);
        a.get(gil).next.set(gil, Some(b.clone().into_any()));
        b.get(gil).next.set(gil, Some(a.clone().into_any()));
        let keep_a = a.clone().into_any();
        drop(a);
        drop(b);
        heap::gc::collect(gil, 2).unwrap();
        assert_eq!(
            CALLS.load(Ordering::SeqCst),
            1,
            "the cycle is still reachable"
        );
        assert!(!heap::gc::is_finalized(gil, &keep_a));
        drop(keep_a);
        let found = heap::gc::collect(gil, 2).unwrap();
        assert_eq!(found, 2);
        assert_eq!(CALLS.load(Ordering::SeqCst), 2);
        assert_eq!(gil.live_objects(), live);
    });
}
