//! Statistics and the `sys._debugmallocstats()` report.
//!
//! Nothing here is counted on the fast paths: like CPython, [`Obmalloc::stats`] walks every
//! arena and every carved pool. A pool with no live block is on its arena's free list and
//! counts as an unused pool; every other pool adds its blocks in use, and its capacity
//! minus that (carved or not) as available blocks. The byte breakdown therefore sums
//! exactly to `arenas × ARENA_SIZE`.
//!
//! The [`Display`](core::fmt::Display) of [`Stats`] prints CPython 3.11's report line for
//! line, with the same column widths and comma grouping. Two parts differ by design: the
//! arena map section describes pymem's two-level map (CPython prints its radix tree's
//! nodes), and a last section adds what CPython does not print (blocks served by the
//! system allocator, arenas kept by the cache).

use core::fmt;

use crate::arena_map;
use crate::config::{
    ARENA_SIZE, NB_SMALL_SIZE_CLASSES, POOL_OVERHEAD, POOL_SIZE, SMALL_REQUEST_THRESHOLD,
};
use crate::instance::Obmalloc;
use crate::size_class::SizeClass;

/// One row of the per-class table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClassStats {
    /// Block size of the class.
    pub size: usize,
    /// Pools of this class holding at least one live block.
    pub pools: usize,
    /// Live blocks.
    pub blocks_in_use: usize,
    /// Blocks those pools could still give, carved or not.
    pub avail_blocks: usize,
}

/// A snapshot of an allocator's state, as `sys._debugmallocstats()` reports it.
///
/// ```
/// let mut a = obmalloc::Obmalloc::new();
/// let blocks: Vec<_> = (0..100).map(|_| a.alloc(64).unwrap()).collect();
/// let s = a.stats();
/// assert_eq!(s.classes[3].blocks_in_use, 100);
/// assert_eq!(s.total_bytes(), s.arenas_current * obmalloc::ARENA_SIZE);
/// assert!(s.to_string().contains("# arenas allocated current"));
/// for p in blocks {
///     // SAFETY: each block came from `a` and is freed once.
///     unsafe { a.free(p.as_ptr()) };
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stats {
    /// The per-class table, indexed by class.
    pub classes: [ClassStats; NB_SMALL_SIZE_CLASSES],
    /// Arenas ever mapped (`ntimes_arena_allocated`).
    pub arenas_allocated_total: usize,
    /// Arenas given back to the OS (`total - current`).
    pub arenas_reclaimed: usize,
    /// The most arenas mapped at once.
    pub arenas_highwater: usize,
    /// Arenas mapped now.
    pub arenas_current: usize,
    /// Pools available in mapped arenas: Empty ones plus never carved ones.
    pub unused_pools: usize,
    /// Live blocks served by the system allocator (0 bytes and over 512 bytes).
    pub raw_blocks: usize,
    /// Wholly free arenas kept mapped (the cache plus CPython's retained arena).
    pub cached_arenas: usize,
    /// How many wholly free arenas may stay mapped beyond CPython's one right now
    /// ([`Obmalloc::arena_cache_bound`]).
    pub arena_cache_bound: usize,
    /// Bytes in live blocks (block sizes, not request sizes).
    pub allocated_bytes: usize,
    /// Bytes in available blocks of pools in use.
    pub available_bytes: usize,
    /// Bytes in unused pools.
    pub unused_pool_bytes: usize,
    /// Bytes of pool headers of pools in use.
    pub pool_header_bytes: usize,
    /// Bytes at the end of pools in use that are too small for a block.
    pub quantization_bytes: usize,
    /// Bytes lost because an arena is not pool-aligned: always 0 in pymem.
    pub arena_alignment_bytes: usize,
    /// Leaves of the arena map.
    pub arena_map_leaves: usize,
}

impl Stats {
    /// The byte breakdown's total: always `arenas_current * ARENA_SIZE`.
    pub fn total_bytes(&self) -> usize {
        self.allocated_bytes
            + self.available_bytes
            + self.unused_pool_bytes
            + self.pool_header_bytes
            + self.quantization_bytes
            + self.arena_alignment_bytes
    }

    /// Live small blocks (the sum of the table's "blocks in use").
    pub fn small_blocks(&self) -> usize {
        self.classes.iter().map(|c| c.blocks_in_use).sum()
    }
}

