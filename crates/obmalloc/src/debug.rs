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

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/// One byte of a block that does not hold what it should.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadByte {
    /// Position relative to the data pointer `p`: negative in the header, `0..size` in the
    /// data, `size..size + 8` in the trailing pad (shown as `tail+k`).
    pub offset: isize,
    /// The value found.
    pub found: u8,
    /// The value the debug allocator wrote there.
    pub expected: u8,
}

/// A snapshot of a block whose guards are damaged, taken when the damage was found.
///
/// The block itself is still allocated (leaked on purpose) and still registered as live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Corruption {
    /// The data pointer `p` (the address returned by `alloc`).
    pub block: usize,
    /// The domain the block was allocated through.
    pub domain: Domain,
    /// The size originally requested (from the registry, not from the possibly damaged
    /// header).
    pub size: usize,
    /// The 16 header bytes at `p-16..p`: size field, API id, leading pad.
    pub header: [u8; HEADER_SIZE],
    /// The 8 trailing pad bytes at `tail = p + size`.
    pub trailer: [u8; TRAILER_SIZE],
    /// The first data bytes (all of them when `size <= 16`, else the first 8).
    pub data_head: Vec<u8>,
    /// The last 8 data bytes when `size > 16`, else empty.
    pub data_tail: Vec<u8>,
}

impl Corruption {
    /// What the header of this block should hold.
    pub fn expected_header(&self) -> [u8; HEADER_SIZE] {
        header_bytes(self.size, self.domain)
    }

    /// Every damaged guard byte, header first, in address order.
    pub fn damaged_bytes(&self) -> Vec<BadByte> {
        let expected = self.expected_header();
        let head = self.header.iter().zip(expected).enumerate();
        let head = head
            .filter(|&(_, (&found, expected))| found != expected)
            .map(|(i, (&found, expected))| BadByte {
                offset: i as isize - HEADER_SIZE as isize,
                found,
                expected,
            });
        let tail = self.trailer.iter().enumerate();
        let tail = tail
            .filter(|&(_, &b)| b != FORBIDDENBYTE)
            .map(|(k, &found)| BadByte {
                offset: (self.size + k) as isize,
                found,
                expected: FORBIDDENBYTE,
            });
        head.chain(tail).collect()
    }

    /// True when the size field or the API id (the 9 bytes at `p-16..p-7`) is damaged.
    pub fn size_or_id_damaged(&self) -> bool {
        self.header[..SST + 1] != self.expected_header()[..SST + 1]
    }

    /// True when one of the 7 leading pad bytes at `p-7..p` is damaged.
    pub fn leading_pad_damaged(&self) -> bool {
        self.header[SST + 1..].iter().any(|&b| b != FORBIDDENBYTE)
    }

    /// True when one of the 8 trailing pad bytes is damaged.
    pub fn trailing_pad_damaged(&self) -> bool {
        self.trailer.iter().any(|&b| b != FORBIDDENBYTE)
    }

    fn write_report(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_block_line(f, self.block, self.domain, self.size)?;
        let expected = self.expected_header();
        if self.size_or_id_damaged() {
            writeln!(
                f,
                "    The size field and API id at p-{HEADER_SIZE} are damaged (expected size {}, API '{}'):",
                self.size,
                self.domain.api_id()
            )?;
            let fields = self.header.iter().zip(expected).take(SST + 1);
            for (i, (&found, want)) in fields.enumerate() {
                write!(f, "        at p-{}: 0x{found:02x}", HEADER_SIZE - i)?;
                if found != want {
                    write!(f, " *** OUCH (expected 0x{want:02x})")?;
                }
                writeln!(f)?;
            }
        }
        let pad = SST - 1;
        write!(f, "    The {pad} pad bytes at p-{pad} are ")?;
        if self.leading_pad_damaged() {
            writeln!(f, "not all FORBIDDENBYTE (0x{FORBIDDENBYTE:02x}):")?;
            for i in SST + 1..HEADER_SIZE {
                write_pad_byte(f, format_args!("p-{}", HEADER_SIZE - i), self.header[i])?;
            }
        } else {
            writeln!(f, "FORBIDDENBYTE, as expected.")?;
        }
        write!(
            f,
            "    The {TRAILER_SIZE} pad bytes at tail={:#x} are ",
            self.block.wrapping_add(self.size)
        )?;
        if self.trailing_pad_damaged() {
            writeln!(f, "not all FORBIDDENBYTE (0x{FORBIDDENBYTE:02x}):")?;
            for (k, &b) in self.trailer.iter().enumerate() {
                write_pad_byte(f, format_args!("tail+{k}"), b)?;
            }
        } else {
            writeln!(f, "FORBIDDENBYTE, as expected.")?;
        }
        write!(f, "    Data at p:")?;
        if self.data_head.is_empty() {
            write!(f, " (no data bytes)")?;
        }
        for b in &self.data_head {
            write!(f, " {b:02x}")?;
        }
        if !self.data_tail.is_empty() {
            if self.size > 2 * DUMP_BYTES {
                write!(f, " ...")?;
            }
            for b in &self.data_tail {
                write!(f, " {b:02x}")?;
            }
        }
        writeln!(f)?;
        write!(
            f,
            "    The block is not released while damaged (leaked on purpose), so that \
             nothing else gets corrupted."
        )
    }
}

/// Why the debug allocator refused a pointer, or what [`DebugObmalloc::check_all`] found.
///
/// `Display` is a multi-line report in the style of CPython's debug hooks, naming the
/// block's address `p`, its API id, the size originally requested and every damaged byte
/// with its offset and value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DebugError {
    /// Buffer underflow: the 16 header bytes before `p` (size field, API id, leading pad)
    /// were overwritten. Reported in preference to [`DebugError::BadTrailingPad`] when both
    /// ends are damaged (the snapshot shows both). The block was not released.
    BadLeadingPad(Corruption),
    /// Buffer overflow: the 8 trailing pad bytes after the data were overwritten. The block
    /// was not released.
    BadTrailingPad(Corruption),
    /// The pointer was already freed (or moved by `realloc`) and its address has not been
    /// handed out again: a double free, or a use after free when reported by `realloc` or
    /// `check`. Nothing was dereferenced or released.
    DoubleFree {
        /// The pointer.
        block: usize,
        /// The domain the freed block had been allocated through.
        allocated: Domain,
        /// The domain used now, when the caller named one (`None` for `check`).
        used: Option<Domain>,
        /// The size the freed block had.
        size: usize,
    },
    /// The block was allocated through one API family and freed or reallocated through
    /// another (`PyObject_Malloc` then `PyMem_Free`, say). The block was left untouched and
    /// is still allocated: it can still be freed through the right domain.
    WrongDomain {
        /// The pointer.
        block: usize,
        /// The size originally requested.
        size: usize,
        /// The domain that allocated the block.
        allocated: Domain,
        /// The domain it was freed or reallocated through.
        used: Domain,
    },
    /// The pointer is not the start of a block live in this allocator, and not one it
    /// freed: memory from elsewhere, a pointer into the middle of a block, or garbage. It
    /// was never dereferenced and nothing was released.
    Foreign {
        /// The pointer.
        block: usize,
        /// The domain used, when the caller named one (`None` for `check`).
        used: Option<Domain>,
    },
    /// A freed block held in quarantine (see [`DebugObmalloc::set_quarantine`]) no longer
    /// holds only [`DEADBYTE`]s: something wrote to it after it was freed. The block is
    /// kept allocated (leaked on purpose).
    WriteAfterFree {
        /// The pointer the block had while it was live.
        block: usize,
        /// The domain the block had been allocated through.
        domain: Domain,
        /// The size the block had.
        size: usize,
        /// The first damaged bytes (at most 16), in address order.
        bad: Vec<BadByte>,
        /// How many bytes are damaged in all.
        total_bad: usize,
    },
}

