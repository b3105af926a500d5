//! Debug allocator: CPython's `PYTHONMALLOC=debug` hooks over [`Obmalloc`].
//!
//! Every block handed out by [`DebugObmalloc`] is wrapped in guards, exactly as CPython's
//! debug hooks lay it out (S = 8 bytes, 24 bytes of overhead, data stays 16-byte aligned):
//!
//! ```text
//! base: [size: 8 B big-endian][API id 'r'|'m'|'o'][7 B 0xFD] p: [data: n B, 0xCD when fresh] tail: [8 B 0xFD]
//! ```
//!
//! * On allocation the data is filled with [`CLEANBYTE`] (0xCD), so reads of uninitialised
//!   memory show up as `cd cd cd ...` (`calloc` zeroes it instead).
//! * On a good free the whole block, header and pads included, is filled with
//!   [`DEADBYTE`] (0xDD) before it is released, so use after free shows `dd dd dd ...`.
//! * The pads are [`FORBIDDENBYTE`] (0xFD): a write one byte past the end lands on
//!   `tail+0`, one byte before the start on `p-1`.
//!
//! Unlike CPython, which trusts the header and aborts the process, this allocator keeps a
//! registry of every live block (address → requested size and [`Domain`]) and of the
//! addresses freed and not handed out again. So [`DebugObmalloc::free`],
//! [`realloc`](DebugObmalloc::realloc) and [`check`](DebugObmalloc::check) are safe
//! functions: a pointer that is not the start of a live block is reported as
//! [`DebugError::Foreign`] or [`DebugError::DoubleFree`] without ever being dereferenced,
//! and a block whose guards are damaged is reported ([`DebugError::BadLeadingPad`],
//! [`DebugError::BadTrailingPad`]) and *not* released: it is leaked on purpose, so that
//! the allocator never takes back memory whose neighbourhood may be corrupted. The report
//! ([`DebugError`]'s `Display`) is modelled on CPython's `_PyObject_DebugDumpAddress`.
//!
//! The [`Domain`]s are PEP 445's: [`Domain::Raw`] (`PyMem_RawMalloc`) goes straight to
//! libc `malloc`; [`Domain::Mem`] (`PyMem_Malloc`) and [`Domain::Obj`]
//! (`PyObject_Malloc`) go through the wrapped [`Obmalloc`] (or to libc too, for an
//! allocator made with [`DebugObmalloc::over_malloc`], CPython's `malloc_debug`). Freeing
//! a block through another domain than the one that allocated it is
//! [`DebugError::WrongDomain`].
//!
//! [`DebugObmalloc::check_all`] checks every live block at once. Beyond CPython, an
//! optional quarantine ([`DebugObmalloc::set_quarantine`]) keeps the last freed blocks
//! filled with 0xDD instead of releasing them, so that writes after free are caught too
//! ([`DebugError::WriteAfterFree`]).
//!
//! [`MallocMode`] parses CPython's `PYTHONMALLOC` names.
//!
//! # Example
//!
//! A one-byte buffer overflow is caught when the block is freed:
//!
//! ```
//! use obmalloc::debug::{DebugError, DebugObmalloc, Domain};
//!
//! let mut heap = DebugObmalloc::new();
//! let p = heap.alloc(Domain::Obj, 10).expect("out of memory");
//! // SAFETY: the 10 data bytes are followed by the 8-byte trailing pad, which belongs to
//! // the same allocation: this buggy write damages the guard, not the Rust memory model.
//! unsafe { p.as_ptr().add(10).write(b'x') };
//!
//! let err = heap.free(Domain::Obj, p.as_ptr()).unwrap_err();
//! assert!(matches!(err, DebugError::BadTrailingPad(_)));
//! let report = err.to_string();
//! assert!(report.contains("10 bytes originally requested"));
//! assert!(report.contains("at tail+0: 0x78 *** OUCH"));
//! eprintln!("{report}");
//!
//! // The damaged block was not released. Repair the pad and it can be freed for real.
//! // SAFETY: as above, the pad byte is inside the still-allocated block.
//! unsafe { p.as_ptr().add(10).write(0xFD) };
//! assert_eq!(heap.free(Domain::Obj, p.as_ptr()), Ok(()));
//! ```

