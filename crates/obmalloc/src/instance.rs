//! [`Obmalloc`]: one allocator instance, with the hot paths inlined and everything rare in
//! `#[cold]` functions.
//!
//! An allocation of class `c` pops the free list of `used_pools[c]`'s head pool; when the
//! list runs dry untouched blocks are carved, a page at a time, and when there are none the
//! pool is Full and leaves the ring. With no Used pool the slow path takes a pool from the fullest
//! usable arena (mapping a new arena if there is none).
//!
//! A free pushes the block on its pool's free list (the pool is found by masking the
//! address). Two cases are rare and handled out of line: the pool was Full (it goes back
//! to the front of its ring), or the pool became Empty (it goes to its arena's free pools,
//! and the arena may move in `usable_arenas` or go back to the OS).

use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicU32, Ordering};

use crate::arena::{ArenaIdx, ArenaObject, ArenaTable};
use crate::arena_cache::ArenaCache;
use crate::arena_map;
use crate::config::{ARENA_SIZE, Config, MAX_POOLS_IN_ARENA, NB_SMALL_SIZE_CLASSES, POOL_SIZE};
use crate::os::{self, ArenaSource};
use crate::pool::{self, FreeBlock, NO_CLASS, PoolHeader};
use crate::size_class::SizeClass;
use crate::usable_arenas::UsableArenas;
use crate::used_pools::UsedPools;

/// Ids `1..FIRST_INSTANCE_ID` are reserved for the global allocator's thread heaps.
pub(crate) const FIRST_INSTANCE_ID: u32 = 1 << 12;
static NEXT_INSTANCE_ID: AtomicU32 = AtomicU32::new(FIRST_INSTANCE_ID);

/// One allocator: CPython's pymalloc state (per interpreter since 3.12) as a value.
///
/// Blocks of 1 to 512 bytes come from its pools, 16-byte aligned; zero-byte and larger
/// requests go to the system allocator (`malloc`) and are counted, as CPython counts
/// `raw_allocated_blocks`. Memory is given back to the OS when an arena becomes wholly
/// free, beyond a small cache (see [`Config`]).
///
/// `Obmalloc` is `Send` (it owns its arenas) but not `Sync`: every operation takes
/// `&mut self`, as pymalloc relies on the GIL. For a thread-safe allocator see
/// [`ObmallocGlobal`](crate::ObmallocGlobal). Dropping it unmaps every arena, so blocks
/// still live become dangling (freeing them is undefined behaviour, like any use after free).
///
/// ```
/// let mut a = obmalloc::Obmalloc::new();
/// let p = a.alloc(24).expect("out of memory");
/// assert_eq!(p.as_ptr() as usize % 16, 0);
/// assert!(a.owns(p.as_ptr()));
/// assert_eq!(a.allocated_blocks(), 1);
/// // SAFETY: `p` came from `a.alloc` and is freed once.
/// unsafe { a.free(p.as_ptr()) };
/// assert_eq!(a.allocated_blocks(), 0);
/// ```
pub struct Obmalloc {
    used_pools: UsedPools,
    pub(crate) arenas: ArenaTable,
    usable_arenas: UsableArenas,
    /// Wholly free arenas still mapped (all of them are on `usable_arenas`).
    cached_arenas: usize,
    /// How many of them may stay (see `arena_cache.rs`).
    pub(crate) cache: ArenaCache,
    /// Per class, the pool lingering on its ring with a phantom count (or null); the mask
    /// has a bit for each non-null entry.
    lingering: [*mut PoolHeader; NB_SMALL_SIZE_CLASSES],
    lingering_mask: u32,
    pub(crate) config: Config,
    /// Where arenas come from (pairs of arenas for huge pages).
    source: ArenaSource,
    pub(crate) id: u32,
    pub(crate) arenas_allocated_total: usize,
    pub(crate) arenas_current: usize,
    pub(crate) arenas_highwater: usize,
    pub(crate) raw_blocks: usize,
}

// SAFETY: an `Obmalloc` exclusively owns its arenas and table; nothing in it is tied to the
// thread that created it. The arena map entries it writes are atomics.
unsafe impl Send for Obmalloc {}

