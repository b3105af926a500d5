//! The cycle collector's `gc` module API (conformance behaviours of the design's section 6,
//! numbered there): CPython's counts for simple cycles, generations and promotion, counts and
//! thresholds, automatic collection and the 25% rule, `get_objects`/`get_referents`/
//! `get_referrers`, tracking and untracking, statistics, freeze, callbacks, the `DEBUG_*`
//! flags and their output, and code running inside a collection.
//!
//! CPython objects are modelled with payload types: a list (mutable items, a clear slot), a
//! tuple (items fixed at construction, untracked by collections), a dict (untracked by full
//! collections), a function with its globals, a frame with its locals.
//!
//! All tests share one heap: each starts with a full collection (other tests' garbage gone)
//! and restores every global setting it changed before it gives the GIL back
//! ([`with_clean_gc`]).

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use heap::gc::{self, CallbackInfo, GcError, Phase};
use heap::{
    AnyObj, Gil, GilCell, Obj, Object, Trace, Unraisable, Untrack, WeakRef, set_unraisable_hook,
    with_gil,
};

use crate::common::{Int, Link, Node};

/// `list`: mutable items, CPython's `list_clear` as clear slot.
#[derive(Trace)]
pub(crate) struct List(pub(crate) GilCell<Vec<AnyObj>>);

impl Object for List {
    const CLEAR: Option<heap::ClearSlot<List>> = Some(|this, gil| drop(this.get(gil).0.take(gil)));

    fn type_name() -> &'static str {
        "list"
    }
}

impl List {
    pub(crate) fn new(gil: &Gil, items: Vec<AnyObj>) -> Obj<List> {
        Obj::new(gil, List(GilCell::new(items)))
    }

    pub(crate) fn push(this: &Obj<List>, gil: &mut Gil, item: AnyObj) {
        this.get(gil).0.with_mut(gil, |v| v.push(item));
    }
}

/// `tuple`: items fixed at construction; collections untrack tuples of untracked items.
#[derive(Trace)]
pub(crate) struct Tuple(pub(crate) Vec<AnyObj>);

impl Object for Tuple {
    const UNTRACK: Untrack = Untrack::Collections;

    fn type_name() -> &'static str {
        "tuple"
    }
}

/// `dict`: starts untracked, tracks itself when a tracked key or value is stored; full
/// collections untrack dicts holding only untracked objects.
#[derive(Trace)]
pub(crate) struct Dict(pub(crate) GilCell<Vec<(AnyObj, AnyObj)>>);

impl Object for Dict {
    const UNTRACK: Untrack = Untrack::FullCollections;
    const CLEAR: Option<heap::ClearSlot<Dict>> = Some(|this, gil| drop(this.get(gil).0.take(gil)));

    fn type_name() -> &'static str {
        "dict"
    }
}

impl Dict {
    pub(crate) fn new(gil: &Gil) -> Obj<Dict> {
        let d = Obj::new(gil, Dict(GilCell::new(Vec::new())));
        d.as_any().untrack(gil);
        d
    }

    /// `d[k] = v` (appends; CPython's MAINTAIN_TRACKING with `_PyObject_GC_MAY_BE_TRACKED`:
    /// any object of a tracked type but an untracked tuple).
    pub(crate) fn set(this: &Obj<Dict>, gil: &mut Gil, k: AnyObj, v: AnyObj) {
        let may_be_tracked =
            |o: &AnyObj| o.type_info().is_tracked_type() && (!o.is::<Tuple>() || o.is_tracked(gil));
        if may_be_tracked(&k) || may_be_tracked(&v) {
            this.as_any().track(gil);
        }
        this.get(gil).0.with_mut(gil, |v2| v2.push((k, v)));
    }
}

/// A function object: its globals dict (set at construction).
#[derive(Trace)]
struct Function {
    globals: Obj<Dict>,
}

impl Object for Function {
    fn type_name() -> &'static str {
        "function"
    }
}

/// A frame: its local variables.
#[derive(Trace)]
struct Frame {
    locals: GilCell<Vec<AnyObj>>,
}

impl Object for Frame {
    fn type_name() -> &'static str {
        "frame"
    }
}

/// An instance of a class without slots (`object()`-like, tracked).
#[derive(Trace)]
struct Empty;

impl Object for Empty {}

pub(crate) fn int(gil: &Gil, v: i64) -> AnyObj {
    Obj::new(gil, Int(v)).into_any()
}

/// `l = []; l.append(l)`, returned without the caller's handle: garbage.
pub(crate) fn self_list(gil: &mut Gil) -> usize {
    let l = List::new(gil, Vec::new());
    List::push(&l, gil, l.clone().into_any());
    l.as_any().addr()
}

/// Runs `f` under the GIL after a full collection, with automatic collection off, then
/// restores every `gc` setting (even if `f` panics): enabled, default thresholds, no debug
/// flags, debug output to stderr, nothing frozen.
pub(crate) fn with_clean_gc<R>(f: impl FnOnce(&mut Gil) -> R) -> R {
    with_gil(|gil| {
        gc::collect(gil, 2).unwrap();
        gc::disable(gil);
        let out = catch_unwind(AssertUnwindSafe(|| f(gil)));
        gc::set_debug(gil, 0);
        gc::set_debug_output(gil, None);
        gc::set_threshold(gil, gc::DEFAULT_THRESHOLDS);
        gc::unfreeze(gil);
        gc::enable(gil);
        match out {
            Ok(r) => r,
            Err(e) => resume_unwind(e),
        }
    })
}

/// Collects `DEBUG_*` output into a string.
fn capture_debug_output(gil: &Gil) -> Arc<Mutex<String>> {
    let out = Arc::new(Mutex::new(String::new()));
    let sink = out.clone();
    gc::set_debug_output(
        gil,
        Some(Box::new(move |s: &str| sink.lock().unwrap().push_str(s))),
    );
    out
}

fn contains(objs: &[AnyObj], addr: usize) -> bool {
    objs.iter().any(|o| o.addr() == addr)
}

// ---------------------------------------------------------------------------------------
// 1, 2: CPython's counts for simple cycles.

#[test]
fn simple_cycles_are_collected_with_cpythons_counts() {
    with_clean_gc(|gil| {
        let live = gil.live_objects();

        // l = []; l.append(l); del l  → 1
        self_list(gil);
        assert_eq!(gc::collect(gil, 2), Ok(1));
        assert_eq!(gil.live_objects(), live);

        // d = {}; d[1] = d; del d  → 1
        let d = Dict::new(gil);
        assert!(!d.as_any().is_tracked(gil), "{{}} starts untracked");
        let k = int(gil, 1);
        Dict::set(&d, gil, k, d.clone().into_any());
        assert!(
            d.as_any().is_tracked(gil),
            "a tracked value tracks the dict"
        );
        drop(d);
        assert_eq!(gc::collect(gil, 2), Ok(1));
        assert_eq!(gil.live_objects(), live);

        // A frame stored in its own local → 1.
        let f = Obj::new(
            gil,
            Frame {
                locals: GilCell::new(Vec::new()),
            },
        );
        let me = f.clone().into_any();
        f.get(gil).locals.with_mut(gil, |l| l.push(me));
        drop(f);
        assert_eq!(gc::collect(gil, 2), Ok(1));
        assert_eq!(gil.live_objects(), live);

        // l = []; t = (l,); l.append(t) → 2
        let l = List::new(gil, Vec::new());
        let t = Obj::new(gil, Tuple(vec![l.clone().into_any()]));
        List::push(&l, gil, t.into_any());
        drop(l);
        assert_eq!(gc::collect(gil, 2), Ok(2));
        assert_eq!(gil.live_objects(), live);

        // exec("def f(): pass", d): the function and its globals → 2
        let globals = Dict::new(gil);
        let f = Obj::new(
            gil,
            Function {
                globals: globals.clone(),
            },
        );
        let name = int(gil, 0);
        Dict::set(&globals, gil, name, f.into_any());
        drop(globals);
        assert_eq!(gc::collect(gil, 2), Ok(2));
        assert_eq!(gil.live_objects(), live);

        // 2: nothing left afterwards.
        assert_eq!(gc::collect(gil, 2), Ok(0));
    });
}