use core::fmt;
use core::ptr::NonNull;
use core::str::FromStr;
use std::collections::{HashMap, VecDeque};
use std::ffi::OsStr;

use crate::Obmalloc;

/// Size of the size field, and unit of the debug layout (CPython's `SST`).
const SST: usize = 8;
/// Bytes before the data: the size field, the API id and the 7 leading pad bytes.
pub const HEADER_SIZE: usize = 2 * SST;
/// Bytes after the data: the trailing pad.
pub const TRAILER_SIZE: usize = SST;
/// Bytes added to every request: `HEADER_SIZE + TRAILER_SIZE` = 24.
pub const OVERHEAD: usize = HEADER_SIZE + TRAILER_SIZE;
/// Largest request the debug allocator accepts (larger ones return `None`, like CPython).
pub const MAX_REQUEST: usize = isize::MAX as usize - OVERHEAD;
/// Fills fresh data (CPython's `PYMEM_CLEANBYTE`).
pub const CLEANBYTE: u8 = 0xCD;
/// Fills a whole block, pads included, when it is freed (`PYMEM_DEADBYTE`).
pub const DEADBYTE: u8 = 0xDD;
/// Fills the leading and trailing pads (`PYMEM_FORBIDDENBYTE`).
pub const FORBIDDENBYTE: u8 = 0xFD;
/// `realloc` erases (and restores) up to this many data bytes at each end of the old block,
/// so that a block left behind by a move looks dead (CPython's `ERASED_SIZE`).
const ERASED_SIZE: usize = 64;
/// At most this many damaged bytes are recorded for a write after free.
const MAX_REPORTED_BYTES: usize = 16;
/// Bytes of data shown at each end of a block in a report ("Data at p: ...").
const DUMP_BYTES: usize = 8;

const _: () = assert!(
    HEADER_SIZE.is_multiple_of(crate::ALIGNMENT),
    "data must stay aligned"
);

// ---------------------------------------------------------------------------------------
// Domains
// ---------------------------------------------------------------------------------------

/// A PEP 445 allocator domain: which API family a block was allocated through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Domain {
    /// `PyMem_RawMalloc` & co., API id `'r'`: straight to libc `malloc`.
    Raw,
    /// `PyMem_Malloc` & co., API id `'m'`: the wrapped [`Obmalloc`].
    Mem,
    /// `PyObject_Malloc` & co., API id `'o'`: the wrapped [`Obmalloc`].
    Obj,
}

impl Domain {
    /// The three domains, in CPython's order.
    pub const ALL: [Domain; 3] = [Domain::Raw, Domain::Mem, Domain::Obj];

    /// The API id stored in every block's header: `'r'`, `'m'` or `'o'`.
    pub const fn api_id(self) -> char {
        match self {
            Domain::Raw => 'r',
            Domain::Mem => 'm',
            Domain::Obj => 'o',
        }
    }

    /// The domain whose API id is `id`, if any.
    pub const fn from_api_id(id: char) -> Option<Domain> {
        match id {
            'r' => Some(Domain::Raw),
            'm' => Some(Domain::Mem),
            'o' => Some(Domain::Obj),
            _ => None,
        }
    }

    /// The C allocation function of this domain, for reports: `PyMem_RawMalloc`,
    /// `PyMem_Malloc` or `PyObject_Malloc`.
    pub const fn malloc_name(self) -> &'static str {
        match self {
            Domain::Raw => "PyMem_RawMalloc",
            Domain::Mem => "PyMem_Malloc",
            Domain::Obj => "PyObject_Malloc",
        }
    }

    /// The API id as the header byte.
    const fn id_byte(self) -> u8 {
        self.api_id() as u8
    }
}

/// Shows the API id and family, e.g. `'o' (PyObject_Malloc)`.
impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' ({})", self.api_id(), self.malloc_name())
    }
}

mod error;
mod mode;
#[cfg(test)]
mod tests;

