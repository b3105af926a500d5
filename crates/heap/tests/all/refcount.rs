//! Counts, handles, typed/untyped conversion, immortal objects, tracking.

use std::sync::atomic::{AtomicUsize, Ordering};

use heap::{AnyObj, IMMORTAL_REFCOUNT, Obj, Object, Trace, gc, with_gil};

use crate::common::{DropCounter, Int, Link, Node};

/// A payload that counts its drops.
#[derive(Trace)]
struct Payload(DropCounter);
impl Object for Payload {}

#[test]
fn clone_and_drop_move_the_count_and_free_at_zero() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    with_gil(|gil| {
        let live = gil.live_objects();
        let a = Obj::new(gil, Payload(DropCounter(&DROPS)));
        assert_eq!(gil.live_objects(), live + 1);
        assert_eq!(a.refcount(gil), 1);
        let b = a.clone_ref(gil);
        let c = a.clone();
        assert_eq!(a.refcount(gil), 3);
        drop(b);
        assert_eq!(a.refcount(gil), 2);
        drop(c);
        assert_eq!(DROPS.load(Ordering::SeqCst), 0);
        drop(a);
        assert_eq!(DROPS.load(Ordering::SeqCst), 1);
        assert_eq!(gil.live_objects(), live);
    });
}

#[test]
fn release_with_the_token_drops_like_drop() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    with_gil(|gil| {
        let live = gil.live_objects();
        let a = Obj::new(gil, Payload(DropCounter(&DROPS))).into_any();
        let b = a.clone_ref(gil);
        assert_eq!(a.refcount(gil), 2);
        b.release(gil);
        assert_eq!(a.refcount(gil), 1);
        assert_eq!(DROPS.load(Ordering::SeqCst), 0);
        a.release(gil);
        assert_eq!(DROPS.load(Ordering::SeqCst), 1);
        assert_eq!(gil.live_objects(), live);
        // An immortal object's count does not move.
        let i = Obj::new_immortal(gil, Int(3)).into_any();
        i.clone_ref(gil).release(gil);
        assert_eq!(i.refcount(gil), IMMORTAL_REFCOUNT);
    });
}

#[test]
fn containers_hold_references() {
    with_gil(|gil| {
        // CPython's example: a = [1, 2, 3] is referenced by `a`; `b = a` adds one;
        // `c = [a, 4]` adds one; `del c` takes it back.
        let a = Node::new(gil, 1);
        assert_eq!(a.refcount(gil), 1);
        let b = a.clone();
        assert_eq!(a.refcount(gil), 2);
        let c = Node::new(gil, 2);
        Node::push(&c, gil, a.clone().into_any());
        assert_eq!(a.refcount(gil), 3);
        drop(c);
        assert_eq!(a.refcount(gil), 2);
        drop(b);
        assert_eq!(a.refcount(gil), 1);
    });
}

#[test]
fn any_handles_downcast_and_dispatch() {
    with_gil(|gil| {
        let n: AnyObj = Node::new(gil, 7).into_any();
        assert!(n.is::<Node>());
        assert!(!n.is::<Int>());
        assert!(n.type_name().ends_with("Node"));
        assert_eq!(n.get(gil).downcast_ref::<Node>().unwrap().name, 7);
        assert_eq!(n.downcast_ref::<Node>().unwrap().get(gil).name, 7);
        let n = n.downcast::<Int>().unwrap_err();
        let typed = n.downcast::<Node>().unwrap();
        assert_eq!(typed.refcount(gil), 1);
        let info = typed.as_any().type_info();
        assert!(info.is_tracked_type() && info.is_weakrefable() && !info.has_finalizer());
        // 16 B of GC links + 16 B header + u32 + Vec (padded to 8): 64 bytes, like `[]`'s class.
        assert_eq!(info.instance_size(), 16 + 16 + 8 + 24);
        let int = Obj::new(gil, Int(5));
        assert_eq!(int.as_any().type_info().instance_size(), 16 + 8);
        assert_eq!(
            format!("{:?}", int.as_any()),
            format!("<int object at {:#x}>", int.as_any().addr())
        );
    });
}

