//! Finalizers, resurrection and weak references when the cycle collector finds garbage
//! (design section 6, behaviours 13–15, 20–23, 27–31, 33, 40–42: CPython's test_gc.py,
//! test_finalization.py (PEP 442) and test_weakref.py, with the classes modelled by payload
//! types: `__del__` is a finalizer, `tp_del` a legacy finalizer).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use heap::gc;
use heap::{AnyObj, Callback, Gil, GilCell, Obj, Object, Trace, WeakRef};

use crate::common::{Int, Node};
use crate::gc::{List, with_clean_gc};

/// What a finalizable object does in its finalizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Records the call.
    Plain,
    /// Records the call and stores itself in `SURVIVORS`.
    Resurrect,
    /// Records the call and drops its links (breaks its own cycle).
    Suicide,
}

heap::unsafe_empty_trace!(Mode);

/// Finalizer calls (ids), in order.
static DELS: Mutex<Vec<u32>> = Mutex::new(Vec::new());
/// Ids whose finalizer found its neighbours broken (a clear before all finalizers ran).
static INSANE: Mutex<Vec<u32>> = Mutex::new(Vec::new());
/// Where resurrectors put themselves.
static SURVIVORS: Mutex<Vec<AnyObj>> = Mutex::new(Vec::new());

/// CPython test_finalization's `SimpleBase`/`ChainedBase` classes in one type.
#[derive(Trace)]
struct Fin {
    id: u32,
    mode: Mode,
    chained: bool,
    left: GilCell<Option<AnyObj>>,
    right: GilCell<Option<AnyObj>>,
    suicided: GilCell<bool>,
    attr: GilCell<Option<AnyObj>>,
}

impl Object for Fin {
    const FINALIZER: Option<heap::Finalizer<Fin>> = Some(|this, gil| {
        let me = this.get(gil);
        DELS.lock().unwrap().push(me.id);
        if me.chained && !sane(this, gil) {
            INSANE.lock().unwrap().push(me.id);
        }
        match me.mode {
            Mode::Plain => {}
            Mode::Resurrect => SURVIVORS
                .lock()
                .unwrap()
                .push(this.clone_ref(gil).into_any()),
            Mode::Suicide => {
                me.suicided.set(gil, true);
                let links = (me.left.take(gil), me.right.take(gil));
                drop(links);
            }
        }
    });

    fn type_name() -> &'static str {
        "Fin"
    }
}

fn fin(gil: &Gil, id: u32, mode: Mode, chained: bool) -> Obj<Fin> {
    Obj::new(
        gil,
        Fin {
            id,
            mode,
            chained,
            left: GilCell::new(None),
            right: GilCell::new(None),
            suicided: GilCell::new(false),
            attr: GilCell::new(None),
        },
    )
}

/// ChainedBase.check_sanity: the links of the node and of its neighbours are intact.
fn sane(this: &Obj<Fin>, gil: &Gil) -> bool {
    let me = this.get(gil);
    if me.suicided.get(gil) {
        return me.left.cloned(gil).is_none() && me.right.cloned(gil).is_none();
    }
    let (Some(left), Some(right)) = (me.left.cloned(gil), me.right.cloned(gil)) else {
        return false;
    };
    let (Some(l), Some(r)) = (left.downcast_ref::<Fin>(), right.downcast_ref::<Fin>()) else {
        return false;
    };
    let points_back = |n: &Obj<Fin>, back: &GilCell<Option<AnyObj>>| {
        if n.get(gil).suicided.get(gil) {
            back.cloned(gil).is_none()
        } else {
            back.cloned(gil).is_some_and(|b| b.ptr_eq(this.as_any()))
        }
    };
    points_back(l, &l.get(gil).right) && points_back(r, &r.get(gil).left)
}

/// A ring of chained nodes: node i's left is node i-1 (the first's is the last).
fn chain(gil: &Gil, modes: &[Mode]) -> Vec<Obj<Fin>> {
    let nodes: Vec<Obj<Fin>> = modes
        .iter()
        .enumerate()
        .map(|(i, &m)| fin(gil, i as u32 + 1, m, true))
        .collect();
    for i in 0..nodes.len() {
        let left = &nodes[(i + nodes.len() - 1) % nodes.len()];
        nodes[i]
            .get(gil)
            .left
            .set(gil, Some(left.clone().into_any()));
        left.get(gil)
            .right
            .set(gil, Some(nodes[i].clone().into_any()));
    }
    nodes
}

