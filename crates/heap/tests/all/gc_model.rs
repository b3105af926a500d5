//! Oracle property test of the cycle collector, plus small deterministic cases (the Miri
//! coverage of the collector).
//!
//! A case is a random graph of tracked nodes (edges to nodes, self-loops and cycles
//! included), some of them external roots, some with a finalizer that records what it saw and
//! some with one that resurrects its node, and random weak references (with or without a
//! callback) held either externally or by nodes. The handles that are not roots are dropped,
//! `gc::collect(gil, 2)` runs, and everything observable is compared with a model computed in
//! plain Rust by breadth-first search from the roots — independent of the collector:
//!
//! * `U0`: the objects (nodes and weak-reference objects) unreachable from the roots;
//! * weak references to `U0`, and those in `U0`, are cleared before finalizers run; the
//!   callbacks of the cleared ones outside `U0` are called once, the others never;
//! * each node of `U0` with a finalizer runs it once, with its edges intact;
//! * what a resurrected node reaches survives; the rest of `U0` is freed and is what
//!   `collect` returns (and adds to `get_stats()[2].collected`);
//! * once the resurrected nodes are released, reference counting frees the part of them not
//!   hanging off a cycle, a second collection frees the rest (returning its size), and no
//!   finalizer runs twice.
//!
//! So that reference counting frees nothing when the non-root handles are dropped (which would
//! run finalizers and callbacks in an order the model does not follow), the generator gives
//! every garbage node that no garbage cycle reaches a self-loop.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Mutex;

use heap::{AnyObj, Callback, Gil, GilCell, Obj, Object, Trace, WeakRef, gc, with_gil};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

// The statics are shared by the tests of this module; each test resets them inside its
// `with_gil` and leaves them empty (tests serialize on the GIL).

/// Node ids whose payload was dropped.
static DROPPED: Mutex<Vec<usize>> = Mutex::new(Vec::new());
/// What each finalizer saw: its node id and its edges as read then.
static FINALIZED: Mutex<Vec<(usize, Vec<Seen>)>> = Mutex::new(Vec::new());
/// Callbacks called: the model index of the weak reference, and whether it was already dead.
static FIRED: Mutex<Vec<(usize, bool)>> = Mutex::new(Vec::new());
/// Where resurrecting finalizers store their node.
static RESURRECTED: Mutex<Vec<AnyObj>> = Mutex::new(Vec::new());

/// An edge as a finalizer sees it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Seen {
    Node(usize),
    Weak { alive: bool },
}

/// Records the drop of the node's payload.
struct DropTag(usize);

impl Drop for DropTag {
    fn drop(&mut self) {
        DROPPED.lock().unwrap().push(self.0);
    }
}

heap::unsafe_empty_trace!(DropTag);

#[derive(Trace)]
struct Body {
    id: usize,
    edges: GilCell<Vec<AnyObj>>,
    tag: DropTag,
}

/// A node without a finalizer.
#[derive(Trace)]
struct Plain {
    body: Body,
}

impl Object for Plain {}

/// A node with a finalizer that records what it saw, and resurrects the node if asked to.
#[derive(Trace)]
struct Fin {
    body: Body,
    resurrect: bool,
}

impl Object for Fin {
    const FINALIZER: Option<heap::Finalizer<Fin>> = Some(|this, gil| {
        let me = this.get(gil);
        let seen = describe(gil, &me.body.edges.cloned(gil));
        FINALIZED.lock().unwrap().push((me.body.id, seen));
        if me.resurrect {
            let again = this.clone_ref(gil).into_any();
            RESURRECTED.lock().unwrap().push(again);
        }
    });
}

fn body_of<'a, 'py: 'a>(gil: &Gil<'py>, obj: &'a AnyObj) -> Option<&'a Body> {
    if let Some(p) = obj.downcast_ref::<Plain>() {
        return Some(&p.get(gil).body);
    }
    let f = obj.downcast_ref::<Fin>()?;
    Some(&f.get(gil).body)
}

