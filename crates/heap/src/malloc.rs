//! The heap's memory allocator, and the switch CPython's `PYTHONMALLOC` pulls.
//!
//! Every object's block comes from one allocator (`ObjAllocator`) in the heap state. By default that
//! is a plain [`Obmalloc`] (pymalloc); before the first allocation, [`set_malloc_mode`] can
//! choose one of CPython's other configurations instead:
//!
//! | [`MallocMode`]                  | objects come from                                   |
//! |---------------------------------|-----------------------------------------------------|
//! | `default`, `pymalloc`           | pymalloc ([`Obmalloc`])                             |
//! | `debug`, `pymalloc_debug`       | pymalloc with debug hooks ([`DebugObmalloc::new`]) |
//! | `malloc`                        | the system allocator                               |
//! | `malloc_debug`                  | the system allocator with debug hooks ([`DebugObmalloc::over_malloc`]) |
//!
//! The debug hooks are obmalloc's (CPython's): every block is wrapped in guard bytes, fresh
//! data is filled with 0xCD and freed blocks with 0xDD, and every free is checked against a
//! registry of live blocks and their API family (objects are the `PyObject_Malloc`
//! family, [`Domain::Obj`]). A block found damaged when it is freed is reported on stderr
//! with the debug layer's report (modelled on CPython's `_PyObject_DebugDumpAddress`) and
//! leaked, never released; where CPython then aborts the process, pymem goes on, and
//! counts the error ([`malloc_debug_errors`]).
//!
//! [`malloc_stats`] and [`allocated_blocks`] are `sys._debugmallocstats()` and
//! `sys.getallocatedblocks()`: pymalloc's statistics, which exist only in the modes that
//! use pymalloc (as in CPython, where both report nothing under `malloc`).
//!
//! **Under Miri** the default mode takes objects from the system allocator instead, one
//! allocation per object: Miri's Tree Borrows checks every access against all the borrow
//! tags of the allocation it falls in, and hundreds of live objects in one arena-sized
//! allocation made the heap's tests a hundred times slower (minutes per test). Miri still
//! checks the heap's own unsafe code the same way, catches leaked objects, and checks
//! pymalloc itself in obmalloc's tests; `set_malloc_mode(MallocMode::Pymalloc)` still
//! selects pymalloc there.
//!
//! The default mode costs the allocation and free paths one predictable branch: the
//! allocator's kind starts as "not chosen yet", so the very first allocation takes the
//! cold path, which fixes the mode for good; from then on pymalloc is the taken branch.
//!
//! ```
//! use heap::{MallocMode, Obj, Object, Trace, with_gil};
//!
//! #[derive(Trace)]
//! struct Leaf(u64);
//! impl Object for Leaf {}
//!
//! with_gil(|gil| {
//!     let leaf = Obj::new(gil, Leaf(1));
//!     // The first allocation fixed the mode (the default: pymalloc).
//!     assert_eq!(heap::malloc_mode(gil), MallocMode::Default);
//!     let stats = heap::malloc_stats(gil).expect("pymalloc is in use");
//!     assert!(stats.arenas_current >= 1);
//!     assert!(heap::allocated_blocks(gil) >= 1);
//!     assert!(heap::set_malloc_mode(MallocMode::Malloc).is_err());
//!     drop(leaf);
//! });
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt;
use std::ptr::NonNull;

use obmalloc::debug::{DebugObmalloc, Domain};
use obmalloc::{Obmalloc, Stats};

pub use obmalloc::debug::MallocMode;

use crate::gil::{Gil, gil_held, with_gil};
use crate::state::heap;

/// Alignment of every object block (the heap lays objects out for 16).
const BLOCK_ALIGN: usize = 16;

/// Which allocator serves objects, once chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    /// pymalloc, no hooks: the fast path.
    Pymalloc = 0,
    /// Nothing allocated yet: the mode can still change.
    Unset,
    /// The system allocator, no hooks.
    Malloc,
    /// Debug hooks over pymalloc or the system allocator (`debug` holds them).
    Debug,
}

impl Kind {
    /// The allocator a mode selects (the default: pymalloc, or the system allocator under
    /// Miri; see the module documentation).
    fn for_mode(mode: MallocMode) -> Kind {
        match mode {
            MallocMode::Default if cfg!(miri) => Kind::Malloc,
            MallocMode::Default | MallocMode::Pymalloc => Kind::Pymalloc,
            MallocMode::Malloc => Kind::Malloc,
            MallocMode::Debug | MallocMode::PymallocDebug | MallocMode::MallocDebug => Kind::Debug,
        }
    }
}