/// A Fin in a self-cycle (`self.ref = self`).
fn self_cycle(gil: &Gil, id: u32, mode: Mode) -> Obj<Fin> {
    let f = fin(gil, id, mode, false);
    f.get(gil).attr.set(gil, Some(f.clone().into_any()));
    f
}

fn reset() {
    DELS.lock().unwrap().clear();
    INSANE.lock().unwrap().clear();
    clear_survivors();
}

/// Drops the survivors (outside the lock: their deaths may run finalizers that take it).
fn clear_survivors() {
    let survivors = std::mem::take(&mut *SURVIVORS.lock().unwrap());
    drop(survivors);
}

fn dels() -> Vec<u32> {
    DELS.lock().unwrap().clone()
}

fn survivor_ids(gil: &Gil) -> Vec<u32> {
    let mut ids: Vec<u32> = SURVIVORS
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.downcast_ref::<Fin>().unwrap().get(gil).id)
        .collect();
    ids.sort();
    ids
}

fn weak(gil: &Gil, o: &Obj<Fin>) -> Obj<WeakRef> {
    WeakRef::new(gil, o.as_any(), None).unwrap()
}

fn dead(gil: &Gil, wr: &Obj<WeakRef>) -> bool {
    WeakRef::upgrade(wr, gil).is_none()
}

// ---------------------------------------------------------------------------------------
// 27, 28: no cycle (the reference-counting path, then a collection finds nothing).

#[test]
fn plain_and_resurrecting_objects_without_cycles() {
    with_clean_gc(|gil| {
        reset();
        let live = gil.live_objects();
        let s = fin(gil, 1, Mode::Plain, false);
        let wr = weak(gil, &s);
        drop(s);
        assert_eq!(gc::collect(gil, 2), Ok(0));
        assert_eq!(dels(), [1]);
        assert!(survivor_ids(gil).is_empty());
        assert!(dead(gil, &wr));
        drop(wr);

        // A resurrector survives, and its weakref stays alive (refcount path).
        let s = fin(gil, 2, Mode::Resurrect, false);
        let wr = weak(gil, &s);
        drop(s);
        assert_eq!(gc::collect(gil, 2), Ok(0));
        assert_eq!(dels(), [1, 2]);
        assert_eq!(survivor_ids(gil), [2]);
        assert!(
            !dead(gil, &wr),
            "resurrected on the refcount path: weakref alive"
        );
        clear_survivors();
        assert_eq!(gc::collect(gil, 2), Ok(0));
        assert_eq!(dels(), [1, 2], "no second __del__");
        assert!(dead(gil, &wr));
        drop(wr);
        assert_eq!(gil.live_objects(), live);
    });
}

/// An untracked (non-GC) type with a finalizer that resurrects.
#[derive(Trace)]
struct NonGc(u32);

impl Object for NonGc {
    const TRACKED: bool = false;
    const FINALIZER: Option<heap::Finalizer<NonGc>> = Some(|this, gil| {
        DELS.lock().unwrap().push(this.get(gil).0);
        if this.get(gil).0 == 2 {
            SURVIVORS
                .lock()
                .unwrap()
                .push(this.clone_ref(gil).into_any());
        }
    });
}

#[test]
fn non_gc_objects_are_finalized_once_too() {
    // 28: CPython 3.11 finalizes a resurrected non-GC object again at its next death (no
    // finalized bit); the heap keeps the bit in every header, so it is once (documented on
    // Object::FINALIZER).
    with_clean_gc(|gil| {
        reset();
        let live = gil.live_objects();
        drop(Obj::new(gil, NonGc(1)));
        assert_eq!(dels(), [1]);
        drop(Obj::new(gil, NonGc(2)));
        assert_eq!(dels(), [1, 2]);
        assert_eq!(SURVIVORS.lock().unwrap().len(), 1);
        assert!(!gc::is_finalized(gil, &SURVIVORS.lock().unwrap()[0]));
        clear_survivors();
        assert_eq!(dels(), [1, 2]);
        assert_eq!(gil.live_objects(), live);
    });
}

// ---------------------------------------------------------------------------------------
// 29, 13, 20, 21: self-cycles.