pub use error::{BadByte, Corruption, DebugError};
pub use mode::{MallocMode, ParseMallocModeError};

// ---------------------------------------------------------------------------------------
// The allocator
// ---------------------------------------------------------------------------------------

/// The header of a block of `size` bytes from `domain`.
fn header_bytes(size: usize, domain: Domain) -> [u8; HEADER_SIZE] {
    let mut h = [FORBIDDENBYTE; HEADER_SIZE];
    h[..SST].copy_from_slice(&(size as u64).to_be_bytes());
    h[SST] = domain.id_byte();
    h
}

/// The base pointer of a tracked block.
#[derive(Clone, Copy, Debug)]
struct Base(NonNull<u8>);

// SAFETY: a `Base` is only the address of a block owned by one `DebugObmalloc`; it is only
// dereferenced through that allocator's `&mut self`, so moving it to another thread along
// with the allocator shares nothing.
unsafe impl Send for Base {}

/// A live or quarantined block: its whole allocation is `size + OVERHEAD` bytes at `base`.
#[derive(Clone, Copy, Debug)]
struct Block {
    base: Base,
    size: usize,
    domain: Domain,
}

impl Block {
    fn total(&self) -> usize {
        self.size + OVERHEAD
    }

    fn base(&self) -> *mut u8 {
        self.base.0.as_ptr()
    }

    /// The data pointer `p`.
    fn data(&self) -> NonNull<u8> {
        // SAFETY: the allocation is `size + 24` bytes, so `base + 16` is inside it (or one
        // past its data when `size == 0`), and not null.
        unsafe { self.base.0.add(HEADER_SIZE) }
    }

    /// The address of `p`, computed without pointer arithmetic so that it stays usable
    /// as a registry key after the block was released.
    fn addr(&self) -> usize {
        self.base.0.addr().get() + HEADER_SIZE
    }

    /// Compares the guards with what was written at allocation.
    ///
    /// # Safety
    /// The block's `total()` bytes at `base` are still allocated.
    unsafe fn inspect(&self) -> Result<(), DebugError> {
        let mut header = [0u8; HEADER_SIZE];
        let mut trailer = [0u8; TRAILER_SIZE];
        let data = self.data().as_ptr();
        // SAFETY: header and trailer lie inside the block's allocation (caller).
        unsafe {
            header.copy_from_slice(core::slice::from_raw_parts(self.base(), HEADER_SIZE));
            trailer.copy_from_slice(core::slice::from_raw_parts(
                data.add(self.size),
                TRAILER_SIZE,
            ));
        }
        let leading_bad = header != header_bytes(self.size, self.domain);
        let trailing_bad = trailer.iter().any(|&b| b != FORBIDDENBYTE);
        if !leading_bad && !trailing_bad {
            return Ok(());
        }
        let (head_len, tail_len) = if self.size <= 2 * DUMP_BYTES {
            (self.size, 0)
        } else {
            (DUMP_BYTES, DUMP_BYTES)
        };
        // SAFETY: both ranges lie inside the `size` data bytes (caller).
        let (data_head, data_tail) = unsafe {
            (
                core::slice::from_raw_parts(data, head_len).to_vec(),
                core::slice::from_raw_parts(data.add(self.size - tail_len), tail_len).to_vec(),
            )
        };
        let c = Corruption {
            block: self.addr(),
            domain: self.domain,
            size: self.size,
            header,
            trailer,
            data_head,
            data_tail,
        };
        Err(if leading_bad {
            DebugError::BadLeadingPad(c)
        } else {
            DebugError::BadTrailingPad(c)
        })
    }

