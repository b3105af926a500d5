//! # The interpreter lock: CPython's `take_gil` / `drop_gil`, rebuilt
//!
//! Everything the heap does (reference counts that are plain integers, obmalloc's pools
//! that have no locks of their own, the collector's generation lists) is safe across
//! threads only because one thread at a time runs Python: the one holding the global
//! interpreter lock. [`GilLock`] is that lock. The `Gil` token of the layer above stands
//! on it and keeps the thread-local "this thread holds the GIL" flag; the lock itself has
//! no notion of which thread holds it. This module is CPython 3.11's `Python/ceval_gil.h`
//! with `FORCE_SWITCHING` on, in our own words.
//!
//! ## The lock is a boolean behind a mutex
//!
//! ```text
//!   GilLock
//!   ├── state: Mutex<State>       locked, takes, switches, waiters, switch_waiters
//!   ├── gil_cond: Condvar         "locked went false": waiters sleep here
//!   ├── switch_cond: Condvar      "takes moved": a releaser under FORCE_SWITCHING sleeps here
//!   ├── drop_request: AtomicBool  "a waiter has waited long enough, please let go"
//!   └── interval_us: AtomicU64    the switch interval, 5000 µs unless set
//! ```
//!
//! The GIL is not the mutex. The mutex guards a few words and is held for a handful of
//! instructions at a time, so it is almost never contended; the GIL is the `locked`
//! boolean inside it, held for as long as a thread runs Python (milliseconds). A thread
//! that wants the GIL takes the mutex, and if `locked` is false it sets it and is done
//! ([`GilLock::acquire`]). Otherwise it sleeps on `gil_cond` until a release
//! ([`GilLock::release`]) clears `locked` and wakes one sleeper.
//!
//! ## Asking the holder to let go: the switch interval
//!
//! A thread running Python never blocks on the GIL of its own accord; it would run
//! forever if nothing asked it to stop. So the holder's eval loop polls
//! [`GilLock::drop_requested`], one relaxed load of `drop_request`, between bytecodes, and
//! when it reads true it calls [`GilLock::yield_if_requested`]: release, then acquire
//! again behind whoever asked.
//!
//! The flag is set by a waiter. A waiter does not sleep on `gil_cond` indefinitely: it
//! sleeps at most one *switch interval* (`sys.getswitchinterval()`, 5 ms by default,
//! [`DEFAULT_SWITCH_INTERVAL`]). If it wakes because the interval ran out, the GIL is
//! still locked, and *no switch happened while it slept*, it sets `drop_request`. Then it
//! goes back to sleep, and the holder lets go at its next poll.
//!
//! ```text
//!   holder A                               waiter B
//!   acquire: free, take it                 acquire: locked → sleep ≤ interval on gil_cond
//!   run Python, poll drop_requested() …    … interval runs out, switches unchanged:
//!                                             drop_request = true, sleep again
//!   poll reads true → yield_if_requested:
//!     release: locked = false, wake B      wakes: locked is false → take it:
//!     drop_request set → sleep on            locked = true, takes += 1, switches += 1,
//!       switch_cond until takes moves         clear drop_request, wake switch_cond
//!     wakes: B has it                      run Python, poll drop_requested() …
//!     acquire: locked → sleep ≤ interval
//! ```
//!
//! ## Why a waiter asks only after a whole interval without a switch
//!
//! The interval is a time slice. Asking at once would make every thread that touches the
//! GIL (to run a few bytecodes between two blocking calls, say) evict the holder, and
//! the threads would spend their time handing the lock around. Waiting an interval gives
//! the holder its slice. The "no switch meanwhile" part keeps the slice a slice *per
//! holder*: if the lock changed hands while B slept (C got it, or A gave it to C), the
//! current holder has not yet had its interval, so B starts a fresh one instead of
//! evicting a thread that only just got in. The interval is a floor and not a deadline:
//! the holder only sees the request between bytecodes, and one bytecode can take long.
//!
//! ## FORCE_SWITCHING: the releaser waits until someone else took the lock
//!
//! On a multi-core machine, a thread that releases the lock and asks for it again at once
//! usually wins the race against the sleeper it just woke: the sleeper must be scheduled
//! first, the releaser is already running. The request would be served in name only and
//! the waiter would starve. So when [`GilLock::release`] finds `drop_request` set, it does
//! not return until `takes` (the count of acquisitions) has moved past the value it had
//! when the lock was let go, that is, until another thread took the lock. It sleeps on
//! `switch_cond`, which every acquisition signals. It is CPython's `switch_cond` wait in
//! `drop_gil`, and it is what makes [`GilLock::yield_if_requested`] a real hand-off.
//!
//! This wait cannot last forever because of one invariant: **`drop_request` is set only
//! while the thread that set it is inside [`GilLock::acquire`]**. Only a waiter sets it,
//! and only while the lock is held; every acquisition clears it; a waiter leaves
//! `acquire` only by taking the lock. So whoever finds it set at release time knows a
//! waiter exists, that waiter has been woken (or will see `locked` false when it next
//! takes the mutex), and it will move `takes`.
//!
//! Taking the lock clears `drop_request` whoever set it, as CPython does: a second waiter
//! that had asked too sees its request served by the switch that happened, and asks again
//! after a fresh interval if the new holder keeps the lock.
//!
//! ## Where pymem differs from CPython, and why
//!
//! 1. **No thread identities.** CPython remembers the last holder's thread state and
//!    counts a switch only when the taker differs from it. The lock here keeps two
//!    counters instead, each chosen for the question it answers. `takes` counts every
//!    acquisition; while a releaser sleeps under FORCE_SWITCHING any acquisition is by
//!    another thread, so "takes moved" means exactly CPython's "last_holder changed".
//!    `switches` ([`GilLock::switches`]) counts the acquisitions that are certainly a
//!    change of hands: those by a thread that had to wait (it was asleep while someone
//!    else held the lock), and the re-take that ends a [`GilLock::yield_if_requested`]
//!    (FORCE_SWITCHING guarantees another thread held the lock in between). Waiters test
//!    `switches` for "no switch meanwhile", which keeps CPython's behaviour where it
//!    matters: a holder that lets the lock go and takes it straight back (around a short
//!    blocking call) does not reset a waiter's interval, so it cannot starve the waiter by
//!    doing so every few milliseconds. What goes uncounted is a thread taking a free lock
//!    that another thread let go with nobody waiting; the lock cannot tell that from the
//!    same thread taking it back.
//! 2. **One mutex, and no wake-ups that nobody waits for.** CPython has a second mutex for
//!    `switch_cond` and signals both condition variables on every take and drop. Here one
//!    mutex guards everything, and the state counts the sleepers on each condition
//!    variable (`waiters`, `switch_waiters`), so an uncontended acquire or release is one
//!    mutex lock and unlock with no system call (a futex wake costs one even when nobody
//!    sleeps).
//! 3. **No interpreter shutdown.** CPython's `take_gil` makes daemon threads exit during
//!    `Py_Finalize`; that belongs to whatever owns threads, not to the lock.
//!
//! ## Misuse
//!
//! [`GilLock::release`] when the lock is not held panics and leaves the lock usable.
//! [`GilLock::acquire`] by the thread that already holds the lock deadlocks, as
//! `take_gil` does: the lock cannot tell that thread from any other, so the token layer
//! checks its thread-local flag first.
//!
//! ## Under loom
//!
//! The tests model this lock with loom (`RUSTFLAGS="--cfg loom"`), which swaps in its own
//! mutex, condition variables and atomics through the `sync` shim below. Loom has no
//! clock, and its timed wait never times out. So under loom a waiter's interval is
//! modelled as already over: a waiter that has not yet asked since the last switch it saw
//! asks at once without sleeping, and a waiter that has asked sleeps until woken. The
//! paths that matter stay reachable: a waiter asking and being handed the lock, a holder
//! that polls too early and keeps it, and a release that must wait for the hand-off (the
//! hand-off model counts its executions of the first two and fails if either is missing).

