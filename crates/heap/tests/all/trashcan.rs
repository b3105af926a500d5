//! The trashcan: deep structures free without deep stacks, on a 64 KiB thread.

use std::thread;

use heap::{Obj, with_gil};

use crate::common::{Link, Node};

/// Stack size of the test threads (the bound).
const SMALL_STACK: usize = 64 * 1024;

/// Chain length: 10,000,000 (the figure); Miri runs a short one.
const CHAIN: usize = if cfg!(miri) { 300 } else { 10_000_000 };
/// Nesting depth of containers: 1,000,000; Miri runs a shallow one.
const NESTED: usize = if cfg!(miri) { 200 } else { 1_000_000 };

fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the test thread failed (a stack overflow would abort the process instead)");
}

#[test]
fn a_ten_million_link_chain_frees_on_a_64_kib_stack() {
    // Build on a normal thread (building is iterative anyway), drop on a 64 KiB one.
    let head = with_gil(|gil| {
        let live = gil.live_objects();
        let mut head: Option<Obj<Link>> = None;
        for _ in 0..CHAIN {
            head = Some(Obj::new(gil, Link { next: head.take() }));
        }
        assert_eq!(gil.live_objects(), live + CHAIN);
        (head.unwrap(), live)
    });
    on_small_stack(move || {
        with_gil(|gil| {
            let (head, live) = head;
            drop(head);
            assert_eq!(gil.live_objects(), live, "every link freed");
            assert_eq!(gil.trash_pending(), 0);
        })
    });
}

#[test]
fn a_million_deep_nested_container_frees_on_a_64_kib_stack() {
    on_small_stack(|| {
        with_gil(|gil| {
            let live = gil.live_objects();
            // [[[...]]]: each node's only child is the previous node.
            let mut inner = Node::new(gil, 0);
            for i in 1..NESTED {
                let outer = Node::new(gil, i as u32);
                Node::push(&outer, gil, inner.into_any());
                inner = outer;
            }
            assert_eq!(gil.live_objects(), live + NESTED);
            drop(inner);
            assert_eq!(gil.live_objects(), live);
            assert_eq!(gil.trash_pending(), 0);
        })
    });
}

#[test]
fn a_wide_and_deep_tree_frees_completely() {
    with_gil(|gil| {
        let live = gil.live_objects();
        // A chain of nodes, each also holding a few leaves: deferral interleaves with
        // ordinary nested frees.
        let depth = if cfg!(miri) { 120 } else { 20_000 };
        let mut inner = Node::new(gil, 0);
        for i in 1..depth {
            let outer = Node::new(gil, i);
            for _ in 0..3 {
                Node::push(&outer, gil, Node::new(gil, 0).into_any());
            }
            Node::push(&outer, gil, inner.into_any());
            inner = outer;
        }
        drop(inner);
        assert_eq!(gil.live_objects(), live);
    });
}