#[test]
fn self_cycles_plain_resurrecting_and_self_breaking() {
    with_clean_gc(|gil| {
        reset();
        let live = gil.live_objects();
        let s = self_cycle(gil, 1, Mode::Plain);
        let wr = weak(gil, &s);
        drop(s);
        assert_eq!(gc::collect(gil, 2), Ok(1));
        assert_eq!(dels(), [1]);
        assert!(dead(gil, &wr));
        assert_eq!(gc::collect(gil, 2), Ok(0));
        assert_eq!(dels(), [1]);
        drop(wr);
        assert_eq!(gil.live_objects(), live);

        // Resurrecting: survives, but its weakref was cleared before __del__ ran.
        reset();
        let s = self_cycle(gil, 2, Mode::Resurrect);
        let addr = s.as_any().addr();
        let wr = weak(gil, &s);
        assert!(!gc::is_finalized(gil, s.as_any()), "13: not before __del__");
        drop(s);
        assert_eq!(gc::collect(gil, 2), Ok(0), "resurrected: not counted");
        assert_eq!(dels(), [2]);
        assert_eq!(survivor_ids(gil), [2]);
        assert!(dead(gil, &wr), "GC clears weakrefs before finalizers");
        let back = SURVIVORS.lock().unwrap()[0].clone();
        assert_eq!(back.addr(), addr);
        assert!(
            gc::is_finalized(gil, &back),
            "13: finalized after resurrection"
        );
        // 21: its cycle is intact.
        let f = back.downcast_ref::<Fin>().unwrap();
        assert!(f.get(gil).attr.cloned(gil).unwrap().ptr_eq(&back));
        drop(back);
        // 20: once.
        clear_survivors();
        assert_eq!(gc::collect(gil, 2), Ok(1));
        assert_eq!(dels(), [2], "__del__ runs once");
        assert!(survivor_ids(gil).is_empty());
        drop(wr);
        assert_eq!(gil.live_objects(), live);

        // Breaking its own cycle: freed by reference counting during the collection (while
        // its finalizer returns). CPython counts only what is still unreachable after the
        // finalizers (`m += gc_list_size(&final_unreachable)`): 0.
        reset();
        let s = fin(gil, 3, Mode::Suicide, false);
        s.get(gil).left.set(gil, Some(s.clone().into_any()));
        let wr = weak(gil, &s);
        drop(s);
        assert_eq!(gc::collect(gil, 2), Ok(0));
        assert_eq!(dels(), [3]);
        assert!(dead(gil, &wr));
        drop(wr);
        assert_eq!(gil.live_objects(), live);

        // 13: atomic objects are never finalized; live ones not yet.
        let i = Obj::new(gil, Int(3)).into_any();
        assert!(!gc::is_finalized(gil, &i));
    });
}

#[test]
fn resurrection_keeps_the_partner_intact() {
    // 21: a resurrected object's cycle partner survives with it, untouched.
    with_clean_gc(|gil| {
        reset();
        let live = gil.live_objects();
        let z = fin(gil, 1, Mode::Resurrect, false);
        let partner = Node::new(gil, 42);
        let partner_addr = partner.as_any().addr();
        Node::push(&partner, gil, z.clone().into_any());
        z.get(gil).attr.set(gil, Some(partner.into_any()));
        drop(z);
        assert_eq!(gc::collect(gil, 2), Ok(0));
        let z = SURVIVORS.lock().unwrap().pop().unwrap();
        let p = z
            .downcast_ref::<Fin>()
            .unwrap()
            .get(gil)
            .attr
            .cloned(gil)
            .unwrap();
        assert_eq!(p.addr(), partner_addr, "same partner");
        let n = p.downcast_ref::<Node>().unwrap();
        assert_eq!(n.get(gil).name, 42);
        assert!(n.get(gil).children.cloned(gil)[0].ptr_eq(&z));
        drop((z, p));
        assert_eq!(gc::collect(gil, 2), Ok(2));
        assert_eq!(dels(), [1]);
        assert_eq!(gil.live_objects(), live);
    });
}

// ---------------------------------------------------------------------------------------
// 22: resurrection accounting (test_resurrection_does_not_block_cleanup_of_other_objects).