    /// Checks that a freed block still holds only `DEADBYTE`s.
    ///
    /// # Safety
    /// The block's `total()` bytes at `base` are still allocated.
    unsafe fn inspect_dead(&self) -> Result<(), DebugError> {
        // SAFETY: the whole block is allocated (caller).
        let bytes = unsafe { core::slice::from_raw_parts(self.base(), self.total()) };
        let mut bad = Vec::new();
        let mut total_bad = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if b != DEADBYTE {
                total_bad += 1;
                if bad.len() < MAX_REPORTED_BYTES {
                    bad.push(BadByte {
                        offset: i as isize - HEADER_SIZE as isize,
                        found: b,
                        expected: DEADBYTE,
                    });
                }
            }
        }
        if total_bad == 0 {
            return Ok(());
        }
        Err(DebugError::WriteAfterFree {
            block: self.addr(),
            domain: self.domain,
            size: self.size,
            bad,
            total_bad,
        })
    }
}

/// What is remembered about a freed address.
#[derive(Clone, Copy, Debug)]
struct Freed {
    size: usize,
    domain: Domain,
}

/// Where `Mem` and `Obj` blocks come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    /// The wrapped `Obmalloc` (`pymalloc_debug`).
    Pymalloc,
    /// libc `malloc` (`malloc_debug`).
    Malloc,
}

/// CPython's debug hooks over an [`Obmalloc`]: guarded blocks, fill patterns, and a
/// registry of live blocks so that misuse is reported as a [`DebugError`] instead of
/// corrupting memory. See the [module documentation](self).
///
/// Costs: besides the 24 bytes per block and the fills, one registry entry per live block
/// and one per address freed and not handed out again (so memory for the registry grows
/// with the number of distinct addresses ever freed; pymalloc reuses addresses heavily).
/// Dropping the allocator releases every block it still tracks, except damaged ones.
///
/// Send (when [`Obmalloc`] is), not Sync: every operation takes `&mut self`. The registry
/// itself lives in the Rust global allocator, so a `DebugObmalloc` cannot serve as the
/// global allocator.
pub struct DebugObmalloc {
    inner: Obmalloc,
    backend: Backend,
    /// Live blocks by data address.
    live: HashMap<usize, Block>,
    /// Data addresses freed (or moved away from by `realloc`) and not handed out since.
    freed: HashMap<usize, Freed>,
    /// Freed blocks, filled with `DEADBYTE`, not yet released (oldest first).
    quarantine: VecDeque<Block>,
    /// How many freed blocks `quarantine` may hold.
    quarantine_cap: usize,
    /// Quarantined blocks found written to when they left quarantine: never released.
    poisoned: Vec<Block>,
}

impl fmt::Debug for DebugObmalloc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DebugObmalloc")
            .field("backend", &self.backend)
            .field("live_blocks", &self.live.len())
            .field("freed_addresses", &self.freed.len())
            .field("quarantined", &self.quarantine.len())
            .field("quarantine_cap", &self.quarantine_cap)
            .field("poisoned", &self.poisoned.len())
            .finish_non_exhaustive()
    }
}

impl Default for DebugObmalloc {
    fn default() -> Self {
        DebugObmalloc::new()
    }
}

impl DebugObmalloc {
    /// Debug hooks over a new [`Obmalloc`] (CPython's `pymalloc_debug`).
    pub fn new() -> DebugObmalloc {
        DebugObmalloc::with_inner(Obmalloc::new())
    }

    /// Debug hooks over `inner`. Blocks `inner` already handed out are unknown to the
    /// debug allocator (freeing them through it is [`DebugError::Foreign`]).
    pub fn with_inner(inner: Obmalloc) -> DebugObmalloc {
        DebugObmalloc {
            inner,
            backend: Backend::Pymalloc,
            live: HashMap::new(),
            freed: HashMap::new(),
            quarantine: VecDeque::new(),
            quarantine_cap: 0,
            poisoned: Vec::new(),
        }
    }

    /// Debug hooks over libc `malloc` for all three domains (CPython's `malloc_debug`).
    /// The wrapped [`Obmalloc`] is created but not used.
    pub fn over_malloc() -> DebugObmalloc {
        let mut heap = DebugObmalloc::new();
        heap.backend = Backend::Malloc;
        heap
    }

