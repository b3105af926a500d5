//! Differential test against CPython 3.11's own pymalloc (allocators.md §9).
//!
//! One seeded malloc/free trace is replayed through `PyObject_Malloc`/`PyObject_Free` of
//! libpython3.11 (loaded with `dlopen`) and through `Obmalloc::with_config(Config::cpython())`,
//! in lockstep. At checkpoints (every 10,000 operations, at every turn of the heap between
//! growing and shrinking, and after freeing everything) the two must agree exactly on the
//! per-class table (pools, blocks in use, available blocks), the arena counters (allocated
//! total, reclaimed, highwater, current), the byte breakdown, and
//! `sys.getallocatedblocks()`; and our `stats()` text must contain, character for
//! character, what pymalloc's `_PyObject_DebugMallocStats` prints from
//! "Small block threshold" down to the first "Total" line.
//!
//! **No `Py_Initialize`.** CPython 3.11's pymalloc keeps all its state in static variables
//! that are initialised at compile time (bpo-32124), so `PyObject_Malloc` and
//! `PyObject_Free` work without an interpreter when called from a single thread
//! (allocators.md §10). An initialised interpreter, on the other hand, allocates thousands of
//! its own objects (interned strings, modules, type caches) from the same pools and arenas,
//! and keeps allocating while we run; its blocks would be in pymalloc's tables and not in
//! ours, and the tables could not be compared. Only this test calls into libpython, from its
//! own thread, and it is the only test that loads it (the library's state is process-global).
//!
//! **Aligned arenas.** Our arenas are 1 MiB-aligned and hold 64 pools; pymalloc's default
//! arenas come from `mmap`, are only page-aligned, and hold 63 (one pool lost to alignment).
//! Before the first allocation the test installs, with `PyObject_SetArenaAllocator`, an arena
//! allocator that returns 1 MiB-aligned regions (`mmap` 2 MiB, `munmap` the excess) and
//! `munmap`s on free. Then pymalloc's arenas hold 64 pools too, and the comparison is exact,
//! including "bytes lost to arena alignment" (0 on both).
//!
//! Skipped (with a "skipped: ..." line) where libpython3.11 cannot be found (see
//! [`find_libpython`]).

use std::ffi::{CString, c_int, c_void};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::ptr::{self, NonNull};

use obmalloc::{ARENA_SIZE, Config, Obmalloc, Stats};

use crate::common::{check_stats_invariants, heavy_lock};

const TRACE_OPS: usize = 300_000;
const SEED: u64 = 0x0b3a_110c_2024_5eed;
const CHECK_EVERY: usize = 10_000;
const FALLBACK_LIBPYTHON: &str = "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0";

// ---------------------------------------------------------------------------- the trace

/// SplitMix64: a small, seedable generator (the trace must be the same on every run).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0; the modulo bias is irrelevant here).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Clone, Copy, Debug)]
enum TraceOp {
    /// Allocate this many bytes (1..=512) and push the block on the live list.
    Alloc(usize),
    /// Free the live block at this index of the live list (`swap_remove`).
    Free(usize),
}

/// How a phase picks sizes.
enum Sizes {
    Uniform,
    Small,
    /// Only these three classes.
    Classes([usize; 3]),
}

impl Sizes {
    fn pick(rng: &mut SplitMix64) -> Sizes {
        match rng.below(3) {
            0 => Sizes::Uniform,
            1 => Sizes::Small,
            _ => Sizes::Classes([rng.below(32), rng.below(32), rng.below(32)]),
        }
    }

    fn size(&self, rng: &mut SplitMix64) -> usize {
        match self {
            Sizes::Uniform => 1 + rng.below(512),
            Sizes::Small => 1 + rng.below(64),
            Sizes::Classes(cs) => 16 * cs[rng.below(3)] + 1 + rng.below(16),
        }
    }
}

