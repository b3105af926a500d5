//! [`ObmallocGlobal`]: obmalloc as a thread-safe `#[global_allocator]`.
//!
//! pymalloc is only safe under the GIL. A global allocator is called from every thread at
//! once, so pymem gives every thread its own [`Obmalloc`], a *thread heap*, reached through
//! a thread-local pointer: the fast paths take no lock and touch no shared cache line.
//!
//! **Frees from other threads.** A block freed by a thread other than the one whose heap
//! allocated it cannot touch that heap's pools. Every pool header records its owner's id;
//! a foreign free pushes the block on the owner's `remote` stack with one compare-and-swap
//! (a Treiber stack that only the owner pops, and pops whole with one swap, so there is no
//! ABA problem). The owner takes the stack and frees the blocks locally whenever it needs a
//! new pool, the moment when getting blocks back matters, and when its thread exits.
//!
//! **Thread exit.** A heap is never freed: when its thread exits it is drained and marked
//! unclaimed, and the next new thread adopts it, with all its arenas and any blocks still
//! live in them. Memory of exited threads is thus reused, not lost; remote frees to an
//! unclaimed heap wait on its stack until then.
//!
//! **Without a thread heap** (during thread-local destruction, or beyond 4,095 heaps) a
//! thread uses the *fallback heap*, a static heap guarded by a spin lock.
//!
//! Sizes up to 512 bytes with alignment up to 16 come from the pools; everything else from
//! [`System`]. `dealloc` receives the layout, so it never asks "is this pointer ours": the
//! size says so (a sized free, like jemalloc's `sdallocx`).
//!
//! ```
//! use obmalloc::ObmallocGlobal;
//!
//! #[global_allocator]
//! static ALLOC: ObmallocGlobal = ObmallocGlobal;
//!
//! let v: Vec<u64> = (0..1000).collect();
//! let t = std::thread::spawn(move || v.iter().sum::<u64>()); // freed on another thread
//! assert_eq!(t.join().unwrap(), 499_500);
//! ```

use core::alloc::{GlobalAlloc, Layout};
use core::cell::{Cell, UnsafeCell};
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, Ordering};
use std::alloc::System;

use crate::config::{ALIGNMENT, Config};
use crate::instance::{FIRST_INSTANCE_ID, Obmalloc};
use crate::pool::{FreeBlock, pool_of};
use crate::size_class::SizeClass;
use crate::stats::Stats;

/// The thread-safe global allocator: per-thread [`Obmalloc`] heaps, with frees from other
/// threads sent home. Install it with `#[global_allocator]` (see the module example), or
/// call its [`GlobalAlloc`] methods directly.
#[derive(Clone, Copy, Debug, Default)]
pub struct ObmallocGlobal;

/// A thread's heap. `core` is used only by the thread that has claimed the heap;
/// `remote` by anyone.
struct ThreadHeap {
    core: UnsafeCell<Obmalloc>,
    id: u32,
    remote: AtomicPtr<FreeBlock>,
    /// Blocks taken back from `remote` so far; written only by the heap's holder.
    drained: AtomicUsize,
    claimed: AtomicBool,
}

// SAFETY: `core` is only touched by the thread holding `claimed` (a thread heap's owner,
// or the holder of the fallback heap's lock); the other fields are atomics or immutable.
unsafe impl Sync for ThreadHeap {}

const FALLBACK_ID: u32 = 1;
const MAX_HEAPS: usize = FIRST_INSTANCE_ID as usize;

static FALLBACK: ThreadHeap = ThreadHeap {
    core: UnsafeCell::new(Obmalloc::with_id(
        Config {
            arena_cache: Config::DEFAULT_ARENA_CACHE,
            huge_pages: true,
            linger: true,
            adaptive_cache: Some(Config::DEFAULT_CACHE_PERIOD),
        },
        FALLBACK_ID,
    )),
    id: FALLBACK_ID,
    remote: AtomicPtr::new(ptr::null_mut()),
    drained: AtomicUsize::new(0),
    claimed: AtomicBool::new(false),
};