#[test]
fn cycles_through_instances_and_bound_methods_are_collected() {
    // 2 (modelled): an instance attribute cycle, a cycle through a "class" object, and a
    // bound method stored on its own instance.
    with_clean_gc(|gil| {
        let live = gil.live_objects();
        // class A: pass; A.a = A()... : a class whose attribute is an instance referring back.
        let class = Node::new(gil, 0);
        let inst = Node::new(gil, 1);
        Node::push(&inst, gil, class.clone().into_any());
        Node::push(&class, gil, inst.into_any());
        drop(class);
        assert!(gc::collect(gil, 2).unwrap() > 0);
        // a.m = a.method: the bound method holds its instance.
        let a = Node::new(gil, 2);
        let bound = List::new(gil, vec![a.clone().into_any()]);
        Node::push(&a, gil, bound.into_any());
        drop(a);
        assert_eq!(gc::collect(gil, 2), Ok(2));
        assert_eq!(gc::collect(gil, 2), Ok(0));
        assert_eq!(gil.live_objects(), live);
    });
}

// ---------------------------------------------------------------------------------------
// 3: DEBUG_SAVEALL

#[test]
fn debug_saveall_puts_the_garbage_in_gc_garbage() {
    with_clean_gc(|gil| {
        assert!(gc::garbage(gil).is_empty(), "gc.garbage starts empty");
        gc::set_debug(gil, gc::DEBUG_SAVEALL);
        assert_eq!(gc::get_debug(gil), gc::DEBUG_SAVEALL);
        let live = gil.live_objects();
        let addr = self_list(gil);
        assert_eq!(gc::collect(gil, 2), Ok(1));
        gc::set_debug(gil, 0);
        let saved = gc::take_garbage(gil);
        assert_eq!(saved.len(), 1);
        assert_eq!(saved[0].addr(), addr, "the same object, not freed");
        assert_eq!(gil.live_objects(), live + 1);
        assert!(saved[0].is::<List>());
        // Still intact: it holds itself.
        let l = saved[0].downcast_ref::<List>().unwrap();
        assert_eq!(l.get(gil).0.with(gil, |v| v.len()), 1);
        assert!(saved[0].clear(gil));
        drop(saved);
        assert_eq!(gil.live_objects(), live);
        assert!(gc::garbage(gil).is_empty());
    });
}

// ---------------------------------------------------------------------------------------
// 4: threshold 1 and a finalizer that allocates.

static ALLOCATING_DELS: AtomicUsize = AtomicUsize::new(0);

#[derive(Trace)]
struct Allocates(GilCell<Option<AnyObj>>);

impl Object for Allocates {
    const FINALIZER: Option<heap::Finalizer<Allocates>> = Some(|this, gil| {
        ALLOCATING_DELS.fetch_add(1, Ordering::SeqCst);
        // dir(self): allocate containers, some cyclic, while a collection may be running.
        for i in 0..5 {
            let n = Node::new(gil, i);
            Node::push(&n, gil, n.clone().into_any());
            let _ = List::new(gil, vec![this.clone_ref(gil).into_any()]);
        }
    });
}

#[test]
fn threshold_one_with_an_allocating_finalizer_does_not_crash() {
    with_clean_gc(|gil| {
        ALLOCATING_DELS.store(0, Ordering::SeqCst);
        let live = gil.live_objects();
        gc::set_threshold(gil, [1, 10, 10]);
        gc::enable(gil);
        let rounds = if cfg!(miri) { 10 } else { 200 };
        for i in 0..rounds {
            let a = Obj::new(gil, Allocates(GilCell::new(None)));
            if i % 2 == 0 {
                a.get(gil).0.set(gil, Some(a.clone().into_any())); // in a self-cycle
            }
            drop(a);
        }
        gc::disable(gil);
        gc::collect(gil, 2).unwrap();
        assert_eq!(ALLOCATING_DELS.load(Ordering::SeqCst), rounds);
        assert_eq!(gil.live_objects(), live);
    });
}

// ---------------------------------------------------------------------------------------
// 5, 6: counts and promotion.

#[test]
fn get_count_after_a_collection_and_an_allocation() {
    with_clean_gc(|gil| {
        let [c0, c1, c2] = gc::get_count(gil);
        assert_eq!((c1, c2), (0, 0));
        assert!(c0 < 5);
        let _l = List::new(gil, Vec::new());
        assert!(
            gc::get_count(gil)[0] > c0,
            "allocating a list raises count 0"
        );
        // Untracked objects do not count.
        let c = gc::get_count(gil)[0];
        let _i = int(gil, 3);
        assert_eq!(gc::get_count(gil)[0], c);
        // Freeing a tracked object lowers it.
        drop(_l);
        assert_eq!(gc::get_count(gil)[0], c - 1);
    });
}

#[test]
fn collections_update_the_counts_of_older_generations() {
    with_clean_gc(|gil| {
        gc::collect(gil, 0).unwrap();
        assert_eq!(gc::get_count(gil)[1..], [1, 0]);
        gc::collect(gil, 0).unwrap();
        assert_eq!(gc::get_count(gil)[1..], [2, 0]);
        gc::collect(gil, 1).unwrap();
        assert_eq!(gc::get_count(gil)[1..], [0, 1]);
        gc::collect(gil, 2).unwrap();
        assert_eq!(gc::get_count(gil)[1..], [0, 0]);
    });
}

// ---------------------------------------------------------------------------------------
// 7: get_objects by generation.

#[test]
fn get_objects_follows_an_object_through_the_generations() {
    with_clean_gc(|gil| {
        let l = List::new(gil, Vec::new());
        List::push(&l, gil, l.clone().into_any());
        let addr = l.as_any().addr();
        let where_is = |gil: &Gil| -> Vec<bool> {
            (0..3)
                .map(|g| contains(&gc::get_objects(gil, Some(g)).unwrap(), addr))
                .collect()
        };
        assert_eq!(where_is(gil), [true, false, false]);
        gc::collect(gil, 0).unwrap();
        assert_eq!(where_is(gil), [false, true, false]);
        gc::collect(gil, 1).unwrap();
        assert_eq!(where_is(gil), [false, false, true]);
        gc::collect(gil, 2).unwrap();
        assert_eq!(where_is(gil), [false, false, true]);

        let all = gc::get_objects(gil, None).unwrap();
        let per: usize = (0..3)
            .map(|g| gc::get_objects(gil, Some(g)).unwrap().len())
            .sum();
        assert_eq!(all.len(), per);
        assert_eq!(gc::generation_sizes(gil).iter().sum::<usize>(), per);
        assert!(contains(&all, addr));
        drop(all);
        assert_eq!(
            gc::get_objects(gil, Some(1000)).map(|v| v.len()),
            Err(GcError::GenerationOutOfRange(1000))
        );
        assert_eq!(
            gc::get_objects(gil, Some(3)).map(|v| v.len()),
            Err(GcError::GenerationOutOfRange(3))
        );
        assert!(
            GcError::GenerationOutOfRange(3)
                .to_string()
                .starts_with("generation parameter must be less than")
        );
        l.as_any().clear(gil);
    });
}