/// A summary: the instance id, settings and arena counts (`{:?}`), without walking the
/// pools; [`Obmalloc::stats`] has the full picture.
impl core::fmt::Debug for Obmalloc {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Obmalloc")
            .field("id", &self.id)
            .field("config", &self.config)
            .field("arenas_current", &self.arenas_current)
            .field("arenas_highwater", &self.arenas_highwater)
            .field("cached_arenas", &self.cached_arenas)
            .field("arena_cache_bound", &self.cache.bound())
            .field("raw_blocks", &self.raw_blocks)
            .finish_non_exhaustive()
    }
}

impl Default for Obmalloc {
    fn default() -> Obmalloc {
        Obmalloc::new()
    }
}

impl Obmalloc {
    /// An empty allocator with the default [`Config`]. No memory is mapped until the first
    /// allocation.
    pub fn new() -> Obmalloc {
        Obmalloc::with_config(Config::default())
    }

    /// An empty allocator with the given settings.
    pub fn with_config(config: Config) -> Obmalloc {
        let id = NEXT_INSTANCE_ID.fetch_add(1, Ordering::Relaxed);
        assert!(id >= FIRST_INSTANCE_ID, "obmalloc: instance ids exhausted");
        Obmalloc::with_id(config, id)
    }

    pub(crate) const fn with_id(config: Config, id: u32) -> Obmalloc {
        Obmalloc {
            used_pools: UsedPools::new(),
            arenas: ArenaTable::new(),
            usable_arenas: UsableArenas::new(),
            cached_arenas: 0,
            cache: ArenaCache::new(&config),
            lingering: [ptr::null_mut(); NB_SMALL_SIZE_CLASSES],
            lingering_mask: 0,
            config,
            source: ArenaSource::new(),
            id,
            arenas_allocated_total: 0,
            arenas_current: 0,
            arenas_highwater: 0,
            raw_blocks: 0,
        }
    }

    /// The current settings.
    pub fn config(&self) -> Config {
        self.config
    }

    // ------------------------------------------------------------------ allocation

    /// Allocates `nbytes` (CPython's `PyObject_Malloc`). The block is 16-byte aligned and
    /// its contents are unspecified. Returns `None` when out of memory.
    #[inline]
    pub fn alloc(&mut self, nbytes: usize) -> Option<NonNull<u8>> {
        match SizeClass::for_request(nbytes) {
            Some(class) => self.alloc_class(class),
            None => self.alloc_raw(nbytes),
        }
    }

    /// Allocates one block of `class`: the fast path for callers that know the class.
    #[inline]
    pub fn alloc_class(&mut self, class: SizeClass) -> Option<NonNull<u8>> {
        match self.try_alloc_fast(class) {
            Some(p) => Some(p),
            None => self.alloc_slow(class),
        }
    }

    /// Pops a block of the head Used pool of `class`, or `None` if there is no Used pool.
    #[inline(always)]
    pub(crate) fn try_alloc_fast(&mut self, class: SizeClass) -> Option<NonNull<u8>> {
        let pool = self.used_pools.head(class);
        if pool.is_null() {
            return None;
        }
        // SAFETY: the head is a live Used pool (U1), so its free list is not empty (P1).
        unsafe {
            let block = (*pool).free_block;
            let next = (*block).next;
            (*pool).free_block = next;
            (*pool).count += 1;
            let block = NonNull::new_unchecked(block.cast());
            if next.is_null() {
                // A tail call, so the fast path saves no register.
                return Some(self.pool_ran_dry(class, pool, block));
            }
            Some(block)
        }
    }

    /// The free list of the head pool of `class` ran dry as `block` was taken: carve more
    /// blocks, or take the pool off its ring if it is now Full. Returns `block`.
    #[cold]
    #[inline(never)]
    fn pool_ran_dry(
        &mut self,
        class: SizeClass,
        pool: *mut PoolHeader,
        block: NonNull<u8>,
    ) -> NonNull<u8> {
        // SAFETY: `pool` is the head of ring `class`, with an empty free list.
        unsafe {
            if !pool::extend(pool) {
                self.used_pools.unlink(class, pool);
            }
        }
        block
    }