/// The heap's object allocator: pymalloc, or what [`set_malloc_mode`] chose instead.
pub(crate) struct ObjAllocator {
    kind: Kind,
    mode: MallocMode,
    pymalloc: Obmalloc,
    debug: Option<DebugObmalloc>,
    /// Damaged blocks the debug hooks reported.
    debug_errors: usize,
}

impl ObjAllocator {
    /// An allocator whose mode is still [`MallocMode::Default`] and can still change.
    pub(crate) fn new() -> ObjAllocator {
        ObjAllocator {
            kind: Kind::Unset,
            mode: MallocMode::Default,
            pymalloc: Obmalloc::new(),
            debug: None,
            debug_errors: 0,
        }
    }

    /// Chooses the mode; fails once a block was allocated.
    pub(crate) fn set_mode(&mut self, mode: MallocMode) -> Result<(), MallocModeError> {
        if self.kind != Kind::Unset {
            return Err(MallocModeError {
                current: self.mode,
                requested: mode,
            });
        }
        self.mode = mode;
        Ok(())
    }

    /// The mode chosen (or still to be used by the first allocation).
    pub(crate) fn mode(&self) -> MallocMode {
        self.mode
    }

    /// Allocates `nbytes` bytes, 16-aligned; `None` when memory runs out.
    #[inline(always)]
    pub(crate) fn alloc(&mut self, nbytes: usize) -> Option<NonNull<u8>> {
        if self.kind == Kind::Pymalloc {
            self.pymalloc.alloc(nbytes)
        } else {
            self.alloc_cold(nbytes)
        }
    }

    /// Frees a block of `nbytes` bytes.
    ///
    /// # Safety
    /// `ptr` came from [`alloc`](Self::alloc)`(nbytes)` of this allocator and is freed once.
    #[inline(always)]
    pub(crate) unsafe fn free_sized(&mut self, ptr: NonNull<u8>, nbytes: usize) {
        if self.kind == Kind::Pymalloc {
            // SAFETY: (caller) a block of `nbytes` from this pymalloc, freed once.
            unsafe { self.pymalloc.free_sized(ptr, nbytes) }
        } else {
            // SAFETY: (caller).
            unsafe { self.free_cold(ptr, nbytes) }
        }
    }

    /// Fixes the mode at the first allocation.
    fn lock_mode(&mut self) {
        debug_assert_eq!(self.kind, Kind::Unset);
        self.kind = Kind::for_mode(self.mode);
        if self.kind == Kind::Debug {
            self.debug = DebugObmalloc::for_mode(self.mode);
            debug_assert!(self.debug.is_some());
        }
    }

    #[cold]
    #[inline(never)]
    fn alloc_cold(&mut self, nbytes: usize) -> Option<NonNull<u8>> {
        match self.kind {
            Kind::Unset => {
                self.lock_mode();
                self.alloc(nbytes)
            }
            Kind::Pymalloc => self.pymalloc.alloc(nbytes),
            Kind::Malloc => {
                let layout = Layout::from_size_align(nbytes.max(1), BLOCK_ALIGN).ok()?;
                // SAFETY: the layout's size is not zero.
                NonNull::new(unsafe { System.alloc(layout) })
            }
            Kind::Debug => self.debug.as_mut()?.alloc(Domain::Obj, nbytes),
        }
    }

    /// # Safety
    /// As [`free_sized`](Self::free_sized).
    #[cold]
    #[inline(never)]
    unsafe fn free_cold(&mut self, ptr: NonNull<u8>, nbytes: usize) {
        match self.kind {
            // SAFETY: (caller).
            Kind::Pymalloc => unsafe { self.pymalloc.free_sized(ptr, nbytes) },
            Kind::Malloc => {
                let layout = Layout::from_size_align(nbytes.max(1), BLOCK_ALIGN)
                    .expect("the layout the block was allocated with");
                // SAFETY: (caller) `ptr` came from `System.alloc` with this very layout.
                unsafe { System.dealloc(ptr.as_ptr(), layout) }
            }
            Kind::Debug => {
                let Some(debug) = self.debug.as_mut() else {
                    return;
                };
                // The debug layer checks the pointer against its registry before touching
                // it, so a bad free is reported, never undefined behaviour.
                if let Err(e) = debug.free(Domain::Obj, ptr.as_ptr()) {
                    self.debug_errors += 1;
                    let mode = self.mode;
                    eprintln!(
                        "{e}\npymem: PYTHONMALLOC={mode}: bad free of an object's block; the \
                         block is leaked and the program goes on (CPython would abort here)"
                    );
                }
            }
            // Nothing was allocated: nothing can be freed.
            Kind::Unset => {}
        }
    }