fn describe(gil: &Gil<'_>, edges: &[AnyObj]) -> Vec<Seen> {
    edges
        .iter()
        .map(|e| match body_of(gil, e) {
            Some(b) => Seen::Node(b.id),
            None => {
                let w = e
                    .downcast_ref::<WeakRef>()
                    .expect("a node or a weak reference");
                Seen::Weak {
                    alive: WeakRef::upgrade(w, gil).is_some(),
                }
            }
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Plain,
    Record,
    Resurrect,
}

fn new_node(gil: &Gil<'_>, id: usize, kind: Kind) -> AnyObj {
    let body = Body {
        id,
        edges: GilCell::new(Vec::new()),
        tag: DropTag(id),
    };
    match kind {
        Kind::Plain => Obj::new(gil, Plain { body }).into_any(),
        Kind::Record | Kind::Resurrect => Obj::new(
            gil,
            Fin {
                body,
                resurrect: kind == Kind::Resurrect,
            },
        )
        .into_any(),
    }
}

fn push(gil: &mut Gil<'_>, node: &AnyObj, child: AnyObj) {
    body_of(gil, node)
        .unwrap()
        .edges
        .with_mut(gil, |e| e.push(child));
}

fn edges_of(gil: &Gil<'_>, node: &AnyObj) -> Vec<AnyObj> {
    body_of(gil, node).unwrap().edges.cloned(gil)
}

fn take_resurrected() -> Vec<AnyObj> {
    std::mem::take(&mut *RESURRECTED.lock().unwrap())
}

fn dropped_sorted() -> Vec<usize> {
    let mut d = DROPPED.lock().unwrap().clone();
    d.sort_unstable();
    d
}

fn finalized_sorted() -> Vec<(usize, Vec<Seen>)> {
    let mut f = FINALIZED.lock().unwrap().clone();
    f.sort();
    f
}

fn fired_sorted() -> Vec<(usize, bool)> {
    let mut f = FIRED.lock().unwrap().clone();
    f.sort_unstable();
    f
}

/// A callback recording that weak reference `index` called it.
fn recorder(gil: &Gil<'_>, index: usize) -> AnyObj {
    Callback::new(gil, move |gil, wr| {
        let dead = WeakRef::upgrade(wr, gil).is_none();
        FIRED.lock().unwrap().push((index, dead));
    })
}

/// Runs `body` with the collector in a known state: earlier garbage collected, automatic
/// collection off, the statics empty. Afterwards releases whatever the case left (resurrected
/// nodes included) and checks that every object the case made was freed, each of the `n`
/// nodes (`body`'s result) dropped exactly once, no finalizer ran twice and no callback fired
/// twice. Always restores automatic collection.
fn isolated(
    gil: &mut Gil<'_>,
    body: impl FnOnce(&mut Gil<'_>) -> Result<usize, TestCaseError>,
) -> Result<(), TestCaseError> {
    gc::collect(gil, 2).unwrap();
    gc::disable(gil);
    drop(take_resurrected());
    gc::collect(gil, 2).unwrap();
    DROPPED.lock().unwrap().clear();
    FINALIZED.lock().unwrap().clear();
    FIRED.lock().unwrap().clear();
    let live = gil.live_objects();

    let result = body(gil);

    // Release everything, resurrections included (each node resurrects at most once).
    loop {
        gc::collect(gil, 2).unwrap();
        let back = take_resurrected();
        if back.is_empty() {
            break;
        }
        drop(back);
    }
    gc::enable(gil);
    let n = result?;
    prop_assert_eq!(
        gil.live_objects(),
        live,
        "everything the case made is freed"
    );
    prop_assert_eq!(
        dropped_sorted(),
        (0..n).collect::<Vec<_>>(),
        "each node dropped once"
    );
    let fin = finalized_sorted();
    let ids: BTreeSet<usize> = fin.iter().map(|(id, _)| *id).collect();
    prop_assert_eq!(ids.len(), fin.len(), "no finalizer ran twice: {:?}", fin);
    let fired = fired_sorted();
    let wrs: BTreeSet<usize> = fired.iter().map(|(w, _)| *w).collect();
    prop_assert_eq!(
        wrs.len(),
        fired.len(),
        "no callback fired twice: {:?}",
        fired
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The model.

#[derive(Clone, Debug)]
struct NodeSpec {
    kind: Kind,
    root: bool,
    edges: Vec<usize>,
}

#[derive(Clone, Debug)]
struct WeakSpec {
    target: usize,
    callback: bool,
    /// The node holding it, or `None`: held by an external handle (a root).
    holder: Option<usize>,
}

#[derive(Clone, Debug)]
struct Case {
    nodes: Vec<NodeSpec>,
    weaks: Vec<WeakSpec>,
}

fn case(max_nodes: usize, max_weaks: usize) -> impl Strategy<Value = Case> {
    (1..=max_nodes).prop_flat_map(move |n| {
        let kind = prop_oneof![
            2 => Just(Kind::Plain),
            1 => Just(Kind::Record),
            1 => Just(Kind::Resurrect),
        ];
        let node = (
            kind,
            prop::bool::weighted(0.2),
            prop::collection::vec(0..n, 0..=3),
        )
            .prop_map(|(kind, root, edges)| NodeSpec { kind, root, edges });
        let weak = (
            0..n,
            prop::bool::weighted(0.75),
            prop::option::weighted(0.6, 0..n),
        )
            .prop_map(|(target, callback, holder)| WeakSpec {
                target,
                callback,
                holder,
            });
        (
            prop::collection::vec(node, n),
            prop::collection::vec(weak, 0..=max_weaks),
        )
            .prop_map(|(nodes, weaks)| Case { nodes, weaks })
    })
}

/// Objects `0..n` are the nodes, `n + w` the weak-reference objects.
struct Model {
    n: usize,
    kind: Vec<Kind>,
    root: Vec<bool>,
    /// Node-to-node edges, in the order they are stored (self-loops of the fix-up included).
    edges: Vec<Vec<usize>>,
    /// Weak-reference objects held by each node, stored after its node edges.
    held: Vec<Vec<usize>>,
    /// Per weak-reference object: target, has a callback, held externally.
    wtarget: Vec<usize>,
    wcb: Vec<bool>,
    wext: Vec<bool>,
    /// The weak-reference object of each spec (callback-less ones are shared per target).
    wobj: Vec<usize>,
}

impl Model {
    fn new(case: &Case) -> Model {
        let n = case.nodes.len();
        let mut m = Model {
            n,
            kind: case.nodes.iter().map(|s| s.kind).collect(),
            root: case.nodes.iter().map(|s| s.root).collect(),
            edges: case.nodes.iter().map(|s| s.edges.clone()).collect(),
            held: vec![Vec::new(); n],
            wtarget: Vec::new(),
            wcb: Vec::new(),
            wext: Vec::new(),
            wobj: Vec::new(),
        };
        let mut basic: BTreeMap<usize, usize> = BTreeMap::new();
        for s in &case.weaks {
            let fresh = m.wtarget.len();
            let w = if s.callback {
                fresh
            } else {
                *basic.entry(s.target).or_insert(fresh)
            };
            if w == fresh {
                m.wtarget.push(s.target);
                m.wcb.push(s.callback);
                m.wext.push(false);
            }
            m.wobj.push(w);
            match s.holder {
                None => m.wext[w] = true,
                Some(h) => m.held[h].push(w),
            }
        }
        // Fix-up: garbage that no garbage cycle reaches gets a self-loop.
        let garbage = m.unreachable();
        let cyclic: Vec<usize> = (0..n).filter(|&v| garbage[v] && m.on_cycle(v)).collect();
        let hanging = m.reach(cyclic);
        for v in 0..n {
            if garbage[v] && !hanging[v] {
                m.edges[v].push(v);
            }
        }
        m
    }

    fn objects(&self) -> usize {
        self.n + self.wtarget.len()
    }

    fn succ(&self, o: usize) -> Vec<usize> {
        if o < self.n {
            let weak = self.held[o].iter().map(|w| self.n + w);
            self.edges[o].iter().copied().chain(weak).collect()
        } else {
            Vec::new() // a weak reference owns only its (untracked) callback
        }
    }

    /// Objects reachable from `starts` (included) by strong references.
    fn reach(&self, starts: impl IntoIterator<Item = usize>) -> Vec<bool> {
        let mut seen = vec![false; self.objects()];
        let mut queue: VecDeque<usize> = starts.into_iter().collect();
        while let Some(o) = queue.pop_front() {
            if !std::mem::replace(&mut seen[o], true) {
                queue.extend(self.succ(o));
            }
        }
        seen
    }

    fn on_cycle(&self, v: usize) -> bool {
        self.reach(self.succ(v))[v]
    }

    fn roots(&self) -> Vec<usize> {
        let nodes = (0..self.n).filter(|&v| self.root[v]);
        let weak = (0..self.wtarget.len())
            .filter(|&w| self.wext[w])
            .map(|w| self.n + w);
        nodes.chain(weak).collect()
    }

    fn unreachable(&self) -> Vec<bool> {
        self.reach(self.roots()).into_iter().map(|r| !r).collect()
    }
}

fn count(set: &[bool]) -> usize {
    set.iter().filter(|&&x| x).count()
}

fn nodes_in(set: &[bool], n: usize) -> Vec<usize> {
    (0..n).filter(|&v| set[v]).collect()
}

/// The property test's body; returns the number of nodes.
fn run_case(gil: &mut Gil<'_>, case: &Case) -> Result<usize, TestCaseError> {
    let m = Model::new(case);
    let n = m.n;
    let nw = m.wtarget.len();

    // ---- The model's answers.
    let u0 = m.unreachable();
    let resurrectors: Vec<usize> = (0..n)
        .filter(|&v| u0[v] && m.kind[v] == Kind::Resurrect)
        .collect();
    let surv: Vec<bool> = m
        .reach(resurrectors.iter().copied())
        .iter()
        .zip(&u0)
        .map(|(&r, &u)| r && u)
        .collect();
    let freed1: Vec<bool> = u0.iter().zip(&surv).map(|(&u, &s)| u && !s).collect();
    let weak_alive_after = |w: usize| !u0[n + w] && !u0[m.wtarget[w]];
    let expect_finalized: Vec<(usize, Vec<Seen>)> = (0..n)
        .filter(|&v| u0[v] && m.kind[v] != Kind::Plain)
        .map(|v| {
            let nodes = m.edges[v].iter().map(|&j| Seen::Node(j));
            let weak = m.held[v].iter().map(|&w| Seen::Weak {
                alive: weak_alive_after(w),
            });
            (v, nodes.chain(weak).collect())
        })
        .collect();
    let expect_fired: Vec<(usize, bool)> = (0..nw)
        .filter(|&w| !u0[n + w] && m.wcb[w] && u0[m.wtarget[w]])
        .map(|w| (w, true))
        .collect();
    // After the resurrected nodes are released: reference counting frees what no cycle among
    // them reaches, the second collection the rest.
    let cyclic: Vec<usize> = (0..n).filter(|&v| surv[v] && m.on_cycle(v)).collect();
    let surv2: Vec<bool> = m
        .reach(cyclic)
        .iter()
        .zip(&surv)
        .map(|(&r, &s)| r && s)
        .collect();
    let after_release: Vec<bool> = (0..m.objects())
        .map(|o| freed1[o] || (surv[o] && !surv2[o]))
        .collect();

    // ---- Build the graph.
    let nodes: Vec<AnyObj> = (0..n).map(|v| new_node(gil, v, m.kind[v])).collect();
    for v in 0..n {
        for &j in &m.edges[v] {
            let child = nodes[j].clone_ref(gil);
            push(gil, &nodes[v], child);
        }
    }
    let mut wobjs: Vec<Option<Obj<WeakRef>>> = (0..nw).map(|_| None).collect();
    let mut index_of: BTreeMap<usize, usize> = BTreeMap::new(); // weakref address -> index
    let mut external: Vec<Obj<WeakRef>> = Vec::new();
    for (s, &w) in case.weaks.iter().zip(&m.wobj) {
        let cb = s.callback.then(|| recorder(gil, w));
        let wr = WeakRef::new(gil, &nodes[s.target], cb).unwrap();
        match &wobjs[w] {
            Some(first) => prop_assert!(first.ptr_eq(&wr), "callback-less refs are shared"),
            None => {
                index_of.insert(wr.as_any().addr(), w);
                wobjs[w] = Some(wr.clone_ref(gil));
            }
        }
        match s.holder {
            None => external.push(wr),
            Some(h) => push(gil, &nodes[h], wr.into_any()),
        }
    }
    drop(wobjs);
    let roots: Vec<AnyObj> = nodes
        .into_iter()
        .enumerate()
        .filter_map(|(v, o)| m.root[v].then_some(o))
        .collect();
    prop_assert!(
        DROPPED.lock().unwrap().is_empty(),
        "refcounting freed a node"
    );
    prop_assert!(FINALIZED.lock().unwrap().is_empty());
    prop_assert!(FIRED.lock().unwrap().is_empty());

    // ---- First collection.
    let before = gc::get_stats(gil)[2];
    let found = gc::collect(gil, 2).unwrap();
    let after = gc::get_stats(gil)[2];
    prop_assert_eq!(found, count(&freed1), "collect() returns the garbage freed");
    prop_assert_eq!(after.collected - before.collected, found);
    prop_assert_eq!(after.uncollectable, before.uncollectable);
    prop_assert_eq!(after.collections, before.collections + 1);
    prop_assert_eq!(dropped_sorted(), nodes_in(&freed1, n), "nodes freed");
    prop_assert_eq!(finalized_sorted(), expect_finalized.clone(), "finalizers");
    prop_assert_eq!(fired_sorted(), expect_fired.clone(), "callbacks");
    let back = RESURRECTED.lock().unwrap().clone();
    let mut back_ids: Vec<usize> = back.iter().map(|o| body_of(gil, o).unwrap().id).collect();
    back_ids.sort_unstable();
    prop_assert_eq!(back_ids, resurrectors.clone(), "resurrected nodes");

    // Walk what is alive from the roots, the external weak references and the resurrected
    // nodes: exactly the objects the model keeps, weak references alive as predicted.
    let mut queue: VecDeque<AnyObj> = roots.iter().map(|o| o.clone_ref(gil)).collect();
    queue.extend(back);
    queue.extend(external.iter().map(|w| w.clone_ref(gil).into_any()));
    let mut visited: BTreeSet<usize> = BTreeSet::new();
    let mut live_nodes = Vec::new();
    let mut live_weak = Vec::new();
    while let Some(o) = queue.pop_front() {
        if !visited.insert(o.addr()) {
            continue;
        }
        if let Some(b) = body_of(gil, &o) {
            let v = b.id;
            live_nodes.push(v);
            let finalized = m.kind[v] != Kind::Plain && u0[v];
            prop_assert_eq!(gc::is_finalized(gil, &o), finalized, "is_finalized({})", v);
            queue.extend(edges_of(gil, &o));
        } else {
            let wr = o.downcast_ref::<WeakRef>().unwrap();
            let w = index_of[&o.addr()];
            live_weak.push(w);
            let up = WeakRef::upgrade(wr, gil);
            prop_assert_eq!(
                up.is_some(),
                weak_alive_after(w),
                "weak reference {} alive",
                w
            );
            if let Some(t) = up {
                prop_assert_eq!(body_of(gil, &t).unwrap().id, m.wtarget[w]);
            }
        }
    }
    live_nodes.sort_unstable();
    live_weak.sort_unstable();
    let keep: Vec<usize> = (0..n).filter(|&v| !freed1[v]).collect();
    let keep_weak: Vec<usize> = (0..nw).filter(|&w| !freed1[n + w]).collect();
    prop_assert_eq!(live_nodes, keep, "live nodes");
    prop_assert_eq!(live_weak, keep_weak, "live weak references");

    // ---- Release the resurrected nodes, collect again.
    drop(take_resurrected());
    prop_assert_eq!(
        dropped_sorted(),
        nodes_in(&after_release, n),
        "refcounting frees resurrected nodes no cycle reaches"
    );
    let before = gc::get_stats(gil)[2];
    let found = gc::collect(gil, 2).unwrap();
    let after = gc::get_stats(gil)[2];
    prop_assert_eq!(found, count(&surv2), "second collect() returns the rest");
    prop_assert_eq!(after.collected - before.collected, found);
    prop_assert_eq!(dropped_sorted(), nodes_in(&u0, n), "all garbage freed");
    prop_assert!(
        RESURRECTED.lock().unwrap().is_empty(),
        "no second resurrection"
    );
    prop_assert_eq!(
        finalized_sorted(),
        expect_finalized,
        "no finalizer ran again"
    );
    prop_assert_eq!(fired_sorted(), expect_fired, "no callback fired again");
    prop_assert_eq!(gc::collect(gil, 2).unwrap(), 0);

    drop(external);
    drop(roots);
    Ok(n)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 64 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_collector_matches_the_model(
        case in case(if cfg!(miri) { 6 } else { 30 }, if cfg!(miri) { 4 } else { 12 })
    ) {
        with_gil(|gil| isolated(gil, |gil| run_case(gil, &case)))?;
    }
}

// ---------------------------------------------------------------------------------------
// Deterministic cases (small enough for Miri).

fn stats_collected(gil: &Gil<'_>) -> usize {
    gc::get_stats(gil)[2].collected
}

#[test]
fn gc_model_a_two_cycle_is_collected() {
    with_gil(|gil| {
        isolated(gil, |gil| {
            let a = new_node(gil, 0, Kind::Record);
            let b = new_node(gil, 1, Kind::Plain);
            push(gil, &a, b.clone_ref(gil));
            push(gil, &b, a.clone_ref(gil));
            drop((a, b));
            assert!(
                DROPPED.lock().unwrap().is_empty(),
                "a cycle survives counting"
            );
            let stats = stats_collected(gil);
            assert_eq!(gc::collect(gil, 2).unwrap(), 2);
            assert_eq!(stats_collected(gil) - stats, 2);
            assert_eq!(finalized_sorted(), [(0, vec![Seen::Node(1)])]);
            assert_eq!(dropped_sorted(), [0, 1]);
            assert_eq!(gc::collect(gil, 2).unwrap(), 0);
            Ok(2)
        })
    })
    .unwrap();
}

#[test]
fn gc_model_a_resurrecting_self_cycle_survives_once() {
    with_gil(|gil| {
        isolated(gil, |gil| {
            // r -> r, r -> p -> r; a callback weakref to p, a plain one to r.
            let r = new_node(gil, 0, Kind::Resurrect);
            let p = new_node(gil, 1, Kind::Plain);
            push(gil, &r, r.clone_ref(gil));
            push(gil, &r, p.clone_ref(gil));
            push(gil, &p, r.clone_ref(gil));
            let cb = recorder(gil, 7);
            let wp = WeakRef::new(gil, &p, Some(cb)).unwrap();
            let wr = WeakRef::new(gil, &r, None).unwrap();
            drop((r, p));
            let stats = stats_collected(gil);
            assert_eq!(gc::collect(gil, 2).unwrap(), 0, "resurrected: not counted");
            assert_eq!(stats_collected(gil), stats);
            assert_eq!(
                finalized_sorted(),
                [(0, vec![Seen::Node(0), Seen::Node(1)])],
                "the finalizer saw its edges intact"
            );
            assert_eq!(
                fired_sorted(),
                [(7, true)],
                "weakrefs cleared before finalizers"
            );
            assert!(WeakRef::upgrade(&wp, gil).is_none());
            assert!(WeakRef::upgrade(&wr, gil).is_none());
            assert!(DROPPED.lock().unwrap().is_empty());
            let back = take_resurrected();
            assert_eq!(back.len(), 1);
            assert!(gc::is_finalized(gil, &back[0]));
            let partner = edges_of(gil, &back[0]);
            assert_eq!(describe(gil, &partner[1..]), [Seen::Node(1)]);
            assert_eq!(describe(gil, &edges_of(gil, &partner[1])), [Seen::Node(0)]);
            drop(partner);
            drop(back);
            assert!(DROPPED.lock().unwrap().is_empty(), "still a cycle");
            assert_eq!(gc::collect(gil, 2).unwrap(), 2);
            assert_eq!(stats_collected(gil) - stats, 2);
            assert_eq!(dropped_sorted(), [0, 1]);
            assert_eq!(FINALIZED.lock().unwrap().len(), 1, "finalized once");
            assert!(RESURRECTED.lock().unwrap().is_empty());
            drop((wp, wr));
            Ok(2)
        })
    })
    .unwrap();
}

#[test]
fn gc_model_weakref_callbacks_in_and_out_of_the_garbage() {
    with_gil(|gil| {
        isolated(gil, |gil| {
            // a <-> b; an external weakref to a with a callback (fires), one held by b with a
            // callback (garbage itself: never fires), an external plain one to b.
            let a = new_node(gil, 0, Kind::Plain);
            let b = new_node(gil, 1, Kind::Record);
            push(gil, &a, b.clone_ref(gil));
            push(gil, &b, a.clone_ref(gil));
            let cb = recorder(gil, 1);
            let outside = WeakRef::new(gil, &a, Some(cb)).unwrap();
            let cb = recorder(gil, 2);
            let inside = WeakRef::new(gil, &a, Some(cb)).unwrap();
            push(gil, &b, inside.into_any());
            let plain = WeakRef::new(gil, &b, None).unwrap();
            drop((a, b));
            let stats = stats_collected(gil);
            assert_eq!(
                gc::collect(gil, 2).unwrap(),
                3,
                "a, b and the inner weakref"
            );
            assert_eq!(stats_collected(gil) - stats, 3);
            assert_eq!(fired_sorted(), [(1, true)]);
            assert_eq!(
                finalized_sorted(),
                [(1, vec![Seen::Node(0), Seen::Weak { alive: false }])]
            );
            assert!(WeakRef::upgrade(&outside, gil).is_none());
            assert!(WeakRef::upgrade(&plain, gil).is_none());
            assert!(outside.get(gil).callback(gil).is_none());
            assert_eq!(dropped_sorted(), [0, 1]);
            drop((outside, plain));
            Ok(2)
        })
    })
    .unwrap();
}