    /// Takes a pool from the fullest usable arena and a block from it
    /// (CPython's `allocate_from_new_pool`).
    #[cold]
    #[inline(never)]
    pub(crate) fn alloc_slow(&mut self, class: SizeClass) -> Option<NonNull<u8>> {
        debug_assert!(self.used_pools.head(class).is_null());
        self.flush_lingering();
        self.decay_arena_cache();
        if self.usable_arenas.head.is_none() {
            let i = self.new_arena()?;
            self.usable_arenas.insert_only(&mut self.arenas, i);
            // Counted as a wholly free arena until its first pool is taken just below.
            self.cached_arenas += 1;
        }
        let i = self.usable_arenas.head;
        if self.arenas.get(i).is_wholly_free() {
            self.cached_arenas -= 1;
        }
        self.usable_arenas.take_pool_from_head(&mut self.arenas);
        let a = self.arenas.get_mut(i);
        let pool = if !a.free_pools.is_null() {
            let pool = a.free_pools;
            // SAFETY: pools on an arena's free list are live, Empty pools.
            a.free_pools = unsafe { (*pool).next };
            pool
        } else {
            let pool = a.pool_address.cast::<PoolHeader>();
            // SAFETY: `free_pool_count` was > 0 and no Empty pool is cached, so an uncarved
            // pool remains (A3); it lies inside the arena.
            unsafe {
                a.pool_address = a.pool_address.add(POOL_SIZE);
                (*pool).arena = i.0;
                (*pool).class = NO_CLASS;
                ptr::write(&raw mut (*pool).owner, AtomicU32::new(self.id));
            }
            pool
        };
        // SAFETY: `pool` is an Empty or fresh pool of this instance; the ring is empty.
        unsafe {
            self.used_pools.push_front(class, pool);
            // A reused pool is initialised afresh even when it held this class before
            // (CPython reuses its free list then): the blocks come out in address order
            // again instead of in the scrambled order of the frees that emptied it.
            let block = pool::init(pool, class);
            Some(NonNull::new_unchecked(block))
        }
    }

    /// Maps a new arena and gives it an entry of the table (CPython's `new_arena`).
    fn new_arena(&mut self) -> Option<ArenaIdx> {
        self.cache.note_map(&self.config, self.arenas_highwater);
        let i = self.arenas.take_unused()?;
        // Huge pages from the start once the instance has churned: it gave an arena back and
        // needs one again (see `os.rs`).
        let churned = self.arenas_allocated_total > self.arenas_current;
        let Some(base) = self.source.map(self.config.huge_pages, churned) else {
            self.arenas.put_unused(i);
            return None;
        };
        // Pool headers are found from block addresses through this provenance (`pool_of`).
        let _ = base.as_ptr().expose_provenance();
        if !arena_map::set_owner(base.addr().get(), self.id) {
            // SAFETY: mapped just above and not used.
            unsafe { self.source.unmap(base) };
            self.arenas.put_unused(i);
            return None;
        }
        *self.arenas.get_mut(i) = ArenaObject {
            address: base.as_ptr(),
            pool_address: base.as_ptr(),
            free_pool_count: MAX_POOLS_IN_ARENA as u32,
            total_pools: MAX_POOLS_IN_ARENA as u32,
            free_pools: ptr::null_mut(),
            next: ArenaIdx::NONE,
            prev: ArenaIdx::NONE,
        };
        self.arenas_allocated_total += 1;
        self.arenas_current += 1;
        self.arenas_highwater = self.arenas_highwater.max(self.arenas_current);
        Some(i)
    }

    #[cold]
    #[inline(never)]
    fn alloc_raw(&mut self, nbytes: usize) -> Option<NonNull<u8>> {
        let p = os::raw_malloc(nbytes)?;
        self.raw_blocks += 1;
        Some(p)
    }