    /// The pymalloc instance serving objects, if the mode uses pymalloc.
    fn pymalloc_in_use(&self) -> Option<&Obmalloc> {
        match &self.debug {
            Some(d) if d.uses_pymalloc() => Some(d.inner()),
            Some(_) => None,
            None if Kind::for_mode(self.mode) != Kind::Malloc && self.mode.uses_pymalloc() => {
                Some(&self.pymalloc)
            }
            None => None,
        }
    }

    pub(crate) fn stats(&self) -> Option<Stats> {
        self.pymalloc_in_use().map(Obmalloc::stats)
    }

    pub(crate) fn allocated_blocks(&self) -> usize {
        self.pymalloc_in_use().map_or(0, Obmalloc::allocated_blocks)
    }

    pub(crate) fn debug_errors(&self) -> usize {
        self.debug_errors
    }
}

/// [`set_malloc_mode`] was called after the heap had allocated: the allocator can no longer
/// change (its blocks must be freed by the allocator that made them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MallocModeError {
    current: MallocMode,
    requested: MallocMode,
}

impl MallocModeError {
    /// The mode in force, fixed by the heap's first allocation.
    pub fn current(&self) -> MallocMode {
        self.current
    }

    /// The mode that was asked for.
    pub fn requested(&self) -> MallocMode {
        self.requested
    }
}

impl fmt::Display for MallocModeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot switch the heap's allocator to {}: it has already allocated with {}",
            self.requested, self.current
        )
    }
}

impl std::error::Error for MallocModeError {}

/// Runs `f` on the heap's allocator, taking the GIL if this thread does not hold it.
fn with_allocator<R>(f: impl FnOnce(&mut ObjAllocator) -> R) -> R {
    let run = || {
        // SAFETY: GIL held (below), heap initialised (`with_gil` does it), and no borrow of
        // the allocator is alive: they only live inside allocation and free calls, and `f`
        // does not reenter the heap.
        f(unsafe { heap().obmalloc() })
    };
    if gil_held() {
        run()
    } else {
        with_gil(|_| run())
    }
}

/// Chooses the allocator objects come from (CPython's `PYTHONMALLOC`); call it before the
/// heap allocates anything, e.g. first thing in `main`. Takes the GIL if this thread does
/// not hold it. See the [module documentation](crate::malloc) for what each mode does.
///
/// # Errors
/// [`MallocModeError`] once the heap has allocated a block (the mode is then fixed, even if
/// every object died since); the mode is unchanged.
pub fn set_malloc_mode(mode: MallocMode) -> Result<(), MallocModeError> {
    with_allocator(|a| a.set_mode(mode))
}

/// The allocator mode: the one [`set_malloc_mode`] chose, [`MallocMode::Default`] if none.
pub fn malloc_mode(_gil: &Gil<'_>) -> MallocMode {
    with_allocator(|a| a.mode())
}

/// pymalloc's statistics for the heap (what `sys._debugmallocstats()` prints: the
/// [`Stats`] `Display` is CPython 3.11's report). `None` in the modes that do not use
/// pymalloc (`malloc`, `malloc_debug`), where CPython prints no report either. Under the
/// debug hooks the blocks are the hooks' (24 bytes larger than the objects).
pub fn malloc_stats(_gil: &Gil<'_>) -> Option<Stats> {
    with_allocator(|a| a.stats())
}

/// Blocks pymalloc has allocated and not freed: `sys.getallocatedblocks()`. Every object is
/// one block (objects over 512 bytes are pymalloc's "raw" blocks, counted too); 0 in the
/// modes that do not use pymalloc, as in CPython.
pub fn allocated_blocks(_gil: &Gil<'_>) -> usize {
    with_allocator(|a| a.allocated_blocks())
}