#[test]
fn resurrection_accounting_is_exact() {
    with_clean_gc(|gil| {
        reset();
        let live = gil.live_objects();
        let n: usize = if cfg!(miri) { 10 } else { 100 };
        let stats = |gil: &Gil| {
            let s = gc::get_stats(gil)[2];
            (s.collected, s.uncollectable)
        };
        let a = |gil: &mut Gil| {
            let x = Node::new(gil, 0);
            Node::push(&x, gil, x.clone().into_any());
        };
        let z = |gil: &Gil| drop(self_cycle(gil, 9, Mode::Resurrect));

        let (c0, u0) = stats(gil);
        for _ in 0..n {
            a(gil);
        }
        assert_eq!(gc::collect(gil, 2), Ok(n));
        let (c1, u1) = stats(gil);
        assert_eq!((c1 - c0, u1 - u0), (n, 0));

        // A lone Z is merely resurrected: nothing collected.
        z(gil);
        assert_eq!(gc::collect(gil, 2), Ok(0));
        let (c2, u2) = stats(gil);
        assert_eq!((c2 - c1, u2 - u1), (0, 0));

        // Z does not prevent anything else from being collected.
        for _ in 0..n {
            a(gil);
        }
        z(gil);
        assert_eq!(gc::collect(gil, 2), Ok(n));
        let (c3, u3) = stats(gil);
        assert_eq!((c3 - c2, u3 - u2), (n, 0));

        // Releasing the two resurrected Zs.
        assert_eq!(SURVIVORS.lock().unwrap().len(), 2);
        clear_survivors();
        assert_eq!(gc::collect(gil, 2), Ok(2));
        let (c4, u4) = stats(gil);
        assert_eq!((c4 - c3, u4 - u3), (2, 0));
        assert_eq!(dels(), [9, 9]);
        assert_eq!(gil.live_objects(), live);
    });
}

// ---------------------------------------------------------------------------------------
// 30: cyclic chains.

fn check_chain(gil: &mut Gil, modes: &[Mode]) {
    reset();
    let live = gil.live_objects();
    let nodes = chain(gil, modes);
    let ids: Vec<u32> = nodes.iter().map(|n| n.get(gil).id).collect();
    let wrs: Vec<Obj<WeakRef>> = nodes.iter().map(|n| weak(gil, n)).collect();
    let resurrectors: Vec<u32> = ids
        .iter()
        .zip(modes)
        .filter(|(_, m)| **m == Mode::Resurrect)
        .map(|(i, _)| *i)
        .collect();
    drop(nodes);
    gc::collect(gil, 2).unwrap();
    let mut called = dels();
    called.sort();
    assert_eq!(called, ids, "{modes:?}: each __del__ once");
    assert!(
        INSANE.lock().unwrap().is_empty(),
        "{modes:?}: a finalizer saw broken links: {:?}",
        INSANE.lock().unwrap()
    );
    assert_eq!(survivor_ids(gil), resurrectors, "{modes:?}");
    assert!(wrs.iter().all(|w| dead(gil, w)), "{modes:?}: weakrefs dead");
    clear_survivors();
    gc::collect(gil, 2).unwrap();
    let mut called = dels();
    called.sort();
    assert_eq!(called, ids, "{modes:?}: nothing more on a second collect");
    assert!(survivor_ids(gil).is_empty());
    drop(wrs);
    assert_eq!(gil.live_objects(), live, "{modes:?}");
}

#[test]
fn cyclic_chains_finalize_each_node_once_with_links_intact() {
    use Mode::*;
    with_clean_gc(|gil| {
        for modes in [
            &[Plain, Plain, Plain][..],
            &[Plain, Resurrect, Plain],
            &[Resurrect, Resurrect, Resurrect, Resurrect],
            &[Plain, Suicide, Plain, Resurrect],
            &[Suicide, Suicide, Plain, Plain, Resurrect],
            &[Plain, Resurrect, Suicide, Plain, Resurrect, Suicide],
            &[Suicide, Suicide, Suicide],
        ] {
            check_chain(gil, modes);
        }
    });
}

// ---------------------------------------------------------------------------------------
// 15: a __del__ that writes an attribute.

#[test]
fn a_cycle_whose_finalizer_writes_an_attribute_is_collected() {
    #[derive(Trace)]
    struct Writer(GilCell<Option<AnyObj>>, GilCell<Option<AnyObj>>);
    impl Object for Writer {
        const FINALIZER: Option<heap::Finalizer<Writer>> = Some(|this, gil| {
            // self.attr = [1, 2]; also touch the partner.
            let l = List::new(gil, vec![Obj::new(gil, Int(1)).into_any()]);
            this.get(gil).1.set(gil, Some(l.into_any()));
            if let Some(p) = this.get(gil).0.cloned(gil)
                && let Some(w) = p.downcast_ref::<Writer>()
            {
                w.get(gil)
                    .1
                    .set(gil, Some(Obj::new(gil, Int(2)).into_any()));
            }
        });
    }
    with_clean_gc(|gil| {
        let live = gil.live_objects();
        let a = Obj::new(gil, Writer(GilCell::new(None), GilCell::new(None)));
        let b = Obj::new(
            gil,
            Writer(GilCell::new(Some(a.clone().into_any())), GilCell::new(None)),
        );
        a.get(gil).0.set(gil, Some(b.into_any()));
        drop(a);
        assert_eq!(gc::collect(gil, 2), Ok(2));
        assert_eq!(gil.live_objects(), live);
    });
}