/// A trace whose heap grows to 10k..60k live blocks and shrinks to 0..300, several times,
/// so that arenas fill, empty, are released, and are mapped again. Shrinking phases free
/// random blocks or the newest ones. Returns the trace and the indices after which a phase
/// turned.
fn make_trace() -> (Vec<TraceOp>, Vec<usize>) {
    let mut rng = SplitMix64(SEED);
    let mut ops = Vec::with_capacity(TRACE_OPS);
    let mut turns = Vec::new();
    let (mut live, mut growing, mut target) = (0usize, true, 40_000usize);
    let mut sizes = Sizes::Uniform;
    let mut newest_first = false;
    while ops.len() < TRACE_OPS {
        let alloc = live == 0 || rng.below(10) < if growing { 9 } else { 1 };
        if alloc {
            ops.push(TraceOp::Alloc(sizes.size(&mut rng)));
            live += 1;
        } else {
            let i = if newest_first && rng.below(4) != 0 {
                live - 1
            } else {
                rng.below(live)
            };
            ops.push(TraceOp::Free(i));
            live -= 1;
        }
        if growing && live >= target {
            growing = false;
            target = [0, 0, 50, 300][rng.below(4)];
            newest_first = rng.below(2) == 0;
            turns.push(ops.len());
        } else if !growing && live <= target {
            growing = true;
            target = 10_000 + rng.below(50_000);
            sizes = Sizes::pick(&mut rng);
            turns.push(ops.len());
        }
    }
    (ops, turns)
}

// ---------------------------------------------------------------------------- libpython

/// `PyObjectArenaAllocator` (Include/cpython/objimpl.h).
#[repr(C)]
struct PyObjectArenaAllocator {
    ctx: *mut c_void,
    alloc: unsafe extern "C" fn(ctx: *mut c_void, size: usize) -> *mut c_void,
    free: unsafe extern "C" fn(ctx: *mut c_void, ptr: *mut c_void, size: usize),
}

/// Maps `size` bytes aligned to `size` (a power of two: pymalloc asks for `ARENA_SIZE`).
unsafe extern "C" fn aligned_arena_alloc(_ctx: *mut c_void, size: usize) -> *mut c_void {
    if !size.is_power_of_two() {
        return ptr::null_mut();
    }
    let len = 2 * size;
    // SAFETY: a fresh private anonymous mapping; no existing memory is affected.
    let p = unsafe {
        libc::mmap(
            ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return ptr::null_mut();
    }
    let base = p.addr();
    let aligned = (base + size - 1) & !(size - 1);
    let (head, tail) = (aligned - base, base + len - (aligned + size));
    // SAFETY: both ranges lie in the mapping just made, outside the aligned region returned.
    unsafe {
        if head > 0 {
            libc::munmap(p, head);
        }
        if tail > 0 {
            libc::munmap(p.byte_add(head + size), tail);
        }
    }
    p.wrapping_byte_add(head)
}

/// Unmaps an arena made by [`aligned_arena_alloc`].
unsafe extern "C" fn aligned_arena_free(_ctx: *mut c_void, ptr: *mut c_void, size: usize) {
    // SAFETY: pymalloc hands back an arena it got from `aligned_arena_alloc`, with its size,
    // and no longer uses it.
    unsafe { libc::munmap(ptr, size) };
}

/// CPython 3.11's pymalloc, reached through `dlopen`/`dlsym`, uninitialised.
struct Pymalloc {
    malloc: unsafe extern "C" fn(usize) -> *mut c_void,
    free: unsafe extern "C" fn(*mut c_void),
    debug_malloc_stats: unsafe extern "C" fn(*mut libc::FILE) -> c_int,
    allocated_blocks: unsafe extern "C" fn() -> isize,
}

/// libpython3.11: `$OBMALLOC_TEST_LIBPYTHON` if set (to test another build), else the one
/// in `python3`'s `LIBDIR`, else Debian's path.
fn find_libpython() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("OBMALLOC_TEST_LIBPYTHON") {
        let path = PathBuf::from(path);
        return if path.exists() {
            Ok(path)
        } else {
            Err(format!(
                "OBMALLOC_TEST_LIBPYTHON={} does not exist",
                path.display()
            ))
        };
    }
    let mut tried = Vec::new();
    match Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_config_var('LIBDIR'))",
        ])
        .output()
    {
        Ok(out) if out.status.success() => {
            let libdir = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            let candidate = Path::new(&libdir).join("libpython3.11.so.1.0");
            if candidate.exists() {
                return Ok(candidate);
            }
            tried.push(candidate.display().to_string());
        }
        Ok(out) => tried.push(format!("python3 failed ({})", out.status)),
        Err(e) => tried.push(format!("python3 not runnable ({e})")),
    }
    let fallback = Path::new(FALLBACK_LIBPYTHON);
    if fallback.exists() {
        return Ok(fallback.to_owned());
    }
    tried.push(FALLBACK_LIBPYTHON.to_owned());
    Err(format!(
        "libpython3.11 not found (tried: {})",
        tried.join("; ")
    ))
}