    /// The debug allocator `mode` asks for: `Some` for `debug` and `pymalloc_debug`
    /// ([`new`](Self::new)) and `malloc_debug` ([`over_malloc`](Self::over_malloc)),
    /// `None` for the modes without debug hooks.
    pub fn for_mode(mode: MallocMode) -> Option<DebugObmalloc> {
        match mode {
            MallocMode::Debug | MallocMode::PymallocDebug => Some(DebugObmalloc::new()),
            MallocMode::MallocDebug => Some(DebugObmalloc::over_malloc()),
            MallocMode::Default | MallocMode::Pymalloc | MallocMode::Malloc => None,
        }
    }

    /// True when `Mem` and `Obj` blocks come from the wrapped [`Obmalloc`], false for
    /// [`over_malloc`](Self::over_malloc).
    pub fn uses_pymalloc(&self) -> bool {
        self.backend == Backend::Pymalloc
    }

    /// The wrapped allocator (for its statistics; its block counts include the debug
    /// allocator's blocks of the `Mem` and `Obj` domains).
    pub fn inner(&self) -> &Obmalloc {
        &self.inner
    }

    /// The wrapped allocator, mutably (to `trim` it, say). Freeing a debug block through
    /// it directly bypasses the registry.
    pub fn inner_mut(&mut self) -> &mut Obmalloc {
        &mut self.inner
    }

    /// Number of live blocks, all domains together.
    pub fn live_blocks(&self) -> usize {
        self.live.len()
    }

    /// The domain and requested size of the live block starting at `ptr`, if there is one.
    pub fn block_info(&self, ptr: *const u8) -> Option<(Domain, usize)> {
        self.live.get(&ptr.addr()).map(|b| (b.domain, b.size))
    }

    /// Keeps up to `blocks` freed blocks, filled with [`DEADBYTE`], allocated instead of
    /// releasing them at once, so that [`check_all`](Self::check_all) can tell when one is
    /// written to after it was freed ([`DebugError::WriteAfterFree`]), and so that a freed
    /// address is not reused too soon. 0, the default, releases every freed block at once,
    /// like CPython. Lowering the limit releases the oldest blocks beyond it.
    pub fn set_quarantine(&mut self, blocks: usize) {
        self.quarantine_cap = blocks;
        self.trim_quarantine();
    }

    /// How many freed blocks are kept in quarantine at most.
    pub fn quarantine(&self) -> usize {
        self.quarantine_cap
    }

    /// `PyMem_RawMalloc`/`PyMem_Malloc`/`PyObject_Malloc` with debug hooks: a block of
    /// `nbytes` data bytes filled with [`CLEANBYTE`], 16-byte aligned, between guards.
    /// `None` when out of memory or when `nbytes > MAX_REQUEST`.
    pub fn alloc(&mut self, domain: Domain, nbytes: usize) -> Option<NonNull<u8>> {
        self.allocate(domain, nbytes, false)
    }

    /// `calloc`: like [`alloc`](Self::alloc) for `nelem * elsize` bytes, but zero-filled.
    /// `None` when the product overflows or memory runs out.
    pub fn calloc(&mut self, domain: Domain, nelem: usize, elsize: usize) -> Option<NonNull<u8>> {
        let nbytes = nelem.checked_mul(elsize)?;
        self.allocate(domain, nbytes, true)
    }

    /// `free` with debug hooks. A null pointer is a no-op.
    ///
    /// On success the whole block, header and pads included, is filled with [`DEADBYTE`]
    /// and released (or quarantined, see [`set_quarantine`](Self::set_quarantine)).
    ///
    /// # Errors
    /// [`DebugError::Foreign`] or [`DebugError::DoubleFree`] when `ptr` is not a live
    /// block (it is not dereferenced); [`DebugError::WrongDomain`] when the block was
    /// allocated through another domain (it stays allocated and registered);
    /// [`DebugError::BadLeadingPad`] or [`DebugError::BadTrailingPad`] when its guards are
    /// damaged (it is leaked: never released).
    pub fn free(&mut self, domain: Domain, ptr: *mut u8) -> Result<(), DebugError> {
        if ptr.is_null() {
            return Ok(());
        }
        let block = self.verify(Some(domain), ptr)?;
        let addr = block.addr();
        self.live.remove(&addr);
        self.freed.insert(
            addr,
            Freed {
                size: block.size,
                domain: block.domain,
            },
        );
        // SAFETY: the block was live: its `total()` bytes at `base` are allocated and no
        // longer handed out.
        unsafe { block.base().write_bytes(DEADBYTE, block.total()) };
        if self.quarantine_cap == 0 {
            // SAFETY: the block is ours, allocated from `domain`'s backend with this size,
            // and dropped from the registry above.
            unsafe { self.release(block) };
        } else {
            self.quarantine.push_back(block);
            self.trim_quarantine();
        }
        Ok(())
    }