#[test]
fn invalid_generation_is_an_error() {
    with_gil(|gil| {
        let before = gc::get_stats(gil);
        assert_eq!(gc::collect(gil, 3), Err(GcError::InvalidGeneration(3)));
        assert_eq!(
            gc::collect(gil, usize::MAX),
            Err(GcError::InvalidGeneration(usize::MAX))
        );
        assert_eq!(
            GcError::InvalidGeneration(3).to_string(),
            "invalid generation"
        );
        let after = gc::get_stats(gil);
        for g in 0..3 {
            assert_eq!(after[g].collections, before[g].collections);
        }
    });
}

// ---------------------------------------------------------------------------------------
// 8: the trashcan with finalizers that collect.

static OUCH_DELS: AtomicUsize = AtomicUsize::new(0);
static OUCH_COLLECTED: AtomicUsize = AtomicUsize::new(0);

#[derive(Trace)]
struct Ouch;

impl Object for Ouch {
    const FINALIZER: Option<heap::Finalizer<Ouch>> = Some(|_, gil| {
        let n = OUCH_DELS.fetch_add(1, Ordering::SeqCst) + 1;
        if n.is_multiple_of(17) {
            gc::collect(gil, 2).unwrap();
            OUCH_COLLECTED.fetch_add(1, Ordering::SeqCst);
        }
    });
}

#[test]
fn trashcan_with_finalizers_that_collect_every_17th_time() {
    with_clean_gc(|gil| {
        OUCH_DELS.store(0, Ordering::SeqCst);
        OUCH_COLLECTED.store(0, Ordering::SeqCst);
        gc::enable(gil);
        let live = gil.live_objects();
        // Small under Miri: hundreds of live objects in one arena allocation are slow under
        // Tree Borrows (see automatic_collection_starts_when_count_0_passes_the_threshold).
        let n = if cfg!(miri) { 9 } else { 150 };
        for _ in 0..2 {
            // t = []; for i in range(N): t = [t, Ouch()]
            let mut t = List::new(gil, Vec::new());
            for _ in 0..n {
                let o = Obj::new(gil, Ouch).into_any();
                t = List::new(gil, vec![t.into_any(), o]);
            }
            let mut u = List::new(gil, Vec::new());
            for _ in 0..n {
                let o = Obj::new(gil, Ouch).into_any();
                u = List::new(gil, vec![u.into_any(), o]);
            }
            // v = {}; for i in range(N): v = {1: v, 2: Ouch()}
            let mut v = Dict::new(gil);
            for _ in 0..n {
                let nv = Dict::new(gil);
                let (k1, k2) = (int(gil, 1), int(gil, 2));
                Dict::set(&nv, gil, k1, v.into_any());
                Dict::set(&nv, gil, k2, Obj::new(gil, Ouch).into_any());
                v = nv;
            }
            drop((t, u, v));
        }
        gc::disable(gil);
        assert_eq!(OUCH_DELS.load(Ordering::SeqCst), 2 * 3 * n);
        assert_eq!(OUCH_COLLECTED.load(Ordering::SeqCst), 2 * 3 * n / 17);
        assert_eq!(gil.live_objects(), live);
        assert_eq!(gil.trash_pending(), 0);
    });
}

// A collection while deallocations wait in the trashcan (the deferred objects, count 0,
// must not be in the collector's lists: CPython untracks before Py_TRASHCAN_BEGIN).
static COLLECT_ON_DEL_RUNS: AtomicUsize = AtomicUsize::new(0);

#[derive(Trace)]
struct CollectOnDel;

impl Object for CollectOnDel {
    const FINALIZER: Option<heap::Finalizer<CollectOnDel>> = Some(|_, gil| {
        COLLECT_ON_DEL_RUNS.fetch_add(1, Ordering::SeqCst);
        gc::collect(gil, 2).unwrap();
    });
}

#[test]
fn a_collection_while_the_trashcan_holds_objects() {
    with_clean_gc(|gil| {
        COLLECT_ON_DEL_RUNS.store(0, Ordering::SeqCst);
        let live = gil.live_objects();
        // [[[...[[], x]...], x], CollectOnDel()]: freeing the outer list frees the nested
        // lists 50 deep, defers the rest to the trashcan, then drops CollectOnDel, whose
        // finalizer collects while the deferred lists (count 0) are still tracked.
        let mut t = List::new(gil, Vec::new());
        for _ in 0..100 {
            t = List::new(gil, vec![t.into_any()]);
        }
        let outer = List::new(
            gil,
            vec![t.into_any(), Obj::new(gil, CollectOnDel).into_any()],
        );
        drop(outer);
        assert_eq!(COLLECT_ON_DEL_RUNS.load(Ordering::SeqCst), 1);
        assert_eq!(gil.live_objects(), live);
    });
}

// ---------------------------------------------------------------------------------------
// 10: finding garbage runs no code of the objects'.

static PROBED: AtomicUsize = AtomicUsize::new(0);

/// A callable object with no finalizer: the collector must not call it (CPython once probed
/// `__del__` with getattr, which ran `__getattr__`).
#[derive(Trace)]
struct Touchy(GilCell<Option<AnyObj>>);

impl Object for Touchy {
    const CALL: Option<heap::CallSlot<Touchy>> = Some(|this, gil, _| {
        PROBED.fetch_add(1, Ordering::SeqCst);
        this.get(gil).0.set(gil, None);
    });
}

#[test]
fn finding_garbage_runs_no_object_code() {
    with_clean_gc(|gil| {
        PROBED.store(0, Ordering::SeqCst);
        let garbage_before = gc::garbage(gil).len();
        let live = gil.live_objects();
        let a = Obj::new(gil, Touchy(GilCell::new(None)));
        let b = Obj::new(gil, Touchy(GilCell::new(Some(a.clone().into_any()))));
        a.get(gil).0.set(gil, Some(b.into_any()));
        drop(a);
        assert_eq!(gc::collect(gil, 2), Ok(2));
        assert_eq!(PROBED.load(Ordering::SeqCst), 0);
        assert_eq!(gc::garbage(gil).len(), garbage_before);
        assert_eq!(gil.live_objects(), live);
    });
}

// ---------------------------------------------------------------------------------------
// 11: get_referents; get_referrers.