/// `dlsym`, as a function pointer of type `F`.
///
/// # Safety
/// `F` must be the symbol's true C function type.
unsafe fn symbol<F: Copy>(handle: *mut c_void, name: &str) -> F {
    assert_eq!(size_of::<F>(), size_of::<*mut c_void>());
    let cname = CString::new(name).expect("symbol name");
    // SAFETY: `handle` is a live dlopen handle and `cname` a NUL-terminated string.
    let p = unsafe { libc::dlsym(handle, cname.as_ptr()) };
    assert!(!p.is_null(), "dlsym({name}) failed");
    // SAFETY: `p` is the address of the function `name`, whose type the caller vouches for;
    // `F` is a function pointer of the same size.
    unsafe { std::mem::transmute_copy::<*mut c_void, F>(&p) }
}

impl Pymalloc {
    /// Loads libpython and installs the aligned arena allocator. Must run before anything
    /// calls pymalloc in this process (nothing else here does).
    fn load(path: &Path) -> Pymalloc {
        let cpath = CString::new(path.as_os_str().as_encoded_bytes()).expect("path without NUL");
        // SAFETY: loading a shared library by path; its initialisers do not call pymalloc.
        let handle = unsafe { libc::dlopen(cpath.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        assert!(!handle.is_null(), "dlopen({}) failed", path.display());
        type SetArenaAllocator = unsafe extern "C" fn(*mut PyObjectArenaAllocator);
        // SAFETY: each type below is the symbol's C prototype in CPython 3.11:
        // void *PyObject_Malloc(size_t); void PyObject_Free(void *);
        // int _PyObject_DebugMallocStats(FILE *); Py_ssize_t _Py_GetAllocatedBlocks(void);
        // void PyObject_SetArenaAllocator(PyObjectArenaAllocator *).
        let (py, set_arena_allocator) = unsafe {
            (
                Pymalloc {
                    malloc: symbol(handle, "PyObject_Malloc"),
                    free: symbol(handle, "PyObject_Free"),
                    debug_malloc_stats: symbol(handle, "_PyObject_DebugMallocStats"),
                    allocated_blocks: symbol(handle, "_Py_GetAllocatedBlocks"),
                },
                symbol::<SetArenaAllocator>(handle, "PyObject_SetArenaAllocator"),
            )
        };
        let mut arena_allocator = PyObjectArenaAllocator {
            ctx: ptr::null_mut(),
            alloc: aligned_arena_alloc,
            free: aligned_arena_free,
        };
        // SAFETY: pymalloc copies the struct; no arena exists yet (checked by the caller from
        // the stats), so every arena it will ever free comes from `aligned_arena_alloc`.
        unsafe { set_arena_allocator(&mut arena_allocator) };
        // The library stays loaded for the rest of the process: `handle` is never closed.
        py
    }

    fn malloc(&self, n: usize) -> NonNull<c_void> {
        // SAFETY: single-threaded use of 3.11's statically initialised pymalloc.
        NonNull::new(unsafe { (self.malloc)(n) }).expect("PyObject_Malloc returned NULL")
    }

    /// # Safety
    /// `p` is a live block from [`Pymalloc::malloc`].
    unsafe fn free(&self, p: NonNull<c_void>) {
        // SAFETY: the caller's promise; single-threaded use.
        unsafe { (self.free)(p.as_ptr()) }
    }

    fn allocated_blocks(&self) -> usize {
        // SAFETY: reads pymalloc's static state; single-threaded use.
        let n = unsafe { (self.allocated_blocks)() };
        usize::try_from(n).expect("non-negative block count")
    }

    /// `_PyObject_DebugMallocStats` written to a temporary file and read back.
    fn report(&self) -> String {
        // SAFETY: plain libc stdio on a FILE this function owns and closes.
        unsafe {
            let f = libc::tmpfile();
            assert!(!f.is_null(), "tmpfile() failed");
            let wrote = (self.debug_malloc_stats)(f);
            assert_eq!(
                wrote, 1,
                "_PyObject_DebugMallocStats printed nothing: pymalloc is not this libpython's object allocator"
            );
            assert_eq!(libc::fflush(f), 0);
            libc::rewind(f);
            let mut out = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = libc::fread(buf.as_mut_ptr().cast(), 1, buf.len(), f);
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            libc::fclose(f);
            String::from_utf8(out).expect("ASCII report")
        }
    }
}

// ---------------------------------------------------------------------------- reports

/// The part of a `_debugmallocstats` report both sides must print identically: from
/// "Small block threshold" to the end of the first line starting with "Total".
fn comparable_part(report: &str) -> Option<&str> {
    let start = report.find("Small block threshold")?;
    let rest = &report[start..];
    let mut end = 0;
    for line in rest.split_inclusive('\n') {
        end += line.len();
        if line.starts_with("Total") {
            return Some(&rest[..end]);
        }
    }
    None
}

/// The numbers of a report: the class rows `[class, size, pools, blocks, avail]` and the
/// `label = value` lines (CPython's `printone`, with its thousands separators).
#[derive(Debug, PartialEq)]
struct Parsed {
    rows: Vec<[usize; 5]>,
    values: Vec<(String, usize)>,
}

fn parse(part: &str) -> Parsed {
    let mut parsed = Parsed {
        rows: Vec::new(),
        values: Vec::new(),
    };
    for line in part
        .lines()
        .filter(|l| !l.starts_with("Small block threshold"))
    {
        let fields: Vec<usize> = line
            .split_whitespace()
            .map_while(|w| w.parse().ok())
            .collect();
        if fields.len() == 5 && line.split_whitespace().count() == 5 {
            parsed
                .rows
                .push([fields[0], fields[1], fields[2], fields[3], fields[4]]);
        } else if let Some((label, value)) = line.split_once('=') {
            let value: usize = value
                .trim()
                .replace(',', "")
                .parse()
                .unwrap_or_else(|_| panic!("bad value in {line:?}"));
            parsed.values.push((label.trim().to_owned(), value));
        }
    }
    parsed
}

impl Parsed {
    fn value(&self, label: &str) -> usize {
        self.values
            .iter()
            .find(|(l, _)| l == label)
            .map(|&(_, v)| v)
            .unwrap_or_else(|| panic!("no {label:?} line in pymalloc's report"))
    }
}

/// Compares pymalloc's parsed report with our `Stats` fields, returning the differences.
fn compare(py: &Parsed, st: &Stats) -> Vec<String> {
    let mut diffs = Vec::new();
    let mut seen = [false; 32];
    for &[c, size, pools, blocks, avail] in &py.rows {
        seen[c] = true;
        let ours = &st.classes[c];
        let theirs = (size, pools, blocks, avail);
        let mine = (ours.size, ours.pools, ours.blocks_in_use, ours.avail_blocks);
        if theirs != mine {
            diffs.push(format!(
                "class {c} (size, pools, blocks, avail): pymalloc {theirs:?}, ours {mine:?}"
            ));
        }
    }
    for (c, ours) in st.classes.iter().enumerate() {
        if !seen[c] && ours.pools != 0 {
            diffs.push(format!(
                "class {c}: pymalloc has no pool, ours has {}",
                ours.pools
            ));
        }
    }
    let unused_label = format!("{} unused pools * 16384 bytes", st.unused_pools);
    let fields = [
        ("# arenas allocated total", st.arenas_allocated_total),
        ("# arenas reclaimed", st.arenas_reclaimed),
        ("# arenas highwater mark", st.arenas_highwater),
        ("# arenas allocated current", st.arenas_current),
        ("# bytes in allocated blocks", st.allocated_bytes),
        ("# bytes in available blocks", st.available_bytes),
        (unused_label.as_str(), st.unused_pool_bytes),
        ("# bytes lost to pool headers", st.pool_header_bytes),
        ("# bytes lost to quantization", st.quantization_bytes),
        ("# bytes lost to arena alignment", st.arena_alignment_bytes),
    ];
    for (label, ours) in fields {
        match py.values.iter().find(|(l, _)| l == label) {
            Some(&(_, theirs)) if theirs == ours => {}
            Some(&(_, theirs)) => diffs.push(format!("{label}: pymalloc {theirs}, ours {ours}")),
            None => diffs.push(format!(
                "{label:?}: no such line in pymalloc's report (ours {ours})"
            )),
        }
    }
    diffs
}

// ---------------------------------------------------------------------------- the test

/// Compares both allocators; panics with the differences and both reports.
fn check_same(py: &Pymalloc, ours: &Obmalloc, when: &str) {
    let py_report = py.report();
    let py_part = comparable_part(&py_report)
        .unwrap_or_else(|| panic!("{when}: unexpected pymalloc report:\n{py_report}"));
    let py_parsed = parse(py_part);
    let st = ours.stats();
    check_stats_invariants(&st).unwrap_or_else(|e| panic!("{when}: our stats: {e}"));
    if let Err(e) = ours.validate() {
        panic!("{when}: validate(): {e}");
    }
    let our_report = st.to_string();
    let mut diffs = compare(&py_parsed, &st);
    if py.allocated_blocks() != ours.allocated_blocks() {
        diffs.push(format!(
            "allocated blocks: pymalloc {}, ours {}",
            py.allocated_blocks(),
            ours.allocated_blocks()
        ));
    }
    match comparable_part(&our_report) {
        Some(part) if part == py_part => {}
        Some(part) => {
            let first = py_part.lines().zip(part.lines()).position(|(a, b)| a != b);
            diffs.push(format!(
                "report text differs (first differing line: {first:?})"
            ));
        }
        None => diffs.push("our report has no 'Small block threshold' .. 'Total' part".to_owned()),
    }
    assert_eq!(
        py_parsed.value("Total"),
        py_parsed.value("# arenas allocated current") * ARENA_SIZE
    );
    assert!(
        diffs.is_empty(),
        "{when}: pymalloc and obmalloc differ:\n  {}\n--- pymalloc:\n{py_part}--- ours:\n{our_report}",
        diffs.join("\n  ")
    );
}

#[test]
#[cfg_attr(miri, ignore = "calls into libpython through dlopen")]
fn a_seeded_trace_gives_pymallocs_exact_stats() {
    let path = match find_libpython() {
        Ok(path) => path,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let _heavy = heavy_lock();
    let py = Pymalloc::load(&path);
    println!("differential: pymalloc from {}", path.display());
    let fresh = parse(comparable_part(&py.report()).expect("pymalloc report"));
    assert_eq!(
        (
            fresh.value("# arenas allocated total"),
            py.allocated_blocks()
        ),
        (0, 0),
        "pymalloc was used before the arena allocator was installed"
    );

    let mut ours = Obmalloc::with_config(Config::cpython());
    let (trace, turns) = make_trace();
    let mut py_live: Vec<NonNull<c_void>> = Vec::new();
    let mut our_live: Vec<NonNull<u8>> = Vec::new();
    let mut turns = turns.into_iter().peekable();
    for (i, &op) in trace.iter().enumerate() {
        match op {
            TraceOp::Alloc(n) => {
                py_live.push(py.malloc(n));
                our_live.push(ours.alloc(n).expect("alloc"));
            }
            TraceOp::Free(k) => {
                // SAFETY: a live pymalloc block, removed from the live list.
                unsafe { py.free(py_live.swap_remove(k)) };
                // SAFETY: a live block of `ours`, removed from the live list.
                unsafe { ours.free(our_live.swap_remove(k).as_ptr()) };
            }
        }
        let done = i + 1;
        let turned = turns.next_if_eq(&done).is_some();
        if turned || done % CHECK_EVERY == 0 {
            check_same(
                &py,
                &ours,
                &format!("after op {done} ({} live)", our_live.len()),
            );
        }
    }
    let end = parse(comparable_part(&py.report()).expect("pymalloc report"));
    let (total, reclaimed, highwater) = (
        end.value("# arenas allocated total"),
        end.value("# arenas reclaimed"),
        end.value("# arenas highwater mark"),
    );
    println!(
        "differential: {} ops, arenas: total {total}, reclaimed {reclaimed}, highwater {highwater}",
        trace.len()
    );
    assert!(
        reclaimed > 0 && total > highwater,
        "the trace must release arenas and map new ones after that"
    );

    for (p, q) in py_live.drain(..).zip(our_live.drain(..)) {
        // SAFETY: live blocks of each allocator, each freed once.
        unsafe {
            py.free(p);
            ours.free(q.as_ptr());
        }
    }
    check_same(&py, &ours, "after freeing everything");
}