// ---------------------------------------------------------------------------------------
// 14, 33: weak-reference callbacks of cyclic trash.

#[test]
fn callbacks_see_all_the_trash_dead() {
    // test_bug1055820b: two self-cycles with external weakrefs whose callback reads them all.
    with_clean_gc(|gil| {
        let live = gil.live_objects();
        let ouch: Arc<Mutex<Vec<Vec<bool>>>> = Arc::default();
        let wrs: Arc<Mutex<Vec<Obj<WeakRef>>>> = Arc::default();
        let cs: Vec<Obj<Node>> = (0..2)
            .map(|i| {
                let c = Node::new(gil, i);
                Node::push(&c, gil, c.clone().into_any());
                c
            })
            .collect();
        for c in &cs {
            let (o, w) = (ouch.clone(), wrs.clone());
            let cb = Callback::new(gil, move |gil, me| {
                let w = w.lock().unwrap();
                assert!(w.iter().any(|x| x.ptr_eq(me)));
                o.lock().unwrap().push(
                    w.iter()
                        .map(|x| WeakRef::upgrade(x, gil).is_some())
                        .collect(),
                );
            });
            let wr = WeakRef::new(gil, c.as_any(), Some(cb)).unwrap();
            wrs.lock().unwrap().push(wr);
        }
        assert_eq!(gc::collect(gil, 2), Ok(0));
        assert!(ouch.lock().unwrap().is_empty());
        drop(cs);
        assert_eq!(gc::collect(gil, 2), Ok(2));
        // 33: each callback once, and every reference was dead before the first ran.
        assert_eq!(
            *ouch.lock().unwrap(),
            [vec![false, false], vec![false, false]]
        );
        assert!(
            wrs.lock()
                .unwrap()
                .iter()
                .all(|w| w.get(gil).callback(gil).is_none())
        );
        wrs.lock().unwrap().clear();
        assert_eq!(gil.live_objects(), live);
    });
}

// ---------------------------------------------------------------------------------------
// 23: a weakref in the trash to an object the collector cannot see.

/// CPython's `ContainerNoGC`: holds an object but does not traverse it.
struct ContainerNoGc {
    #[allow(dead_code)]
    value: AnyObj,
}

heap::unsafe_empty_trace!(ContainerNoGc);

impl Object for ContainerNoGc {
    const TRACKED: bool = false;
}

#[test]
fn trash_weakrefs_are_cleared_not_called() {
    with_clean_gc(|gil| {
        let live = gil.live_objects();
        let called = Arc::new(AtomicUsize::new(0));
        let c = called.clone();
        let callback = Callback::new(gil, move |_, _| {
            c.fetch_add(1, Ordering::SeqCst);
        });
        // Z <- Y <- A --> WZ -> C, A -> A; wr_cycle = [WZ, wr_cycle]
        let z = Node::new(gil, 26);
        let z_weak = z.downgrade(gil).unwrap();
        let a = Node::new(gil, 1);
        Node::push(&a, gil, a.clone().into_any());
        let y = Obj::new(
            gil,
            ContainerNoGc {
                value: z.into_any(),
            },
        );
        Node::push(&a, gil, y.into_any());
        let wz = WeakRef::new(
            gil,
            &z_weak.upgrade(gil).unwrap().into_any(),
            Some(callback),
        )
        .unwrap();
        Node::push(&a, gil, wz.clone().into_any());
        let wr_cycle = List::new(gil, vec![wz.into_any()]);
        List::push(&wr_cycle, gil, wr_cycle.clone().into_any());
        drop((a, wr_cycle));
        assert!(gc::collect(gil, 2).unwrap() >= 3);
        assert_eq!(
            called.load(Ordering::SeqCst),
            0,
            "a weakref in the trash must be cleared before Z dies"
        );
        assert!(z_weak.upgrade(gil).is_none(), "Z freed");
        drop(z_weak);
        assert_eq!(gil.live_objects(), live);
    });
}

// ---------------------------------------------------------------------------------------
// 31: legacy finalizers (tp_del).

static LEGACY_DELS: Mutex<Vec<u32>> = Mutex::new(Vec::new());
static TP_DELS: Mutex<Vec<u32>> = Mutex::new(Vec::new());

#[derive(Trace)]
struct Legacy {
    id: u32,
    resurrect: GilCell<bool>,
    me: GilCell<Option<AnyObj>>,
}

