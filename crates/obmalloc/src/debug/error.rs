//! What the debug allocator reports: the damaged bytes of a block, and the errors
//! `free`, `realloc` and `check` return, with CPython-flavoured reports.

use super::*;

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