impl DebugError {
    /// The pointer the error is about (the data pointer `p` of the block).
    pub fn block(&self) -> usize {
        match self {
            DebugError::BadLeadingPad(c) | DebugError::BadTrailingPad(c) => c.block,
            DebugError::DoubleFree { block, .. }
            | DebugError::WrongDomain { block, .. }
            | DebugError::Foreign { block, .. }
            | DebugError::WriteAfterFree { block, .. } => *block,
        }
    }

    /// The short name CPython gives this failure, e.g. `bad trailing pad byte`.
    pub fn summary(&self) -> &'static str {
        match self {
            DebugError::BadLeadingPad(_) => "bad leading pad byte (buffer underflow)",
            DebugError::BadTrailingPad(_) => "bad trailing pad byte (buffer overflow)",
            DebugError::DoubleFree { .. } => "double free or use after free",
            DebugError::WrongDomain { .. } => "bad ID (freed through the wrong API family)",
            DebugError::Foreign { .. } => "foreign pointer (not allocated by this allocator)",
            DebugError::WriteAfterFree { .. } => "write after free (dead bytes modified)",
        }
    }
}

fn write_block_line(
    f: &mut fmt::Formatter<'_>,
    p: usize,
    domain: Domain,
    size: usize,
) -> fmt::Result {
    writeln!(
        f,
        "Debug memory block at address p={p:#x}: API '{}'",
        domain.api_id()
    )?;
    writeln!(f, "    {size} bytes originally requested")
}

fn write_pad_byte(f: &mut fmt::Formatter<'_>, at: fmt::Arguments<'_>, b: u8) -> fmt::Result {
    write!(f, "        at {at}: 0x{b:02x}")?;
    if b != FORBIDDENBYTE {
        write!(f, " *** OUCH")?;
    }
    writeln!(f)
}

/// Where `offset` (relative to `p`) lies in a block of `size` bytes: `p-3`, `p+5`, `tail+0`.
fn position(offset: isize, size: usize) -> String {
    if offset < 0 {
        format!("p-{}", offset.unsigned_abs())
    } else if offset.unsigned_abs() >= size {
        format!("tail+{}", offset.unsigned_abs() - size)
    } else {
        format!("p+{offset}")
    }
}

impl fmt::Display for DebugError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.summary())?;
        match self {
            DebugError::BadLeadingPad(c) | DebugError::BadTrailingPad(c) => c.write_report(f),
            DebugError::DoubleFree {
                block,
                allocated,
                used,
                size,
            } => {
                write_block_line(f, *block, *allocated, *size)?;
                writeln!(
                    f,
                    "    The block was already freed, and the address has not been handed out again."
                )?;
                if let Some(used) = used {
                    writeln!(f, "    Used again through API '{}'.", used.api_id())?;
                }
                write!(
                    f,
                    "    The pointer was not dereferenced and nothing was released."
                )
            }
            DebugError::WrongDomain {
                block,
                size,
                allocated,
                used,
            } => {
                write_block_line(f, *block, *allocated, *size)?;
                writeln!(
                    f,
                    "    Allocated using API '{}' ({}), verified using API '{}' ({}).",
                    allocated.api_id(),
                    allocated.malloc_name(),
                    used.api_id(),
                    used.malloc_name()
                )?;
                write!(
                    f,
                    "    The block was left untouched and is still allocated."
                )
            }
            DebugError::Foreign { block, used } => {
                write!(f, "Pointer p={block:#x}")?;
                if let Some(used) = used {
                    write!(f, " (used through API '{}')", used.api_id())?;
                }
                writeln!(
                    f,
                    " is not the start of any block live in this debug allocator."
                )?;
                write!(
                    f,
                    "    It was not allocated here (or points into the middle of a block); \
                     it was not dereferenced and nothing was released."
                )
            }
            DebugError::WriteAfterFree {
                block,
                domain,
                size,
                bad,
                total_bad,
            } => {
                write_block_line(f, *block, *domain, *size)?;
                writeln!(
                    f,
                    "    The block was freed, but {total_bad} of its bytes are no longer \
                     DEADBYTE (0x{DEADBYTE:02x}):"
                )?;
                for b in bad {
                    writeln!(
                        f,
                        "        at {}: 0x{:02x} *** OUCH",
                        position(b.offset, *size),
                        b.found
                    )?;
                }
                if *total_bad > bad.len() {
                    writeln!(f, "        ... and {} more", total_bad - bad.len())?;
                }
                write!(
                    f,
                    "    The block is not released while damaged (leaked on purpose)."
                )
            }
        }
    }
}

impl std::error::Error for DebugError {}

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

// ---------------------------------------------------------------------------------------
// PYTHONMALLOC
// ---------------------------------------------------------------------------------------

/// The memory allocators selected by CPython's `PYTHONMALLOC` environment variable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MallocMode {
    /// `default`: pymalloc for `Mem` and `Obj`, malloc for `Raw`; no debug hooks (in a
    /// release build; CPython's debug builds default to `pymalloc_debug`).
    #[default]
    Default,
    /// `debug`: debug hooks over the default allocators.
    Debug,
    /// `pymalloc`: pymalloc for `Mem` and `Obj`, malloc for `Raw`.
    Pymalloc,
    /// `pymalloc_debug`: `pymalloc` with debug hooks.
    PymallocDebug,
    /// `malloc`: libc malloc for every domain.
    Malloc,
    /// `malloc_debug`: `malloc` with debug hooks.
    MallocDebug,
}