use std::time::Duration;

use self::sync::{AtomicBool, AtomicU64, Condvar, Mutex, MutexGuard, Ordering, PoisonError};

/// The switch interval a fresh lock starts with: 5 ms, CPython's `DEFAULT_INTERVAL`
/// (5000 µs), what `sys.getswitchinterval()` reports before any `sys.setswitchinterval`.
pub(crate) const DEFAULT_SWITCH_INTERVAL: Duration =
    Duration::from_micros(DEFAULT_SWITCH_INTERVAL_US);

/// [`DEFAULT_SWITCH_INTERVAL`] in the unit the lock stores.
const DEFAULT_SWITCH_INTERVAL_US: u64 = 5000;

/// The interval stored for a zero request: one microsecond, the smallest interval the
/// lock can represent (it stores whole microseconds, as CPython does).
const MIN_SWITCH_INTERVAL_US: u64 = 1;

/// The synchronisation primitives the lock is built from: the standard library's in
/// normal builds, loom's models under `cfg(loom)`, and the timed wait that differs
/// between the two.
mod sync {
    #[cfg(loom)]
    pub(super) use loom::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    #[cfg(loom)]
    pub(super) use loom::sync::{Condvar, Mutex, MutexGuard};
    pub(super) use std::sync::PoisonError;
    #[cfg(not(loom))]
    pub(super) use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    #[cfg(not(loom))]
    pub(super) use std::sync::{Condvar, Mutex, MutexGuard};

