//! The Rust peers' side of the workloads, written once over [`Collector`]: a crate's module
//! defines its node types and how to build, link and collect them, and registers a
//! [`Peer`] of itself. Every node carries a [`Counted`] payload, and every workload checks the
//! live count before and after each phase: exactly the garbage must be freed, nothing else.

use std::hint::black_box;
use std::marker::PhantomData;

use anyhow::{Result, bail};

use super::{Contender, Counted, Role, STACK, Sizes, Workload, on_thread};
use crate::measure::{Elapsed, Timer, peak_rss_bytes};
use crate::runner::{Sample, median};
use crate::suites::heap::expect_live;

/// A cycle-collecting crate, as the workloads drive it.
pub(super) trait Collector: 'static {
    /// Contender name.
    const NAME: &'static str;
    /// What the row measures.
    const DESCRIBE: &'static str;
    /// The role in the target checks: a Rust crate, unless it is pymem's collector
    /// ([`Role::Ours`]).
    const ROLE: Role = Role::Peer;

    /// A handle to a node with one link (`cycles`, `live`, `young`).
    type Node: Clone;
    /// A handle to a node with two links (`gc_collect`).
    type DNode: Clone;
    /// A handle to a list of handles (`gc_traversal`).
    type List: Clone;

    /// What every operation takes: pymem's GIL token (`heap::Gil`), `()` for the Rust peers.
    type Cx<'a>;

    /// Runs `f` with a context (pymem: inside one `heap::with_gil`); a whole workload runs in
    /// one call.
    fn enter<R>(f: impl for<'a> FnOnce(&mut Self::Cx<'a>) -> R) -> R;

    /// A new node without a link, carrying `Counted::new(value)`.
    fn node(cx: &Self::Cx<'_>, value: u64) -> Self::Node;
    /// Sets `node.next`.
    fn set_next(cx: &Self::Cx<'_>, node: &Self::Node, next: Self::Node);
    /// A new handle to `node.next`, if it has one.
    fn next(cx: &Self::Cx<'_>, node: &Self::Node) -> Option<Self::Node>;
    /// A new doubly linked node without links, carrying `Counted::new(value)`.
    fn dnode(cx: &Self::Cx<'_>, value: u64) -> Self::DNode;
    /// pyperformance's `link_next`: `node.next = next; next.prev = node`.
    fn link_next(cx: &Self::Cx<'_>, node: &Self::DNode, next: &Self::DNode);
    /// A new list holding `items`, carrying `Counted::new(value)`.
    fn list(cx: &Self::Cx<'_>, items: Vec<Self::List>, value: u64) -> Self::List;
    /// The crate's full collection; fails if the crate's own bookkeeping disagrees afterwards.
    fn collect(cx: &mut Self::Cx<'_>) -> Result<()>;
    /// Turns the crate's automatic collection on or off (no-op where it has none or cannot).
    fn set_auto_collect(_cx: &Self::Cx<'_>, _on: bool) -> Result<()> {
        Ok(())
    }
    /// Whether the crate has generations (and [`Collector::collect_young`]).
    fn has_generations() -> bool {
        false
    }
    /// A collection of the youngest generation only.
    fn collect_young(_cx: &mut Self::Cx<'_>) -> Result<()> {
        bail!("{} has no generations", Self::NAME)
    }
}

/// The [`Contender`] of a [`Collector`]: register `pub(super) static CONTENDER: Peer<X> =
/// Peer::new();`.
pub(super) struct Peer<C>(PhantomData<fn() -> C>);

impl<C> Peer<C> {
    /// The contender.
    pub(super) const fn new() -> Self {
        Peer(PhantomData)
    }
}

impl<C: Collector> Contender for Peer<C> {
    fn name(&self) -> &'static str {
        C::NAME
    }

    fn describe(&self) -> &'static str {
        C::DESCRIBE
    }

    fn role(&self) -> Role {
        C::ROLE
    }

    fn supports(&self, workload: Workload) -> Result<(), &'static str> {
        if workload == Workload::Young && !C::has_generations() {
            return Err("no generations");
        }
        Ok(())
    }

    fn run(&self, workload: Workload, sizes: &Sizes) -> Result<Sample> {
        let sizes = *sizes;
        let mut s = on_thread(STACK, move || run_workload::<C>(workload, &sizes))?;
        s.peak_rss_bytes = peak_rss_bytes()?;
        Ok(s)
    }
}

/// A sample whose primary time is `primary`, over `ops` objects.
fn sample(primary: Elapsed, ops: u64) -> Sample {
    Sample {
        cpu_ns: primary.cpu_ns as f64,
        wall_ns: primary.wall_ns as f64,
        ops,
        ..Sample::default()
    }
}

/// Records `e` as `{key}_cpu_ns` and `{key}_wall_ns`.
fn record(s: &mut Sample, key: &str, e: Elapsed) {
    s.extra.insert(format!("{key}_cpu_ns"), e.cpu_ns as f64);
    s.extra.insert(format!("{key}_wall_ns"), e.wall_ns as f64);
}

/// The median CPU time and the median wall time of `times` (each on its own).
fn median_elapsed(times: &[Elapsed]) -> Elapsed {
    let med = |f: fn(&Elapsed) -> u64| median(times.iter().map(|e| f(e) as f64)).unwrap_or(0.0);
    Elapsed {
        cpu_ns: med(|e| e.cpu_ns) as u64,
        wall_ns: med(|e| e.wall_ns) as u64,
        minor_faults: med(|e| e.minor_faults) as u64,
    }
}

/// Times `f`.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Elapsed) {
    let t = Timer::start();
    let out = f();
    (out, t.stop())
}

/// Runs one workload on the calling thread, inside one [`Collector::enter`].
pub(super) fn run_workload<C: Collector>(workload: Workload, sizes: &Sizes) -> Result<Sample> {
    expect_live(0, "before the workload")?;
    let s = C::enter(|cx| match workload {
        Workload::Cycles => cycles::<C>(cx, sizes),
        Workload::Live => live::<C>(cx, sizes),
        Workload::GcCollect => gc_collect::<C>(cx, sizes),
        Workload::GcTraversal => gc_traversal::<C>(cx, sizes),
        Workload::Young => young::<C>(cx, sizes),
    })?;
    expect_live(0, "after the workload")?;
    Ok(s)
}

/// A ring of `len` nodes (values `first..first + len`); returns its first node. Built from the
/// back, so only the last node's temporary handle is dropped while the ring is referenced.
fn ring<C: Collector>(cx: &C::Cx<'_>, first: u64, len: u64) -> C::Node {
    let last = C::node(cx, first + len - 1);
    let mut head = last.clone();
    for i in (0..len - 1).rev() {
        let n = C::node(cx, first + i);
        C::set_next(cx, &n, head);
        head = n;
    }
    C::set_next(cx, &last, head.clone());
    head
}

/// `chains` chains of `len` nodes each; returns their heads.
fn chains<C: Collector>(cx: &C::Cx<'_>, chains: u64, len: u64) -> Vec<C::Node> {
    (0..chains)
        .map(|c| {
            let mut head = C::node(cx, c * len);
            for i in 1..len {
                let n = C::node(cx, c * len + i);
                C::set_next(cx, &n, head);
                head = n;
            }
            head
        })
        .collect()
}

/// (a) Rings built with their roots in a `Vec`, the `Vec` dropped, a full collection.
fn cycles<C: Collector>(cx: &mut C::Cx<'_>, sizes: &Sizes) -> Result<Sample> {
    let n = sizes.cycle_nodes();
    let (roots, build) = timed(|| {
        (0..sizes.cycles)
            .map(|c| ring::<C>(cx, c * sizes.ring_len, sizes.ring_len))
            .collect::<Vec<_>>()
    });
    expect_live(n, "after the build")?;
    let ((), dropped) = timed(|| drop(black_box(roots)));
    let (collected, collect) = timed(|| C::collect(cx));
    collected?;
    expect_live(0, "after drop + collect")?;
    let mut free = dropped;
    free += collect;
    let mut s = sample(free, n);
    record(&mut s, "build", build);
    record(&mut s, "drop", dropped);
    record(&mut s, "collect", collect);
    Ok(s)
}

/// (b) A full collection over live chains; then one after a walk that clones and drops a
/// handle to every node (automatic collection paused during the walk).
fn live<C: Collector>(cx: &mut C::Cx<'_>, sizes: &Sizes) -> Result<Sample> {
    let n = sizes.live_nodes();
    let (roots, build) = timed(|| chains::<C>(cx, sizes.chains, sizes.chain_len));
    expect_live(n, "after the build")?;
    let (collected, collect) = timed(|| C::collect(cx));
    collected?;
    expect_live(n, "after the collection (nothing is garbage)")?;
    C::set_auto_collect(cx, false)?;
    for root in &roots {
        let mut cur = Some(root.clone());
        while let Some(node) = cur {
            cur = C::next(cx, &node);
            drop(black_box(node));
        }
    }
    C::set_auto_collect(cx, true)?;
    let (collected, walk_collect) = timed(|| C::collect(cx));
    collected?;
    expect_live(n, "after the collection following the walk")?;
    drop(roots);
    C::collect(cx)?;
    let mut s = sample(collect, n);
    record(&mut s, "build", build);
    record(&mut s, "walk_collect", walk_collect);
    Ok(s)
}

/// pyperformance's `create_gc_cycles`: `cycles` rings of `links + 1` doubly linked nodes.
fn pyperf_rings<C: Collector>(cx: &C::Cx<'_>, cycles: u64, links: u64) -> Vec<C::DNode> {
    let mut value = 0;
    let mut fresh = || {
        value += 1;
        C::dnode(cx, value)
    };
    (0..cycles)
        .map(|_| {
            let first = fresh();
            let mut current = first.clone();
            for _ in 0..links {
                let next = fresh();
                C::link_next(cx, &current, &next);
                current = next;
            }
            C::link_next(cx, &current, &first);
            first
        })
        .collect()
}

/// (c) pyperformance's `bm_gc_collect`: per repetition, rings built, dropped and collected.
fn gc_collect<C: Collector>(cx: &mut C::Cx<'_>, sizes: &Sizes) -> Result<Sample> {
    let n = sizes.pyperf_nodes();
    let mut frees = Vec::new();
    let mut collects = Vec::new();
    for _ in 0..sizes.reps {
        C::collect(cx)?;
        let rings = pyperf_rings::<C>(cx, sizes.pyperf_cycles, sizes.pyperf_links);
        expect_live(n, "after the build")?;
        let ((), dropped) = timed(|| drop(black_box(rings)));
        let (collected, collect) = timed(|| C::collect(cx));
        collected?;
        expect_live(0, "after drop + collect")?;
        let mut free = dropped;
        free += collect;
        frees.push(free);
        collects.push(collect);
    }
    let mut s = sample(median_elapsed(&frees), n);
    record(&mut s, "collect", median_elapsed(&collects));
    Ok(s)
}

/// pyperformance's `create_recursive_containers`: list n holds n references to list n−1.
fn nested_lists<C: Collector>(cx: &C::Cx<'_>, levels: u64) -> C::List {
    let mut current = C::list(cx, Vec::new(), 0);
    for n in 0..levels {
        let items = vec![current.clone(); n as usize];
        current = C::list(cx, items, n + 1);
    }
    current
}

/// (c) pyperformance's `bm_gc_traversal`: per repetition, an untimed collection, then a timed
/// one, over the live nested lists.
fn gc_traversal<C: Collector>(cx: &mut C::Cx<'_>, sizes: &Sizes) -> Result<Sample> {
    let (top, build) = timed(|| nested_lists::<C>(cx, sizes.levels));
    expect_live(sizes.levels, "after the build")?;
    let (collected, first) = timed(|| C::collect(cx));
    collected?;
    let mut steady = Vec::new();
    for _ in 0..sizes.reps {
        C::collect(cx)?;
        let (collected, collect) = timed(|| C::collect(cx));
        collected?;
        steady.push(collect);
    }
    expect_live(sizes.levels, "after the collections (nothing is garbage)")?;
    drop(top);
    C::collect(cx)?;
    let mut s = sample(median_elapsed(&steady), sizes.levels);
    record(&mut s, "build", build);
    record(&mut s, "first_collect", first);
    Ok(s)
}

/// (d) Live chains promoted by a full collection; per repetition, new nodes allocated (kept
/// alive) and a generation-0 collection timed.
fn young<C: Collector>(cx: &mut C::Cx<'_>, sizes: &Sizes) -> Result<Sample> {
    if !C::has_generations() {
        bail!("{} has no generations", C::NAME);
    }
    let old = sizes.live_nodes();
    let roots = chains::<C>(cx, sizes.chains, sizes.chain_len);
    let (collected, promote) = timed(|| C::collect(cx));
    collected?;
    let mut kept = Vec::new();
    let mut times = Vec::new();
    for r in 0..sizes.reps {
        kept.extend((0..sizes.young_new).map(|i| C::node(cx, old + r * sizes.young_new + i)));
        let (collected, young) = timed(|| C::collect_young(cx));
        collected?;
        times.push(young);
    }
    expect_live(
        old + sizes.reps * sizes.young_new,
        "after the young collections",
    )?;
    drop(kept);
    drop(roots);
    C::collect(cx)?;
    let mut s = sample(median_elapsed(&times), sizes.young_new);
    record(&mut s, "promote", promote);
    s.extra.insert("old_objects".into(), old as f64);
    Ok(s)
}

/// Fails unless the crate's count of tracked objects equals the live payloads.
pub(super) fn expect_tracked(tracked: usize) -> Result<()> {
    let live = Counted::live();
    if tracked as i64 != live {
        bail!("{tracked} objects tracked after the collection, {live} alive");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suites::gc::ALL;

    /// Small sizes, short enough for a test thread.
    const TINY: Sizes = Sizes {
        cycles: 200,
        ring_len: 10,
        chains: 20,
        chain_len: 50,
        pyperf_cycles: 10,
        pyperf_links: 20,
        levels: 40,
        young_new: 30,
        reps: 3,
    };

    /// Runs `k` on `w` at [`TINY`] and checks the sample's objects, peak RSS and extra figures.
    fn run_tiny(k: &dyn Contender, w: Workload) {
        let s = k
            .run(w, &TINY)
            .unwrap_or_else(|e| panic!("{} {w}: {e:#}", k.name()));
        assert_eq!(s.ops, TINY.objects(w), "{} {w}", k.name());
        assert!(s.peak_rss_bytes > 0, "{} {w}", k.name());
        let expected: &[&str] = match w {
            Workload::Cycles => &["build_cpu_ns", "drop_cpu_ns", "collect_cpu_ns"],
            Workload::Live => &["build_cpu_ns", "walk_collect_cpu_ns"],
            Workload::GcCollect => &["collect_cpu_ns"],
            Workload::GcTraversal => &["build_cpu_ns", "first_collect_cpu_ns"],
            Workload::Young => &["promote_cpu_ns", "old_objects"],
        };
        for key in expected {
            assert!(s.extra.contains_key(*key), "{} {w} lacks {key}", k.name());
        }
    }

    /// Every Rust peer runs every workload it supports and frees exactly the garbage (the
    /// live-count checks inside the workloads fail otherwise); `young` is n/a for all four.
    #[test]
    fn peers_run_every_workload() {
        for k in ALL.iter().filter(|k| k.role() == Role::Peer) {
            for w in Workload::ALL {
                if w == Workload::Young {
                    assert_eq!(k.supports(w), Err("no generations"), "{}", k.name());
                    continue;
                }
                run_tiny(*k, w);
            }
        }
    }

    /// pymem runs every workload, `young` included, and frees exactly the garbage (the live
    /// counts of the payloads and of the heap's own objects are checked inside).
    #[test]
    fn pymem_runs_every_workload() {
        let ours: Vec<_> = ALL.iter().filter(|k| k.role() == Role::Ours).collect();
        assert_eq!(ours.len(), 1, "one contender is pymem's");
        assert_eq!(ours[0].name(), "pymem");
        for w in Workload::ALL {
            assert_eq!(ours[0].supports(w), Ok(()), "pymem {w}");
            run_tiny(*ours[0], w);
        }
    }

    /// A collector that frees nothing fails the `cycles` workload instead of reporting a time.
    #[test]
    fn a_leaking_collector_is_caught() {
        use std::cell::RefCell;
        use std::rc::Rc;

        struct Leaky;
        #[derive(Clone)]
        struct Handle(Rc<(RefCell<Option<Handle>>, Counted)>);

        impl Collector for Leaky {
            const NAME: &'static str = "leaky";
            const DESCRIBE: &'static str = "Rc: cycles leak";
            type Node = Handle;
            type DNode = Handle;
            type List = Handle;
            type Cx<'a> = ();

            fn enter<R>(f: impl for<'a> FnOnce(&mut ()) -> R) -> R {
                f(&mut ())
            }
            fn node(_cx: &(), value: u64) -> Handle {
                Handle(Rc::new((RefCell::new(None), Counted::new(value))))
            }
            fn set_next(_cx: &(), node: &Handle, next: Handle) {
                *node.0.0.borrow_mut() = Some(next);
            }
            fn next(_cx: &(), node: &Handle) -> Option<Handle> {
                node.0.0.borrow().clone()
            }
            fn dnode(cx: &(), value: u64) -> Handle {
                Self::node(cx, value)
            }
            fn link_next(cx: &(), node: &Handle, next: &Handle) {
                Self::set_next(cx, node, next.clone());
            }
            fn list(cx: &(), _items: Vec<Handle>, value: u64) -> Handle {
                Self::node(cx, value)
            }
            fn collect(_cx: &mut ()) -> Result<()> {
                Ok(())
            }
        }

        let err = on_thread(16 << 20, || run_workload::<Leaky>(Workload::Cycles, &TINY))
            .unwrap_err()
            .to_string();
        assert!(err.contains("alive after drop + collect"), "{err}");
    }
}