#[test]
fn get_referents_lists_what_trace_visits() {
    with_clean_gc(|gil| {
        let (a, b, c) = (int(gil, 1), int(gil, 2), Node::new(gil, 3).into_any());
        let l = List::new(gil, vec![a.clone(), b.clone()]);
        let got = gc::get_referents(gil, &[l.as_any()]);
        assert_eq!(
            got.iter().map(AnyObj::addr).collect::<Vec<_>>(),
            [a.addr(), b.addr()]
        );
        let t = Obj::new(gil, Tuple(vec![c.clone(), a.clone()]));
        let got = gc::get_referents(gil, &[t.as_any()]);
        assert_eq!(
            got.iter().map(AnyObj::addr).collect::<Vec<_>>(),
            [c.addr(), a.addr()]
        );
        // dict → keys and values
        let d = Dict::new(gil);
        Dict::set(&d, gil, a.clone(), c.clone());
        Dict::set(&d, gil, b.clone(), a.clone());
        let got = gc::get_referents(gil, &[d.as_any()]);
        let mut addrs: Vec<usize> = got.iter().map(AnyObj::addr).collect();
        addrs.sort();
        let mut want = vec![a.addr(), c.addr(), b.addr(), a.addr()];
        want.sort();
        assert_eq!(addrs, want);
        // Several arguments concatenate.
        let got = gc::get_referents(gil, &[l.as_any(), t.as_any()]);
        assert_eq!(
            got.iter().map(AnyObj::addr).collect::<Vec<_>>(),
            [a.addr(), b.addr(), c.addr(), a.addr()]
        );
        // get_referents(1, 'a', 4j) == []: untracked types contribute nothing, even if their
        // Trace visits something (a Link does).
        let link = Obj::new(gil, Link { next: None });
        let link2 = Obj::new(
            gil,
            Link {
                next: Some(link.clone()),
            },
        );
        assert!(gc::get_referents(gil, &[&a, &b, link2.as_any()]).is_empty());
    });
}

#[test]
fn get_referrers_finds_tracked_containers_but_not_frozen_ones() {
    with_clean_gc(|gil| {
        let x = Node::new(gil, 1).into_any();
        let holder = List::new(gil, vec![x.clone()]);
        let other = List::new(gil, vec![int(gil, 5)]);
        let found = gc::get_referrers(gil, &[&x]);
        assert!(contains(&found, holder.as_any().addr()));
        assert!(!contains(&found, other.as_any().addr()));
        assert_eq!(
            found
                .iter()
                .filter(|o| o.addr() == holder.as_any().addr())
                .count(),
            1
        );
        drop(found);
        // Two targets: a referrer of either.
        let y = Node::new(gil, 2).into_any();
        let holder2 = Obj::new(gil, Tuple(vec![y.clone()]));
        let found = gc::get_referrers(gil, &[&x, &y]);
        assert!(contains(&found, holder.as_any().addr()));
        assert!(contains(&found, holder2.as_any().addr()));
        drop(found);
        // Frozen objects are not searched.
        gc::freeze(gil);
        assert!(gc::get_referrers(gil, &[&x]).is_empty());
        gc::unfreeze(gil);
        assert!(contains(
            &gc::get_referrers(gil, &[&x]),
            holder.as_any().addr()
        ));
    });
}

// ---------------------------------------------------------------------------------------
// 12: is_tracked, and the untracking of tuples and dicts.

#[test]
fn is_tracked_by_type_and_untracking_policy() {
    with_clean_gc(|gil| {
        // Atomic types: not tracked.
        let i = int(gil, 3);
        assert!(!gc::is_tracked(gil, &i));
        let link = Obj::new(gil, Link { next: None });
        assert!(!gc::is_tracked(gil, link.as_any()));
        let cb = heap::Callback::new(gil, |_, _| {});
        assert!(!gc::is_tracked(gil, &cb));
        // Containers and instances (even without fields): tracked.
        let e = Obj::new(gil, Empty);
        assert!(gc::is_tracked(gil, e.as_any()));
        let l = List::new(gil, Vec::new());
        assert!(gc::is_tracked(gil, l.as_any()));
        assert!(gc::is_tracked(gil, Node::new(gil, 1).as_any()));

        // (1, 2) is tracked until the next collection.
        let t = Obj::new(gil, Tuple(vec![int(gil, 1), int(gil, 2)]));
        // (l,) holds a tracked list: stays tracked.
        let tl = Obj::new(gil, Tuple(vec![l.clone().into_any()]));
        // ((1, 2),): tracked until its inner tuple is untracked.
        let tt = Obj::new(gil, Tuple(vec![t.clone().into_any()]));
        assert!(gc::is_tracked(gil, t.as_any()));
        // Untracking a live tuple is not collecting it: nothing here is garbage.
        assert_eq!(
            gc::collect(gil, 0).unwrap(),
            0,
            "untracked tuples are not counted"
        );
        assert!(!gc::is_tracked(gil, t.as_any()), "(1, 2) untracked");
        assert!(gc::is_tracked(gil, tl.as_any()), "(l,) still tracked");
        // The inner tuple may be untracked by this collection or the next one.
        gc::collect(gil, 1).unwrap();
        assert!(!gc::is_tracked(gil, tt.as_any()), "((1, 2),) untracked");

        // A dict holding only atomic values that got tracked (its tracked value was
        // replaced): untracked only by a full collection.
        let d = Dict::new(gil);
        let (k, n) = (int(gil, 1), Node::new(gil, 1).into_any());
        Dict::set(&d, gil, k, n);
        assert!(gc::is_tracked(gil, d.as_any()));
        let seven = int(gil, 7);
        let old = d
            .get(gil)
            .0
            .with_mut(gil, |v| std::mem::replace(&mut v[0].1, seven));
        drop(old);
        gc::collect(gil, 0).unwrap();
        gc::collect(gil, 1).unwrap();
        assert!(
            gc::is_tracked(gil, d.as_any()),
            "not before a full collection"
        );
        // A tuple holding the dict stays tracked: dicts can be tracked again.
        let td = Obj::new(gil, Tuple(vec![d.clone().into_any()]));
        gc::collect(gil, 2).unwrap();
        assert!(
            !gc::is_tracked(gil, d.as_any()),
            "untracked by a full collection"
        );
        assert!(gc::is_tracked(gil, td.as_any()));
        // It tracks itself again when a tracked value is stored.
        let k = int(gil, 2);
        Dict::set(&d, gil, k, l.clone().into_any());
        assert!(gc::is_tracked(gil, d.as_any()));
    });
}

// ---------------------------------------------------------------------------------------
// 18: get_stats.

#[test]
fn get_stats_counts_collections_per_generation() {
    with_clean_gc(|gil| {
        let s0 = gc::get_stats(gil);
        assert_eq!(s0.len(), 3);
        self_list(gil);
        assert_eq!(gc::collect(gil, 0), Ok(1));
        let s1 = gc::get_stats(gil);
        assert_eq!(s1[0].collections, s0[0].collections + 1);
        assert_eq!(s1[0].collected, s0[0].collected + 1);
        assert_eq!(s1[1].collections, s0[1].collections);
        assert_eq!(s1[2].collections, s0[2].collections);
        self_list(gil);
        self_list(gil);
        assert_eq!(gc::collect(gil, 2), Ok(2));
        let s2 = gc::get_stats(gil);
        assert_eq!(s2[0].collections, s1[0].collections);
        assert_eq!(s2[1].collections, s1[1].collections);
        assert_eq!(s2[2].collections, s1[2].collections + 1);
        assert_eq!(s2[2].collected, s1[2].collected + 2);
        assert_eq!(s2[2].uncollectable, s1[2].uncollectable);
        assert!(s2[2].max_duration >= s2[2].last_duration);
        assert!(s2[2].total_duration >= s2[2].max_duration);
    });
}

// ---------------------------------------------------------------------------------------
// 19: freeze.