impl Object for Legacy {
    const FINALIZER: Option<heap::Finalizer<Legacy>> = Some(|this, gil| {
        LEGACY_DELS.lock().unwrap().push(this.get(gil).id);
    });
    const LEGACY_FINALIZER: Option<heap::Finalizer<Legacy>> = Some(|this, gil| {
        TP_DELS.lock().unwrap().push(this.get(gil).id);
        if this.get(gil).resurrect.get(gil) {
            SURVIVORS
                .lock()
                .unwrap()
                .push(this.clone_ref(gil).into_any());
        }
    });

    fn type_name() -> &'static str {
        "Legacy"
    }
}

fn legacy(gil: &Gil, id: u32, resurrect: bool) -> Obj<Legacy> {
    Obj::new(
        gil,
        Legacy {
            id,
            resurrect: GilCell::new(resurrect),
            me: GilCell::new(None),
        },
    )
}

#[test]
fn legacy_finalizers() {
    with_clean_gc(|gil| {
        reset();
        LEGACY_DELS.lock().unwrap().clear();
        TP_DELS.lock().unwrap().clear();
        let live = gil.live_objects();
        let lists = || {
            (
                LEGACY_DELS.lock().unwrap().clone(),
                TP_DELS.lock().unwrap().clone(),
            )
        };

        // Not in a cycle: __del__ and tp_del once each.
        let s = legacy(gil, 1, false);
        let wr = WeakRef::new(gil, s.as_any(), None).unwrap();
        drop(s);
        gc::collect(gil, 2).unwrap();
        assert_eq!(lists(), (vec![1], vec![1]));
        assert!(WeakRef::upgrade(&wr, gil).is_none());
        gc::collect(gil, 2).unwrap();
        assert_eq!(lists(), (vec![1], vec![1]));
        drop(wr);

        // Resurrecting tp_del: runs again at the next death, __del__ does not.
        let s = legacy(gil, 2, true);
        let wr = WeakRef::new(gil, s.as_any(), None).unwrap();
        drop(s);
        gc::collect(gil, 2).unwrap();
        assert_eq!(lists(), (vec![1, 2], vec![1, 2]));
        assert_eq!(SURVIVORS.lock().unwrap().len(), 1);
        assert!(
            WeakRef::upgrade(&wr, gil).is_none(),
            "weakrefs are cleared before tp_del"
        );
        clear_survivors();
        gc::collect(gil, 2).unwrap();
        assert_eq!(lists(), (vec![1, 2], vec![1, 2, 2]));
        let back = SURVIVORS.lock().unwrap().pop().unwrap();
        back.downcast_ref::<Legacy>()
            .unwrap()
            .get(gil)
            .resurrect
            .set(gil, false);
        drop(back);
        assert_eq!(lists(), (vec![1, 2], vec![1, 2, 2, 2]));
        drop(wr);

        // In a self-cycle: neither runs; the object goes to gc.garbage and its weakref stays
        // alive until the cycle is broken by hand.
        let s = legacy(gil, 3, false);
        s.get(gil).me.set(gil, Some(s.clone().into_any()));
        let addr = s.as_any().addr();
        let wr = WeakRef::new(gil, s.as_any(), None).unwrap();
        drop(s);
        assert_eq!(gc::collect(gil, 2), Ok(1));
        assert_eq!(lists(), (vec![1, 2], vec![1, 2, 2, 2]));
        assert!(SURVIVORS.lock().unwrap().is_empty());
        let garbage = gc::take_garbage(gil);
        assert_eq!(garbage.len(), 1);
        assert_eq!(garbage[0].addr(), addr);
        assert!(!gc::is_finalized(gil, &garbage[0]));
        assert!(WeakRef::upgrade(&wr, gil).is_some(), "weakref still alive");
        garbage[0]
            .downcast_ref::<Legacy>()
            .unwrap()
            .get(gil)
            .me
            .set(gil, None);
        drop(garbage);
        assert!(WeakRef::upgrade(&wr, gil).is_none());
        // Freed by reference counting: now both run.
        assert_eq!(lists(), (vec![1, 2, 3], vec![1, 2, 2, 2, 3]));
        assert!(gc::garbage(gil).is_empty());
        drop(wr);
        assert_eq!(gil.live_objects(), live);
    });
}

// ---------------------------------------------------------------------------------------
// 40, 41: callbacks that collect; weakrefs with callbacks inside cycles.