/// How many bad frees the debug hooks have reported (damaged guard bytes, a block freed
/// twice or not the heap's); always 0 without the hooks.
pub fn malloc_debug_errors(_gil: &Gil<'_>) -> usize {
    with_allocator(|a| a.debug_errors())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(mode: MallocMode) -> ObjAllocator {
        let mut a = ObjAllocator::new();
        a.set_mode(mode).unwrap();
        let sizes = [16, 48, 100, 512, 600];
        let blocks: Vec<_> = sizes.iter().map(|&n| (a.alloc(n).unwrap(), n)).collect();
        for &(p, n) in &blocks {
            assert_eq!(p.as_ptr().addr() % BLOCK_ALIGN, 0, "{mode}: alignment");
            // SAFETY: the block has `n` bytes.
            unsafe { p.as_ptr().write_bytes(0xAB, n) };
        }
        assert_eq!(a.set_mode(MallocMode::Default).unwrap_err().current(), mode);
        let in_use = a.allocated_blocks();
        let on_pymalloc = mode.uses_pymalloc() && !(cfg!(miri) && mode == MallocMode::Default);
        if on_pymalloc {
            assert_eq!(in_use, sizes.len(), "{mode}");
            let stats = a.stats().unwrap();
            assert_eq!(stats.small_blocks() + stats.raw_blocks, sizes.len());
            assert!(stats.arenas_current >= 1);
        } else {
            assert_eq!(in_use, 0);
            assert!(a.stats().is_none());
        }
        for (p, n) in blocks {
            // SAFETY: allocated above with `n` bytes, freed once.
            unsafe { a.free_sized(p, n) };
        }
        assert_eq!(a.allocated_blocks(), 0);
        assert_eq!(a.debug_errors(), 0);
        a
    }

    #[test]
    fn every_mode_allocates_and_frees() {
        for mode in MallocMode::ALL {
            let a = roundtrip(mode);
            assert_eq!(a.mode(), mode);
            let expected = match mode {
                MallocMode::Default if cfg!(miri) => Kind::Malloc,
                MallocMode::Default | MallocMode::Pymalloc => Kind::Pymalloc,
                MallocMode::Malloc => Kind::Malloc,
                _ => Kind::Debug,
            };
            assert_eq!(a.kind, expected);
        }
    }

    #[test]
    fn debug_hooks_pad_blocks_and_fill_them() {
        let mut a = ObjAllocator::new();
        a.set_mode(MallocMode::PymallocDebug).unwrap();
        // 40 bytes + 24 of guards: the 64-byte class, not the 48-byte one.
        let p = a.alloc(40).unwrap();
        let stats = a.stats().unwrap();
        assert_eq!(stats.classes[3].blocks_in_use, 1);
        assert_eq!(stats.classes[2].blocks_in_use, 0);
        // SAFETY: the block has 40 bytes, filled with CLEANBYTE by the hooks.
        assert_eq!(unsafe { p.as_ptr().read() }, obmalloc::debug::CLEANBYTE);
        // SAFETY: allocated above, freed once.
        unsafe { a.free_sized(p, 40) };
        assert_eq!(a.allocated_blocks(), 0);
    }

    #[test]
    fn a_damaged_block_is_reported_and_leaked() {
        let mut a = ObjAllocator::new();
        a.set_mode(MallocMode::Debug).unwrap();
        let p = a.alloc(32).unwrap();
        // SAFETY: byte 32 is the first of the trailing pad, inside the same allocation:
        // the buggy write damages the guard, not the memory model.
        unsafe { p.as_ptr().add(32).write(b'x') };
        // SAFETY: allocated above, freed once (the hooks refuse it).
        unsafe { a.free_sized(p, 32) };
        assert_eq!(a.debug_errors(), 1);
        assert_eq!(a.allocated_blocks(), 1, "the damaged block stays allocated");
        // Repair the pad: now the free goes through.
        // SAFETY: as above.
        unsafe { p.as_ptr().add(32).write(obmalloc::debug::FORBIDDENBYTE) };
        // SAFETY: the block is still live for the hooks.
        unsafe { a.free_sized(p, 32) };
        assert_eq!(a.allocated_blocks(), 0);
        assert_eq!(a.debug_errors(), 1);
    }

    #[test]
    fn the_global_mode_is_fixed_by_the_first_allocation() {
        use crate::{Obj, Object, Trace};
        #[derive(Trace)]
        struct Probe {
            n: u64,
        }
        impl Object for Probe {}

        with_gil(|gil| {
            let o = Obj::new(gil, Probe { n: 7 });
            assert_eq!(o.get(gil).n, 7);
            let err = set_malloc_mode(MallocMode::Malloc).unwrap_err();
            assert_eq!(err.requested(), MallocMode::Malloc);
            assert_eq!(err.current(), malloc_mode(gil));
            assert!(err.to_string().contains("already allocated"));
            if cfg!(miri) {
                // The default is the system allocator under Miri: no pymalloc statistics.
                assert_eq!(allocated_blocks(gil), 0);
                assert!(malloc_stats(gil).is_none());
            } else {
                assert!(allocated_blocks(gil) >= 1);
                let stats = malloc_stats(gil).expect("the default mode uses pymalloc");
                assert!(stats.arenas_allocated_total >= 1);
                assert!(stats.to_string().contains("# arenas allocated total"));
            }
            assert_eq!(malloc_debug_errors(gil), 0);
            drop(o);
        });
    }
}