    /// Allocates `nelem * elsize` zeroed bytes (CPython's `PyObject_Calloc`); `None` when the
    /// product overflows or memory is exhausted.
    pub fn calloc(&mut self, nelem: usize, elsize: usize) -> Option<NonNull<u8>> {
        let nbytes = nelem.checked_mul(elsize)?;
        if SizeClass::for_request(nbytes).is_none() {
            let p = os::raw_calloc(nbytes)?;
            self.raw_blocks += 1;
            return Some(p);
        }
        let p = self.alloc(nbytes)?;
        // SAFETY: the block has at least `nbytes` writable bytes.
        unsafe { p.as_ptr().write_bytes(0, nbytes) };
        Some(p)
    }

    // ------------------------------------------------------------------ free

    /// Frees a block (CPython's `PyObject_Free`). Null is ignored. A pointer that is not in
    /// this instance's arenas is passed to the system `free`.
    ///
    /// # Safety
    /// 1. `ptr` is null, or was returned by this instance's `alloc`, `alloc_class`,
    ///    `calloc` or `realloc` (or by the system `malloc`) and not freed since.
    ///
    /// # Panics
    /// If `ptr` lies in an arena of another `Obmalloc` (a misuse that would otherwise
    /// corrupt both allocators).
    #[inline]
    pub unsafe fn free(&mut self, ptr: *mut u8) {
        let Some(p) = NonNull::new(ptr) else {
            return;
        };
        let owner = arena_map::owner_of(p.addr().get());
        if owner == self.id {
            // SAFETY: (1) the block is ours and live.
            unsafe { self.free_small(p) }
        } else {
            // SAFETY: (1) not ours, so it came from malloc.
            unsafe { self.free_foreign(p, owner) }
        }
    }

    /// Frees a block whose size is known, without asking whether it is ours.
    ///
    /// # Safety
    /// 1. `ptr` was returned by this instance's `alloc`, `alloc_class` or `calloc` and not
    ///    freed since;
    /// 2. `nbytes` is the size it was allocated with (for `alloc_class`, any size of that
    ///    class).
    ///
    /// A block returned by [`realloc`](Self::realloc) must be freed with
    /// [`free`](Self::free): CPython's rules let a system block stay with the system even
    /// when it shrinks to a small size, so its new size does not tell where it lives. Debug
    /// builds check both conditions and panic with the misuse named.
    #[inline]
    pub unsafe fn free_sized(&mut self, ptr: NonNull<u8>, nbytes: usize) {
        if SizeClass::for_request(nbytes).is_some() {
            debug_assert!(
                arena_map::owner_of(ptr.addr().get()) == self.id,
                "Obmalloc::free_sized({ptr:p}, {nbytes}): not a block of this instance"
            );
            debug_assert_eq!(
                // SAFETY: checked just above that the pool is ours.
                unsafe { (*pool::pool_of(ptr.as_ptr())).class } as usize,
                SizeClass::for_request(nbytes).unwrap().index(),
                "Obmalloc::free_sized({ptr:p}, {nbytes}): the block belongs to another size class"
            );
            // SAFETY: (1), (2): a small size means the block came from our pools.
            unsafe { self.free_small(ptr) }
        } else {
            debug_assert!(
                arena_map::owner_of(ptr.addr().get()) == 0,
                "Obmalloc::free_sized({ptr:p}, {nbytes}): a block of the pools freed with the \
                 size of a system block"
            );
            // SAFETY: (1), (2): a raw size means the block came from malloc.
            unsafe { self.free_raw(ptr) }
        }
    }

    /// Frees a block of the system allocator.
    ///
    /// # Safety
    /// `ptr` came from `malloc` through this instance and was not freed since.
    #[cold]
    #[inline(never)]
    unsafe fn free_raw(&mut self, ptr: NonNull<u8>) {
        // SAFETY: the caller's promise.
        unsafe { os::raw_free(ptr) };
        self.raw_blocks -= 1;
    }

    /// Pushes a block of one of our pools on its free list.
    ///
    /// # Safety
    /// `ptr` is a live block of one of this instance's pools.
    #[inline(always)]
    pub(crate) unsafe fn free_small(&mut self, ptr: NonNull<u8>) {
        let pool = pool::pool_of(ptr.as_ptr());
        // The link is written through the caller's pointer: a block being freed may still
        // be protected by the `Box` that is deallocating it, and only its own pointer may
        // write to it then.
        let block = ptr.as_ptr().cast::<FreeBlock>();
        // SAFETY: the pool header is live while one of its blocks is.
        unsafe {
            let last = (*pool).free_block;
            (*block).next = last;
            (*pool).free_block = block;
            (*pool).count -= 1;
            if last.is_null() || (*pool).count == 0 {
                self.free_slow(pool, last.is_null());
            }
        }
    }