    use std::time::Duration;

    /// Sleeps on `cond` for at most `interval`, giving back the guard and whether the
    /// wait timed out (rather than being woken, or waking spuriously).
    ///
    /// `already_asked` (this waiter set the drop request and has seen no switch since) is
    /// ignored here: like CPython, a waiter keeps sleeping one interval at a time and
    /// asks again after each interval with no switch.
    #[cfg(not(loom))]
    pub(super) fn wait_interval<'a, T>(
        cond: &Condvar,
        guard: MutexGuard<'a, T>,
        interval: Duration,
        already_asked: bool,
    ) -> (MutexGuard<'a, T>, bool) {
        let _ = already_asked;
        let (guard, result) = cond
            .wait_timeout(guard, interval)
            .unwrap_or_else(PoisonError::into_inner);
        (guard, result.timed_out())
    }

    /// Loom's version of the timed wait: loom has no clock, so the interval is modelled
    /// as over the moment a waiter starts one. A waiter that has not yet asked since the
    /// last switch it saw "times out" at once without sleeping (and so asks); one that
    /// has asked sleeps until woken. A timed wait that returned at once every time would
    /// be a spin loop, which loom cannot explore.
    #[cfg(loom)]
    pub(super) fn wait_interval<'a, T>(
        cond: &Condvar,
        guard: MutexGuard<'a, T>,
        interval: Duration,
        already_asked: bool,
    ) -> (MutexGuard<'a, T>, bool) {
        let _ = interval;
        if already_asked {
            let guard = cond.wait(guard).unwrap_or_else(PoisonError::into_inner);
            (guard, false)
        } else {
            (guard, true)
        }
    }
}

/// The words the mutex guards.
#[derive(Debug)]
struct State {
    /// The GIL itself: true while some thread holds it.
    locked: bool,
    /// Acquisitions ever made (wrapping). A releaser under FORCE_SWITCHING sleeps until
    /// this moves: while it sleeps, any acquisition is by another thread.
    takes: u64,
    /// Acquisitions known to be a change of holder (wrapping): by a thread that had to
    /// wait, or re-taking the lock after a hand-off. Waiters compare it across a sleep to
    /// tell whether a switch happened.
    switches: u64,
    /// Threads inside [`GilLock::acquire`]'s wait loop; a release wakes one if any.
    waiters: usize,
    /// Releasers sleeping on `switch_cond`; an acquisition wakes them if any.
    switch_waiters: usize,
}

/// The global interpreter lock: a mutual-exclusion lock that a long-running holder gives
/// up when a waiter asks, after a switch interval (see the [module docs](self)).
///
/// The lock has no owner: it does not know which thread holds it, so it cannot catch a
/// thread taking it twice or releasing it on another's behalf (a release of an unheld
/// lock is caught). The `Gil` token above it keeps that bookkeeping.
pub(crate) struct GilLock {
    /// `locked`, the acquisition counters and the sleeper counts.
    state: Mutex<State>,
    /// Signalled (once) when a release clears `locked` and someone waits to acquire.
    gil_cond: Condvar,
    /// Signalled (to all) when an acquisition moves `takes` and a releaser waits for it.
    switch_cond: Condvar,
    /// Set by a waiter that has waited a whole interval with no switch; cleared by the
    /// next acquisition. Written only with the mutex held, read without it by the holder.
    drop_request: AtomicBool,
    /// The switch interval in microseconds, at least [`MIN_SWITCH_INTERVAL_US`].
    interval_us: AtomicU64,
}

impl GilLock {
    /// A free lock with the default switch interval ([`DEFAULT_SWITCH_INTERVAL`]); `const`
    /// so the process-wide lock can be a `static`.
    #[cfg(not(loom))]
    pub(crate) const fn new() -> GilLock {
        GilLock {
            state: Mutex::new(State::new()),
            gil_cond: Condvar::new(),
            switch_cond: Condvar::new(),
            drop_request: AtomicBool::new(false),
            interval_us: AtomicU64::new(DEFAULT_SWITCH_INTERVAL_US),
        }
    }

    /// A free lock with the default switch interval ([`DEFAULT_SWITCH_INTERVAL`]). Under
    /// loom, whose primitives cannot be built in a `const fn`, it is an ordinary function.
    #[cfg(loom)]
    pub(crate) fn new() -> GilLock {
        GilLock {
            state: Mutex::new(State::new()),
            gil_cond: Condvar::new(),
            switch_cond: Condvar::new(),
            drop_request: AtomicBool::new(false),
            interval_us: AtomicU64::new(DEFAULT_SWITCH_INTERVAL_US),
        }
    }