#[test]
fn freeze_moves_everything_out_of_the_collectors_sight() {
    with_clean_gc(|gil| {
        let live = gil.live_objects();
        let addr = self_list(gil);
        gc::freeze(gil);
        assert!(gc::get_freeze_count(gil) > 0);
        assert_eq!(gc::get_count(gil)[0], 0);
        assert_eq!(gc::generation_sizes(gil), [0, 0, 0]);
        assert!(!contains(&gc::get_objects(gil, None).unwrap(), addr));
        // The frozen cycle is not collected.
        assert_eq!(gc::collect(gil, 2), Ok(0));
        assert_eq!(gil.live_objects(), live + 1);
        // New objects are still collected.
        self_list(gil);
        assert_eq!(gc::collect(gil, 2), Ok(1));
        gc::unfreeze(gil);
        assert_eq!(gc::get_freeze_count(gil), 0);
        assert!(contains(&gc::get_objects(gil, Some(2)).unwrap(), addr));
        assert_eq!(gc::collect(gil, 2), Ok(1));
        assert_eq!(gil.live_objects(), live);
    });
}

// ---------------------------------------------------------------------------------------
// Thresholds, enable/disable, automatic collection, the 25% rule.

#[test]
fn thresholds_and_enable_round_trip() {
    with_clean_gc(|gil| {
        assert_eq!(gc::get_threshold(gil), [700, 10, 10]);
        assert_eq!(gc::DEFAULT_THRESHOLDS, [700, 10, 10]);
        gc::set_threshold(gil, [5, 3, 2]);
        assert_eq!(gc::get_threshold(gil), [5, 3, 2]);
        assert!(!gc::is_enabled(gil));
        gc::enable(gil);
        assert!(gc::is_enabled(gil));
        gc::disable(gil);
        assert!(!gc::is_enabled(gil));
    });
}

/// Allocates tracked nodes (kept in `keep`) until a collection of generation `g` happened;
/// returns how many were allocated, or `None` after `limit`.
fn allocate_until_collection(
    gil: &mut Gil,
    keep: &mut Vec<Obj<Node>>,
    g: usize,
    limit: usize,
) -> Option<usize> {
    let before = gc::get_stats(gil)[g].collections;
    for n in 1..=limit {
        keep.push(Node::new(gil, n as u32));
        if gc::get_stats(gil)[g].collections != before {
            return Some(n);
        }
    }
    None
}

#[test]
fn automatic_collection_starts_when_count_0_passes_the_threshold() {
    with_clean_gc(|gil| {
        // Under Miri, a lower first threshold: every object lives in one 1 MiB arena
        // allocation, and Tree Borrows' cost per access grows with the live references into
        // it, which makes 700 live objects take tens of minutes.
        let t0 = if cfg!(miri) { 50 } else { 700 };
        gc::set_threshold(gil, [t0, 10, 10]);
        gc::enable(gil);
        let mut keep = Vec::new();
        assert_eq!(gc::get_count(gil)[0], 0);
        let n = allocate_until_collection(gil, &mut keep, 0, 2000);
        // count[0] went from 0 to t0 + 1 (> t0) with the (t0 + 1)th allocation.
        assert_eq!(n, Some(t0 + 1));
        assert_eq!(gc::get_count(gil)[1], 1, "a generation-0 collection");
        assert!(gc::get_count(gil)[0] <= 1);
        // Everything allocated before survived into generation 1.
        assert!(contains(
            &gc::get_objects(gil, Some(1)).unwrap(),
            keep[0].as_any().addr()
        ));

        // A lower threshold.
        gc::collect(gil, 2).unwrap();
        gc::set_threshold(gil, [10, 10, 10]);
        assert_eq!(allocate_until_collection(gil, &mut keep, 0, 100), Some(11));

        // Disabled, or threshold 0: no automatic collection.
        gc::collect(gil, 2).unwrap();
        gc::disable(gil);
        assert_eq!(allocate_until_collection(gil, &mut keep, 0, 100), None);
        gc::collect(gil, 2).unwrap();
        gc::enable(gil);
        gc::set_threshold(gil, [0, 10, 10]);
        assert_eq!(allocate_until_collection(gil, &mut keep, 0, 100), None);
        assert!(gc::get_count(gil)[0] >= 100);

        // Ten generation-0 collections, then the next one is of generation 1.
        gc::collect(gil, 2).unwrap();
        gc::set_threshold(gil, [10, 10, 10]);
        let g1 = gc::get_stats(gil)[1].collections;
        for _ in 0..10 {
            allocate_until_collection(gil, &mut keep, 0, 100).unwrap();
        }
        assert_eq!(gc::get_count(gil)[1], 10);
        assert_eq!(gc::get_stats(gil)[1].collections, g1);
        assert!(allocate_until_collection(gil, &mut keep, 1, 100).is_some());
        assert_eq!(gc::get_count(gil)[1..], [0, 1]);
        gc::disable(gil);
    });
}

#[test]
fn generation_2_waits_for_a_quarter_of_the_long_lived_objects() {
    with_clean_gc(|gil| {
        let base = if cfg!(miri) { 200 } else { 4000 };
        let mut old: Vec<Obj<Node>> = (0..base).map(|i| Node::new(gil, i)).collect();
        gc::collect(gil, 2).unwrap();
        // long_lived_total: the survivors of this full collection.
        let total = gc::generation_sizes(gil)[2];
        assert!(total >= base as usize);
        // Thresholds 10, 0, 0: counts 1 and 2 are "over" as soon as they are 1, so without
        // the 25% rule generation 2 would be collected every few triggers.
        gc::set_threshold(gil, [10, 0, 0]);
        gc::enable(gil);
        let mut keep = Vec::new();
        let n = allocate_until_collection(gil, &mut keep, 2, 4 * total)
            .expect("generation 2 is eventually collected");
        gc::disable(gil);
        assert!(
            gc::get_stats(gil)[1].collections > 1,
            "generation 1 was collected instead meanwhile"
        );
        // The new survivors (at most the objects allocated) reached a quarter of the total,
        // and generation 2 came soon after.
        assert!(
            n >= total / 4,
            "full collection after {n} of {total} objects"
        );
        assert!(n <= total / 4 + 50, "full collection late: {n} of {total}");
        old.clear();
    });
}

// ---------------------------------------------------------------------------------------
// 24: gc.callbacks.

type Visits = Arc<Mutex<Vec<(u32, Phase, CallbackInfo)>>>;

fn recorder(gil: &Gil, tag: u32, visits: &Visits) -> gc::CallbackId {
    let v = visits.clone();
    gc::add_callback(gil, move |_gil, phase, info| {
        v.lock().unwrap().push((tag, phase, *info))
    })
}

#[test]
fn callbacks_get_start_and_stop_with_the_info() {
    with_clean_gc(|gil| {
        let visits: Visits = Arc::default();
        let id1 = recorder(gil, 1, &visits);
        let id2 = recorder(gil, 2, &visits);
        self_list(gil);
        assert_eq!(gc::collect(gil, 2), Ok(1));
        {
            let v = visits.lock().unwrap();
            let got: Vec<(u32, Phase)> = v.iter().map(|(t, p, _)| (*t, *p)).collect();
            assert_eq!(
                got,
                [
                    (1, Phase::Start),
                    (2, Phase::Start),
                    (1, Phase::Stop),
                    (2, Phase::Stop)
                ]
            );
            for (_, phase, info) in v.iter() {
                assert_eq!(info.generation, 2);
                match phase {
                    Phase::Start => {
                        assert_eq!((info.collected, info.uncollectable), (0, 0));
                        assert_eq!(info.duration, std::time::Duration::ZERO);
                    }
                    Phase::Stop => assert_eq!((info.collected, info.uncollectable), (1, 0)),
                }
            }
        }
        assert_eq!(Phase::Start.as_str(), "start");
        assert_eq!(Phase::Stop.as_str(), "stop");
        visits.lock().unwrap().clear();
        gc::collect(gil, 0).unwrap();
        assert!(
            visits
                .lock()
                .unwrap()
                .iter()
                .all(|(_, _, i)| i.generation == 0)
        );
        assert_eq!(visits.lock().unwrap().len(), 4);
        assert!(gc::remove_callback(gil, id1));
        assert!(gc::remove_callback(gil, id2));
        assert!(!gc::remove_callback(gil, id1));
        visits.lock().unwrap().clear();
        gc::collect(gil, 2).unwrap();
        assert!(visits.lock().unwrap().is_empty());
    });
}