#[test]
fn types_sharing_a_tag_are_still_told_apart() {
    // `is` answers from the descriptor's address or the tag when it can; two payload types
    // with the same tag must still be decided by their `TypeId`.
    #[derive(Trace)]
    struct First(u32);
    impl Object for First {
        const TAG: u32 = 77;
    }
    #[derive(Trace)]
    struct Second(u32);
    impl Object for Second {
        const TAG: u32 = 77;
    }
    with_gil(|gil| {
        let a = Obj::new(gil, First(1)).into_any();
        let b = Obj::new(gil, Second(2)).into_any();
        assert_eq!(a.tag(), b.tag());
        assert!(a.is::<First>() && !a.is::<Second>());
        assert!(b.is::<Second>() && !b.is::<First>());
        assert!(a.downcast_ref::<Second>().is_none());
        assert_eq!(b.downcast_ref::<Second>().unwrap().get(gil).0, 2);
        // Another tag, same layout: rejected by the tag alone.
        assert!(!a.is::<Int>() && !b.is::<Int>());
    });
}

#[test]
fn referents_follow_trace_order() {
    with_gil(|gil| {
        let a = Node::new(gil, 1);
        let x = Obj::new(gil, Int(1)).into_any();
        let y = Node::new(gil, 2).into_any();
        Node::push(&a, gil, x.clone());
        Node::push(&a, gil, y.clone());
        Node::push(&a, gil, x.clone());
        let r = a.as_any().referents(gil);
        assert_eq!(r.len(), 3);
        assert!(r[0].ptr_eq(&x) && r[1].ptr_eq(&y) && r[2].ptr_eq(&x));
        assert_eq!(x.refcount(gil), 1 + 2 + 2);
        drop(r);
        assert_eq!(x.refcount(gil), 3);
    });
}

#[test]
fn immortal_objects_never_change_and_never_die() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    #[derive(Trace)]
    struct Payload(DropCounter);
    impl Object for Payload {}
    with_gil(|gil| {
        let none = Obj::new_immortal(gil, Payload(DropCounter(&DROPS)));
        assert_eq!(none.refcount(gil), IMMORTAL_REFCOUNT);
        assert_eq!(IMMORTAL_REFCOUNT, 4_294_967_295);
        let copies: Vec<_> = (0..1000).map(|_| none.clone_ref(gil)).collect();
        assert_eq!(none.refcount(gil), IMMORTAL_REFCOUNT);
        drop(copies);
        assert!(none.as_any().is_immortal(gil));
        let extra = none.clone();
        drop(none);
        drop(extra);
        assert_eq!(
            DROPS.load(Ordering::SeqCst),
            0,
            "an immortal object was freed"
        );
        // Immortal from the start: an object made immortal later keeps its payload forever.
        let late = Node::new(gil, 3);
        late.as_any().make_immortal(gil);
        let again = late.clone();
        drop(late);
        assert_eq!(again.refcount(gil), IMMORTAL_REFCOUNT);
    });
}

#[test]
fn tracked_types_join_the_young_generation_and_can_leave_it() {
    with_gil(|gil| {
        // No automatic collection may move objects out of generation 0 meanwhile.
        gc::disable(gil);
        let young_count = |gil: &heap::Gil<'_>| gc::get_count(gil)[0];
        let young_len = |gil: &heap::Gil<'_>| gc::generation_sizes(gil)[0];
        let count = young_count(gil);
        let len = young_len(gil);
        let node = Node::new(gil, 1);
        let int = Obj::new(gil, Int(1));
        assert_eq!(
            young_count(gil),
            count + 1,
            "only tracked allocations count"
        );
        assert_eq!(young_len(gil), len + 1);
        assert!(node.as_any().is_tracked(gil));
        assert!(!int.as_any().is_tracked(gil));
        assert!(!int.as_any().track(gil), "untracked types have no GC links");
        let young = gc::get_objects(gil, Some(0)).unwrap();
        assert!(young.last().unwrap().ptr_eq(node.as_any()));
        drop(young);
        node.as_any().untrack(gil);
        node.as_any().untrack(gil); // idempotent
        assert!(!node.as_any().is_tracked(gil));
        assert_eq!(young_len(gil), len);
        assert!(node.as_any().track(gil));
        assert!(node.as_any().track(gil));
        assert_eq!(young_len(gil), len + 1);
        drop(node);
        assert_eq!(young_len(gil), len);
        assert_eq!(young_count(gil), count);
        // Untracked when it dies: still accounted for.
        let node = Node::new(gil, 2);
        node.as_any().untrack(gil);
        drop(node);
        assert_eq!(young_count(gil), count);
        gc::enable(gil);
    });
}

#[test]
fn chains_of_untracked_links_count_like_tuples() {
    with_gil(|gil| {
        let live = gil.live_objects();
        let a = Obj::new(gil, Link { next: None });
        let b = Obj::new(
            gil,
            Link {
                next: Some(a.clone()),
            },
        );
        assert_eq!(a.refcount(gil), 2);
        drop(a);
        assert_eq!(gil.live_objects(), live + 2);
        drop(b);
        assert_eq!(gil.live_objects(), live);
    });
}