    /// Blocks until the calling thread holds the lock (CPython's `take_gil`).
    ///
    /// While another thread holds it, the caller sleeps one switch interval at a time; after
    /// an interval in which the lock did not change hands it sets the drop request, so the
    /// holder lets go at its next [`poll`](Self::drop_requested). Taking the lock clears any
    /// drop request and wakes a releaser waiting for the hand-off.
    ///
    /// The caller must not already hold the lock: it would wait for itself forever.
    pub(crate) fn acquire(&self) {
        self.take(false);
    }

    /// [`acquire`](Self::acquire), knowing whether another thread has held the lock since
    /// this one last let it go (`handed_over`), in which case the take is a switch even if
    /// the lock is free by now.
    fn take(&self, handed_over: bool) {
        let mut state = self.state();
        let mut waited = false;
        if state.locked {
            state.waiters += 1;
            // The value of `switches` at which this thread set the drop request, if it did.
            let mut asked_at = None;
            while state.locked {
                let seen = state.switches;
                let interval = self.switch_interval();
                let timed_out;
                (state, timed_out) =
                    sync::wait_interval(&self.gil_cond, state, interval, asked_at == Some(seen));
                if timed_out && state.locked && state.switches == seen {
                    // A whole interval with the same holder: ask it to let go.
                    self.drop_request.store(true, Ordering::Relaxed);
                    asked_at = Some(seen);
                }
            }
            state.waiters -= 1;
            waited = true;
        }
        if waited || handed_over {
            state.switches = state.switches.wrapping_add(1);
        }
        state.locked = true;
        state.takes = state.takes.wrapping_add(1);
        // Whoever asked is served by this acquisition (or, if another waiter asked, will
        // ask again after a fresh interval). Read first so an idle flag is never written.
        if self.drop_request.load(Ordering::Relaxed) {
            self.drop_request.store(false, Ordering::Relaxed);
        }
        if state.switch_waiters > 0 {
            self.switch_cond.notify_all();
        }
    }

    /// Lets the lock go (CPython's `drop_gil`) and wakes one waiter.
    ///
    /// If a waiter has asked for the lock (the drop request is set), this does not return
    /// until another thread has taken it (FORCE_SWITCHING), so the caller cannot win it back
    /// before the waiter that asked gets its turn.
    ///
    /// # Panics
    ///
    /// If the lock is not held. The lock stays usable afterwards.
    pub(crate) fn release(&self) {
        self.give_up();
    }