static TP_DELS: AtomicUsize = AtomicUsize::new(0);

/// CPython's test `Uncollectable`: a pair of objects with `tp_del` pointing at each other.
#[derive(Trace)]
pub(crate) struct Uncollectable {
    pub(crate) partner: GilCell<Option<AnyObj>>,
}

impl Object for Uncollectable {
    const LEGACY_FINALIZER: Option<heap::Finalizer<Uncollectable>> = Some(|_, _| {
        TP_DELS.fetch_add(1, Ordering::SeqCst);
    });

    fn type_name() -> &'static str {
        "Uncollectable"
    }
}

/// `Uncollectable()`: a pair in a cycle, dropped.
pub(crate) fn uncollectable_pair(gil: &Gil) {
    let a = Obj::new(
        gil,
        Uncollectable {
            partner: GilCell::new(None),
        },
    );
    let b = Obj::new(
        gil,
        Uncollectable {
            partner: GilCell::new(Some(a.clone().into_any())),
        },
    );
    a.get(gil).partner.set(gil, Some(b.into_any()));
}

#[test]
fn callbacks_see_legacy_garbage_and_can_clean_it() {
    with_clean_gc(|gil| {
        TP_DELS.store(0, Ordering::SeqCst);
        let live = gil.live_objects();
        let visits: Visits = Arc::default();
        let id1 = recorder(gil, 1, &visits);
        let cleanup = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = cleanup.clone();
        let v2 = visits.clone();
        let id2 = gc::add_callback(gil, move |gil, phase, info| {
            v2.lock().unwrap().push((2, phase, *info));
            if phase == Phase::Stop && flag.load(Ordering::SeqCst) {
                // Take the Uncollectables out of gc.garbage and break their cycles.
                let (uc, rest): (Vec<AnyObj>, Vec<AnyObj>) = gc::take_garbage(gil)
                    .into_iter()
                    .partition(|e| e.is::<Uncollectable>());
                assert!(rest.is_empty());
                for e in &uc {
                    e.downcast_ref::<Uncollectable>()
                        .unwrap()
                        .get(gil)
                        .partner
                        .set(gil, None);
                }
            }
        });
        uncollectable_pair(gil);
        uncollectable_pair(gil);
        self_list(gil);
        assert_eq!(gc::collect(gil, 2), Ok(5));
        for (_, phase, info) in visits.lock().unwrap().iter() {
            if *phase == Phase::Stop {
                assert_eq!((info.collected, info.uncollectable), (1, 4));
            }
        }
        assert_eq!(TP_DELS.load(Ordering::SeqCst), 0, "tp_del not called");
        let garbage = gc::garbage(gil);
        assert_eq!(garbage.len(), 4);
        assert!(garbage.iter().all(|e| e.is::<Uncollectable>()));
        // CPython's test keeps the loop variable `e`: one pair stays reachable.
        let e = garbage.last().unwrap().clone();
        drop(garbage);

        cleanup.store(true, Ordering::SeqCst);
        visits.lock().unwrap().clear();
        drop(gc::take_garbage(gil)); // gc.garbage[:] = []
        assert_eq!(gc::collect(gil, 2), Ok(2));
        let stops: Vec<CallbackInfo> = visits
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, p, _)| *p == Phase::Stop)
            .map(|(_, _, i)| *i)
            .collect();
        assert_eq!(stops.len(), 2);
        for info in stops {
            assert_eq!((info.collected, info.uncollectable), (0, 2));
        }
        assert!(
            gc::garbage(gil).is_empty(),
            "the callback cleaned gc.garbage"
        );
        // The cleaned pair died by reference counting (tp_del runs there).
        assert_eq!(TP_DELS.load(Ordering::SeqCst), 2);
        // Break the pair `e` belongs to by hand.
        e.downcast_ref::<Uncollectable>()
            .unwrap()
            .get(gil)
            .partner
            .set(gil, None);
        drop(e);
        assert_eq!(TP_DELS.load(Ordering::SeqCst), 4);
        assert!(gc::remove_callback(gil, id1));
        assert!(gc::remove_callback(gil, id2));
        assert_eq!(gil.live_objects(), live);
    });
}

#[test]
fn callbacks_may_be_removed_and_added_while_running() {
    with_clean_gc(|gil| {
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let slot: Arc<Mutex<Option<gc::CallbackId>>> = Arc::default();
        let me = slot.clone();
        let id = gc::add_callback(gil, move |gil, _, _| {
            c.fetch_add(1, Ordering::SeqCst);
            // Remove itself at the first call: the "stop" call never comes.
            if let Some(id) = me.lock().unwrap().take() {
                assert!(gc::remove_callback(gil, id));
            }
        });
        *slot.lock().unwrap() = Some(id);
        gc::collect(gil, 0).unwrap();
        gc::collect(gil, 0).unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(!gc::remove_callback(gil, id));
    });
}

// ---------------------------------------------------------------------------------------
// 25: a natural generation-0 collection that frees an older object.

/// CPython's `C1055820`: an instance in a self-loop.
fn c1055820(gil: &mut Gil, i: u32) -> Obj<Node> {
    let c = Node::new(gil, i);
    Node::push(&c, gil, c.clone().into_any());
    c
}

/// CPython's `GC_Detector`: a weak reference to cyclic trash whose callback sets a flag.
fn gc_detector(gil: &mut Gil) -> (Arc<std::sync::atomic::AtomicBool>, Obj<WeakRef>) {
    let happened = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let h = happened.clone();
    let cb = heap::Callback::new(gil, move |_, _| h.store(true, Ordering::SeqCst));
    let trash = c1055820(gil, 666);
    let wr = WeakRef::new(gil, trash.as_any(), Some(cb)).unwrap();
    drop(trash);
    (happened, wr)
}

/// What c0's callback or finalizer saw: whether c2 was alive.
static OUCH: Mutex<Vec<bool>> = Mutex::new(Vec::new());

#[derive(Trace)]
struct DelUpgrades {
    target: GilCell<Option<Obj<WeakRef>>>,
}

impl Object for DelUpgrades {
    const FINALIZER: Option<heap::Finalizer<DelUpgrades>> = Some(|this, gil| {
        if let Some(wr) = this.get(gil).target.cloned(gil) {
            let alive = WeakRef::upgrade(&wr, gil).is_some();
            OUCH.lock().unwrap().push(alive);
        }
    });
}