#[test]
fn plain_data_objects_are_freed_at_once_even_inside_a_borrow() {
    // `Int` holds no handles and has no finalizer: freeing it runs no code, so it is freed
    // where its count reaches zero, even while a `with_mut` borrow defers other frees.
    with_gil(|gil| {
        let live = gil.live_objects();
        let n = if cfg!(miri) { 20 } else { 1000 };
        let ints: Vec<Obj<Int>> = (0..n).map(|i| Obj::new(gil, Int(i))).collect();
        let holder = heap::GilCell::new(ints);
        assert_eq!(gil.live_objects(), live + n as usize);
        holder.with_mut(gil, |v| v.clear());
        assert_eq!(
            gil.trash_pending(),
            0,
            "nothing waited for the borrow to end"
        );
        assert_eq!(gil.live_objects(), live);
        // Objects with handles inside still wait for the borrow, then go.
        let node = Node::new(gil, 1);
        Node::push(&node, gil, Obj::new(gil, Int(5)).into_any());
        let holder = heap::GilCell::new(Some(node));
        holder.with_mut(gil, |n| drop(n.take()));
        assert_eq!(gil.live_objects(), live);
    });
}

#[test]
fn vector_cells_clone_one_element_in_place() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    with_gil(|gil| {
        let live = gil.live_objects();
        let a = Obj::new(gil, Payload(DropCounter(&DROPS))).into_any();
        let items: heap::GilCell<Vec<AnyObj>> = heap::GilCell::new(vec![a.clone_ref(gil)]);
        assert_eq!((items.len(gil), items.is_empty(gil)), (1, false));
        assert_eq!(a.refcount(gil), 2);
        let first = items.get_at(gil, 0).expect("one element");
        assert!(first.ptr_eq(&a));
        assert_eq!(a.refcount(gil), 3, "the element read is a new reference");
        assert!(items.get_at(gil, 1).is_none());
        first.release(gil);
        drop(items);
        assert_eq!(a.refcount(gil), 1);
        a.release(gil);
        assert_eq!(DROPS.load(Ordering::SeqCst), 1);
        assert_eq!(gil.live_objects(), live);
        let empty: heap::GilCell<Vec<AnyObj>> = heap::GilCell::new(Vec::new());
        assert!(empty.is_empty(gil) && empty.get_at(gil, 0).is_none());
    });
}

/// A `Copy` payload that weak references may point at.
#[derive(Trace, Clone, Copy)]
struct Cell64(f64);
impl Object for Cell64 {}

#[test]
fn set_unique_writes_only_through_the_sole_handle() {
    with_gil(|gil| {
        let live = gil.live_objects();
        let mut a = Obj::new(gil, Cell64(1.0));
        assert!(a.set_unique(gil, Cell64(2.0)).is_ok());
        assert_eq!(a.get(gil).0, 2.0);
        assert_eq!(gil.live_objects(), live + 1, "reused, not reallocated");

        // A second handle: the object is shared, so it is left as it is.
        let b = a.clone_ref(gil);
        assert_eq!(a.set_unique(gil, Cell64(3.0)).map_err(|v| v.0), Err(3.0));
        assert_eq!(b.get(gil).0, 2.0);
        drop(b);
        assert!(a.set_unique(gil, Cell64(4.0)).is_ok());

        // A weak reference could see the change: left alone while one exists.
        let wr = heap::WeakRef::new(gil, a.as_any(), None).expect("weakrefable");
        assert!(a.set_unique(gil, Cell64(5.0)).is_err());
        assert_eq!(a.get(gil).0, 4.0);
        drop(wr);
        assert!(
            a.set_unique(gil, Cell64(5.0)).is_ok(),
            "the weak reference is gone"
        );
        assert_eq!(a.get(gil).0, 5.0);

        // Immortal objects are never written.
        let mut imm = Obj::new_immortal(gil, Cell64(6.0));
        assert!(imm.set_unique(gil, Cell64(7.0)).is_err());
        assert_eq!(imm.get(gil).0, 6.0);

        // Through an untyped handle.
        let mut any = Obj::new(gil, Cell64(8.0)).into_any();
        let typed = any.downcast_mut::<Cell64>().expect("a Cell64");
        assert!(typed.set_unique(gil, Cell64(9.0)).is_ok());
        assert_eq!(any.downcast_ref::<Cell64>().unwrap().get(gil).0, 9.0);
        assert!(any.downcast_mut::<Int>().is_none());
    });
}
