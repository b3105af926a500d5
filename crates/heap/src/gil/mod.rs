//! The GIL and its token.
//!
//! One lock per process (CPython's main interpreter), `lock::GilLock`, and a token type,
//! [`Gil`], that proves at compile time that the current thread holds it: every operation
//! that reads or changes objects takes a `&Gil` (or `&mut Gil`), as PyO3's `Python<'py>` does.
//! A token exists only inside [`with_gil`] (or as the argument of a finalizer or callback the
//! heap calls), and only by reference, so it cannot escape to another thread (`Gil` is
//! `!Send`) or outlive the lock it stands for.
//!
//! `&Gil` versus `&mut Gil`: shared access lets code read payloads and use
//! [`GilCell`](crate::GilCell)'s `Cell`-like operations, which never hand out references into
//! mutable state; `&mut Gil` is needed for [`GilCell::with_mut`](crate::GilCell::with_mut),
//! which does, so while it runs no other code can touch any object.
//!
//! Reference counts are plain integers, safe because only the GIL holder changes them. The
//! two handle operations that cannot take a token check a thread-local flag instead:
//! `Clone` panics without the GIL, and `Drop` queues the decrement for the next thread that
//! takes the GIL (applied on entry to [`with_gil`] and after every hand-off).

pub(crate) mod lock;

use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::dealloc;
use crate::header::Header;
use crate::state::heap;

use lock::GilLock;

/// CPython's default switch interval: 5 ms.
pub const DEFAULT_SWITCH_INTERVAL: Duration = lock::DEFAULT_SWITCH_INTERVAL;

/// The process-wide interpreter lock.
static LOCK: GilLock = GilLock::new();

thread_local! {
    /// Whether this thread holds the GIL.
    static HELD: Cell<bool> = const { Cell::new(false) };
}

/// Decrements from threads that dropped handles without the GIL.
static PENDING: Mutex<Vec<PendingRef>> = Mutex::new(Vec::new());
static HAS_PENDING: AtomicBool = AtomicBool::new(false);

struct PendingRef(NonNull<Header>);
// SAFETY: only an address travels; it is dereferenced by the next GIL holder.
unsafe impl Send for PendingRef {}

/// Invariant in `'py`, and `!Send`/`!Sync` through the raw pointer.
type Brand<'py> = (fn(&'py ()) -> &'py (), *mut ());

/// Proof that the current thread holds the GIL. Obtained from [`with_gil`].
///
/// `'py` brands one acquisition: payload references ([`Obj::get`](crate::Obj::get)) live at
/// most as long as it, so they cannot outlive the GIL, while they need not keep the token
/// itself borrowed (so `obj.get(gil).cell.with_mut(gil, ..)` works).
///
/// ```
/// heap::with_gil(|gil| {
///     assert!(heap::gil_held());
///     let _ = gil.switch_requested();
/// });
/// assert!(!heap::gil_held());
/// ```
pub struct Gil<'py> {
    /// Invariant in `'py` (the brand of one GIL acquisition) and `!Send`.
    _brand: PhantomData<Brand<'py>>,
}

impl Gil<'_> {
    /// A token for code the heap calls while the GIL is held (finalizers, callbacks).
    pub(crate) fn conjure<'py>() -> Gil<'py> {
        debug_assert!(held(), "a GIL token was conjured without the GIL");
        Gil {
            _brand: PhantomData,
        }
    }

    /// Whether another thread has been waiting for the GIL for a full switch interval and
    /// asked for it (CPython's `gil_drop_request`). One relaxed atomic load: an interpreter
    /// loop polls this between instructions and calls [`yield_now`](Self::yield_now).
    #[inline]
    pub fn switch_requested(&self) -> bool {
        LOCK.drop_requested()
    }

    /// If another thread asked for the GIL, hands it over and waits to get it back; returns
    /// whether it did. Objects are untouched meanwhile (the `&mut` borrow guarantees no
    /// reference into a payload is held across the switch).
    pub fn yield_now(&mut self) -> bool {
        if !LOCK.drop_requested() {
            return false;
        }
        let _unheld = Unheld::begin();
        LOCK.yield_if_requested()
    }

    /// Releases the GIL while `f` runs (CPython's `Py_BEGIN_ALLOW_THREADS`) and takes it back
    /// afterwards. `f` gets no token, so it cannot touch objects; handles it drops are
    /// queued. `f` must be `Send`, so it cannot capture references to payloads (they are not
    /// `Sync`), which another thread may change meanwhile.
    pub fn allow_threads<R>(&mut self, f: impl FnOnce() -> R + Send) -> R {
        let _unheld = Unheld::begin();
        LOCK.release();
        struct Reacquire;
        impl Drop for Reacquire {
            fn drop(&mut self) {
                LOCK.acquire();
            }
        }
        // Dropped before `_unheld` (reverse order): the lock is back before the flag says so.
        let _reacquire = Reacquire;
        f()
    }

    /// Number of deallocations waiting in the trashcan (non-zero only while a deep structure
    /// is being freed or a `GilCell::with_mut` borrow is active).
    pub fn trash_pending(&self) -> usize {
        dealloc::pending()
    }

    /// Objects alive in the heap right now (all types, immortal ones included).
    pub fn live_objects(&self) -> usize {
        heap().live_objects.get()
    }
}

