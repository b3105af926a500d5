//! `#[derive(Trace)]` and the std `Trace` impls, observed through `AnyObj::referents`
//! (`gc.get_referents`): a payload must report exactly the handles it owns, each once, in
//! declaration order, and for an enum only those of the active variant.

use std::cell::{Cell, OnceCell};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use heap::{AnyObj, Gil, GilCell, Obj, Object, Trace, with_gil};

/// A payload that owns no handles: the targets of the references under test.
#[derive(Trace)]
struct Leaf(u32);
impl Object for Leaf {}

/// A fresh leaf.
fn leaf(gil: &Gil, n: u32) -> Obj<Leaf> {
    Obj::new(gil, Leaf(n))
}

/// The leaf numbers of `obj`'s referents, in visiting order (every referent must be a leaf).
fn referent_leaves<T: Object>(gil: &Gil, obj: &Obj<T>) -> Vec<u32> {
    obj.as_any()
        .referents(gil)
        .into_iter()
        .map(|any| match any.downcast::<Leaf>() {
            Ok(leaf) => leaf.get(gil).0,
            Err(other) => panic!("referent {other:?} is not a Leaf"),
        })
        .collect()
}

/// Asserts that `obj`'s referents are exactly `expected`, the same objects in the same order.
#[track_caller]
fn assert_referents<T: Object>(gil: &Gil, obj: &Obj<T>, expected: &[&AnyObj]) {
    let got = obj.as_any().referents(gil);
    assert_eq!(
        got.len(),
        expected.len(),
        "referents {got:?}, expected {expected:?}"
    );
    for (index, (got, want)) in got.iter().zip(expected).enumerate() {
        assert!(
            got.ptr_eq(want),
            "referent {index} is {got:?}, expected {want:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Struct shapes
// ---------------------------------------------------------------------------------------

#[derive(Trace)]
struct Named {
    first: Obj<Leaf>,
    count: u64,
    second: Obj<Leaf>,
    label: String,
    any: AnyObj,
}
impl Object for Named {}

#[derive(Trace)]
struct Tuple(Obj<Leaf>, i32, Obj<Leaf>);
impl Object for Tuple {}

#[derive(Trace)]
struct Unit;
impl Object for Unit {}

#[test]
fn named_struct_visits_its_handles_in_declaration_order() {
    with_gil(|gil| {
        let (a, b, c) = (leaf(gil, 1), leaf(gil, 2), leaf(gil, 3));
        let named = Obj::new(
            gil,
            Named {
                first: a.clone(),
                count: 7,
                second: b.clone(),
                label: "x".into(),
                any: c.clone().into_any(),
            },
        );
        assert_referents(gil, &named, &[a.as_any(), b.as_any(), c.as_any()]);
        assert_eq!(referent_leaves(gil, &named), [1, 2, 3]);
    });
}

#[test]
fn tuple_and_unit_structs() {
    with_gil(|gil| {
        let (a, b) = (leaf(gil, 1), leaf(gil, 2));
        let tuple = Obj::new(gil, Tuple(a.clone(), -1, b.clone()));
        assert_referents(gil, &tuple, &[a.as_any(), b.as_any()]);
        let unit = Obj::new(gil, Unit);
        assert_referents(gil, &unit, &[]);
    });
}

#[derive(Trace)]
struct Twice {
    one: Obj<Leaf>,
    other: Obj<Leaf>,
}
impl Object for Twice {}

#[test]
fn two_references_to_one_object_are_two_edges() {
    with_gil(|gil| {
        let a = leaf(gil, 1);
        let twice = Obj::new(
            gil,
            Twice {
                one: a.clone(),
                other: a.clone(),
            },
        );
        // The payload owns two strong references, so both are reported.
        assert_referents(gil, &twice, &[a.as_any(), a.as_any()]);
        assert_eq!(a.refcount(gil), 3);
    });
}

#[test]
fn tracing_leaves_reference_counts_alone() {
    with_gil(|gil| {
        let (a, b) = (leaf(gil, 1), leaf(gil, 2));
        let tuple = Obj::new(gil, Tuple(a.clone(), 0, b.clone()));
        let before = (a.refcount(gil), b.refcount(gil), tuple.refcount(gil));
        for _ in 0..3 {
            drop(tuple.as_any().referents(gil));
        }
        let after = (a.refcount(gil), b.refcount(gil), tuple.refcount(gil));
        assert_eq!(before, after);
        assert_eq!(before, (2, 2, 1));
    });
}

// ---------------------------------------------------------------------------------------
// Generics
// ---------------------------------------------------------------------------------------

#[derive(Trace)]
struct Pair<A, B> {
    left: A,
    right: B,
}
impl<A: Trace + Send + 'static, B: Trace + Send + 'static> Object for Pair<A, B> {}

#[derive(Trace)]
struct Window<const N: usize>
where
    [Obj<Leaf>; N]: Sized,
{
    items: [Obj<Leaf>; N],
    weight: f64,
}
impl<const N: usize> Object for Window<N> {}

#[derive(Trace)]
struct Borrowing<'a, T: ?Sized> {
    name: &'a str,
    value: Box<T>,
}

#[test]
fn generic_structs_trace_through_their_parameters() {
    with_gil(|gil| {
        let (a, b, c) = (leaf(gil, 1), leaf(gil, 2), leaf(gil, 3));
        let pair = Obj::new(
            gil,
            Pair {
                left: a.clone(),
                right: Some(b.clone()),
            },
        );
        assert_referents(gil, &pair, &[a.as_any(), b.as_any()]);

        let plain = Obj::new(
            gil,
            Pair {
                left: 5u8,
                right: vec![c.clone(), a.clone()],
            },
        );
        assert_referents(gil, &plain, &[c.as_any(), a.as_any()]);

        let nested = Obj::new(
            gil,
            Pair {
                left: pair.clone(),
                right: (),
            },
        );
        // The nested pair is one handle: its own contents are not reported here.
        assert_referents(gil, &nested, &[pair.as_any()]);

        let window = Obj::new(
            gil,
            Window {
                items: [b.clone(), c.clone(), a.clone()],
                weight: 0.5,
            },
        );
        assert_eq!(referent_leaves(gil, &window), [2, 3, 1]);
    });
}

#[test]
fn lifetimes_and_unsized_parameters_pass_through() {
    fn assert_trace<T: Trace + ?Sized>() {}
    assert_trace::<Borrowing<'_, str>>();
    assert_trace::<Borrowing<'_, [Obj<Leaf>]>>();
    assert_trace::<Borrowing<'static, dyn Trace + Send>>();
}

// ---------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------

#[derive(Trace)]
enum Shape {
    Nothing,
    Tuple(Obj<Leaf>, u8, Obj<Leaf>),
    Named {
        first: Obj<Leaf>,
        label: String,
        last: Obj<Leaf>,
    },
    PartlySkipped(#[trace(skip)] Obj<Leaf>, Obj<Leaf>),
    EmptyBraces {},
    EmptyParens(),
}
impl Object for Shape {}

#[test]
fn enums_visit_only_the_active_variant() {
    with_gil(|gil| {
        let (a, b) = (leaf(gil, 1), leaf(gil, 2));
        let cases = [
            (Shape::Nothing, vec![]),
            (Shape::Tuple(a.clone(), 9, b.clone()), vec![1, 2]),
            (
                Shape::Named {
                    first: b.clone(),
                    label: "l".into(),
                    last: a.clone(),
                },
                vec![2, 1],
            ),
            (Shape::EmptyBraces {}, vec![]),
            (Shape::EmptyParens(), vec![]),
        ];
        for (shape, expected) in cases {
            let obj = Obj::new(gil, shape);
            assert_eq!(referent_leaves(gil, &obj), expected);
        }
        // The skipped field is held (and counted) but not reported.
        let partly = Obj::new(gil, Shape::PartlySkipped(a.clone(), b.clone()));
        assert_eq!(referent_leaves(gil, &partly), [2]);
        let Shape::PartlySkipped(hidden, _) = partly.get(gil) else {
            unreachable!("constructed as PartlySkipped")
        };
        assert!(hidden.ptr_eq(&a));
        assert_eq!(a.refcount(gil), 2);
        drop(partly);
        // Every temporary object is gone again: only `a` and `b` hold their leaves.
        assert_eq!((a.refcount(gil), b.refcount(gil)), (1, 1));
    });
}

#[derive(Trace)]
enum Either<L, R> {
    Left(L),
    Right { value: R },
}
impl<L: Trace + Send + 'static, R: Trace + Send + 'static> Object for Either<L, R> {}

#[derive(Trace)]
enum Never {}

#[test]
fn generic_and_empty_enums() {
    with_gil(|gil| {
        let a = leaf(gil, 1);
        let left: Obj<Either<Obj<Leaf>, u8>> = Obj::new(gil, Either::Left(a.clone()));
        assert_referents(gil, &left, &[a.as_any()]);
        let right: Obj<Either<u8, Vec<Obj<Leaf>>>> = Obj::new(
            gil,
            Either::Right {
                value: vec![a.clone(), a.clone()],
            },
        );
        assert_referents(gil, &right, &[a.as_any(), a.as_any()]);
    });
    fn assert_trace<T: Trace>() {}
    assert_trace::<Never>();
}

// ---------------------------------------------------------------------------------------
// #[trace(skip)] and names the derive uses itself
// ---------------------------------------------------------------------------------------

/// A type that implements no `Trace` (and cannot own handles).
struct Opaque {
    bytes: Vec<u8>,
}

#[derive(Trace)]
struct WithSkips {
    #[trace(skip)]
    opaque: Opaque,
    seen: Obj<Leaf>,
    /// Skipping a handle hides the edge (a leak if it closes a cycle, never corruption).
    #[trace(skip)]
    hidden: Obj<Leaf>,
    #[trace(skip)]
    hidden_too: Option<AnyObj>,
    also_seen: Option<Obj<Leaf>>,
}
impl Object for WithSkips {}

#[test]
fn skipped_fields_are_not_visited() {
    with_gil(|gil| {
        let (a, b, c, d) = (leaf(gil, 1), leaf(gil, 2), leaf(gil, 3), leaf(gil, 4));
        let obj = Obj::new(
            gil,
            WithSkips {
                opaque: Opaque {
                    bytes: vec![1, 2, 3],
                },
                seen: a.clone(),
                hidden: b.clone(),
                hidden_too: Some(c.clone().into_any()),
                also_seen: Some(d.clone()),
            },
        );
        assert_referents(gil, &obj, &[a.as_any(), d.as_any()]);
        let payload = obj.get(gil);
        assert_eq!(payload.opaque.bytes, [1, 2, 3]);
        assert!(payload.hidden.ptr_eq(&b));
        assert!(
            payload
                .hidden_too
                .as_ref()
                .is_some_and(|h| h.ptr_eq(c.as_any()))
        );
        // Not traced, but still owned: the references are counted and released.
        assert_eq!(b.refcount(gil), 2);
        drop(obj);
        assert_eq!(b.refcount(gil), 1);
        assert_eq!(c.refcount(gil), 1);
    });
}

/// Fields named like the derive's own variables (`tracer`; enum fields are bound as
/// `__trace_field_<index>`).
#[derive(Trace)]
struct Hygiene {
    tracer: Obj<Leaf>,
    field_0: Obj<Leaf>,
    this: Obj<Leaf>,
}
impl Object for Hygiene {}

#[derive(Trace)]
enum HygieneEnum {
    Named {
        tracer: Obj<Leaf>,
        __trace_field_0: Obj<Leaf>,
    },
    Tuple(Obj<Leaf>, Obj<Leaf>),
}
impl Object for HygieneEnum {}

#[test]
fn field_names_do_not_collide_with_the_generated_code() {
    with_gil(|gil| {
        let (a, b, c) = (leaf(gil, 1), leaf(gil, 2), leaf(gil, 3));
        let obj = Obj::new(
            gil,
            Hygiene {
                tracer: a.clone(),
                field_0: b.clone(),
                this: c.clone(),
            },
        );
        assert_eq!(referent_leaves(gil, &obj), [1, 2, 3]);
        let named = Obj::new(
            gil,
            HygieneEnum::Named {
                tracer: c.clone(),
                __trace_field_0: a.clone(),
            },
        );
        assert_eq!(referent_leaves(gil, &named), [3, 1]);
        let tuple = Obj::new(gil, HygieneEnum::Tuple(b.clone(), c.clone()));
        assert_eq!(referent_leaves(gil, &tuple), [2, 3]);
    });
}

// ---------------------------------------------------------------------------------------
// Recursive types
// ---------------------------------------------------------------------------------------

#[derive(Trace)]
struct ListNode {
    value: u32,
    next: Option<Obj<ListNode>>,
}
impl Object for ListNode {}

#[derive(Trace)]
struct GenericNode<T: Trace + Send + 'static> {
    value: T,
    next: Option<Obj<GenericNode<T>>>,
}
impl<T: Trace + Send + 'static> Object for GenericNode<T> {}

/// Recursive inline (through `Box`) and through handles.
#[derive(Trace)]
enum Tree {
    Leaf(Obj<Leaf>),
    Branch(Box<Tree>, Box<Tree>),
    Shared(Obj<Tree>),
    Empty,
}
impl Object for Tree {}

#[test]
fn linked_list_nodes_report_only_their_successor() {
    with_gil(|gil| {
        let tail = Obj::new(
            gil,
            ListNode {
                value: 3,
                next: None,
            },
        );
        let middle = Obj::new(
            gil,
            ListNode {
                value: 2,
                next: Some(tail.clone()),
            },
        );
        let head = Obj::new(
            gil,
            ListNode {
                value: 1,
                next: Some(middle.clone()),
            },
        );
        assert_referents(gil, &head, &[middle.as_any()]);
        assert_referents(gil, &middle, &[tail.as_any()]);
        assert_referents(gil, &tail, &[]);
        assert_eq!(head.get(gil).value + tail.get(gil).value, 4);

        let a = leaf(gil, 7);
        let g_tail = Obj::new(
            gil,
            GenericNode {
                value: a.clone(),
                next: None,
            },
        );
        let g_head = Obj::new(
            gil,
            GenericNode {
                value: a.clone(),
                next: Some(g_tail.clone()),
            },
        );
        assert_referents(gil, &g_head, &[a.as_any(), g_tail.as_any()]);
        assert_referents(gil, &g_tail, &[a.as_any()]);
    });
}

#[test]
fn recursive_enum_traces_its_inline_tree_left_to_right() {
    with_gil(|gil| {
        let (a, b, c) = (leaf(gil, 1), leaf(gil, 2), leaf(gil, 3));
        let shared = Obj::new(gil, Tree::Leaf(c.clone()));
        let tree = Tree::Branch(
            Box::new(Tree::Branch(
                Box::new(Tree::Leaf(a.clone())),
                Box::new(Tree::Empty),
            )),
            Box::new(Tree::Branch(
                Box::new(Tree::Shared(shared.clone())),
                Box::new(Tree::Leaf(b.clone())),
            )),
        );
        let obj = Obj::new(gil, tree);
        // The inline boxes are part of the payload; the shared subtree is a separate object
        // and is reported as one handle, not descended into.
        assert_referents(gil, &obj, &[a.as_any(), shared.as_any(), b.as_any()]);
        assert_referents(gil, &shared, &[c.as_any()]);
    });
}

// ---------------------------------------------------------------------------------------
// Nested std containers
// ---------------------------------------------------------------------------------------

#[derive(Trace)]
struct Containers {
    list: Vec<Option<Obj<Leaf>>>,
    one_entry: HashMap<String, Obj<Leaf>>,
    tuple: (Obj<Leaf>, u8, (AnyObj, Obj<Leaf>)),
    array: [Obj<Leaf>; 2],
    boxed: Box<[Obj<Leaf>]>,
    sorted: BTreeMap<u32, Vec<Obj<Leaf>>>,
    queue: VecDeque<Result<Obj<Leaf>, String>>,
    once: OnceCell<Obj<Leaf>>,
    unset: OnceCell<Obj<Leaf>>,
    counter: Cell<u64>,
    marker: PhantomData<fn() -> String>,
    dynamic: Box<dyn Trace + Send>,
    cell: GilCell<Vec<Obj<Leaf>>>,
}
impl Object for Containers {}

#[test]
fn nested_containers_are_traced_in_order() {
    with_gil(|gil| {
        let l: Vec<Obj<Leaf>> = (0..16).map(|n| leaf(gil, n)).collect();
        let once = OnceCell::new();
        assert!(once.set(l[12].clone()).is_ok());
        let obj = Obj::new(
            gil,
            Containers {
                list: vec![Some(l[0].clone()), None, Some(l[1].clone())],
                one_entry: HashMap::from([("k".to_owned(), l[2].clone())]),
                tuple: (l[3].clone(), 0, (l[4].clone().into_any(), l[5].clone())),
                array: [l[6].clone(), l[7].clone()],
                boxed: vec![l[8].clone(), l[9].clone()].into_boxed_slice(),
                sorted: BTreeMap::from([(2, vec![l[11].clone()]), (1, vec![l[10].clone()])]),
                queue: VecDeque::from([Err("no".into()), Ok(l[13].clone())]),
                once,
                unset: OnceCell::new(),
                counter: Cell::new(5),
                marker: PhantomData,
                dynamic: Box::new((l[14].clone(), "tag")),
                cell: GilCell::new(vec![l[15].clone()]),
            },
        );
        // Fields in declaration order, each container in its own order: the BTreeMap by
        // key (1 → leaf 10 before 2 → leaf 11), `queue` (leaf 13) before `once` (leaf 12),
        // the unset OnceCell, Cell and PhantomData nothing.
        assert_eq!(
            referent_leaves(gil, &obj),
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 12, 14, 15]
        );
        assert_eq!(obj.get(gil).counter.get(), 5);
    });
}

#[derive(Trace)]
struct Unordered {
    map: HashMap<u32, Obj<Leaf>>,
    keyed: HashMap<Wrapper, ()>,
    set: HashSet<u32>,
    tree_set: BTreeSet<u32>,
}
impl Object for Unordered {}

/// A hashable key that owns a handle (hashed by its number).
#[derive(Trace)]
struct Wrapper(u32, Obj<Leaf>);
impl PartialEq for Wrapper {
    fn eq(&self, other: &Wrapper) -> bool {
        self.0 == other.0
    }
}
impl Eq for Wrapper {}
impl std::hash::Hash for Wrapper {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

#[test]
fn hash_maps_visit_every_key_and_value_once() {
    with_gil(|gil| {
        let values: Vec<Obj<Leaf>> = (0..50).map(|n| leaf(gil, n)).collect();
        let keys: Vec<Obj<Leaf>> = (100..120).map(|n| leaf(gil, n)).collect();
        let obj = Obj::new(
            gil,
            Unordered {
                map: values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (i as u32, v.clone()))
                    .collect(),
                keyed: keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| (Wrapper(i as u32, k.clone()), ()))
                    .collect(),
                set: (0..10).collect(),
                tree_set: (0..10).collect(),
            },
        );
        let mut got = referent_leaves(gil, &obj);
        // The map's values come first (field order), in the map's own order.
        let (map_part, key_part) = got.split_at_mut(50);
        map_part.sort_unstable();
        key_part.sort_unstable();
        assert_eq!(map_part, (0..50).collect::<Vec<_>>());
        assert_eq!(key_part, (100..120).collect::<Vec<_>>());
    });
}

