//! The set table against CPython 3.11: sizes, iteration order, dummies, `pop`, hashing.

use heap::{AnyObj, Gil, Obj};

use super::*;
use crate::runtime::object::PyInt;

/// A fresh int object hashing as CPython's small ints do (to itself).
fn int(gil: &Gil<'_>, v: i64) -> AnyObj {
    Obj::new(gil, PyInt(v)).into_any()
}

/// Adds `key` under hash `h`, treating every other element as unequal (the keys here are
/// distinct ints, so an equal hash never means an equal element).
fn add(t: &mut SetTable, h: i64, key: AnyObj) {
    let mut cur = t.cursor(h);
    loop {
        match t.advance(&mut cur, &key) {
            Step::Same(_) => return,
            Step::Candidate(..) => {}
            Step::Vacant { slot, reuses_dummy } => {
                t.insert_at(slot, reuses_dummy, h, key);
                return;
            }
        }
    }
}

/// Removes the element with hash `h`, if any.
fn remove(t: &mut SetTable, h: i64) -> bool {
    let slot = t
        .entries()
        .position(|(eh, _)| eh == h)
        .and_then(|_| (0..t.size()).find(|&i| t.key_at(i).is_some() && slot_hash(t, i) == h));
    match slot {
        Some(s) => t.remove_at(s).is_some(),
        None => false,
    }
}

fn slot_hash(t: &SetTable, slot: usize) -> i64 {
    match &t.slots[slot] {
        Slot::Active(h, _) => *h,
        _ => i64::MIN,
    }
}

fn table_of(gil: &Gil<'_>, values: &[i64]) -> SetTable {
    let mut t = SetTable::new();
    for &v in values {
        add(&mut t, v, int(gil, v));
    }
    t
}

fn order(t: &SetTable) -> Vec<i64> {
    t.entries().map(|(h, _)| h).collect()
}

#[test]
fn sizes_grow_as_in_cpython() {
    heap::with_gil(|gil| {
        let mut t = SetTable::new();
        assert_eq!((t.size(), t.sizeof()), (8, 200));
        let mut changes = Vec::new();
        for v in 0..400 {
            let before = t.size();
            add(&mut t, v, int(gil, v));
            if t.size() != before {
                changes.push((t.len(), t.size(), t.sizeof() + 16));
            }
        }
        // python3: sys.getsizeof(set(range(n))) is 728 from 5, 2264 from 19, 8408 from 77,
        // 32984 from 307.
        assert_eq!(
            changes,
            [
                (5, 32, 728),
                (19, 128, 2264),
                (77, 512, 8408),
                (307, 2048, 32984)
            ]
        );
    });
}

#[test]
fn small_ints_iterate_by_slot() {
    heap::with_gil(|gil| {
        assert_eq!(order(&table_of(gil, &[3, 1, 2])), [1, 2, 3]);
        // Collisions probe linearly while the run fits, then jump.
        assert_eq!(order(&table_of(gil, &[8, 0, 16])), [8, 0, 16]);
        // python3: set([100, 5, 13]) == {13, 100, 5} (the display {100, 5, 13} is built
        // twice by the compiler and iterates as {5, 100, 13}).
        assert_eq!(order(&table_of(gil, &[100, 5, 13])), [13, 100, 5]);
        assert_eq!(order(&table_of(gil, &[13, 100, 5])), [5, 100, 13]);
        // python3: frozenset((1, 9, 17, 25, 33, 41)) == frozenset({1, 33, 9, 41, 17, 25})
        assert_eq!(
            order(&table_of(gil, &[1, 9, 17, 25, 33, 41])),
            [1, 33, 9, 41, 17, 25]
        );
    });
}

#[test]
fn insertion_takes_the_last_dummy_passed() {
    heap::with_gil(|gil| {
        // python3: s = {0, 8, 16, 1}; s.discard(0); s.discard(16); s.add(24) -> {8, 24, 1}
        let mut t = table_of(gil, &[0, 8, 16, 1]);
        assert_eq!(order(&t), [0, 8, 16, 1]);
        assert!(remove(&mut t, 0));
        assert!(remove(&mut t, 16));
        assert_eq!((t.len(), t.fill()), (2, 4));
        add(&mut t, 24, int(gil, 24));
        assert_eq!(order(&t), [8, 24, 1]);
        assert_eq!((t.len(), t.fill()), (3, 4));
        // Re-adding an element removed earlier also reuses a dummy, so no resize.
        add(&mut t, 0, int(gil, 0));
        assert_eq!(order(&t), [0, 8, 24, 1]);
        assert_eq!(t.size(), 8);
    });
}

#[test]
fn dummies_count_towards_growth_and_are_dropped_by_it() {
    heap::with_gil(|gil| {
        let mut t = table_of(gil, &[0, 1, 2, 3]);
        assert!(remove(&mut t, 1));
        assert!(remove(&mut t, 2));
        // fill is still 4: the next element that lands in a fresh slot makes 5 of 8 used,
        // which rebuilds the table for 4 × 3 elements (size 16) without the dummies.
        add(&mut t, 4, int(gil, 4));
        assert_eq!((t.size(), t.len(), t.fill()), (16, 3, 3));
        assert_eq!(order(&t), [0, 3, 4]);
    });
}

#[test]
fn pop_walks_the_table_from_the_finger() {
    heap::with_gil(|gil| {
        let mut t = table_of(gil, &[5, 6, 7]);
        let mut popped = Vec::new();
        while let Some(k) = t.pop() {
            popped.push(crate::runtime::ops::int_payload(gil, &k).unwrap());
        }
        assert_eq!(popped, [5, 6, 7]);
        assert!(t.is_empty());
        // The finger stays past slot 7: the next pop starts over from slot 0.
        add(&mut t, 1, int(gil, 1));
        add(&mut t, 7, int(gil, 7));
        assert_eq!(
            t.pop().map(|k| crate::runtime::ops::int_payload(gil, &k)),
            Some(Some(1))
        );
    });
}

#[test]
fn clear_and_copies() {
    heap::with_gil(|gil| {
        let mut t = table_of(gil, &(0..50).collect::<Vec<_>>());
        assert_eq!(t.size(), 128);
        let mut copy = SetTable::new();
        copy.reserve(t.len());
        copy.fill_from(t.snapshot());
        assert_eq!(order(&copy), order(&t));
        let dropped = t.clear();
        assert_eq!(dropped.len(), 50);
        assert_eq!((t.len(), t.size(), t.sizeof()), (0, 8, 200));
        assert_eq!(copy.len(), 50);
    });
}

#[test]
fn frozenset_hash_matches_cpython() {
    heap::with_gil(|gil| {
        // python3 -c 'print(hash(frozenset({1, 2, 3})), hash(frozenset()))'
        assert_eq!(table_of(gil, &[1, 2, 3]).frozen_hash(), -272375401224217160);
        assert_eq!(table_of(gil, &[3, 2, 1]).frozen_hash(), -272375401224217160);
        assert_eq!(SetTable::new().frozen_hash(), 133146708735736);
    });
}