/// Thread heaps by id; entries never change once set.
static HEAPS: [AtomicPtr<ThreadHeap>; MAX_HEAPS] =
    [const { AtomicPtr::new(ptr::null_mut()) }; MAX_HEAPS];
/// The next id to give a new thread heap.
static NEXT_HEAP_ID: AtomicU32 = AtomicU32::new(FALLBACK_ID + 1);

thread_local! {
    /// This thread's heap: null before the first allocation, `EXITED` once released.
    static CURRENT: Cell<*mut ThreadHeap> = const { Cell::new(ptr::null_mut()) };
    /// Its destructor gives the heap back when the thread exits.
    static RELEASE: Release = const { Release };
}

const EXITED: *mut ThreadHeap = ptr::without_provenance_mut(1);

struct Release;

impl Drop for Release {
    fn drop(&mut self) {
        let heap = CURRENT.with(|c| c.replace(EXITED));
        if heap.is_null() || heap == EXITED {
            return;
        }
        // SAFETY: this thread claimed `heap`; it is live forever.
        unsafe {
            let h = &*heap;
            h.drain_remote();
            h.claimed.store(false, Ordering::Release);
        }
    }
}

impl ThreadHeap {
    fn heap(id: u32) -> *const ThreadHeap {
        if id == FALLBACK_ID {
            &FALLBACK
        } else {
            HEAPS[id as usize].load(Ordering::Acquire)
        }
    }

    /// # Safety
    /// The calling thread holds `claimed`.
    #[inline(always)]
    unsafe fn alloc(&self, class: SizeClass) -> *mut u8 {
        // SAFETY: the caller holds the heap, so nobody else touches `core`.
        let core = unsafe { &mut *self.core.get() };
        if let Some(p) = core.try_alloc_fast(class) {
            return p.as_ptr();
        }
        // SAFETY: as above.
        unsafe { self.alloc_slow(class) }
    }

    /// # Safety
    /// The calling thread holds `claimed`.
    #[cold]
    #[inline(never)]
    unsafe fn alloc_slow(&self, class: SizeClass) -> *mut u8 {
        // SAFETY: the caller holds the heap.
        unsafe { self.drain_remote() };
        // SAFETY: as above.
        let core = unsafe { &mut *self.core.get() };
        core.alloc_class(class)
            .map_or(ptr::null_mut(), NonNull::as_ptr)
    }

    /// Frees every block other threads sent home.
    ///
    /// # Safety
    /// The calling thread holds `claimed`.
    unsafe fn drain_remote(&self) {
        let mut b = self.remote.swap(ptr::null_mut(), Ordering::Acquire);
        if b.is_null() {
            return;
        }
        // SAFETY: the caller holds the heap.
        let core = unsafe { &mut *self.core.get() };
        let mut n = 0;
        while let Some(block) = NonNull::new(b) {
            n += 1;
            // SAFETY: the pushing thread wrote `next` before its release CAS, which our
            // acquire swap synchronises with; each block is a live block of this heap.
            unsafe {
                b = (*block.as_ptr()).next;
                core.free_small(block.cast());
            }
        }
        let total = self.drained.load(Ordering::Relaxed) + n;
        self.drained.store(total, Ordering::Relaxed);
    }

    /// Sends a block home to this heap from another thread.
    ///
    /// # Safety
    /// `block` is a live block of this heap, and the caller gives up its ownership.
    unsafe fn push_remote(&self, block: *mut FreeBlock) {
        let mut head = self.remote.load(Ordering::Relaxed);
        loop {
            // SAFETY: the block is ours to write until the CAS publishes it.
            unsafe { (*block).next = head };
            match self.remote.compare_exchange_weak(
                head,
                block,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(h) => head = h,
            }
        }
    }

