//! The collector on huge garbage with a tiny stack: a 10,000,000-object cycle found and
//! freed by `gc::collect` on a thread with a 64 KiB stack (reachability runs in the objects'
//! links without recursion; breaking the cycle frees a 10M-long chain through the trashcan).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use heap::{AnyObj, GilCell, Obj, Object, Trace, gc, with_gil};

use crate::common::DropCounter;

/// Stack size of the test thread (the trashcan tests' bound).
const SMALL_STACK: usize = 64 * 1024;

/// Objects in the ring: 10,000,000; Miri runs a small one.
const RING: usize = if cfg!(miri) { 300 } else { 10_000_000 };

static DROPPED: AtomicUsize = AtomicUsize::new(0);

/// A ring node: the next node, and a drop counter.
#[derive(Trace)]
struct RingNode {
    next: GilCell<Option<AnyObj>>,
    #[allow(dead_code)]
    counter: DropCounter,
}

impl Object for RingNode {}

fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the test thread failed (a stack overflow would abort the process instead)");
}

#[test]
fn a_ten_million_object_cycle_is_collected_on_a_64_kib_stack() {
    on_small_stack(|| {
        with_gil(|gil| {
            gc::collect(gil, 2).unwrap();
            gc::disable(gil);
            DROPPED.store(0, Ordering::SeqCst);
            let live = gil.live_objects();
            let first = Obj::new(
                gil,
                RingNode {
                    next: GilCell::new(None),
                    counter: DropCounter(&DROPPED),
                },
            );
            let mut last = first.clone().into_any();
            for _ in 1..RING {
                last = Obj::new(
                    gil,
                    RingNode {
                        next: GilCell::new(Some(last)),
                        counter: DropCounter(&DROPPED),
                    },
                )
                .into_any();
            }
            // Close the ring: first -> last -> ... -> first.
            first.get(gil).next.set(gil, Some(last));
            drop(first);
            assert_eq!(gil.live_objects(), live + RING);
            assert_eq!(
                DROPPED.load(Ordering::SeqCst),
                0,
                "a cycle: nothing freed yet"
            );

            let before = gc::get_stats(gil)[2];
            let found = gc::collect(gil, 2).unwrap();
            gc::enable(gil);
            assert_eq!(found, RING);
            assert_eq!(gc::get_stats(gil)[2].collected, before.collected + RING);
            assert_eq!(DROPPED.load(Ordering::SeqCst), RING, "every node dropped");
            assert_eq!(gil.live_objects(), live, "every node freed");
            assert_eq!(gil.trash_pending(), 0);
        })
    });
}