    #[cold]
    #[inline(never)]
    unsafe fn free_foreign(&mut self, p: NonNull<u8>, owner: u32) {
        assert!(
            owner == 0,
            "Obmalloc::free({p:p}): the block belongs to another obmalloc instance \
             (id {owner}, this is {})",
            self.id
        );
        // SAFETY: the caller's promise: a foreign pointer came from malloc.
        unsafe { os::raw_free(p) };
        // A block straight from `malloc` was never counted (CPython's counter would go
        // negative here).
        self.raw_blocks = self.raw_blocks.saturating_sub(1);
    }

    /// A free made a Full pool Used again, or a Used pool Empty.
    #[cold]
    #[inline(never)]
    unsafe fn free_slow(&mut self, pool: *mut PoolHeader, was_full: bool) {
        // SAFETY: `pool` is a live pool of this instance.
        let class = unsafe { pool::class_of(pool) };
        if was_full {
            // Full -> Used: to the front of its ring, so the next allocation reuses it (U2).
            // SAFETY: a Full pool is on no ring.
            unsafe { self.used_pools.push_front(class, pool) };
            return;
        }
        // SAFETY: an Empty pool was Used, hence on ring `class`.
        if self.config.linger && unsafe { (*pool).next } == pool {
            // The last Used pool of its class: freeing it would send the next allocation of
            // the class down the slow path to take it straight back (an alloc/free
            // ping-pong). It lingers on its ring instead, held by one phantom count, until
            // the next slow path of any kind.
            self.flush_lingering();
            // SAFETY: as above.
            unsafe { (*pool).count = 1 };
            self.lingering[class.index()] = pool;
            self.lingering_mask |= 1 << class.index();
            return;
        }
        self.flush_lingering();
        // SAFETY: as above.
        unsafe { self.pool_became_empty(class, pool) }
    }

    /// Used -> Empty (CPython's `insert_to_freepool`): the pool goes to its arena's free
    /// pools, and the arena moves in `usable_arenas`, or goes back to the OS.
    ///
    /// # Safety
    /// `pool` is a pool of this instance on ring `class`, with no live block.
    unsafe fn pool_became_empty(&mut self, class: SizeClass, pool: *mut PoolHeader) {
        // SAFETY: the caller's promise.
        unsafe { self.used_pools.unlink(class, pool) };
        // SAFETY: the header is live.
        let i = ArenaIdx(unsafe { (*pool).arena });
        let a = self.arenas.get_mut(i);
        // SAFETY: as above.
        unsafe { (*pool).next = a.free_pools };
        a.free_pools = pool;
        let last = self.usable_arenas.pool_returned(&mut self.arenas, i);
        let a = self.arenas.get(i);
        if a.is_wholly_free() {
            // The arena is now wholly free. CPython gives it back unless it is the last
            // usable arena; with a cache, pymem keeps up to `arena_cache + 1` wholly free
            // arenas mapped (CPython's one, and the cache), whichever they are.
            let keep = match self.cache.bound() {
                0 => a.next.is_none(),
                k => self.cached_arenas <= k,
            };
            if !keep {
                self.usable_arenas.unlink(&mut self.arenas, i);
                self.release_arena(i);
                self.cache.note_release(&self.config);
                return;
            }
            self.cached_arenas += 1;
        }
        self.usable_arenas.reposition(&mut self.arenas, i, last);
    }