impl MallocMode {
    /// Every mode, in CPython's documentation order.
    pub const ALL: [MallocMode; 6] = [
        MallocMode::Default,
        MallocMode::Debug,
        MallocMode::Pymalloc,
        MallocMode::PymallocDebug,
        MallocMode::Malloc,
        MallocMode::MallocDebug,
    ];

    /// The environment variable read by [`from_env`](Self::from_env).
    pub const ENV_VAR: &'static str = "PYTHONMALLOC";

    /// The `PYTHONMALLOC` spelling of this mode, e.g. `pymalloc_debug`.
    pub const fn name(self) -> &'static str {
        match self {
            MallocMode::Default => "default",
            MallocMode::Debug => "debug",
            MallocMode::Pymalloc => "pymalloc",
            MallocMode::PymallocDebug => "pymalloc_debug",
            MallocMode::Malloc => "malloc",
            MallocMode::MallocDebug => "malloc_debug",
        }
    }

    /// True when the mode installs the debug hooks ([`DebugObmalloc`]).
    pub const fn debug_hooks(self) -> bool {
        matches!(
            self,
            MallocMode::Debug | MallocMode::PymallocDebug | MallocMode::MallocDebug
        )
    }

    /// True when `Mem` and `Obj` go to pymalloc ([`Obmalloc`]), false when they go to
    /// libc malloc.
    pub const fn uses_pymalloc(self) -> bool {
        !matches!(self, MallocMode::Malloc | MallocMode::MallocDebug)
    }

    /// Reads `PYTHONMALLOC`. Unset or empty means [`MallocMode::Default`] (CPython ignores
    /// empty environment variables).
    ///
    /// # Errors
    /// [`ParseMallocModeError`] naming the value when it is not one of CPython's names.
    pub fn from_env() -> Result<MallocMode, ParseMallocModeError> {
        MallocMode::from_env_value(std::env::var_os(Self::ENV_VAR).as_deref())
    }

    /// [`from_env`](Self::from_env) on a given value of the variable (`None` = unset).
    fn from_env_value(value: Option<&OsStr>) -> Result<MallocMode, ParseMallocModeError> {
        match value {
            None => Ok(MallocMode::Default),
            Some(v) if v.is_empty() => Ok(MallocMode::Default),
            Some(v) => match v.to_str() {
                Some(s) => s.parse(),
                None => Err(ParseMallocModeError {
                    value: v.to_string_lossy().into_owned(),
                }),
            },
        }
    }
}

/// Prints the `PYTHONMALLOC` name.
impl fmt::Display for MallocMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Accepts exactly CPython's names (case-sensitive, no surrounding spaces).
impl FromStr for MallocMode {
    type Err = ParseMallocModeError;

    fn from_str(s: &str) -> Result<MallocMode, ParseMallocModeError> {
        MallocMode::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| ParseMallocModeError {
                value: s.to_owned(),
            })
    }
}

/// A `PYTHONMALLOC` value that is not one of CPython's allocator names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseMallocModeError {
    value: String,
}