fn natural_collection_frees_an_old_object(gil: &mut Gil, via_del: bool) {
    // Under Miri, a lower first threshold (see automatic_collection_starts_when_count_0_...).
    let [t0, t1, t2] = gc::DEFAULT_THRESHOLDS;
    gc::set_threshold(gil, [if cfg!(miri) { 50 } else { t0 }, t1, t2]);
    OUCH.lock().unwrap().clear();
    let live = gil.live_objects();

    // c0 moves to generation 2 ...
    let c0: AnyObj = if via_del {
        Obj::new(
            gil,
            DelUpgrades {
                target: GilCell::new(None),
            },
        )
        .into_any()
    } else {
        c1055820(gil, 0).into_any()
    };
    gc::collect(gil, 2).unwrap();
    // ... and only c1 (a self-loop in generation 0) keeps it alive.
    let c1 = c1055820(gil, 1);
    Node::push(&c1, gil, c0.clone());
    if let Some(n) = c0.downcast_ref::<Node>() {
        n.get(gil).children.take(gil); // del c0.loop
    }
    let c2 = c1055820(gil, 2);
    let c2wr = WeakRef::new(gil, c2.as_any(), None).unwrap(); // no callback
    // c0's weakref callback (or __del__) looks at c2 through c2wr.
    let c0wr = if via_del {
        let d = c0.downcast_ref::<DelUpgrades>().unwrap();
        d.get(gil).target.set(gil, Some(c2wr.clone()));
        None
    } else {
        let w = Mutex::new(c2wr.clone());
        let cb = heap::Callback::new(gil, move |gil, _| {
            let w = w.lock().unwrap();
            OUCH.lock()
                .unwrap()
                .push(WeakRef::upgrade(&w, gil).is_some())
        });
        Some(WeakRef::new(gil, &c0, Some(cb)).unwrap())
    };
    drop((c0, c1, c2));

    gc::enable(gil);
    let (happened, detector) = gc_detector(gil);
    let mut junk = Vec::new();
    let mut i = 0;
    while !happened.load(Ordering::SeqCst) {
        i += 1;
        assert!(i <= 10_000, "gc didn't happen after 10000 iterations");
        assert!(OUCH.lock().unwrap().is_empty());
        junk.push(List::new(gil, Vec::new())); // this will eventually trigger gc
    }
    gc::disable(gil);
    assert_eq!(
        *OUCH.lock().unwrap(),
        [false],
        "the callback ran once and saw c2 dead"
    );
    assert!(WeakRef::upgrade(&c2wr, gil).is_none());
    drop((junk, detector, c0wr, c2wr));
    gc::collect(gil, 2).unwrap();
    assert_eq!(gil.live_objects(), live);
}

#[test]
fn natural_gen0_collection_freeing_an_old_object_with_a_weakref_callback() {
    with_clean_gc(|gil| natural_collection_frees_an_old_object(gil, false));
}

#[test]
fn natural_gen0_collection_freeing_an_old_object_with_a_finalizer() {
    with_clean_gc(|gil| natural_collection_frees_an_old_object(gil, true));
}

// ---------------------------------------------------------------------------------------
// DEBUG_STATS, DEBUG_COLLECTABLE, DEBUG_UNCOLLECTABLE output.

#[test]
fn debug_stats_prints_cpythons_lines() {
    with_clean_gc(|gil| {
        let out = capture_debug_output(gil);
        gc::set_debug(gil, gc::DEBUG_STATS);
        self_list(gil);
        let sizes_before = gc::generation_sizes(gil);
        let frozen = gc::get_freeze_count(gil);
        assert_eq!(gc::collect(gil, 1), Ok(1));
        gc::set_debug(gil, 0);
        gc::set_debug_output(gil, None);
        let text = out.lock().unwrap().clone();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert_eq!(lines[0], "gc: collecting generation 1...");
        assert_eq!(
            lines[1],
            format!(
                "gc: objects in each generation: {} {} {}",
                sizes_before[0], sizes_before[1], sizes_before[2]
            )
        );
        assert_eq!(
            lines[2],
            format!("gc: objects in permanent generation: {frozen}")
        );
        let done = lines[3]
            .strip_prefix("gc: done, 1 unreachable, 0 uncollectable, ")
            .unwrap_or_else(|| panic!("{}", lines[3]));
        let secs = done.strip_suffix("s elapsed").unwrap();
        let (whole, frac) = secs.split_once('.').unwrap();
        assert!(whole.parse::<u64>().is_ok());
        assert_eq!(frac.len(), 4, "%.4f");
    });
}

#[test]
fn debug_collectable_and_uncollectable_name_each_object() {
    with_clean_gc(|gil| {
        let out = capture_debug_output(gil);
        gc::set_debug(gil, gc::DEBUG_COLLECTABLE | gc::DEBUG_UNCOLLECTABLE);
        let addr = self_list(gil);
        uncollectable_pair(gil);
        assert_eq!(gc::collect(gil, 2), Ok(3));
        gc::set_debug(gil, 0);
        gc::set_debug_output(gil, None);
        let text = out.lock().unwrap().clone();
        let garbage = gc::take_garbage(gil);
        assert_eq!(garbage.len(), 2);
        let mut want = vec![format!("gc: collectable <list {addr:#x}>")];
        for g in &garbage {
            want.push(format!("gc: uncollectable <Uncollectable {:#x}>", g.addr()));
        }
        let mut got: Vec<&str> = text.lines().collect();
        // Collectable lines come first.
        assert_eq!(got[0], want[0], "{text}");
        got[1..].sort();
        want[1..].sort();
        assert_eq!(got, want, "{text}");
        assert!(addr.to_string().len() > 1 && want[0].contains("0x"));
        for g in &garbage {
            g.downcast_ref::<Uncollectable>()
                .unwrap()
                .get(gil)
                .partner
                .set(gil, None);
        }
    });
}

#[test]
fn debug_leak_is_collectable_uncollectable_and_saveall() {
    assert_eq!(
        gc::DEBUG_LEAK,
        gc::DEBUG_COLLECTABLE | gc::DEBUG_UNCOLLECTABLE | gc::DEBUG_SAVEALL
    );
    assert_eq!(
        (
            gc::DEBUG_STATS,
            gc::DEBUG_COLLECTABLE,
            gc::DEBUG_UNCOLLECTABLE,
            gc::DEBUG_SAVEALL,
            gc::DEBUG_LEAK
        ),
        (1, 2, 4, 32, 38)
    );
    with_clean_gc(|gil| {
        let out = capture_debug_output(gil);
        gc::set_debug(gil, gc::DEBUG_LEAK);
        let addr = self_list(gil);
        assert_eq!(gc::collect(gil, 2), Ok(1));
        gc::set_debug(gil, 0);
        let saved = gc::take_garbage(gil);
        assert_eq!(saved.len(), 1);
        assert_eq!(saved[0].addr(), addr);
        assert_eq!(
            out.lock().unwrap().as_str(),
            format!("gc: collectable <list {addr:#x}>\n")
        );
        saved[0].clear(gil);
    });
}

// ---------------------------------------------------------------------------------------
// Code running inside a collection: collect() returns 0, panics are reported.

static NESTED: Mutex<Vec<usize>> = Mutex::new(Vec::new());

#[derive(Trace)]
struct CollectsInDel(GilCell<Option<AnyObj>>);

impl Object for CollectsInDel {
    const FINALIZER: Option<heap::Finalizer<CollectsInDel>> = Some(|_, gil| {
        assert!(gc::is_collecting(gil) || NESTED.lock().unwrap().is_empty());
        let n = gc::collect(gil, 2).unwrap();
        NESTED.lock().unwrap().push(n);
    });
}