    /// `realloc` with debug hooks, following CPython's rules: a null `ptr` allocates;
    /// otherwise the block is checked, resized through its domain's backend (which may move
    /// it), its header and trailer are rewritten for `nbytes`, the data is kept up to
    /// `min(old, nbytes)` bytes and growth is filled with [`CLEANBYTE`]. A block that moves
    /// leaves behind memory whose header, pads and up to 64 bytes at each end of the data
    /// read [`DEADBYTE`]; its old address then counts as freed.
    ///
    /// Returns `Ok(None)`, with the old block untouched and still live, when memory runs
    /// out or `nbytes > MAX_REQUEST`.
    ///
    /// # Errors
    /// The same as [`free`](Self::free); the block is not resized.
    pub fn realloc(
        &mut self,
        domain: Domain,
        ptr: *mut u8,
        nbytes: usize,
    ) -> Result<Option<NonNull<u8>>, DebugError> {
        if ptr.is_null() {
            return Ok(self.alloc(domain, nbytes));
        }
        let old = self.verify(Some(domain), ptr)?;
        if nbytes > MAX_REQUEST {
            return Ok(None);
        }
        let total = nbytes + OVERHEAD;
        let old_size = old.size;
        let data = old.data().as_ptr();

        // Save the ends of the data and mark the old block dead, so that if the backend
        // moves it what stays behind looks freed.
        let mut save = [0u8; 2 * ERASED_SIZE];
        // SAFETY: every range below lies inside the old block's `old.total()` bytes, which
        // are allocated (the block is live).
        unsafe {
            if old_size <= 2 * ERASED_SIZE {
                core::ptr::copy_nonoverlapping(data, save.as_mut_ptr(), old_size);
                data.write_bytes(DEADBYTE, old_size);
            } else {
                core::ptr::copy_nonoverlapping(data, save.as_mut_ptr(), ERASED_SIZE);
                data.write_bytes(DEADBYTE, ERASED_SIZE);
                let end = data.add(old_size - ERASED_SIZE);
                core::ptr::copy_nonoverlapping(
                    end,
                    save.as_mut_ptr().add(ERASED_SIZE),
                    ERASED_SIZE,
                );
                end.write_bytes(DEADBYTE, ERASED_SIZE);
            }
            old.base().write_bytes(DEADBYTE, HEADER_SIZE);
            data.add(old_size).write_bytes(DEADBYTE, TRAILER_SIZE);
        }

        // SAFETY: `old` is a live block of this backend, allocated with `old.total()` bytes.
        let moved = unsafe { self.backend_realloc(old, total) };
        let (new, size) = match moved {
            Some(base) => (
                Block {
                    base: Base(base),
                    size: nbytes,
                    domain: old.domain,
                },
                nbytes,
            ),
            None => (old, old_size),
        };

        let new_data = new.data().as_ptr();
        // SAFETY: `new` is allocated with `size + OVERHEAD` bytes (the backend's answer, or
        // the untouched old block when it failed); every range written lies inside it.
        unsafe {
            core::ptr::copy_nonoverlapping(
                header_bytes(size, new.domain).as_ptr(),
                new.base(),
                HEADER_SIZE,
            );
            new_data.add(size).write_bytes(FORBIDDENBYTE, TRAILER_SIZE);
            if old_size <= 2 * ERASED_SIZE {
                core::ptr::copy_nonoverlapping(save.as_ptr(), new_data, size.min(old_size));
            } else {
                core::ptr::copy_nonoverlapping(save.as_ptr(), new_data, ERASED_SIZE.min(size));
                let i = old_size - ERASED_SIZE;
                if size > i {
                    core::ptr::copy_nonoverlapping(
                        save.as_ptr().add(ERASED_SIZE),
                        new_data.add(i),
                        (size - i).min(ERASED_SIZE),
                    );
                }
            }
            if size > old_size {
                new_data
                    .add(old_size)
                    .write_bytes(CLEANBYTE, size - old_size);
            }
        }
        if moved.is_none() {
            return Ok(None);
        }
        let (old_addr, new_addr) = (old.addr(), new.addr());
        self.live.remove(&old_addr);
        if old_addr != new_addr {
            self.freed.insert(
                old_addr,
                Freed {
                    size: old_size,
                    domain: old.domain,
                },
            );
        }
        self.freed.remove(&new_addr);
        self.live.insert(new_addr, new);
        Ok(Some(new.data()))
    }