impl ParseMallocModeError {
    /// The rejected value (lossily converted when it was not UTF-8).
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for ParseMallocModeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PYTHONMALLOC: unknown allocator {:?}; expected one of ",
            self.value
        )?;
        for (i, m) in MallocMode::ALL.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{m}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseMallocModeError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sizes used by the tests: small under Miri.
    const MEDIUM: usize = if cfg!(miri) { 200 } else { 300 };
    const LARGE: usize = if cfg!(miri) { 600 } else { 5000 };

    /// Reads `len` bytes at `p + offset`.
    ///
    /// # Safety
    /// The range lies inside a block that is still allocated.
    unsafe fn bytes_at(p: NonNull<u8>, offset: isize, len: usize) -> Vec<u8> {
        // SAFETY: caller.
        unsafe { core::slice::from_raw_parts(p.as_ptr().offset(offset), len).to_vec() }
    }

    /// Writes `value` at `p + offset`.
    ///
    /// # Safety
    /// The byte lies inside a block that is still allocated.
    unsafe fn poke(p: NonNull<u8>, offset: isize, value: u8) {
        // SAFETY: caller.
        unsafe { p.as_ptr().offset(offset).write(value) }
    }

    fn addr(p: NonNull<u8>) -> String {
        format!("p={:#x}", p.addr().get())
    }

    #[test]
    fn layout_header_fill_and_trailer() {
        let mut heap = DebugObmalloc::new();
        for (domain, id) in [
            (Domain::Raw, b'r'),
            (Domain::Mem, b'm'),
            (Domain::Obj, b'o'),
        ] {
            for n in [0, 1, 10, 16, MEDIUM] {
                let p = heap.alloc(domain, n).unwrap();
                assert_eq!(p.addr().get() % 16, 0, "data must stay 16-byte aligned");
                // SAFETY: the block has 16 header bytes, n data bytes and 8 trailer bytes.
                let (head, data, tail) = unsafe {
                    (
                        bytes_at(p, -16, 16),
                        bytes_at(p, 0, n),
                        bytes_at(p, n as isize, 8),
                    )
                };
                assert_eq!(head[..8], (n as u64).to_be_bytes());
                assert_eq!(head[8], id);
                assert_eq!(head[9..], [0xFD; 7]);
                assert!(data.iter().all(|&b| b == 0xCD), "fresh data is CLEANBYTE");
                assert_eq!(tail, [0xFD; 8]);
                assert_eq!(heap.block_info(p.as_ptr()), Some((domain, n)));
                assert_eq!(heap.check(p.as_ptr()), Ok(()));
                heap.free(domain, p.as_ptr()).unwrap();
            }
        }
        assert_eq!(heap.live_blocks(), 0);
    }

    #[test]
    fn calloc_zeroes_and_checks_overflow() {
        let mut heap = DebugObmalloc::new();
        for domain in Domain::ALL {
            let p = heap.calloc(domain, 3, 7).unwrap();
            // SAFETY: 21 data bytes plus the trailer.
            let (data, tail) = unsafe { (bytes_at(p, 0, 21), bytes_at(p, 21, 8)) };
            assert_eq!(data, [0; 21]);
            assert_eq!(tail, [0xFD; 8]);
            assert_eq!(heap.block_info(p.as_ptr()), Some((domain, 21)));
            heap.free(domain, p.as_ptr()).unwrap();
        }
        assert_eq!(heap.calloc(Domain::Obj, usize::MAX, 2), None);
        assert_eq!(heap.alloc(Domain::Obj, MAX_REQUEST + 1), None);
        assert_eq!(heap.alloc(Domain::Raw, usize::MAX), None);
        assert_eq!(heap.live_blocks(), 0);
    }

    #[test]
    fn overflow_is_reported_and_block_kept() {
        let mut heap = DebugObmalloc::new();
        let p = heap.alloc(Domain::Obj, 10).unwrap();
        // SAFETY: p+10 is the first trailing pad byte, inside the block.
        unsafe { poke(p, 10, b'x') };
        let err = heap.free(Domain::Obj, p.as_ptr()).unwrap_err();
        let DebugError::BadTrailingPad(c) = &err else {
            panic!("wrong variant: {err:?}")
        };
        assert_eq!(
            (c.block, c.domain, c.size),
            (p.addr().get(), Domain::Obj, 10)
        );
        assert_eq!(
            c.damaged_bytes(),
            [BadByte {
                offset: 10,
                found: b'x',
                expected: 0xFD
            }]
        );
        let msg = err.to_string();
        assert!(
            msg.starts_with("bad trailing pad byte (buffer overflow)\n"),
            "{msg}"
        );
        assert!(msg.contains(&format!(
            "Debug memory block at address {}: API 'o'",
            addr(p)
        )));
        assert!(msg.contains("10 bytes originally requested"), "{msg}");
        assert!(
            msg.contains("The 7 pad bytes at p-7 are FORBIDDENBYTE, as expected."),
            "{msg}"
        );
        assert!(msg.contains("are not all FORBIDDENBYTE (0xfd):"), "{msg}");
        assert!(msg.contains("at tail+0: 0x78 *** OUCH\n"), "{msg}");
        assert!(msg.contains("at tail+1: 0xfd\n"), "{msg}");
        assert!(
            msg.contains("Data at p: cd cd cd cd cd cd cd cd cd cd\n"),
            "{msg}"
        );
        assert!(msg.contains("not released while damaged"), "{msg}");
        assert_eq!(msg.matches("OUCH").count(), 1);

        // Not released: still live, still damaged, reported by check and check_all.
        assert_eq!(heap.live_blocks(), 1);
        assert_eq!(heap.check(p.as_ptr()), Err(err.clone()));
        assert_eq!(heap.check_all(), core::slice::from_ref(&err));
        // SAFETY: the block is still allocated; the pad is untouched by the failed free.
        let pad = unsafe { bytes_at(p, 10, 8) };
        assert_eq!(pad, [b'x', 0xFD, 0xFD, 0xFD, 0xFD, 0xFD, 0xFD, 0xFD]);
        // A bigger overflow: every damaged byte is listed.
        // SAFETY: p+17 is the last trailing pad byte.
        unsafe { poke(p, 17, 0) };
        let msg = heap.check(p.as_ptr()).unwrap_err().to_string();
        assert!(msg.contains("at tail+7: 0x00 *** OUCH"), "{msg}");
        assert_eq!(msg.matches("OUCH").count(), 2);

        // Repaired, it frees normally.
        // SAFETY: as above.
        unsafe {
            poke(p, 10, 0xFD);
            poke(p, 17, 0xFD);
        }
        assert_eq!(heap.free(Domain::Obj, p.as_ptr()), Ok(()));
        assert!(heap.check_all().is_empty());
    }

    #[test]
    fn overflow_of_a_large_block_dumps_both_ends() {
        let mut heap = DebugObmalloc::new();
        let n = LARGE;
        let p = heap.alloc(Domain::Mem, n).unwrap();
        // SAFETY: the last data byte and the first pad byte are inside the block.
        unsafe {
            poke(p, n as isize - 1, 0x41);
            poke(p, n as isize, 0x42);
        }
        let err = heap.free(Domain::Mem, p.as_ptr()).unwrap_err();
        assert!(matches!(err, DebugError::BadTrailingPad(_)));
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("{n} bytes originally requested")),
            "{msg}"
        );
        assert!(msg.contains("API 'm'"), "{msg}");
        assert!(
            msg.contains(&format!("tail={:#x}", p.addr().get() + n)),
            "{msg}"
        );
        assert!(msg.contains("at tail+0: 0x42 *** OUCH"), "{msg}");
        assert!(
            msg.contains("Data at p: cd cd cd cd cd cd cd cd ... cd cd cd cd cd cd cd 41\n"),
            "{msg}"
        );
        // SAFETY: as above.
        unsafe { poke(p, n as isize, 0xFD) };
        heap.free(Domain::Mem, p.as_ptr()).unwrap();
    }

    #[test]
    fn underflow_is_reported_and_block_kept() {
        let mut heap = DebugObmalloc::new();
        let p = heap.alloc(Domain::Mem, 24).unwrap();
        // SAFETY: p-1 is the last leading pad byte.
        unsafe { poke(p, -1, 0) };
        let err = heap.free(Domain::Mem, p.as_ptr()).unwrap_err();
        let DebugError::BadLeadingPad(c) = &err else {
            panic!("wrong variant: {err:?}")
        };
        assert!(c.leading_pad_damaged() && !c.size_or_id_damaged() && !c.trailing_pad_damaged());
        assert_eq!(
            c.damaged_bytes(),
            [BadByte {
                offset: -1,
                found: 0,
                expected: 0xFD
            }]
        );
        let msg = err.to_string();
        assert!(
            msg.starts_with("bad leading pad byte (buffer underflow)\n"),
            "{msg}"
        );
        assert!(msg.contains(&addr(p)), "{msg}");
        assert!(msg.contains("API 'm'"), "{msg}");
        assert!(msg.contains("24 bytes originally requested"), "{msg}");
        assert!(
            msg.contains("The 7 pad bytes at p-7 are not all FORBIDDENBYTE (0xfd):"),
            "{msg}"
        );
        assert!(msg.contains("at p-7: 0xfd\n"), "{msg}");
        assert!(msg.contains("at p-1: 0x00 *** OUCH\n"), "{msg}");
        assert!(msg.contains("pad bytes at tail="), "{msg}");
        assert_eq!(heap.live_blocks(), 1);
        assert_eq!(heap.check_all(), [err]);

        // Deeper underflow into the API id and the size field: reported against the
        // registry's size and domain, which the damage cannot fool.
        // SAFETY: p-16..p is the header, inside the block.
        unsafe {
            poke(p, -8, b'o');
            poke(p, -9, 0xFF);
        }
        let err = heap.check(p.as_ptr()).unwrap_err();
        let DebugError::BadLeadingPad(c) = &err else {
            panic!("wrong variant: {err:?}")
        };
        assert!(c.size_or_id_damaged());
        assert_eq!(c.size, 24);
        let msg = err.to_string();
        assert!(
            msg.contains("size field and API id at p-16 are damaged (expected size 24, API 'm')")
        );
        assert!(
            msg.contains("at p-9: 0xff *** OUCH (expected 0x18)"),
            "{msg}"
        );
        assert!(
            msg.contains("at p-8: 0x6f *** OUCH (expected 0x6d)"),
            "{msg}"
        );
        assert!(msg.contains("at p-16: 0x00\n"), "{msg}");
        // The header says 'o', but the registry knows better: freeing through Obj is still
        // the wrong domain.
        assert!(matches!(
            heap.free(Domain::Obj, p.as_ptr()),
            Err(DebugError::WrongDomain {
                allocated: Domain::Mem,
                used: Domain::Obj,
                ..
            })
        ));

        // SAFETY: as above.
        unsafe {
            poke(p, -1, 0xFD);
            poke(p, -8, b'm');
            poke(p, -9, 24);
        }
        assert_eq!(heap.free(Domain::Mem, p.as_ptr()), Ok(()));
    }

    #[test]
    fn both_ends_damaged_reports_underflow_with_both_pads() {
        let mut heap = DebugObmalloc::new();
        let p = heap.alloc(Domain::Raw, 3).unwrap();
        // SAFETY: p-7 and tail+2 = p+5 are pad bytes inside the block.
        unsafe {
            poke(p, -7, 1);
            poke(p, 5, 2);
        }
        let err = heap.free(Domain::Raw, p.as_ptr()).unwrap_err();
        assert!(matches!(&err, DebugError::BadLeadingPad(c) if c.trailing_pad_damaged()));
        let msg = err.to_string();
        assert!(msg.contains("at p-7: 0x01 *** OUCH"), "{msg}");
        assert!(msg.contains("at tail+2: 0x02 *** OUCH"), "{msg}");
        assert!(msg.contains("API 'r'"), "{msg}");
        // SAFETY: as above.
        unsafe {
            poke(p, -7, 0xFD);
            poke(p, 5, 0xFD);
        }
        heap.free(Domain::Raw, p.as_ptr()).unwrap();
    }

    #[test]
    fn double_free_is_reported_without_touching_memory() {
        let mut heap = DebugObmalloc::new();
        let p = heap.alloc(Domain::Obj, 40).unwrap();
        heap.free(Domain::Obj, p.as_ptr()).unwrap();
        let err = heap.free(Domain::Obj, p.as_ptr()).unwrap_err();
        assert_eq!(
            err,
            DebugError::DoubleFree {
                block: p.addr().get(),
                allocated: Domain::Obj,
                used: Some(Domain::Obj),
                size: 40
            }
        );
        let msg = err.to_string();
        assert!(msg.starts_with("double free or use after free\n"), "{msg}");
        assert!(msg.contains(&format!(
            "Debug memory block at address {}: API 'o'",
            addr(p)
        )));
        assert!(msg.contains("40 bytes originally requested"), "{msg}");
        assert!(msg.contains("already freed"), "{msg}");
        // realloc and check of the freed pointer are caught the same way.
        assert!(matches!(
            heap.realloc(Domain::Obj, p.as_ptr(), 80),
            Err(DebugError::DoubleFree {
                used: Some(Domain::Obj),
                size: 40,
                ..
            })
        ));
        assert!(matches!(
            heap.check(p.as_ptr()),
            Err(DebugError::DoubleFree { used: None, .. })
        ));
        // Through another domain it is still a double free, not a wrong domain.
        assert!(matches!(
            heap.free(Domain::Mem, p.as_ptr()),
            Err(DebugError::DoubleFree {
                allocated: Domain::Obj,
                used: Some(Domain::Mem),
                ..
            })
        ));
    }

    #[test]
    fn reused_address_is_live_again() {
        let mut heap = DebugObmalloc::new();
        let p = heap.alloc(Domain::Obj, 40).unwrap();
        heap.free(Domain::Obj, p.as_ptr()).unwrap();
        assert!(matches!(
            heap.check(p.as_ptr()),
            Err(DebugError::DoubleFree { .. })
        ));
        // pymalloc hands the freed block of the same size class out again at once: the
        // address is live again and no longer counts as freed.
        let q = heap.alloc(Domain::Obj, 40).unwrap();
        assert_eq!(q, p);
        assert_eq!(heap.check(q.as_ptr()), Ok(()));
        assert_eq!(heap.free(Domain::Obj, q.as_ptr()), Ok(()));
        assert!(matches!(
            heap.free(Domain::Obj, q.as_ptr()),
            Err(DebugError::DoubleFree { .. })
        ));
    }

    #[test]
    fn wrong_domain_is_reported_and_block_kept() {
        let mut heap = DebugObmalloc::new();
        let p = heap.alloc(Domain::Obj, 16).unwrap();
        let err = heap.free(Domain::Mem, p.as_ptr()).unwrap_err();
        assert_eq!(
            err,
            DebugError::WrongDomain {
                block: p.addr().get(),
                size: 16,
                allocated: Domain::Obj,
                used: Domain::Mem
            }
        );
        let msg = err.to_string();
        assert!(
            msg.starts_with("bad ID (freed through the wrong API family)\n"),
            "{msg}"
        );
        assert!(msg.contains(&addr(p)), "{msg}");
        assert!(msg.contains("16 bytes originally requested"), "{msg}");
        assert!(
            msg.contains(
                "Allocated using API 'o' (PyObject_Malloc), verified using API 'm' (PyMem_Malloc)."
            ),
            "{msg}"
        );
        assert!(matches!(
            heap.realloc(Domain::Raw, p.as_ptr(), 100),
            Err(DebugError::WrongDomain {
                allocated: Domain::Obj,
                used: Domain::Raw,
                ..
            })
        ));
        // Untouched: data, guards and registration.
        assert_eq!(heap.check(p.as_ptr()), Ok(()));
        // SAFETY: 16 data bytes.
        assert_eq!(unsafe { bytes_at(p, 0, 16) }, [0xCD; 16]);
        assert_eq!(heap.free(Domain::Obj, p.as_ptr()), Ok(()));

        let r = heap.alloc(Domain::Raw, 8).unwrap();
        assert!(matches!(
            heap.free(Domain::Obj, r.as_ptr()),
            Err(DebugError::WrongDomain {
                allocated: Domain::Raw,
                used: Domain::Obj,
                ..
            })
        ));
        heap.free(Domain::Raw, r.as_ptr()).unwrap();
    }

    #[test]
    fn foreign_pointers_are_never_dereferenced() {
        let mut heap = DebugObmalloc::new();
        assert_eq!(heap.free(Domain::Obj, core::ptr::null_mut()), Ok(()));

        // A pointer from libc directly.
        // SAFETY: plain malloc.
        let m = unsafe { libc::malloc(32) }.cast::<u8>();
        assert!(!m.is_null());
        let err = heap.free(Domain::Raw, m).unwrap_err();
        assert_eq!(
            err,
            DebugError::Foreign {
                block: m.addr(),
                used: Some(Domain::Raw)
            }
        );
        let msg = err.to_string();
        assert!(
            msg.starts_with("foreign pointer (not allocated by this allocator)\n"),
            "{msg}"
        );
        assert!(msg.contains(&format!("Pointer p={:#x} (used through API 'r')", m.addr())));
        assert!(msg.contains("not dereferenced"), "{msg}");
        // SAFETY: the debug allocator did not free it: it is still ours to free.
        unsafe { libc::free(m.cast()) };

        // A pointer straight from the wrapped allocator, bypassing the hooks.
        let q = heap.inner_mut().alloc(32).unwrap();
        assert!(matches!(
            heap.free(Domain::Obj, q.as_ptr()),
            Err(DebugError::Foreign { .. })
        ));
        // SAFETY: still live in the inner allocator.
        unsafe { heap.inner_mut().free(q.as_ptr()) };

        // Interior pointers, stack addresses and garbage.
        let p = heap.alloc(Domain::Obj, 32).unwrap();
        let inside = p.as_ptr().wrapping_add(1);
        assert_eq!(
            heap.free(Domain::Obj, inside),
            Err(DebugError::Foreign {
                block: inside.addr(),
                used: Some(Domain::Obj)
            })
        );
        let mut local = [0u8; 4];
        assert!(matches!(
            heap.realloc(Domain::Mem, local.as_mut_ptr(), 8),
            Err(DebugError::Foreign { .. })
        ));
        let garbage = core::ptr::without_provenance_mut::<u8>(0xdead_beef);
        assert!(matches!(
            heap.check(garbage),
            Err(DebugError::Foreign { used: None, .. })
        ));
        assert_eq!(heap.check(p.as_ptr()), Ok(()));
        heap.free(Domain::Obj, p.as_ptr()).unwrap();
        assert_eq!(local, [0; 4]);
    }

    #[test]
    fn freed_block_is_dead_filled() {
        let mut heap = DebugObmalloc::new();
        heap.set_quarantine(2);
        let n = 40;
        let p = heap.alloc(Domain::Obj, n).unwrap();
        // SAFETY: data bytes.
        unsafe { poke(p, 0, 7) };
        heap.free(Domain::Obj, p.as_ptr()).unwrap();
        // Quarantined: still allocated, so the dead fill can be read back. The whole
        // block, header and pads included, is DEADBYTE.
        // SAFETY: the quarantined block stays allocated.
        let all = unsafe { bytes_at(p, -16, n + OVERHEAD) };
        assert!(all.iter().all(|&b| b == 0xDD), "{all:x?}");
        assert!(heap.check_all().is_empty());
        assert!(matches!(
            heap.free(Domain::Obj, p.as_ptr()),
            Err(DebugError::DoubleFree { .. })
        ));

        // A write after free is found by check_all.
        // SAFETY: as above.
        unsafe {
            poke(p, 5, 0x55);
            poke(p, -16, 0);
        }
        let errors = heap.check_all();
        let [err] = &errors[..] else {
            panic!("{errors:?}")
        };
        let DebugError::WriteAfterFree {
            block,
            domain,
            size,
            bad,
            total_bad,
        } = err
        else {
            panic!("wrong variant: {err:?}")
        };
        assert_eq!(
            (*block, *domain, *size, *total_bad),
            (p.addr().get(), Domain::Obj, n, 2)
        );
        assert_eq!(
            bad[0],
            BadByte {
                offset: -16,
                found: 0,
                expected: 0xDD
            }
        );
        assert_eq!(
            bad[1],
            BadByte {
                offset: 5,
                found: 0x55,
                expected: 0xDD
            }
        );
        let msg = err.to_string();
        assert!(msg.starts_with("write after free"), "{msg}");
        assert!(msg.contains(&addr(p)), "{msg}");
        assert!(msg.contains("40 bytes originally requested"), "{msg}");
        assert!(msg.contains("at p-16: 0x00 *** OUCH"), "{msg}");
        assert!(msg.contains("at p+5: 0x55 *** OUCH"), "{msg}");

        // Pushed out of quarantine while damaged, it is kept (poisoned) and still reported.
        let a = heap.alloc(Domain::Obj, 8).unwrap();
        let b = heap.alloc(Domain::Obj, 8).unwrap();
        heap.free(Domain::Obj, a.as_ptr()).unwrap();
        heap.free(Domain::Obj, b.as_ptr()).unwrap();
        assert_eq!(heap.check_all().len(), 1);
        // Repaired, it is released when the allocator is dropped (Miri checks for leaks).
        // SAFETY: the poisoned block is never released while damaged.
        unsafe {
            poke(p, 5, 0xDD);
            poke(p, -16, 0xDD);
        }
        assert!(heap.check_all().is_empty());
        heap.set_quarantine(0);
    }

    #[test]
    fn dead_fill_on_free_without_quarantine() {
        // Without quarantine the block goes back to the backend at once; the fill is still
        // observable on a realloc that moves a block: what stays behind is dead. Use a
        // quarantine of one to see the moment between fill and release.
        let mut heap = DebugObmalloc::new();
        heap.set_quarantine(1);
        let p = heap.alloc(Domain::Raw, 5).unwrap();
        heap.free(Domain::Raw, p.as_ptr()).unwrap();
        // SAFETY: quarantined, still allocated.
        let all = unsafe { bytes_at(p, -16, 5 + OVERHEAD) };
        assert_eq!(all, [0xDD; 5 + OVERHEAD]);
        heap.set_quarantine(0); // released here, after checking it is still dead
        assert!(heap.check_all().is_empty());
        assert!(matches!(
            heap.check(p.as_ptr()),
            Err(DebugError::DoubleFree { .. })
        ));
    }

    #[test]
    fn realloc_keeps_data_and_guards() {
        let mut heap = DebugObmalloc::new();
        for domain in Domain::ALL {
            // Small: grow, then shrink.
            let p = heap.alloc(domain, 10).unwrap();
            for i in 0..10 {
                // SAFETY: data bytes.
                unsafe { poke(p, i, i as u8) };
            }
            let q = heap.realloc(domain, p.as_ptr(), 100).unwrap().unwrap();
            // SAFETY: 100 data bytes and the header.
            let (head, data) = unsafe { (bytes_at(q, -16, 16), bytes_at(q, 0, 100)) };
            assert_eq!(head[..8], 100u64.to_be_bytes());
            assert_eq!(head[8], domain.api_id() as u8);
            assert_eq!(data[..10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
            assert!(data[10..].iter().all(|&b| b == 0xCD), "growth is CLEANBYTE");
            assert_eq!(heap.check(q.as_ptr()), Ok(()));
            assert_eq!(heap.block_info(q.as_ptr()), Some((domain, 100)));
            if q != p {
                assert!(matches!(
                    heap.check(p.as_ptr()),
                    Err(DebugError::DoubleFree { .. })
                ));
            }
            let r = heap.realloc(domain, q.as_ptr(), 4).unwrap().unwrap();
            // SAFETY: 4 data bytes plus the trailer.
            let bytes = unsafe { bytes_at(r, 0, 12) };
            assert_eq!(
                bytes,
                [0, 1, 2, 3, 0xFD, 0xFD, 0xFD, 0xFD, 0xFD, 0xFD, 0xFD, 0xFD]
            );
            assert_eq!(heap.check(r.as_ptr()), Ok(()));
            heap.free(domain, r.as_ptr()).unwrap();

            // Large: more than 128 bytes, so the ends are erased and restored, and growth
            // past 512 bytes moves a pymalloc block to malloc.
            let n = MEDIUM;
            let p = heap.alloc(domain, n).unwrap();
            for i in 0..n {
                // SAFETY: data bytes.
                unsafe { poke(p, i as isize, (i % 251) as u8) };
            }
            let q = heap.realloc(domain, p.as_ptr(), LARGE).unwrap().unwrap();
            // SAFETY: LARGE data bytes.
            let data = unsafe { bytes_at(q, 0, LARGE) };
            assert!((0..n).all(|i| data[i] == (i % 251) as u8));
            assert!(data[n..].iter().all(|&b| b == 0xCD));
            assert_eq!(heap.check(q.as_ptr()), Ok(()));
            // Shrink to just past the first erased stretch, then to nothing.
            let r = heap.realloc(domain, q.as_ptr(), 70).unwrap().unwrap();
            // SAFETY: 70 data bytes.
            let data = unsafe { bytes_at(r, 0, 70) };
            assert!((0..70).all(|i| data[i] == (i % 251) as u8));
            assert_eq!(heap.check(r.as_ptr()), Ok(()));
            let s = heap.realloc(domain, r.as_ptr(), 0).unwrap().unwrap();
            assert_eq!(heap.block_info(s.as_ptr()), Some((domain, 0)));
            assert_eq!(heap.check(s.as_ptr()), Ok(()));
            heap.free(domain, s.as_ptr()).unwrap();
        }
        assert_eq!(heap.live_blocks(), 0);
        assert!(heap.check_all().is_empty());
    }

    #[test]
    fn realloc_shrink_of_long_block_restores_tail_stretch() {
        // Old size 300: bytes 0..64 and 236..300 are saved and erased; shrinking to 250
        // keeps 236..250 from the saved tail.
        let mut heap = DebugObmalloc::new();
        let n = 300;
        let p = heap.alloc(Domain::Mem, n).unwrap();
        for i in 0..n {
            // SAFETY: data bytes.
            unsafe { poke(p, i as isize, i as u8) };
        }
        let q = heap.realloc(Domain::Mem, p.as_ptr(), 250).unwrap().unwrap();
        // SAFETY: 250 data bytes.
        let data = unsafe { bytes_at(q, 0, 250) };
        assert!((0..250).all(|i| data[i] == i as u8), "{data:?}");
        assert_eq!(heap.check(q.as_ptr()), Ok(()));
        heap.free(Domain::Mem, q.as_ptr()).unwrap();
    }

    #[test]
    fn realloc_null_allocates_and_errors_leave_block_alone() {
        let mut heap = DebugObmalloc::new();
        let p = heap
            .realloc(Domain::Mem, core::ptr::null_mut(), 12)
            .unwrap()
            .unwrap();
        assert_eq!(heap.block_info(p.as_ptr()), Some((Domain::Mem, 12)));

        // Too big: Ok(None), the block unchanged.
        assert_eq!(
            heap.realloc(Domain::Mem, p.as_ptr(), MAX_REQUEST + 1),
            Ok(None)
        );
        assert_eq!(heap.check(p.as_ptr()), Ok(()));

        // Damaged: the error, and no resize.
        // SAFETY: p+12 is a pad byte.
        unsafe { poke(p, 12, 0) };
        assert!(matches!(
            heap.realloc(Domain::Mem, p.as_ptr(), 1000),
            Err(DebugError::BadTrailingPad(_))
        ));
        assert_eq!(heap.block_info(p.as_ptr()), Some((Domain::Mem, 12)));
        // SAFETY: still allocated, still 12 bytes.
        assert_eq!(unsafe { bytes_at(p, 0, 12) }, [0xCD; 12]);
        // SAFETY: as above.
        unsafe { poke(p, 12, 0xFD) };
        heap.free(Domain::Mem, p.as_ptr()).unwrap();
    }

    #[test]
    #[cfg_attr(miri, ignore = "asks the system for isize::MAX bytes")]
    fn realloc_failure_restores_the_old_block() {
        let mut heap = DebugObmalloc::new();
        for domain in Domain::ALL {
            let n = 200;
            let p = heap.alloc(domain, n).unwrap();
            for i in 0..n {
                // SAFETY: data bytes.
                unsafe { poke(p, i as isize, i as u8) };
            }
            // The backend cannot find isize::MAX bytes: the erased ends come back.
            assert_eq!(heap.realloc(domain, p.as_ptr(), MAX_REQUEST), Ok(None));
            // SAFETY: the block is still live with n bytes.
            let data = unsafe { bytes_at(p, 0, n) };
            assert!((0..n).all(|i| data[i] == i as u8));
            assert_eq!(heap.check(p.as_ptr()), Ok(()));
            assert_eq!(heap.block_info(p.as_ptr()), Some((domain, n)));
            heap.free(domain, p.as_ptr()).unwrap();
        }
    }

    #[test]
    fn raw_domain_goes_to_libc() {
        let mut heap = DebugObmalloc::new();
        assert!(heap.uses_pymalloc());
        let before = heap.inner().allocated_blocks();
        let r = heap.alloc(Domain::Raw, 16).unwrap();
        assert_eq!(
            heap.inner().allocated_blocks(),
            before,
            "Raw must not touch obmalloc"
        );
        assert!(!heap.inner().owns(r.as_ptr()));
        let o = heap.alloc(Domain::Obj, 16).unwrap();
        let m = heap.alloc(Domain::Mem, 16).unwrap();
        assert_eq!(heap.inner().allocated_blocks(), before + 2);
        assert!(heap.inner().owns(o.as_ptr().wrapping_sub(HEADER_SIZE)));
        assert!(heap.inner().owns(m.as_ptr().wrapping_sub(HEADER_SIZE)));
        // Growing a Raw block stays in libc.
        let r = heap.realloc(Domain::Raw, r.as_ptr(), 100).unwrap().unwrap();
        assert_eq!(heap.inner().allocated_blocks(), before + 2);
        assert!(!heap.inner().owns(r.as_ptr()));
        for (d, p) in [(Domain::Raw, r), (Domain::Obj, o), (Domain::Mem, m)] {
            heap.free(d, p.as_ptr()).unwrap();
        }
        assert_eq!(heap.inner().allocated_blocks(), before);

        // malloc_debug: every domain goes to libc.
        let mut heap = DebugObmalloc::for_mode(MallocMode::MallocDebug).unwrap();
        assert!(!heap.uses_pymalloc());
        let o = heap.alloc(Domain::Obj, 16).unwrap();
        assert_eq!(heap.inner().allocated_blocks(), 0);
        assert!(!heap.inner().owns(o.as_ptr()));
        let o = heap.realloc(Domain::Obj, o.as_ptr(), 40).unwrap().unwrap();
        assert_eq!(heap.check(o.as_ptr()), Ok(()));
        heap.free(Domain::Obj, o.as_ptr()).unwrap();
    }

    #[test]
    fn check_all_lists_every_damaged_block_in_address_order() {
        let mut heap = DebugObmalloc::new();
        let blocks: Vec<_> = (0..6)
            .map(|i| heap.alloc(Domain::Obj, 8 + i).unwrap())
            .collect();
        assert!(heap.check_all().is_empty());
        // SAFETY: p+size is the first trailing pad byte; p-1 the last leading one.
        unsafe {
            poke(blocks[1], 9, 0);
            poke(blocks[4], -1, 0);
        }
        let errors = heap.check_all();
        assert_eq!(errors.len(), 2);
        let mut want = vec![blocks[1].addr().get(), blocks[4].addr().get()];
        want.sort_unstable();
        assert_eq!(
            errors.iter().map(DebugError::block).collect::<Vec<_>>(),
            want
        );
        assert!(
            errors
                .iter()
                .any(|e| matches!(e, DebugError::BadTrailingPad(_)))
        );
        assert!(
            errors
                .iter()
                .any(|e| matches!(e, DebugError::BadLeadingPad(_)))
        );
        // SAFETY: as above.
        unsafe {
            poke(blocks[1], 9, 0xFD);
            poke(blocks[4], -1, 0xFD);
        }
        for p in blocks {
            heap.free(Domain::Obj, p.as_ptr()).unwrap();
        }
    }

    #[test]
    fn drop_releases_intact_blocks() {
        let mut heap = DebugObmalloc::new();
        heap.set_quarantine(4);
        for domain in Domain::ALL {
            heap.alloc(domain, 30).unwrap();
            let p = heap.alloc(domain, 30).unwrap();
            heap.free(domain, p.as_ptr()).unwrap();
        }
        assert_eq!(heap.live_blocks(), 3);
        drop(heap); // Miri reports a leak if any of them is not released
    }

    #[test]
    fn is_send() {
        fn send<T: Send>() {}
        send::<DebugObmalloc>();
        send::<DebugError>();
    }

    #[test]
    fn domain_ids() {
        for d in Domain::ALL {
            assert_eq!(Domain::from_api_id(d.api_id()), Some(d));
        }
        assert_eq!(Domain::from_api_id('x'), None);
        assert_eq!(Domain::Obj.to_string(), "'o' (PyObject_Malloc)");
        assert_eq!(Domain::Raw.malloc_name(), "PyMem_RawMalloc");
    }

    #[test]
    fn malloc_mode_names() {
        let names = [
            "default",
            "debug",
            "pymalloc",
            "pymalloc_debug",
            "malloc",
            "malloc_debug",
        ];
        for (mode, name) in MallocMode::ALL.into_iter().zip(names) {
            assert_eq!(name.parse::<MallocMode>(), Ok(mode));
            assert_eq!(mode.to_string(), name);
        }
        assert!(MallocMode::Debug.debug_hooks() && MallocMode::MallocDebug.debug_hooks());
        assert!(!MallocMode::Default.debug_hooks() && !MallocMode::Pymalloc.debug_hooks());
        assert!(MallocMode::PymallocDebug.uses_pymalloc() && !MallocMode::Malloc.uses_pymalloc());
        assert!(
            DebugObmalloc::for_mode(MallocMode::Debug)
                .unwrap()
                .uses_pymalloc()
        );
        assert!(DebugObmalloc::for_mode(MallocMode::Pymalloc).is_none());
        assert_eq!(MallocMode::default(), MallocMode::Default);

        for bad in [
            "Debug",
            " debug",
            "pymalloc-debug",
            "mimalloc",
            "debug_malloc",
            "x",
        ] {
            let err = bad.parse::<MallocMode>().unwrap_err();
            assert_eq!(err.value(), bad);
            let msg = err.to_string();
            assert!(msg.contains(&format!("{bad:?}")), "{msg}");
            assert!(msg.starts_with("PYTHONMALLOC: unknown allocator"), "{msg}");
            assert!(
                msg.ends_with("default, debug, pymalloc, pymalloc_debug, malloc, malloc_debug")
            );
        }
        assert!("".parse::<MallocMode>().is_err());
    }

    #[test]
    fn malloc_mode_from_env_value() {
        use std::ffi::OsString;
        assert_eq!(MallocMode::from_env_value(None), Ok(MallocMode::Default));
        assert_eq!(
            MallocMode::from_env_value(Some(OsStr::new(""))),
            Ok(MallocMode::Default)
        );
        assert_eq!(
            MallocMode::from_env_value(Some(OsStr::new("malloc_debug"))),
            Ok(MallocMode::MallocDebug)
        );
        let err = MallocMode::from_env_value(Some(OsStr::new("fast"))).unwrap_err();
        assert_eq!(err.value(), "fast");
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            let v = OsString::from_vec(vec![b'd', 0xFF]);
            let err = MallocMode::from_env_value(Some(&v)).unwrap_err();
            assert_eq!(err.value(), "d\u{FFFD}");
        }
        // Whatever the test environment holds, from_env agrees with from_env_value.
        let env = std::env::var_os(MallocMode::ENV_VAR);
        assert_eq!(
            MallocMode::from_env(),
            MallocMode::from_env_value(env.as_deref())
        );
    }
}