    /// [`release`](Self::release), returning whether it waited for the hand-off (so that
    /// another thread has held the lock since).
    fn give_up(&self) -> bool {
        let mut state = self.state();
        if !state.locked {
            drop(state);
            panic!("GilLock::release called while the lock is not held");
        }
        state.locked = false;
        if state.waiters > 0 {
            self.gil_cond.notify_one();
        }
        // With the mutex held the flag is exact: it is only written under the mutex.
        if self.drop_request.load(Ordering::Relaxed) {
            // The module's invariant: a set request means its setter is still waiting.
            debug_assert!(state.waiters > 0, "GilLock: a drop request with no waiter");
            let released_at = state.takes;
            state.switch_waiters += 1;
            while state.takes == released_at {
                state = self
                    .switch_cond
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            state.switch_waiters -= 1;
            true
        } else {
            false
        }
    }

    /// Whether a waiter has asked the holder to let go: one relaxed load, cheap enough for
    /// the eval loop to poll between bytecodes. The holder answers with
    /// [`yield_if_requested`](Self::yield_if_requested).
    #[inline]
    pub(crate) fn drop_requested(&self) -> bool {
        self.drop_request.load(Ordering::Relaxed)
    }

    /// If a waiter has asked for the lock, hands it over and waits to get it back, then
    /// returns true; otherwise returns false at once. The caller holds the lock on return
    /// either way.
    ///
    /// Thanks to FORCE_SWITCHING the hand-off is real: another thread holds the lock
    /// between the release and the re-acquisition.
    ///
    /// # Panics
    ///
    /// If a drop was requested and the lock is not held (see [`release`](Self::release)).
    pub(crate) fn yield_if_requested(&self) -> bool {
        if !self.drop_requested() {
            return false;
        }
        let handed_over = self.give_up();
        self.take(handed_over);
        true
    }

    /// How long a waiter lets the holder run before asking it to let go
    /// (`sys.getswitchinterval()`), to the microsecond.
    pub(crate) fn switch_interval(&self) -> Duration {
        Duration::from_micros(self.interval_us.load(Ordering::Relaxed))
    }

    /// Sets the switch interval (`sys.setswitchinterval()`); it applies from each waiter's
    /// next sleep on.
    ///
    /// The interval is kept in whole microseconds, as CPython keeps it: a fraction of a
    /// microsecond is truncated, an interval too long for a `u64` of microseconds (over
    /// 584,000 years) is saturated, and one that comes to zero, which the caller should
    /// have rejected (`sys.setswitchinterval` raises `ValueError` for it), is stored as
    /// 1 µs so that a waiter never spins.
    pub(crate) fn set_switch_interval(&self, interval: Duration) {
        let us = u64::try_from(interval.as_micros()).unwrap_or(u64::MAX);
        self.interval_us
            .store(us.max(MIN_SWITCH_INTERVAL_US), Ordering::Relaxed);
    }

    /// How many times the lock has changed hands, as far as the lock can tell: the
    /// acquisitions by a thread that had to wait for another to let go, plus the re-take
    /// at the end of each [`yield_if_requested`](Self::yield_if_requested) hand-off. A
    /// thread taking a free lock otherwise does not count, even if the last holder was
    /// another thread: without thread identities the lock cannot tell (see the module
    /// docs).
    pub(crate) fn switches(&self) -> u64 {
        self.state().switches
    }

    /// Whether some thread holds the lock (which one, the lock cannot say); for
    /// assertions.
    pub(crate) fn is_locked(&self) -> bool {
        self.state().locked
    }

    /// The mutex's guard. No code panics while holding it, but should that ever change,
    /// a poisoned mutex still guards consistent words: every update is complete before
    /// any point that could panic.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    /// The state of a free lock that has never been taken.
    const fn new() -> State {
        State {
            locked: false,
            takes: 0,
            switches: 0,
            waiters: 0,
            switch_waiters: 0,
        }
    }
}

impl std::fmt::Debug for GilLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state();
        f.debug_struct("GilLock")
            .field("locked", &state.locked)
            .field("switches", &state.switches)
            .field("waiters", &state.waiters)
            .field("drop_requested", &self.drop_requested())
            .field("switch_interval", &self.switch_interval())
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::{DEFAULT_SWITCH_INTERVAL, GilLock};
    use std::cell::UnsafeCell;
    use std::panic::{self, AssertUnwindSafe};
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
    use std::sync::mpsc::{self, RecvTimeoutError};
    use std::thread;
    use std::time::{Duration, Instant};

    /// How long a test may run before it is declared deadlocked. Generous: it only turns a
    /// hang into a failure, and judges no speed.
    const DEADLOCK: Duration = Duration::from_secs(90);

    /// How long a thread polls for something another thread must cause, before it gives up
    /// (and releases the lock, so the test fails instead of hanging).
    const PATIENCE: Duration = Duration::from_secs(30);