    fn lock_fallback() -> &'static ThreadHeap {
        let mut spins = 0u32;
        while FALLBACK
            .claimed
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            spins += 1;
            if spins < 64 {
                core::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        &FALLBACK
    }
}

/// This thread's heap, claiming one on first use; null if the thread has none (it is
/// exiting, or no heap could be made).
#[inline(always)]
fn current() -> *mut ThreadHeap {
    let h = CURRENT.with(Cell::get);
    if h.addr() > EXITED.addr() {
        h
    } else {
        claim_slow(h)
    }
}

#[cold]
#[inline(never)]
fn claim_slow(h: *mut ThreadHeap) -> *mut ThreadHeap {
    if h == EXITED {
        return ptr::null_mut();
    }
    // Register the exit hook first; during thread-local destruction this fails and the
    // thread makes do with the fallback heap.
    if RELEASE.try_with(|_| ()).is_err() {
        CURRENT.with(|c| c.set(EXITED));
        return ptr::null_mut();
    }
    let heap = adopt().or_else(create).unwrap_or(ptr::null_mut());
    CURRENT.with(|c| c.set(if heap.is_null() { EXITED } else { heap }));
    heap
}

/// Claims the heap of a thread that has exited, if any.
fn adopt() -> Option<*mut ThreadHeap> {
    let n = (NEXT_HEAP_ID.load(Ordering::Acquire) as usize).min(MAX_HEAPS);
    for slot in &HEAPS[(FALLBACK_ID as usize + 1)..n] {
        let h = slot.load(Ordering::Acquire);
        if h.is_null() {
            continue;
        }
        // SAFETY: published heaps live forever.
        let claimed = unsafe { &(*h).claimed };
        if claimed
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return Some(h);
        }
    }
    None
}

/// Makes a new heap with the next id.
fn create() -> Option<*mut ThreadHeap> {
    let id = NEXT_HEAP_ID.fetch_add(1, Ordering::AcqRel);
    if id as usize >= MAX_HEAPS {
        return None;
    }
    let layout = Layout::new::<ThreadHeap>();
    // SAFETY: non-zero size.
    let h = unsafe { System.alloc(layout) }.cast::<ThreadHeap>();
    if h.is_null() {
        return None;
    }
    // SAFETY: fresh, suitably aligned memory for one ThreadHeap.
    unsafe {
        h.write(ThreadHeap {
            core: UnsafeCell::new(Obmalloc::with_id(Config::default(), id)),
            id,
            remote: AtomicPtr::new(ptr::null_mut()),
            drained: AtomicUsize::new(0),
            claimed: AtomicBool::new(true),
        })
    };
    HEAPS[id as usize].store(h, Ordering::Release);
    Some(h)
}

#[inline(always)]
fn small_class(layout: Layout) -> Option<SizeClass> {
    if layout.align() <= ALIGNMENT {
        SizeClass::for_request(layout.size())
    } else {
        None
    }
}

impl ObmallocGlobal {
    #[cold]
    #[inline(never)]
    fn alloc_fallback(class: SizeClass) -> *mut u8 {
        let h = ThreadHeap::lock_fallback();
        // SAFETY: we hold the fallback heap's lock.
        let p = unsafe { h.alloc_slow(class) };
        h.claimed.store(false, Ordering::Release);
        p
    }

    /// Frees a small block allocated by any thread.
    ///
    /// # Safety
    /// `p` is a live small block of some thread heap or of the fallback heap.
    #[inline(always)]
    unsafe fn free_small(p: *mut u8) {
        // SAFETY: the pool header lives as long as its blocks; `owner` is immutable while
        // the pool has live blocks, and read atomically.
        let owner = unsafe { (*pool_of(p)).owner.load(Ordering::Relaxed) };
        let me = current();
        // SAFETY: `me` is ours and live when not null.
        if !me.is_null() && unsafe { (*me).id } == owner {
            // SAFETY: we hold our heap; the block is one of its blocks.
            unsafe { (*(*me).core.get()).free_small(NonNull::new_unchecked(p)) };
        } else {
            // SAFETY: as above.
            unsafe { Self::free_remote(p, owner) };
        }
    }

