//! The GIL token: threads sharing and mutating objects, misuse caught, drops without the
//! GIL queued, the switch interval, and hand-off on request.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use heap::{AnyObj, GilCell, Obj, Object, Trace, gil, gil_held, with_gil};

use crate::common::Node;

#[derive(Trace)]
struct Counter {
    value: GilCell<u64>,
    log: GilCell<Vec<AnyObj>>,
}

impl Object for Counter {}

#[test]
fn threads_share_and_mutate_objects_under_the_gil() {
    const THREADS: usize = 4;
    const ROUNDS: u64 = if cfg!(miri) { 20 } else { 5_000 };
    let shared = with_gil(|gil| {
        Obj::new(
            gil,
            Counter {
                value: GilCell::new(0),
                log: GilCell::new(Vec::new()),
            },
        )
    });
    // Hand each thread its own handle (cloned under the GIL, moved across).
    let handles: Vec<Obj<Counter>> =
        with_gil(|gil| (0..THREADS).map(|_| shared.clone_ref(gil)).collect());
    let start = Arc::new(Barrier::new(THREADS));
    let workers: Vec<_> = handles
        .into_iter()
        .map(|h| {
            let start = start.clone();
            thread::spawn(move || {
                start.wait();
                for i in 0..ROUNDS {
                    with_gil(|gil| {
                        let c = h.get(gil);
                        c.value.set(gil, c.value.get(gil) + 1);
                        // Objects created on one thread, stored in a shared object, dropped
                        // by another: counts only ever move under the GIL.
                        let n = Node::new(gil, i as u32).into_any();
                        c.log.with_mut(gil, |log| {
                            log.push(n);
                            if log.len() > 8 {
                                log.remove(0);
                            }
                        });
                        let _ = gil.yield_now();
                    });
                }
                drop(h); // without the GIL: queued, applied by the next holder
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    with_gil(|gil| {
        let c = shared.get(gil);
        assert_eq!(c.value.get(gil), THREADS as u64 * ROUNDS);
        assert_eq!(c.log.with(gil, |l| l.len()), 8);
        assert_eq!(
            shared.refcount(gil),
            1,
            "the workers' handles were released"
        );
    });
}

#[test]
fn drops_without_the_gil_are_applied_by_the_next_holder() {
    let (obj, watch) = with_gil(|gil| {
        let obj = Node::new(gil, 1);
        let watch = obj.downgrade(gil).unwrap();
        (obj, watch)
    });
    assert!(!gil_held());
    drop(obj); // no GIL: queued
    with_gil(|gil| {
        assert!(
            watch.upgrade(gil).is_none(),
            "queued decrement applied on entry"
        )
    });
    let (tx, rx) = mpsc::channel();
    let obj = with_gil(|gil| Node::new(gil, 2));
    thread::spawn(move || tx.send(obj).unwrap()).join().unwrap();
    let obj = rx.recv().unwrap();
    with_gil(|gil| {
        assert_eq!(
            obj.refcount(gil),
            1,
            "moving a handle across threads keeps its count"
        )
    });
    with_gil(|gil| {
        let r = obj.downgrade(gil).unwrap();
        gil.allow_threads(move || drop(obj)); // dropped while released: queued
        assert!(r.upgrade(gil).is_none(), "applied when the GIL came back");
    });
}

#[test]
fn clone_without_the_gil_panics_with_a_clear_message() {
    let obj = with_gil(|gil| Node::new(gil, 1));
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| obj.clone())).unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(
        msg.contains("Obj::clone") && msg.contains("does not hold the GIL"),
        "{msg}"
    );
    with_gil(|gil| assert_eq!(obj.refcount(gil), 1));
}

#[test]
fn nested_with_gil_panics_and_releases() {
    let err = std::panic::catch_unwind(|| with_gil(|_| with_gil(|_| ()))).unwrap_err();
    let msg = err
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| err.downcast_ref::<String>().cloned())
        .unwrap();
    assert!(msg.contains("already holds the GIL"), "{msg}");
    assert!(!gil_held());
    with_gil(|_| ()); // the lock was released by the unwinding
}

#[test]
fn switch_interval_round_trips_and_rejects_zero() {
    with_gil(|_| {
        let old = gil::switch_interval();
        assert!(gil::set_switch_interval(Duration::ZERO).is_err());
        gil::set_switch_interval(Duration::from_micros(10)).unwrap();
        assert_eq!(gil::switch_interval(), Duration::from_micros(10));
        gil::set_switch_interval(Duration::from_secs(3)).unwrap();
        assert_eq!(gil::switch_interval(), Duration::from_secs(3));
        gil::set_switch_interval(old).unwrap();
    });
    assert_eq!(gil::DEFAULT_SWITCH_INTERVAL, Duration::from_millis(5));
}

#[test]
fn a_waiting_thread_gets_the_gil_from_a_polling_holder() {
    if cfg!(miri) {
        return; // timing-based; loom covers the protocol
    }
    let waiter_got_it = Arc::new(AtomicBool::new(false));
    with_gil(|gil| {
        let flag = waiter_got_it.clone();
        let waiter = thread::spawn(move || with_gil(|_| flag.store(true, Ordering::SeqCst)));
        let deadline = Instant::now() + Duration::from_secs(60);
        // Other tests in this binary take the GIL too, so the thread that asked
        // for it may be one of theirs: poll like an eval loop and hand the GIL
        // over each time somebody asks, until our waiter has had its turn.
        while !waiter_got_it.load(Ordering::SeqCst) {
            assert!(Instant::now() < deadline, "the waiter never got the GIL");
            if !gil.switch_requested() {
                std::hint::spin_loop();
                continue;
            }
            let switches = gil::gil_switches();
            assert!(
                gil.yield_now(),
                "a drop request was pending, yet nobody took the GIL"
            );
            assert!(gil::gil_switches() >= switches + 2);
        }
        waiter.join().unwrap();
    });
}