/// While alive, this thread counts as not holding the GIL (its trashcan nesting put aside, so
/// whoever holds the GIL meanwhile can drain the trashcan); dropping it marks the GIL held
/// again — the caller has re-taken the lock by then — and applies queued decrements.
struct Unheld {
    saved_nesting: u32,
}

impl Unheld {
    fn begin() -> Unheld {
        let saved_nesting = heap().trash_nesting.replace(0);
        HELD.with(|held| held.set(false));
        Unheld { saved_nesting }
    }
}

impl Drop for Unheld {
    fn drop(&mut self) {
        HELD.with(|held| held.set(true));
        heap().trash_nesting.set(self.saved_nesting);
        apply_pending();
    }
}

/// Runs `f` with the GIL held: blocks until this thread gets it, passes the token, and
/// releases it when `f` returns (or unwinds).
///
/// # Panics
/// If this thread already holds the GIL: there is only one token per holder; pass the one
/// you have down instead.
pub fn with_gil<R>(f: impl for<'py> FnOnce(&mut Gil<'py>) -> R) -> R {
    if held() {
        panic!(
            "heap::with_gil: this thread already holds the GIL; pass the `&mut Gil` it has \
             down instead of acquiring it again"
        );
    }
    LOCK.acquire();
    debug_assert!(LOCK.is_locked());
    HELD.with(|held| held.set(true));
    struct Release;
    impl Drop for Release {
        fn drop(&mut self) {
            HELD.with(|held| held.set(false));
            LOCK.release();
        }
    }
    let _release = Release;
    heap().ensure_init();
    apply_pending();
    let mut gil = Gil {
        _brand: PhantomData,
    };
    f(&mut gil)
}

/// Whether the current thread holds the GIL.
#[inline]
pub fn gil_held() -> bool {
    held()
}

#[inline(always)]
pub(crate) fn held() -> bool {
    HELD.with(|held| held.get())
}

/// Panics with a message naming `what` unless this thread holds the GIL.
#[inline]
pub(crate) fn assert_held(what: &str) {
    if !held() {
        not_held(what);
    }
}

#[cold]
#[inline(never)]
fn not_held(what: &str) -> ! {
    panic!(
        "{what} called on a thread that does not hold the GIL: reference counts may only \
         change under the GIL (use heap::with_gil, then clone_ref(gil))"
    )
}

/// Queues a decrement from a thread without the GIL.
#[cold]
pub(crate) fn defer_decref(obj: NonNull<Header>) {
    PENDING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(PendingRef(obj));
    HAS_PENDING.store(true, Ordering::Release);
}

/// Applies queued decrements (GIL held).
fn apply_pending() {
    if !HAS_PENDING.load(Ordering::Acquire) {
        return;
    }
    let queued = {
        let mut pending = PENDING.lock().unwrap_or_else(|e| e.into_inner());
        HAS_PENDING.store(false, Ordering::Release);
        std::mem::take(&mut *pending)
    };
    for PendingRef(obj) in queued {
        // SAFETY: the queued handle owned one reference; the object is alive until then.
        if unsafe { obj.as_ref() }.decref_is_zero() {
            dealloc::dealloc(obj);
        }
    }
}

/// The switch interval (`sys.getswitchinterval`; CPython's default is 5 ms).
pub fn switch_interval() -> Duration {
    LOCK.switch_interval()
}

/// An invalid switch interval: zero or negative (`sys.setswitchinterval` raises
/// `ValueError: switch interval must be strictly positive`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SwitchIntervalError;

impl std::fmt::Display for SwitchIntervalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("switch interval must be strictly positive")
    }
}

impl std::error::Error for SwitchIntervalError {}

/// Sets the switch interval: how long a thread waits for the GIL before asking the holder
/// to hand it over (`sys.setswitchinterval`). Rounded to whole microseconds, like CPython.
pub fn set_switch_interval(interval: Duration) -> Result<(), SwitchIntervalError> {
    if interval.is_zero() {
        return Err(SwitchIntervalError);
    }
    LOCK.set_switch_interval(interval);
    Ok(())
}

/// How many times the GIL has certainly changed hands since the process started: takes after
/// waiting and hand-offs on request (a take of a lock nobody was waiting for is not counted).
pub fn gil_switches() -> u64 {
    LOCK.switches()
}
