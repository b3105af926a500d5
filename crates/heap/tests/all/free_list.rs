//! Free lists: dead objects' blocks kept for reuse, with CPython 3.11's visible effects: an
//! object made from a list or put on one leaves generation 0's count alone, blocks on a list
//! stay allocated, and a full collection gives them back.
//!
//! Each test uses its own slots, so other tests' objects never share its lists, and holds
//! the GIL throughout with automatic collection off (no collection empties a list under it).

use heap::gc;
use heap::{AnyObj, FreeList, Gil, GilCell, Obj, Object, Trace, allocated_blocks, free_list_len};

/// A tracked container whose dead instances go on slot 4 (at most 3).
#[derive(Trace)]
struct Pair(GilCell<Vec<AnyObj>>);

impl Object for Pair {
    const FREE_LIST: Option<FreeList> = Some(FreeList {
        slot: 4,
        capacity: 3,
    });
}

/// An untracked number whose dead instances go on slot 5 (at most 2): the leaf path.
#[derive(Trace)]
struct Num(f64);

impl Object for Num {
    const TRACKED: bool = false;
    const WEAKREFABLE: bool = false;
    const FREE_LIST: Option<FreeList> = Some(FreeList {
        slot: 5,
        capacity: 2,
    });
}

/// A tracked container with no free list, for comparison.
#[derive(Trace)]
struct Plain(GilCell<Vec<AnyObj>>);

impl Object for Plain {}

fn with_quiet_gc(f: impl FnOnce(&mut Gil<'_>)) {
    heap::with_gil(|gil| {
        let was = gc::is_enabled(gil);
        gc::disable(gil);
        f(gil);
        if was {
            gc::enable(gil);
        }
    });
}

fn count0(gil: &Gil<'_>) -> usize {
    gc::get_count(gil)[0]
}

#[test]
fn dead_objects_go_on_their_list_and_the_next_allocation_takes_the_newest() {
    with_quiet_gc(|gil| {
        gc::collect(gil, 2).expect("collect");
        assert_eq!(
            free_list_len(gil, 4),
            0,
            "a full collection empties the lists"
        );
        let a = Obj::new(gil, Pair(GilCell::new(Vec::new())));
        let b = Obj::new(gil, Pair(GilCell::new(Vec::new())));
        let (addr_a, addr_b) = (a.as_any().addr(), b.as_any().addr());
        drop(a);
        drop(b);
        assert_eq!(free_list_len(gil, 4), 2);
        let c = Obj::new(gil, Pair(GilCell::new(vec![])));
        assert_eq!(c.as_any().addr(), addr_b, "last in, first out");
        assert_eq!(free_list_len(gil, 4), 1);
        let d = Obj::new(gil, Pair(GilCell::new(vec![c.as_any().clone()])));
        assert_eq!(d.as_any().addr(), addr_a);
        assert!(
            d.as_any().is_tracked(gil),
            "a reused block is tracked like a new one"
        );
        assert_eq!(d.get(gil).0.with(gil, |v| v.len()), 1);
        drop(d);
        drop(c);
    });
}

#[test]
fn the_list_keeps_at_most_its_capacity() {
    with_quiet_gc(|gil| {
        gc::collect(gil, 2).expect("collect");
        let blocks = allocated_blocks(gil);
        let objs: Vec<_> = (0..5)
            .map(|_| Obj::new(gil, Pair(GilCell::new(Vec::new()))))
            .collect();
        drop(objs);
        assert_eq!(free_list_len(gil, 4), 3);
        if blocks > 0 {
            // pymalloc counts blocks (0 in the malloc modes): the listed ones stay allocated.
            assert_eq!(allocated_blocks(gil), blocks + 3);
        }
        gc::collect(gil, 2).expect("collect");
        assert_eq!(free_list_len(gil, 4), 0);
        if blocks > 0 {
            assert_eq!(
                allocated_blocks(gil),
                blocks,
                "a full collection frees them"
            );
        }
    });
}

#[test]
fn objects_from_or_onto_a_list_leave_the_gen0_count_alone() {
    with_quiet_gc(|gil| {
        gc::collect(gil, 2).expect("collect");
        let c = count0(gil);
        // The list is empty: the allocation is counted.
        let a = Obj::new(gil, Pair(GilCell::new(Vec::new())));
        assert_eq!(count0(gil), c + 1);
        // Onto the list: the count stays.
        drop(a);
        assert_eq!(count0(gil), c + 1);
        // From the list: the count stays.
        let b = Obj::new(gil, Pair(GilCell::new(Vec::new())));
        assert_eq!(count0(gil), c + 1);
        // A type without a list counts both ways.
        let p = Obj::new(gil, Plain(GilCell::new(Vec::new())));
        assert_eq!(count0(gil), c + 2);
        drop(p);
        assert_eq!(count0(gil), c + 1);
        // A full list: the count goes back after the payload's drop.
        let more: Vec<_> = (0..4)
            .map(|_| Obj::new(gil, Pair(GilCell::new(Vec::new()))))
            .collect();
        let counted = count0(gil);
        drop(more);
        drop(b);
        assert_eq!(free_list_len(gil, 4), 3);
        assert_eq!(
            count0(gil),
            counted - 2,
            "two of five went back to obmalloc"
        );
    });
}

#[test]
fn an_object_dying_inside_a_listed_one_goes_on_the_list_first() {
    with_quiet_gc(|gil| {
        gc::collect(gil, 2).expect("collect");
        let inner = Obj::new(gil, Pair(GilCell::new(Vec::new())));
        let inner_addr = inner.as_any().addr();
        let outer = Obj::new(gil, Pair(GilCell::new(vec![inner.into_any()])));
        let outer_addr = outer.as_any().addr();
        drop(outer);
        assert_eq!(free_list_len(gil, 4), 2);
        // The outer block went on last: it is the first one back.
        let x = Obj::new(gil, Pair(GilCell::new(Vec::new())));
        let y = Obj::new(gil, Pair(GilCell::new(Vec::new())));
        assert_eq!(
            (x.as_any().addr(), y.as_any().addr()),
            (outer_addr, inner_addr)
        );
    });
}

#[test]
fn untracked_leaf_objects_use_their_list_too() {
    with_quiet_gc(|gil| {
        gc::collect(gil, 2).expect("collect");
        let c = count0(gil);
        let nums: Vec<_> = (0..3).map(|i| Obj::new(gil, Num(f64::from(i)))).collect();
        // Dropped first to last: the third finds the list full.
        let last = nums[1].as_any().addr();
        drop(nums);
        assert_eq!(free_list_len(gil, 5), 2, "capacity 2");
        let n = Obj::new(gil, Num(7.5));
        assert_eq!(n.as_any().addr(), last);
        assert_eq!(n.get(gil).0, 7.5);
        assert_eq!(count0(gil), c, "untracked objects are never counted");
    });
}

#[test]
#[should_panic(expected = "slot 8 out of range")]
fn reading_a_slot_past_the_end_names_the_misuse() {
    heap::with_gil(|gil| {
        free_list_len(gil, heap::FREE_LIST_SLOTS);
    });
}