#[test]
fn collect_inside_a_collection_returns_0() {
    with_clean_gc(|gil| {
        NESTED.lock().unwrap().clear();
        let live = gil.live_objects();
        // A finalizer run by the collector.
        let a = Obj::new(gil, CollectsInDel(GilCell::new(None)));
        a.get(gil).0.set(gil, Some(a.clone().into_any()));
        drop(a);
        self_list(gil);
        assert_eq!(gc::collect(gil, 2), Ok(2));
        assert_eq!(*NESTED.lock().unwrap(), [0]);
        assert_eq!(gil.live_objects(), live);

        // A gc callback.
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let id = gc::add_callback(gil, move |gil, _, _| {
            assert!(gc::is_collecting(gil));
            s.lock().unwrap().push(gc::collect(gil, 0).unwrap());
        });
        self_list(gil);
        assert_eq!(gc::collect(gil, 2), Ok(1));
        assert_eq!(*seen.lock().unwrap(), [0, 0]);
        assert!(gc::remove_callback(gil, id));

        // A weak-reference callback run by the collector.
        let seen2 = Arc::new(Mutex::new(Vec::new()));
        let s2 = seen2.clone();
        let cb = heap::Callback::new(gil, move |gil, _| {
            s2.lock().unwrap().push(gc::collect(gil, 2).unwrap())
        });
        let c = c1055820(gil, 1);
        let wr = WeakRef::new(gil, c.as_any(), Some(cb)).unwrap();
        drop(c);
        assert_eq!(gc::collect(gil, 2), Ok(1));
        assert_eq!(*seen2.lock().unwrap(), [0]);
        drop(wr);

        // Outside a collection (reference counting), a finalizer's collect() works.
        NESTED.lock().unwrap().clear();
        self_list(gil);
        drop(Obj::new(gil, CollectsInDel(GilCell::new(None))));
        assert_eq!(*NESTED.lock().unwrap(), [1]);
        assert!(!gc::is_collecting(gil));
        assert_eq!(gil.live_objects(), live);
    });
}

static REPORTS: Mutex<Vec<Unraisable>> = Mutex::new(Vec::new());

#[derive(Trace)]
struct PanicsInDel(GilCell<Option<AnyObj>>);

impl Object for PanicsInDel {
    const FINALIZER: Option<heap::Finalizer<PanicsInDel>> =
        Some(|_, _| panic!("boom in __del__ (expected by the test)"));

    fn type_name() -> &'static str {
        "PanicsInDel"
    }
}

#[derive(Trace)]
struct PanicsInClear(GilCell<Option<AnyObj>>);

impl Object for PanicsInClear {
    const CLEAR: Option<heap::ClearSlot<PanicsInClear>> = Some(|this, gil| {
        drop(this.get(gil).0.take(gil));
        panic!("boom in tp_clear (expected by the test)")
    });

    fn type_name() -> &'static str {
        "PanicsInClear"
    }
}

#[test]
fn panics_inside_a_collection_are_reported_as_unraisable() {
    with_clean_gc(|gil| {
        REPORTS.lock().unwrap().clear();
        let previous =
            set_unraisable_hook(gil, Some(|_gil, e| REPORTS.lock().unwrap().push(e.clone())));
        let live = gil.live_objects();

        let a = Obj::new(gil, PanicsInDel(GilCell::new(None)));
        a.get(gil).0.set(gil, Some(a.clone().into_any()));
        drop(a);
        assert_eq!(gc::collect(gil, 2), Ok(1));
        assert_eq!(gil.live_objects(), live, "still collected");

        let b = Obj::new(gil, PanicsInClear(GilCell::new(None)));
        b.get(gil).0.set(gil, Some(b.clone().into_any()));
        drop(b);
        assert_eq!(gc::collect(gil, 2), Ok(1));
        assert_eq!(gil.live_objects(), live, "still collected");

        let id = gc::add_callback(gil, |_, phase, _| {
            if phase == Phase::Start {
                panic!("boom in a gc callback (expected by the test)")
            }
        });
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let id2 = gc::add_callback(gil, move |_, _, _| {
            c.fetch_add(1, Ordering::SeqCst);
        });
        self_list(gil);
        assert_eq!(gc::collect(gil, 2), Ok(1));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            2,
            "the other callback still ran"
        );
        assert!(gc::remove_callback(gil, id));
        assert!(gc::remove_callback(gil, id2));

        // A weak-reference callback run by the collector.
        let cb = heap::Callback::new(gil, |_, _| {
            panic!("boom in a weakref callback (expected by the test)")
        });
        let c = c1055820(gil, 1);
        let wr = WeakRef::new(gil, c.as_any(), Some(cb)).unwrap();
        drop(c);
        assert_eq!(gc::collect(gil, 2), Ok(1));
        drop(wr);

        set_unraisable_hook(gil, previous);
        let reports = REPORTS.lock().unwrap();
        let contexts: Vec<&str> = reports.iter().map(|r| r.context.as_str()).collect();
        assert_eq!(reports.len(), 4, "{contexts:?}");
        assert!(
            contexts[0].contains("finalizer") && contexts[0].contains("PanicsInDel"),
            "{contexts:?}"
        );
        assert!(
            contexts[1].contains("tp_clear") && contexts[1].contains("PanicsInClear"),
            "{contexts:?}"
        );
        assert_eq!(contexts[2], "while calling GC callback");
        assert!(!contexts[3].is_empty());
        assert_eq!(gil.live_objects(), live);
    });
}

// ---------------------------------------------------------------------------------------
// Step 11: what reaches gc.garbage.

#[test]
fn only_legacy_objects_go_to_gc_garbage_unless_saveall() {
    with_clean_gc(|gil| {
        TP_DELS.store(0, Ordering::SeqCst);
        let live = gil.live_objects();
        let make = |gil: &mut Gil| {
            // L <-> N: N has no legacy finalizer but is reachable from L: uncollectable too.
            let l = Obj::new(
                gil,
                Uncollectable {
                    partner: GilCell::new(None),
                },
            );
            let n = Node::new(gil, 1);
            Node::push(&n, gil, l.clone().into_any());
            l.get(gil).partner.set(gil, Some(n.into_any()));
            l.as_any().addr()
        };
        let addr = make(gil);
        let before = gc::get_stats(gil)[2];
        assert_eq!(gc::collect(gil, 2), Ok(2));
        let after = gc::get_stats(gil)[2];
        assert_eq!(after.uncollectable, before.uncollectable + 2);
        assert_eq!(after.collected, before.collected);
        let g = gc::take_garbage(gil);
        assert_eq!(g.iter().map(AnyObj::addr).collect::<Vec<_>>(), [addr]);
        // The uncollectable objects stay in the heap (generation 2), found again next time.
        assert_eq!(gc::collect(gil, 2), Ok(0), "gc.garbage holds them");
        drop(g);
        assert_eq!(gc::collect(gil, 2), Ok(2));
        let g = gc::take_garbage(gil);
        assert_eq!(g.len(), 1);

        // With DEBUG_SAVEALL every uncollectable object is saved.
        gc::set_debug(gil, gc::DEBUG_SAVEALL);
        drop(g);
        assert_eq!(gc::collect(gil, 2), Ok(2));
        gc::set_debug(gil, 0);
        let g = gc::take_garbage(gil);
        assert_eq!(g.len(), 2);
        assert!(g.iter().any(|o| o.is::<Node>()));
        assert_eq!(TP_DELS.load(Ordering::SeqCst), 0);
        for o in &g {
            if let Some(u) = o.downcast_ref::<Uncollectable>() {
                u.get(gil).partner.set(gil, None);
            }
        }
        drop(g);
        assert_eq!(TP_DELS.load(Ordering::SeqCst), 1);
        assert_eq!(gil.live_objects(), live);
    });
}