// test_sf_bug_840829: the dying object must not be visible to a collection that its
// weak-reference callback starts (CPython's subtype_dealloc untracks it first).
#[test]
fn weakref_callbacks_that_collect_are_safe() {
    // test_sf_bug_840829.
    with_clean_gc(|gil| {
        let live = gil.live_objects();
        let results = Arc::new(Mutex::new(Vec::new()));
        let r = results.clone();
        let collecting = move |gil: &mut Gil, _: &Obj<WeakRef>| {
            r.lock().unwrap().push(gc::collect(gil, 2).unwrap());
        };
        let c = Node::new(gil, 1);
        let wr = WeakRef::new(
            gil,
            c.as_any(),
            Some(Callback::new(gil, collecting.clone())),
        )
        .unwrap();
        crate::gc::self_list(gil); // garbage for the callback's collection
        drop(c);
        assert_eq!(*results.lock().unwrap(), [1]);
        drop(wr);

        let c1 = Node::new(gil, 1);
        let i = Node::new(gil, 2);
        let wr = WeakRef::new(gil, i.as_any(), Some(Callback::new(gil, collecting))).unwrap();
        Node::push(&c1, gil, i.into_any());
        let c2 = Node::new(gil, 3);
        Node::push(&c2, gil, c1.into_any());
        drop(c2);
        assert_eq!(*results.lock().unwrap(), [1, 0]);
        drop(wr);
        assert_eq!(gil.live_objects(), live);
    });
}

#[test]
fn a_weakref_callback_that_collects_is_safe_for_untracked_referents() {
    // 40, for a referent the collector does not track (tracked ones: see the report).
    with_clean_gc(|gil| {
        let live = gil.live_objects();
        let results = Arc::new(Mutex::new(Vec::new()));
        let r = results.clone();
        let cb = Callback::new(gil, move |gil, _| {
            r.lock().unwrap().push(gc::collect(gil, 2).unwrap())
        });
        let link = Obj::new(gil, crate::common::Link { next: None });
        let wr = WeakRef::new(gil, link.as_any(), Some(cb)).unwrap();
        crate::gc::self_list(gil);
        drop(link);
        assert_eq!(*results.lock().unwrap(), [1]);
        assert!(WeakRef::upgrade(&wr, gil).is_none());
        drop(wr);
        assert_eq!(gil.live_objects(), live);
    });
}