    /// Drops the phantom count of every lingering pool; a pool left with no live block
    /// becomes Empty as it would have without lingering.
    #[inline]
    fn flush_lingering(&mut self) {
        while self.lingering_mask != 0 {
            let c = self.lingering_mask.trailing_zeros() as usize;
            self.lingering_mask &= self.lingering_mask - 1;
            let pool = core::mem::replace(&mut self.lingering[c], ptr::null_mut());
            // SAFETY: a lingering pool is a live pool of this instance holding a phantom
            // count; with no live block it is Used (its free list is not empty), hence on
            // ring `c`.
            unsafe {
                (*pool).count -= 1;
                if (*pool).count == 0 {
                    self.pool_became_empty(SizeClass::from_index(c).unwrap_unchecked(), pool);
                }
            }
        }
    }

    /// Lingering pools with no live block.
    pub(crate) fn empty_lingering_pools(&self) -> usize {
        self.lingering
            .iter()
            // SAFETY: lingering pools are live pools of this instance.
            .filter(|p| !p.is_null() && unsafe { (*(**p)).count } == 1)
            .count()
    }

    /// The phantom count `pool` holds: 1 if it is lingering, else 0.
    pub(crate) fn phantom(&self, class: usize, pool: *const PoolHeader) -> u32 {
        (self.lingering[class].cast_const() == pool) as u32
    }

    /// Unmaps the (wholly free, unlinked) arena `i` and recycles its entry.
    fn release_arena(&mut self, i: ArenaIdx) {
        let base = self.arenas.get(i).address;
        arena_map::set_owner(base.addr(), 0);
        // SAFETY: the arena is wholly free and on no list; its entry is recycled below.
        unsafe { self.source.unmap(NonNull::new_unchecked(base)) };
        self.arenas.put_unused(i);
        self.arenas_current -= 1;
    }

    /// Gives every wholly free arena back to the OS, including the ones the cache and
    /// CPython's retention rule keep. Returns how many were released.
    ///
    /// ```
    /// let mut a = obmalloc::Obmalloc::new();
    /// let p = a.alloc(64).unwrap();
    /// // SAFETY: allocated just above, freed once.
    /// unsafe { a.free(p.as_ptr()) };
    /// assert_eq!(a.stats().arenas_current, 1); // kept, as CPython keeps its last arena
    /// assert_eq!(a.trim(), 1);
    /// assert_eq!(a.stats().arenas_current, 0);
    /// ```
    pub fn trim(&mut self) -> usize {
        self.flush_lingering();
        let released = self.release_cached_arenas(0);
        debug_assert_eq!(self.cached_arenas, 0);
        self.cache.reset(&self.config);
        self.source.release_spare();
        released
    }

    /// Gives wholly free arenas back to the OS until at most `keep` remain mapped; returns
    /// how many went. Wholly free arenas have the most free pools, so they sit at the end of
    /// the sorted list; one walk finds them (no allocation: this may run inside the global
    /// allocator).
    pub(crate) fn release_cached_arenas(&mut self, keep: usize) -> usize {
        let mut released = 0;
        let mut i = self.usable_arenas.head;
        while !i.is_none() && self.cached_arenas > keep {
            let next = self.arenas.get(i).next;
            if self.arenas.get(i).is_wholly_free() {
                self.usable_arenas.remove(&mut self.arenas, i);
                self.release_arena(i);
                self.cached_arenas -= 1;
                released += 1;
            }
            i = next;
        }
        released
    }

    // ------------------------------------------------------------------ realloc

    /// Resizes a block (CPython's `PyObject_Realloc`): null allocates; a block of ours that
    /// shrinks by less than 25% stays where it is; otherwise the contents move to a new
    /// block and the old one is freed. A pointer not in our arenas is resized by the system
    /// `realloc` and stays foreign. `realloc(p, 0)` returns a valid block. On `None` (out of
    /// memory) the old block is untouched.
    ///
    /// # Safety
    /// 1. as for [`free`](Self::free): `ptr` is null or a live block of this instance (or
    ///    from `malloc`).
    pub unsafe fn realloc(&mut self, ptr: *mut u8, nbytes: usize) -> Option<NonNull<u8>> {
        let Some(p) = NonNull::new(ptr) else {
            return self.alloc(nbytes);
        };
        let owner = arena_map::owner_of(p.addr().get());
        if owner != self.id {
            assert!(
                owner == 0,
                "Obmalloc::realloc({p:p}): the block belongs to another obmalloc instance"
            );
            // SAFETY: (1) a foreign block came from malloc.
            return unsafe { os::raw_realloc(p, nbytes) };
        }
        // SAFETY: (1) our block: its pool header is live.
        let class = unsafe { pool::class_of(pool::pool_of(p.as_ptr())) };
        if class.keeps_in_place(nbytes) {
            return Some(p);
        }
        let keep = nbytes.min(class.block_size());
        let q = self.alloc(nbytes)?;
        // SAFETY: both blocks hold at least `keep` bytes and are distinct.
        unsafe {
            ptr::copy_nonoverlapping(pool::reclaim(p.as_ptr()), q.as_ptr(), keep);
            self.free_small(p);
        }
        Some(q)
    }