impl Obmalloc {
    /// Walks the arenas and returns their statistics (CPython's
    /// `_PyObject_DebugMallocStats`, as numbers).
    pub fn stats(&self) -> Stats {
        let mut classes = [ClassStats::default(); NB_SMALL_SIZE_CLASSES];
        for c in SizeClass::all() {
            classes[c.index()].size = c.block_size();
        }
        self.for_each_carved_pool(|_, p| {
            // SAFETY: carved pools have initialised headers.
            let (count, class) = unsafe { ((*p).count, (*p).class as usize) };
            if count == 0 {
                return;
            }
            // A lingering pool with no live block is an unused pool, as it would be without
            // lingering (it is then counted in `unused_pools` below).
            let count = (count - self.phantom(class, p)) as usize;
            if count == 0 {
                return;
            }
            let c = &mut classes[class];
            c.pools += 1;
            c.blocks_in_use += count;
            c.avail_blocks += SizeClass::from_index(class).unwrap().blocks_per_pool() - count;
        });
        let unused_pools: usize = self
            .arenas
            .iter()
            .filter(|(_, a)| !a.address.is_null())
            .map(|(_, a)| a.free_pool_count as usize)
            .sum::<usize>()
            + self.empty_lingering_pools();
        let mut s = Stats {
            classes,
            arenas_allocated_total: self.arenas_allocated_total,
            arenas_reclaimed: self.arenas_allocated_total - self.arenas_current,
            arenas_highwater: self.arenas_highwater,
            arenas_current: self.arenas_current,
            unused_pools,
            raw_blocks: self.raw_blocks,
            cached_arenas: self.cached_arenas(),
            arena_cache_bound: self.arena_cache_bound(),
            allocated_bytes: 0,
            available_bytes: 0,
            unused_pool_bytes: unused_pools * POOL_SIZE,
            pool_header_bytes: 0,
            quantization_bytes: 0,
            arena_alignment_bytes: 0,
            arena_map_leaves: arena_map::leaf_count(),
        };
        for (c, row) in SizeClass::all().zip(classes.iter()) {
            s.allocated_bytes += row.blocks_in_use * row.size;
            s.available_bytes += row.avail_blocks * row.size;
            s.pool_header_bytes += row.pools * POOL_OVERHEAD;
            s.quantization_bytes += row.pools * c.quantization_per_pool();
        }
        debug_assert_eq!(s.total_bytes(), s.arenas_current * ARENA_SIZE);
        s
    }
}

/// One `label = value` line: the label padded to 35 columns, the value right-aligned in 21
/// with comma grouping (CPython's `printone`).
fn line(f: &mut fmt::Formatter<'_>, label: &str, value: usize) -> Result<usize, fmt::Error> {
    writeln!(f, "{label:<35}={:>21}", grouped(value))?;
    Ok(value)
}

/// `value` in decimal with a comma between groups of three digits.
fn grouped(value: usize) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (n, ch) in digits.chars().enumerate() {
        if n > 0 && (digits.len() - n).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The report line for a free list (CPython's `_PyDebugAllocatorStats`, which
/// `sys._debugmallocstats()` prints for the dict, float, list and tuple lists after the
/// allocator's report): "`blocks` free `name`s * `block_size` bytes each", right-aligned,
/// then the bytes they hold, with a newline.
///
/// ```
/// let l = obmalloc::free_list_line("PyFloatObject", 4, 24);
/// assert_eq!(l.trim_start(), "4 free PyFloatObjects * 24 bytes each =                   96\n");
/// assert_eq!(l.len(), 48 + 1 + 1 + 21 + 1);
/// ```
pub fn free_list_line(name: &str, blocks: usize, block_size: usize) -> String {
    let what = format!("{blocks} free {name}s * {block_size} bytes each");
    format!("{what:>48} ={:>21}\n", grouped(blocks * block_size))
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Small block threshold = {SMALL_REQUEST_THRESHOLD}, in {NB_SMALL_SIZE_CLASSES} size classes."
        )?;
        writeln!(f)?;
        writeln!(f, "class   size   num pools   blocks in use  avail blocks")?;
        writeln!(f, "-----   ----   ---------   -------------  ------------")?;
        for (i, c) in self.classes.iter().enumerate() {
            if c.pools == 0 {
                continue;
            }
            writeln!(
                f,
                "{i:5} {:6} {:11} {:15} {:13}",
                c.size, c.pools, c.blocks_in_use, c.avail_blocks
            )?;
        }
        writeln!(f)?;
        line(f, "# arenas allocated total", self.arenas_allocated_total)?;
        line(f, "# arenas reclaimed", self.arenas_reclaimed)?;
        line(f, "# arenas highwater mark", self.arenas_highwater)?;
        line(f, "# arenas allocated current", self.arenas_current)?;
        line(
            f,
            &format!("{} arenas * {ARENA_SIZE} bytes/arena", self.arenas_current),
            self.arenas_current * ARENA_SIZE,
        )?;
        writeln!(f)?;
        let mut total = line(f, "# bytes in allocated blocks", self.allocated_bytes)?;
        total += line(f, "# bytes in available blocks", self.available_bytes)?;
        total += line(
            f,
            &format!("{} unused pools * {POOL_SIZE} bytes", self.unused_pools),
            self.unused_pool_bytes,
        )?;
        total += line(f, "# bytes lost to pool headers", self.pool_header_bytes)?;
        total += line(f, "# bytes lost to quantization", self.quantization_bytes)?;
        total += line(
            f,
            "# bytes lost to arena alignment",
            self.arena_alignment_bytes,
        )?;
        line(f, "Total", total)?;
        writeln!(f)?;
        writeln!(f, "arena map counts")?;
        line(f, "# arena map leaf nodes", self.arena_map_leaves)?;
        writeln!(f)?;
        let mut total = line(f, "# bytes lost to arena map root", arena_map::ROOT_BYTES)?;
        total += line(
            f,
            "# bytes lost to arena map leaves",
            self.arena_map_leaves * arena_map::LEAF_BYTES,
        )?;
        line(f, "Total", total)?;
        writeln!(f)?;
        writeln!(f, "pymem")?;
        line(f, "# blocks from the system allocator", self.raw_blocks)?;
        line(f, "# wholly free arenas kept mapped", self.cached_arenas)?;
        line(f, "# arena cache bound (+1)", self.arena_cache_bound)?;
        Ok(())
    }
}