    /// Checks the block starting at `ptr` without freeing it (CPython's
    /// `_PyMem_DebugCheckAddress`, without the API id, which is taken from the registry).
    ///
    /// # Errors
    /// [`DebugError::Foreign`] or [`DebugError::DoubleFree`] when `ptr` is not a live
    /// block; [`DebugError::BadLeadingPad`] or [`DebugError::BadTrailingPad`] when its
    /// guards are damaged.
    pub fn check(&self, ptr: *const u8) -> Result<(), DebugError> {
        self.verify(None, ptr).map(drop)
    }

    /// Checks every live block's guards, and that every quarantined block still holds only
    /// [`DEADBYTE`]s. Returns one error per damaged block, in address order (live blocks,
    /// then quarantined ones); empty when all is well.
    pub fn check_all(&self) -> Vec<DebugError> {
        let mut live: Vec<&Block> = self.live.values().collect();
        live.sort_unstable_by_key(|b| b.addr());
        let mut dead: Vec<&Block> = self.quarantine.iter().chain(&self.poisoned).collect();
        dead.sort_unstable_by_key(|b| b.addr());
        // SAFETY: live, quarantined and poisoned blocks are all still allocated.
        let live = live
            .into_iter()
            .filter_map(|b| unsafe { b.inspect() }.err());
        // SAFETY: as above.
        let dead = dead
            .into_iter()
            .filter_map(|b| unsafe { b.inspect_dead() }.err());
        live.chain(dead).collect()
    }

    fn allocate(&mut self, domain: Domain, nbytes: usize, zeroed: bool) -> Option<NonNull<u8>> {
        if nbytes > MAX_REQUEST {
            return None;
        }
        let total = nbytes + OVERHEAD;
        let base = self.backend_alloc(domain, total, zeroed)?;
        debug_assert_eq!(
            base.addr().get() % crate::ALIGNMENT,
            0,
            "backend returned a misaligned block"
        );
        let block = Block {
            base: Base(base),
            size: nbytes,
            domain,
        };
        let data = block.data().as_ptr();
        // SAFETY: `base` is a fresh allocation of `total = nbytes + 24` bytes.
        unsafe {
            core::ptr::copy_nonoverlapping(
                header_bytes(nbytes, domain).as_ptr(),
                base.as_ptr(),
                HEADER_SIZE,
            );
            if !zeroed {
                data.write_bytes(CLEANBYTE, nbytes);
            }
            data.add(nbytes).write_bytes(FORBIDDENBYTE, TRAILER_SIZE);
        }
        let addr = block.addr();
        self.freed.remove(&addr);
        self.live.insert(addr, block);
        Some(block.data())
    }

    /// Finds the live block at `ptr` and checks it; never dereferences an unknown pointer.
    fn verify(&self, used: Option<Domain>, ptr: *const u8) -> Result<Block, DebugError> {
        let addr = ptr.addr();
        let Some(&block) = self.live.get(&addr) else {
            return Err(match self.freed.get(&addr) {
                Some(f) => DebugError::DoubleFree {
                    block: addr,
                    allocated: f.domain,
                    used,
                    size: f.size,
                },
                None => DebugError::Foreign { block: addr, used },
            });
        };
        if let Some(used) = used
            && used != block.domain
        {
            return Err(DebugError::WrongDomain {
                block: addr,
                size: block.size,
                allocated: block.domain,
                used,
            });
        }
        // SAFETY: the block is live, so its memory is allocated.
        unsafe { block.inspect() }?;
        Ok(block)
    }