    // ------------------------------------------------------------------ queries

    /// Whether `ptr` points into one of this instance's arenas (CPython's
    /// `address_in_range`), in O(1).
    #[inline]
    pub fn owns(&self, ptr: *const u8) -> bool {
        arena_map::owner_of(ptr.addr()) == self.id
    }

    /// Blocks currently allocated, small and raw (`sys.getallocatedblocks()`). Walks the
    /// arenas, as CPython does (bpo-37537), so the fast paths keep no extra counter.
    pub fn allocated_blocks(&self) -> usize {
        let mut n = self.raw_blocks;
        self.for_each_carved_pool(|_, p| {
            // SAFETY: carved pools have initialised headers.
            let (count, class) = unsafe { ((*p).count, (*p).class as usize) };
            if count > 0 {
                n += (count - self.phantom(class, p)) as usize;
            }
        });
        n
    }

    /// Calls `f` with every carved pool of every live arena.
    pub(crate) fn for_each_carved_pool(&self, mut f: impl FnMut(ArenaIdx, *const PoolHeader)) {
        for (i, a) in self.arenas.iter() {
            if a.address.is_null() {
                continue;
            }
            let mut p = a.address;
            while p < a.pool_address {
                f(i, p.cast());
                p = p.wrapping_add(POOL_SIZE);
            }
        }
    }

    /// Wholly free arenas currently kept mapped.
    pub fn cached_arenas(&self) -> usize {
        self.cached_arenas
    }

    pub(crate) fn used_pools(&self) -> &UsedPools {
        &self.used_pools
    }

    pub(crate) fn usable_arenas(&self) -> &UsableArenas {
        &self.usable_arenas
    }
}

impl Drop for Obmalloc {
    fn drop(&mut self) {
        for i in 0..self.arenas.len() {
            let base = self.arenas.get(ArenaIdx(i as u32)).address;
            if let Some(base) = NonNull::new(base) {
                arena_map::set_owner(base.addr().get(), 0);
                // SAFETY: dropping the instance ends the life of all its blocks.
                unsafe { self.source.unmap(base) };
            }
        }
    }
}