    /// Runs `test` on a thread of its own, and fails if it is not done within [`DEADLOCK`]. A
    /// panic inside `test` is passed on as it is.
    fn without_hanging(test: impl FnOnce() + Send + 'static) {
        let (done, finished) = mpsc::channel();
        let runner = thread::spawn(move || {
            test();
            let _ = done.send(());
        });
        match finished.recv_timeout(DEADLOCK) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                if let Err(payload) = runner.join() {
                    panic::resume_unwind(payload);
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                panic!("deadlock: the test did not finish in {DEADLOCK:?}")
            }
        }
    }

    /// Polls [`GilLock::drop_requested`] as the eval loop does; true once it reads true,
    /// false if [`PATIENCE`] runs out first.
    fn poll_for_request(lock: &GilLock) -> bool {
        let deadline = Instant::now() + PATIENCE;
        while !lock.drop_requested() {
            if Instant::now() > deadline {
                return false;
            }
            thread::yield_now();
        }
        true
    }

    /// A counter with no synchronisation of its own: only the lock keeps threads from
    /// racing on it.
    struct Unsynchronised(UnsafeCell<u64>);

    // SAFETY: the tests touch the counter only while holding the `GilLock`, which is what
    // they check serialises the accesses (an overlap is also caught by the `inside` flag).
    unsafe impl Sync for Unsynchronised {}

    impl Unsynchronised {
        /// The counter's address; dereference it only with the lock held.
        fn slot(&self) -> *mut u64 {
            self.0.get()
        }
    }

    #[test]
    fn four_threads_exclude_each_other() {
        const THREADS: u64 = 4;
        const ROUNDS: u64 = if cfg!(miri) { 200 } else { 10_000 };
        without_hanging(|| {
            let lock = GilLock::new();
            let counter = Unsynchronised(UnsafeCell::new(0));
            let inside = AtomicBool::new(false);
            thread::scope(|s| {
                for _ in 0..THREADS {
                    s.spawn(|| {
                        for _ in 0..ROUNDS {
                            lock.acquire();
                            assert!(!inside.swap(true, SeqCst), "two threads hold the lock");
                            // SAFETY: this thread holds the lock, so no other thread
                            // touches the counter until it releases it.
                            unsafe { *counter.slot() += 1 };
                            inside.store(false, SeqCst);
                            lock.release();
                        }
                    });
                }
            });
            assert!(!lock.is_locked());
            lock.acquire();
            // SAFETY: all the other threads have been joined and this one holds the lock.
            let total = unsafe { *counter.slot() };
            lock.release();
            assert_eq!(total, THREADS * ROUNDS);
        });
    }

    #[test]
    fn is_locked_follows_acquire_and_release() {
        let lock = GilLock::new();
        assert!(!lock.is_locked());
        lock.acquire();
        assert!(lock.is_locked());
        lock.release();
        assert!(!lock.is_locked());
        // An uncontended take is not a change of hands.
        assert_eq!(lock.switches(), 0);
    }

    #[test]
    fn a_request_hands_the_lock_to_the_waiter_before_the_holder_retakes_it() {
        without_hanging(|| {
            let lock = GilLock::new();
            lock.set_switch_interval(Duration::from_millis(1));
            let waiter_ran = AtomicBool::new(false);
            // This thread is the holder, A; the spawned thread is the waiter, B.
            lock.acquire();
            assert_eq!(lock.switches(), 0);
            thread::scope(|s| {
                let waiter = s.spawn(|| {
                    lock.acquire();
                    waiter_ran.store(true, SeqCst);
                    // Keep the lock until A asks for it back, so that A's re-take is a
                    // contended hand-off too.
                    let asked = poll_for_request(&lock);
                    lock.release();
                    assert!(asked, "the old holder never asked for the lock back");
                });
                if !poll_for_request(&lock) {
                    lock.release();
                    panic!("the waiter never asked for the lock within {PATIENCE:?}");
                }
                let ran_before_yield = waiter_ran.load(SeqCst);
                let yielded = lock.yield_if_requested();
                let ran_before_retake = waiter_ran.load(SeqCst);
                let held = lock.is_locked();
                let switches = lock.switches();
                let still_requested = lock.drop_requested();
                // Let go before judging, so that a failure cannot leave B blocked.
                lock.release();
                assert!(
                    !ran_before_yield,
                    "the waiter ran while the holder held the lock"
                );
                assert!(yielded);
                // FORCE_SWITCHING: the release inside the yield returned only once B had
                // the lock, and B let it go only after A asked for it back.
                assert!(
                    ran_before_retake,
                    "the holder took the lock back before the waiter that asked had it"
                );
                assert!(held);
                // B's take and A's re-take both ended a wait.
                assert_eq!(switches, 2);
                // A's take cleared A's own request.
                assert!(!still_requested);
                waiter.join().unwrap();
            });
            assert!(!lock.is_locked());
        });
    }

    #[test]
    fn a_yield_counts_both_changes_of_hands() {
        without_hanging(|| {
            let lock = GilLock::new();
            lock.set_switch_interval(Duration::from_millis(1));
            lock.acquire();
            thread::scope(|s| {
                // A waiter that lets go at once: the holder's re-take usually finds the
                // lock free, and is a change of hands all the same.
                let waiter = s.spawn(|| {
                    lock.acquire();
                    lock.release();
                });
                if !poll_for_request(&lock) {
                    lock.release();
                    panic!("the waiter never asked for the lock within {PATIENCE:?}");
                }
                let yielded = lock.yield_if_requested();
                let switches = lock.switches();
                lock.release();
                waiter.join().unwrap();
                assert!(yielded);
                assert_eq!(switches, 2);
            });
        });
    }

    #[test]
    fn a_waiter_does_not_ask_before_a_whole_interval() {
        without_hanging(|| {
            let lock = GilLock::new();
            lock.set_switch_interval(Duration::from_secs(3600));
            lock.acquire();
            thread::scope(|s| {
                let waiter = s.spawn(|| {
                    lock.acquire();
                    lock.release();
                });
                let deadline = Instant::now() + PATIENCE;
                while lock.state().waiters == 0 {
                    if Instant::now() > deadline {
                        lock.release();
                        panic!("the waiter never started waiting");
                    }
                    thread::yield_now();
                }
                // The waiter sleeps, for an hour at most: it must not have asked yet.
                assert!(!lock.drop_requested());
                assert!(!lock.yield_if_requested());
                // Without a request the release does not wait for the hand-off.
                lock.release();
                waiter.join().unwrap();
            });
            assert_eq!(lock.switches(), 1);
            assert!(!lock.is_locked());
        });
    }

    #[test]
    fn two_busy_threads_take_turns() {
        const TURNS: u64 = 5;
        without_hanging(|| {
            let lock = GilLock::new();
            lock.set_switch_interval(Duration::from_millis(1));
            let turns = [AtomicU64::new(0), AtomicU64::new(0)];
            let all_served = || turns.iter().all(|t| t.load(SeqCst) >= TURNS);
            thread::scope(|s| {
                for me in 0..2 {
                    let (lock, turns, all_served) = (&lock, &turns, &all_served);
                    s.spawn(move || {
                        // A thread that never blocks: it runs until the other asks, then
                        // yields, as the eval loop does.
                        lock.acquire();
                        let deadline = Instant::now() + PATIENCE;
                        while !all_served() {
                            if Instant::now() > deadline {
                                lock.release();
                                panic!("thread {me} gave up with turns {turns:?}");
                            }
                            if lock.yield_if_requested() {
                                turns[me].fetch_add(1, SeqCst);
                            }
                            thread::yield_now();
                        }
                        lock.release();
                    });
                }
            });
            // Each turn was a re-take after the other thread had the lock.
            let total: u64 = turns.iter().map(|t| t.load(SeqCst)).sum();
            assert!(total >= 2 * TURNS);
            assert!(lock.switches() >= total);
            assert!(!lock.is_locked());
        });
    }

    #[test]
    fn yield_without_a_request_keeps_the_lock() {
        let lock = GilLock::new();
        lock.acquire();
        assert!(!lock.drop_requested());
        assert!(!lock.yield_if_requested());
        assert!(lock.is_locked());
        lock.release();
        assert_eq!(lock.switches(), 0);
    }

    #[test]
    fn releasing_a_free_lock_panics_and_leaves_it_usable() {
        let lock = GilLock::new();
        let payload = panic::catch_unwind(AssertUnwindSafe(|| lock.release()))
            .expect_err("release of a free lock must panic");
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or_default();
        assert!(
            message.contains("not held"),
            "unexpected message: {message}"
        );
        lock.acquire();
        assert!(lock.is_locked());
        lock.release();
        assert!(!lock.is_locked());
    }

    #[test]
    fn switch_interval_round_trips_in_whole_microseconds() {
        let lock = GilLock::new();
        assert_eq!(lock.switch_interval(), DEFAULT_SWITCH_INTERVAL);
        assert_eq!(DEFAULT_SWITCH_INTERVAL, Duration::from_millis(5));
        for interval in [
            Duration::from_millis(1),
            Duration::from_micros(250),
            Duration::from_micros(1),
            Duration::from_secs(86_400),
        ] {
            lock.set_switch_interval(interval);
            assert_eq!(lock.switch_interval(), interval);
        }
        // Fractions of a microsecond are truncated, as CPython's integer microseconds are.
        lock.set_switch_interval(Duration::from_nanos(2_999));
        assert_eq!(lock.switch_interval(), Duration::from_micros(2));
        // Zero (which callers reject) and sub-microsecond intervals become 1 µs.
        lock.set_switch_interval(Duration::ZERO);
        assert_eq!(lock.switch_interval(), Duration::from_micros(1));
        lock.set_switch_interval(Duration::from_nanos(500));
        assert_eq!(lock.switch_interval(), Duration::from_micros(1));
        // Beyond u64 microseconds the interval saturates.
        lock.set_switch_interval(Duration::MAX);
        assert_eq!(lock.switch_interval(), Duration::from_micros(u64::MAX));
    }

    #[test]
    fn debug_shows_the_state() {
        let lock = GilLock::new();
        lock.acquire();
        let text = format!("{lock:?}");
        lock.release();
        assert!(text.contains("locked: true"), "{text}");
        assert!(text.contains("switch_interval: 5ms"), "{text}");
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::GilLock;
    use loom::cell::UnsafeCell;
    use loom::sync::Arc;
    use loom::thread;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

    /// Runs `model` under loom with at most three preemptions per execution unless
    /// `LOOM_MAX_PREEMPTIONS` says otherwise; the models here then take about a second in
    /// all (four preemptions: some seconds; five: tens of seconds).
    fn check(model: impl Fn() + Sync + Send + 'static) {
        let mut builder = loom::model::Builder::new();
        if builder.preemption_bound.is_none() {
            builder.preemption_bound = Some(3);
        }
        builder.check(model);
    }

    /// A counter that only the lock protects; loom's cell reports any access that is not
    /// ordered after the previous one by the lock.
    struct Counter(UnsafeCell<u32>);

    impl Counter {
        /// Adds one; the caller holds the lock.
        fn bump(&self) {
            // SAFETY: the caller holds the `GilLock`, so no other access overlaps (loom
            // checks this claim in every execution).
            self.0.with_mut(|count| unsafe { *count += 1 });
        }

        /// The count; the caller holds the lock.
        fn get(&self) -> u32 {
            // SAFETY: as for `bump`.
            self.0.with(|count| unsafe { *count })
        }
    }

    #[test]
    fn loom_three_threads_exclude_each_other() {
        check(|| {
            let lock = Arc::new(GilLock::new());
            let counter = Arc::new(Counter(UnsafeCell::new(0)));
            let others: Vec<_> = (0..2)
                .map(|_| {
                    let (lock, counter) = (lock.clone(), counter.clone());
                    thread::spawn(move || {
                        lock.acquire();
                        counter.bump();
                        lock.release();
                    })
                })
                .collect();
            lock.acquire();
            counter.bump();
            lock.release();
            for other in others {
                other.join().unwrap();
            }
            lock.acquire();
            assert_eq!(counter.get(), 3);
            lock.release();
            assert!(!lock.is_locked());
        });
    }

    #[test]
    fn loom_hand_off() {
        // Executions in which the holder yielded, and in which it held on throughout.
        let paths = std::sync::Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
        let counted = paths.clone();
        check(move || {
            let lock = Arc::new(GilLock::new());
            let waiter_ran = Arc::new(Counter(UnsafeCell::new(0)));
            lock.acquire();
            let waiter = {
                let (lock, waiter_ran) = (lock.clone(), waiter_ran.clone());
                thread::spawn(move || {
                    lock.acquire();
                    waiter_ran.bump();
                    lock.release();
                })
            };
            // The holder's eval loop: two polls.
            let mut yielded = false;
            for _ in 0..2 {
                if lock.yield_if_requested() {
                    yielded = true;
                    break;
                }
                thread::yield_now();
            }
            // Either the holder yielded, and then the waiter had the lock in between
            // (FORCE_SWITCHING), or it held the lock throughout and the waiter has not.
            assert_eq!(waiter_ran.get(), u32::from(yielded));
            counted[usize::from(yielded)].fetch_add(1, SeqCst);
            if yielded {
                // The waiter's take ended a wait; the holder's re-take followed a hand-off.
                assert_eq!(lock.switches(), 2);
            } else {
                assert_eq!(lock.switches(), 0);
            }
            // A release with the request pending waits for the waiter to take the lock.
            lock.release();
            waiter.join().unwrap();
            lock.acquire();
            assert_eq!(waiter_ran.get(), 1);
            assert!(!lock.drop_requested());
            lock.release();
        });
        let [held_on, yielded] = [0, 1].map(|path| paths[path].load(SeqCst));
        assert!(yielded > 0, "no execution reached the hand-off");
        assert!(held_on > 0, "no execution had the holder keep the lock");
    }

    #[test]
    fn loom_two_holders_yield_to_each_other() {
        check(|| {
            let lock = Arc::new(GilLock::new());
            let counter = Arc::new(Counter(UnsafeCell::new(0)));
            // Two threads that never block of their own accord: each runs "one bytecode",
            // polls once, and runs another after a yield, as the eval loop does.
            let run = |lock: Arc<GilLock>, counter: Arc<Counter>| {
                move || {
                    lock.acquire();
                    counter.bump();
                    if lock.yield_if_requested() {
                        // The other thread had the lock in between and did its first step.
                        assert!(counter.get() >= 2);
                    }
                    counter.bump();
                    lock.release();
                }
            };
            let other = thread::spawn(run(lock.clone(), counter.clone()));
            run(lock.clone(), counter.clone())();
            other.join().unwrap();
            lock.acquire();
            assert_eq!(counter.get(), 4);
            lock.release();
            assert!(!lock.drop_requested());
        });
    }

    #[test]
    fn loom_hand_off_with_two_waiters() {
        check(|| {
            let lock = Arc::new(GilLock::new());
            let counter = Arc::new(Counter(UnsafeCell::new(0)));
            lock.acquire();
            let waiters: Vec<_> = (0..2)
                .map(|_| {
                    let (lock, counter) = (lock.clone(), counter.clone());
                    thread::spawn(move || {
                        lock.acquire();
                        counter.bump();
                        lock.release();
                    })
                })
                .collect();
            let before = counter.get();
            assert_eq!(before, 0);
            if lock.yield_if_requested() {
                // At least one waiter had the lock in between.
                assert!(counter.get() >= 1);
            }
            lock.release();
            for waiter in waiters {
                waiter.join().unwrap();
            }
            lock.acquire();
            assert_eq!(counter.get(), 2);
            lock.release();
        });
    }
}