    /// Releases quarantined blocks beyond the limit, oldest first; those written to since
    /// they were freed are kept forever in `poisoned` instead.
    fn trim_quarantine(&mut self) {
        while self.quarantine.len() > self.quarantine_cap {
            let Some(block) = self.quarantine.pop_front() else {
                break;
            };
            // SAFETY: quarantined blocks are still allocated.
            if unsafe { block.inspect_dead() }.is_ok() {
                // SAFETY: the block is ours, freed by the caller, and in no list any more.
                unsafe { self.release(block) };
            } else {
                self.poisoned.push(block);
            }
        }
    }

    fn goes_to_libc(&self, domain: Domain) -> bool {
        domain == Domain::Raw || self.backend == Backend::Malloc
    }

    fn backend_alloc(&mut self, domain: Domain, total: usize, zeroed: bool) -> Option<NonNull<u8>> {
        if self.goes_to_libc(domain) {
            // SAFETY: `malloc`/`calloc` have no preconditions; `total >= 24`.
            let p = unsafe {
                if zeroed {
                    libc::calloc(1, total)
                } else {
                    libc::malloc(total)
                }
            };
            NonNull::new(p.cast())
        } else if zeroed {
            self.inner.calloc(1, total)
        } else {
            self.inner.alloc(total)
        }
    }

    /// Resizes a block's allocation to `total` bytes; `None` (the block untouched) on
    /// failure.
    ///
    /// # Safety
    /// `block` is allocated from this allocator's backend for its domain, with
    /// `block.total()` bytes. On `Some` it is no longer allocated.
    unsafe fn backend_realloc(&mut self, block: Block, total: usize) -> Option<NonNull<u8>> {
        if self.goes_to_libc(block.domain) {
            // SAFETY: the block came from libc `malloc`/`calloc`/`realloc` (caller).
            NonNull::new(unsafe { libc::realloc(block.base().cast(), total) }.cast())
        } else {
            // SAFETY: the block came from `self.inner` (caller).
            unsafe { self.inner.realloc(block.base(), total) }
        }
    }

    /// Gives a block's memory back to its backend.
    ///
    /// # Safety
    /// `block` is allocated from this allocator's backend for its domain, with
    /// `block.total()` bytes, and is referenced by no list any more.
    unsafe fn release(&mut self, block: Block) {
        if self.goes_to_libc(block.domain) {
            // SAFETY: the block came from libc (caller).
            unsafe { libc::free(block.base().cast()) }
        } else {
            // Not `free_sized`: after `realloc` a block's size no longer tells whether it
            // lives in a pool or came from malloc, so let `free` look it up (O(1)).
            // SAFETY: the block is live in `self.inner` (caller).
            unsafe { self.inner.free(block.base()) }
        }
    }
}

/// Releases every block still tracked whose guards (or dead bytes) are intact; damaged
/// blocks stay leaked.
impl Drop for DebugObmalloc {
    fn drop(&mut self) {
        let live: Vec<Block> = self.live.drain().map(|(_, b)| b).collect();
        for block in live {
            // SAFETY: the block was live, so it is allocated.
            if unsafe { block.inspect() }.is_ok() {
                // SAFETY: ours, and removed from the registry.
                unsafe { self.release(block) };
            }
        }
        let dead: Vec<Block> = self
            .quarantine
            .drain(..)
            .chain(self.poisoned.drain(..))
            .collect();
        for block in dead {
            // SAFETY: quarantined and poisoned blocks are still allocated.
            if unsafe { block.inspect_dead() }.is_ok() {
                // SAFETY: ours, and removed from every list.
                unsafe { self.release(block) };
            }
        }
    }
}