const _: () = assert!(ARENA_SIZE / POOL_SIZE == MAX_POOLS_IN_ARENA);

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator, so the test needs no dependency.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn pool_used_full_used_empty() {
        let mut a = Obmalloc::with_config(Config::cpython());
        let c = SizeClass::for_request(512).unwrap();
        let n = c.blocks_per_pool();
        let blocks: Vec<_> = (0..n).map(|_| a.alloc(512).unwrap()).collect();
        let pool = pool::pool_of(blocks[0].as_ptr());
        assert!(
            blocks.iter().all(|b| pool::pool_of(b.as_ptr()) == pool),
            "one pool"
        );
        // Full: off the ring.
        assert!(a.used_pools.head(c).is_null());
        a.validate().unwrap();
        // Full -> Used: back at the front; the next allocation reuses the freed block.
        // SAFETY: live block of `a`.
        unsafe { a.free(blocks[5].as_ptr()) };
        assert_eq!(a.used_pools.head(c), pool);
        let again = a.alloc(500).unwrap();
        assert_eq!(again, blocks[5]);
        a.validate().unwrap();
        // Used -> Empty: the pool goes to its arena's free pools.
        for b in &blocks {
            // SAFETY: every block is live and freed once.
            unsafe { a.free(b.as_ptr()) };
        }
        let s = a.stats();
        assert_eq!(s.classes[c.index()].pools, 0);
        assert_eq!(s.unused_pools, MAX_POOLS_IN_ARENA);
        assert_eq!(s.arenas_current, 1, "CPython keeps the last usable arena");
        a.validate().unwrap();
    }

    #[test]
    fn last_pool_of_a_class_lingers_until_the_next_slow_path() {
        let mut a = Obmalloc::new();
        let c = SizeClass::for_request(32).unwrap();
        let p = a.alloc(32).unwrap();
        let pool = pool::pool_of(p.as_ptr());
        // SAFETY: live block, freed once.
        unsafe { a.free_sized(p, 32) };
        // Still on its ring: the next allocation of the class takes the fast path.
        assert_eq!(a.used_pools.head(c), pool);
        assert_eq!(a.lingering_mask, 1 << c.index());
        assert_eq!(a.allocated_blocks(), 0);
        assert_eq!(a.stats().classes[c.index()].pools, 0, "reported as unused");
        assert_eq!(a.stats().unused_pools, MAX_POOLS_IN_ARENA);
        a.validate().unwrap();
        for _ in 0..1000 {
            let q = a.alloc(20).unwrap();
            assert_eq!(pool::pool_of(q.as_ptr()), pool);
            // SAFETY: live block, freed once.
            unsafe { a.free_sized(q, 20) };
        }
        // Another class's slow path lets it go.
        let r = a.alloc(100).unwrap();
        assert_eq!(a.lingering_mask, 0);
        assert!(a.used_pools.head(c).is_null());
        a.validate().unwrap();
        // SAFETY: live block, freed once.
        unsafe { a.free(r.as_ptr()) };
        // Without lingering (CPython), the pool goes back at once.
        let mut b = Obmalloc::with_config(Config::cpython());
        let p = b.alloc(32).unwrap();
        // SAFETY: live block, freed once.
        unsafe { b.free(p.as_ptr()) };
        assert!(b.used_pools.head(c).is_null());
        b.validate().unwrap();
    }

    #[test]
    fn debug_summarises_without_walking() {
        let mut a = Obmalloc::with_config(Config::cpython());
        let p = a.alloc(8).unwrap();
        let s = format!("{a:?}");
        assert!(s.starts_with("Obmalloc { id: "), "{s}");
        assert!(
            s.contains("arenas_current: 1") && s.contains("raw_blocks: 0"),
            "{s}"
        );
        // SAFETY: live block, freed once.
        unsafe { a.free(p.as_ptr()) };
    }

    #[test]
    fn random_ops_keep_invariants() {
        let rounds = if cfg!(miri) { 300 } else { 40_000 };
        let mut a = Obmalloc::with_config(Config::default().with_arena_cache(1));
        let mut live: Vec<(NonNull<u8>, usize, u8)> = Vec::new();
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        for step in 0..rounds {
            let r = xorshift(&mut s);
            if live.is_empty() || r % 100 < 55 {
                let n = (r >> 8) as usize % 600;
                let p = a.alloc(n).unwrap();
                let fill = (r >> 40) as u8;
                // SAFETY: fresh block of at least n bytes.
                unsafe { p.as_ptr().write_bytes(fill, n) };
                live.push((p, n, fill));
            } else {
                let (p, n, fill) = live.swap_remove((r >> 8) as usize % live.len());
                // SAFETY: the block is live with n bytes written.
                let bytes = unsafe { core::slice::from_raw_parts(p.as_ptr(), n) };
                assert!(bytes.iter().all(|&b| b == fill), "block {p:p} corrupted");
                // SAFETY: live block freed once.
                unsafe { a.free_sized(p, n) };
            }
            if step % 997 == 0 {
                a.validate().unwrap();
                assert_eq!(a.allocated_blocks(), live.len());
            }
        }
        for (p, n, _) in live.drain(..) {
            // SAFETY: live block freed once.
            unsafe { a.free_sized(p, n) };
        }
        a.validate().unwrap();
        assert_eq!(a.allocated_blocks(), 0);
        a.trim();
        assert_eq!(a.stats().arenas_current, 0);
    }
}