    /// # Safety
    /// `p` is a live small block of heap `owner`.
    #[cold]
    #[inline(never)]
    unsafe fn free_remote(p: *mut u8, owner: u32) {
        let heap = ThreadHeap::heap(owner);
        assert!(
            !heap.is_null(),
            "ObmallocGlobal::dealloc({p:p}): the block belongs to no thread heap (id {owner})"
        );
        // SAFETY: heaps live forever; the caller hands the block over.
        unsafe { (*heap).push_remote(p.cast()) };
    }

    /// Statistics of the calling thread's heap (each thread has its own arenas), or
    /// `None` if the thread has no heap.
    pub fn thread_stats(&self) -> Option<Stats> {
        let h = current();
        // SAFETY: our own heap; `stats` does not allocate through the global allocator
        // while it reads the heap.
        (!h.is_null()).then(|| unsafe { (*(*h).core.get()).stats() })
    }

    /// How many blocks other threads have freed into the calling thread's heap and the heap
    /// has taken back so far (they are taken back when the heap needs a new pool, at
    /// [`trim_thread`](Self::trim_thread) and at thread exit). A heap adopted from an exited
    /// thread keeps its count. `0` on a thread without a heap.
    ///
    /// Between two [`thread_stats`](Self::thread_stats) snapshots, `blocks_in_use` changes
    /// by this thread's allocations minus its frees minus the blocks taken back meanwhile.
    pub fn thread_remote_frees(&self) -> usize {
        let h = current();
        if h.is_null() {
            return 0;
        }
        // SAFETY: our own heap, live forever.
        unsafe { (*h).drained.load(Ordering::Relaxed) }
    }

    /// Frees the blocks other threads sent home and gives the calling thread heap's wholly
    /// free arenas back to the OS. Returns how many arenas were released.
    pub fn trim_thread(&self) -> usize {
        let h = current();
        if h.is_null() {
            return 0;
        }
        // SAFETY: our own heap.
        unsafe {
            (*h).drain_remote();
            (*(*h).core.get()).trim()
        }
    }
}

// SAFETY: small requests get a 16-byte-aligned block of at least `layout.size()` bytes from
// a heap only this thread uses; everything else goes to `System`. `dealloc` and `realloc`
// route by the same layout test, so each block returns to the allocator that made it.
unsafe impl GlobalAlloc for ObmallocGlobal {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = small_class(layout) else {
            // SAFETY: forwarded with the caller's layout.
            return unsafe { System.alloc(layout) };
        };
        let h = current();
        if h.is_null() {
            return Self::alloc_fallback(class);
        }
        // SAFETY: `h` is this thread's claimed heap.
        unsafe { (*h).alloc(class) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if small_class(layout).is_some() {
            // SAFETY: a small layout means the block came from a heap.
            unsafe { Self::free_small(ptr) }
        } else {
            // SAFETY: forwarded with the caller's layout.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size`, rounded up to the alignment, does not
        // overflow.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (small_class(layout), small_class(new_layout)) {
            // SAFETY: both large: System made the block.
            (None, None) => unsafe { System.realloc(ptr, layout, new_size) },
            // CPython's rule: stay in place unless shrinking by 25% or more.
            (Some(old), Some(_)) if old.keeps_in_place(new_size) => ptr,
            _ => {
                // SAFETY: non-zero size (a realloc to zero bytes is not allowed).
                let q = unsafe { self.alloc(new_layout) };
                if !q.is_null() {
                    // SAFETY: both blocks hold min(old, new) bytes and are distinct; the old
                    // block is freed once.
                    unsafe {
                        ptr::copy_nonoverlapping(ptr, q, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                }
                q
            }
        }
    }
}