/// A bound method: its instance, and a call slot that records.
#[derive(Trace)]
struct Bound(AnyObj, #[allow(dead_code)] u32);

static ALIST: Mutex<Vec<String>> = Mutex::new(Vec::new());

impl Object for Bound {
    const CALL: Option<heap::CallSlot<Bound>> =
        Some(|_, _, _| ALIST.lock().unwrap().push("cb called".into()));
}

#[test]
fn callbacks_belonging_to_trash_never_run() {
    // test_callbacks_on_callback.
    with_clean_gc(|gil| {
        ALIST.lock().unwrap().clear();
        let live = gil.live_objects();
        let safe_callback = Callback::new(gil, |_, _| {
            ALIST.lock().unwrap().push("safe_callback called".into())
        });
        let c = Node::new(gil, 1);
        let d = Node::new(gil, 2);
        Node::push(&c, gil, d.clone().into_any());
        Node::push(&d, gil, c.clone().into_any());
        let callback = Obj::new(gil, Bound(c.clone().into_any(), 0));
        let c_wr = WeakRef::new(gil, d.as_any(), Some(callback.clone().into_any())).unwrap();
        Node::push(&c, gil, c_wr.into_any());
        let d_cb = Obj::new(gil, Bound(d.clone().into_any(), 1)).into_any();
        let d_wr = WeakRef::new(gil, callback.as_any(), Some(d_cb)).unwrap();
        Node::push(&d, gil, d_wr.into_any());
        let external_wr = WeakRef::new(gil, callback.as_any(), Some(safe_callback)).unwrap();
        assert!(
            WeakRef::upgrade(&external_wr, gil)
                .unwrap()
                .ptr_eq(callback.as_any())
        );
        drop((callback, c, d));
        assert!(ALIST.lock().unwrap().is_empty(), "del isn't enough");
        assert!(gc::collect(gil, 2).unwrap() >= 6);
        assert_eq!(*ALIST.lock().unwrap(), ["safe_callback called"]);
        assert!(WeakRef::upgrade(&external_wr, gil).is_none());
        ALIST.lock().unwrap().clear();
        assert_eq!(gc::collect(gil, 2), Ok(0));
        assert!(ALIST.lock().unwrap().is_empty());
        drop(external_wr);
        assert_eq!(gil.live_objects(), live);
    });
}

// ---------------------------------------------------------------------------------------
// 42: collections while weak references are made; weakrefs to self in __del__.

#[test]
fn collections_while_creating_weakrefs_are_safe() {
    with_clean_gc(|gil| {
        let live = gil.live_objects();
        gc::set_threshold(gil, [1, 1, 1]);
        gc::enable(gil);
        let target = Node::new(gil, 1);
        Node::push(&target, gil, target.clone().into_any());
        let mut refs = Vec::new();
        for i in 0..if cfg!(miri) { 20 } else { 200 } {
            crate::gc::self_list(gil);
            let cb = Callback::new(gil, |_, _| {});
            refs.push(WeakRef::new(gil, target.as_any(), Some(cb)).unwrap());
            refs.push(WeakRef::new_proxy(gil, target.as_any(), None).unwrap());
            if i % 3 == 0 {
                refs.push(WeakRef::new(gil, target.as_any(), None).unwrap());
            }
        }
        gc::disable(gil);
        assert!(refs.iter().all(|w| WeakRef::upgrade(w, gil).is_some()));
        drop(target);
        gc::collect(gil, 2).unwrap();
        assert!(refs.iter().all(|w| WeakRef::upgrade(w, gil).is_none()));
        drop(refs);
        assert_eq!(gil.live_objects(), live);
    });
}

static SELF_REFS: Mutex<Vec<Obj<WeakRef>>> = Mutex::new(Vec::new());
static SELF_REF_CALLS: AtomicUsize = AtomicUsize::new(0);

#[derive(Trace)]
struct WeakSelfInDel(GilCell<Option<AnyObj>>);

impl Object for WeakSelfInDel {
    const FINALIZER: Option<heap::Finalizer<WeakSelfInDel>> = Some(|this, gil| {
        let cb = Callback::new(gil, |_, _| {
            SELF_REF_CALLS.fetch_add(1, Ordering::SeqCst);
        });
        let wr = WeakRef::new(gil, this.as_any(), Some(cb)).unwrap();
        assert!(WeakRef::upgrade(&wr, gil).is_some());
        SELF_REFS.lock().unwrap().push(wr);
    });
}

#[test]
fn a_weakref_to_self_made_in_a_finalizer_is_safe() {
    with_clean_gc(|gil| {
        SELF_REFS.lock().unwrap().clear();
        SELF_REF_CALLS.store(0, Ordering::SeqCst);
        let live = gil.live_objects();
        // Refcount path.
        drop(Obj::new(gil, WeakSelfInDel(GilCell::new(None))));
        // Cyclic trash.
        let a = Obj::new(gil, WeakSelfInDel(GilCell::new(None)));
        a.get(gil).0.set(gil, Some(a.clone().into_any()));
        drop(a);
        assert_eq!(gc::collect(gil, 2), Ok(1));
        let refs = std::mem::take(&mut *SELF_REFS.lock().unwrap());
        assert_eq!(refs.len(), 2);
        assert!(refs.iter().all(|w| WeakRef::upgrade(w, gil).is_none()));
        drop(refs);
        assert_eq!(gil.live_objects(), live);
    });
}

// ---------------------------------------------------------------------------------------
// Automatic collection with threshold 1 and resurrecting finalizers.

#[test]
fn automatic_collections_with_resurrection_keep_everything_consistent() {
    with_clean_gc(|gil| {
        reset();
        let live = gil.live_objects();
        let stop = AtomicBool::new(false);
        gc::set_threshold(gil, [3, 1, 1]);
        gc::enable(gil);
        let rounds = if cfg!(miri) { 12 } else { 300 };
        for i in 0..rounds {
            let modes = match i % 3 {
                0 => &[Mode::Plain, Mode::Resurrect][..],
                1 => &[Mode::Suicide, Mode::Plain, Mode::Plain],
                _ => &[Mode::Resurrect],
            };
            drop(chain(gil, modes));
        }
        stop.store(true, Ordering::SeqCst);
        gc::disable(gil);
        gc::collect(gil, 2).unwrap();
        let expected: usize = (0..rounds).map(|i| [2, 3, 1][i % 3]).sum();
        assert_eq!(DELS.lock().unwrap().len(), expected);
        assert!(INSANE.lock().unwrap().is_empty());
        clear_survivors();
        gc::collect(gil, 2).unwrap();
        assert_eq!(DELS.lock().unwrap().len(), expected);
        assert_eq!(gil.live_objects(), live);
    });
}