// ---------------------------------------------------------------------------------------
// Use from safe code, and Drop
// ---------------------------------------------------------------------------------------

/// The derive's `unsafe impl` does not trip `forbid(unsafe_code)` in the deriving crate.
#[forbid(unsafe_code)]
mod safe_user {
    use heap::{Obj, Object, Trace};

    #[derive(Trace)]
    pub(crate) struct Safe {
        pub(crate) inner: Obj<super::Leaf>,
    }
    impl Object for Safe {}
}

#[test]
fn deriving_needs_no_unsafe_in_the_user_crate() {
    with_gil(|gil| {
        let a = leaf(gil, 1);
        let obj = Obj::new(gil, safe_user::Safe { inner: a.clone() });
        assert_referents(gil, &obj, &[a.as_any()]);
        assert_eq!(obj.get(gil).inner.get(gil).0, 1);
    });
}

#[derive(Trace)]
struct Dropping {
    child: Obj<Leaf>,
    #[trace(skip)]
    drops: Arc<AtomicUsize>,
}
impl Object for Dropping {}
impl Drop for Dropping {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn derived_types_may_implement_drop() {
    let drops = Arc::new(AtomicUsize::new(0));
    with_gil(|gil| {
        let a = leaf(gil, 1);
        let obj = Obj::new(
            gil,
            Dropping {
                child: a.clone(),
                drops: drops.clone(),
            },
        );
        assert_referents(gil, &obj, &[a.as_any()]);
        assert_eq!(a.refcount(gil), 2);
        drop(obj);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        // The payload's handles were released after its Drop ran.
        assert_eq!(a.refcount(gil), 1);
        assert_eq!(a.get(gil).0, 1);
    });
}
