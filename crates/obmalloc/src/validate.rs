//! [`Obmalloc::validate`]: walks every structure and checks the invariants named in the
//! module docs (P1–P3, U1–U2, A1–A3, S1–S3) plus the counters. O(heap): for tests,
//! property tests after every step, and debugging.

use std::collections::HashSet;

use crate::arena::ArenaIdx;
use crate::config::{MAX_POOLS_IN_ARENA, POOL_OVERHEAD, POOL_SIZE};
use crate::instance::Obmalloc;
use crate::pool::{self, PoolHeader};
use crate::size_class::SizeClass;

impl Obmalloc {
    /// Checks every invariant of the allocator's lists, pools and counters, and describes
    /// the first violation found. Takes time proportional to the heap.
    ///
    /// ```
    /// let mut a = obmalloc::Obmalloc::new();
    /// let _p = a.alloc(100).unwrap();
    /// assert_eq!(a.validate(), Ok(()));
    /// ```
    pub fn validate(&self) -> Result<(), String> {
        self.usable_arenas().validate(&self.arenas)?;
        let usable: HashSet<u32> = self
            .usable_arenas()
            .members(&self.arenas)
            .into_iter()
            .map(|i| i.0)
            .collect();

        // Rings: U1, P1.
        let mut on_ring: HashSet<usize> = HashSet::new();
        for c in SizeClass::all() {
            let ring = self.used_pools().ring(c);
            for (n, &p) in ring.iter().enumerate() {
                // SAFETY: ring members are live pool headers (checked as we go).
                let (class, count, free, next, prev) = unsafe {
                    (
                        (*p).class,
                        (*p).count,
                        (*p).free_block,
                        (*p).next,
                        (*p).prev,
                    )
                };
                if class as usize != c.index() {
                    return Err(format!(
                        "pool {p:p} of class {class} on ring {} (U1)",
                        c.index()
                    ));
                }
                // A lingering pool holds one phantom count and may have no live block.
                let phantom = self.phantom(c.index(), p);
                let live = count.checked_sub(phantom);
                if live.is_none_or(|live| {
                    (live == 0 && phantom == 0) || live as usize >= c.blocks_per_pool()
                }) {
                    return Err(format!(
                        "pool {p:p} on ring {} has {count} live blocks (U1)",
                        c.index()
                    ));
                }
                if free.is_null() {
                    return Err(format!("Used pool {p:p} has an empty free list (P1)"));
                }
                if next != ring[(n + 1) % ring.len()]
                    || prev != ring[(n + ring.len() - 1) % ring.len()]
                {
                    return Err(format!("ring {} has bad links at pool {p:p}", c.index()));
                }
                if !on_ring.insert(p as usize) {
                    return Err(format!("pool {p:p} is on a ring twice"));
                }
            }
        }

        let mut live_arenas = 0;
        let mut cached = 0;
        for (i, a) in self.arenas.iter() {
            if a.address.is_null() {
                continue;
            }
            live_arenas += 1;
            if a.address.addr() % crate::config::ARENA_SIZE != 0 {
                return Err(format!("arena {} at {:p} is not aligned", i.0, a.address));
            }
            if !self.owns(a.address) {
                return Err(format!("arena {} is missing from the arena map", i.0));
            }
            if a.total_pools as usize != MAX_POOLS_IN_ARENA || a.free_pool_count > a.total_pools {
                return Err(format!("arena {} has bad pool counts", i.0));
            }
            // A2
            if (a.free_pool_count > 0) != usable.contains(&i.0) {
                return Err(format!(
                    "arena {} with {} free pools is {}on usable_arenas (A2)",
                    i.0,
                    a.free_pool_count,
                    if usable.contains(&i.0) { "" } else { "not " }
                ));
            }
            if a.is_wholly_free() {
                cached += 1;
            }
            // A3: the arena's free pools are Empty pools of this arena.
            let mut empties = HashSet::new();
            let mut p = a.free_pools;
            while !p.is_null() {
                if !empties.insert(p as usize) || empties.len() > MAX_POOLS_IN_ARENA {
                    return Err(format!("arena {} free_pools has a cycle", i.0));
                }
                // SAFETY: free-listed pools are carved pools of this arena.
                let (count, arena, next) = unsafe { ((*p).count, (*p).arena, (*p).next) };
                if count != 0 || arena != i.0 {
                    return Err(format!(
                        "pool {p:p} on arena {}'s free pools is not Empty",
                        i.0
                    ));
                }
                p = next;
            }
            let carved = (a.pool_address.addr() - a.address.addr()) / POOL_SIZE;
            if empties.len() + (MAX_POOLS_IN_ARENA - carved) != a.free_pool_count as usize {
                return Err(format!(
                    "arena {}: {} empty + {} uncarved pools but free_pool_count {} (A3)",
                    i.0,
                    empties.len(),
                    MAX_POOLS_IN_ARENA - carved,
                    a.free_pool_count
                ));
            }
            for k in 0..carved {
                let p = a.address.wrapping_add(k * POOL_SIZE).cast::<PoolHeader>();
                self.validate_pool(ArenaIdx(i.0), p, &on_ring, &empties)?;
            }
        }
        if live_arenas != self.arenas_current {
            return Err(format!(
                "{live_arenas} arenas mapped, counter says {}",
                self.arenas_current
            ));
        }
        if cached != self.cached_arenas() {
            return Err(format!(
                "{cached} wholly free arenas mapped, counter says {}",
                self.cached_arenas()
            ));
        }
        if self.arenas_highwater < self.arenas_current
            || self.arenas_allocated_total < self.arenas_highwater
        {
            return Err("arena counters out of order".into());
        }
        Ok(())
    }

    fn validate_pool(
        &self,
        arena: ArenaIdx,
        p: *mut PoolHeader,
        on_ring: &HashSet<usize>,
        empties: &HashSet<usize>,
    ) -> Result<(), String> {
        // SAFETY: carved pools have initialised headers.
        let (count, class, arena_field, free) =
            unsafe { ((*p).count, (*p).class, (*p).arena, (*p).free_block) };
        let phantom = if class == pool::NO_CLASS {
            0
        } else {
            self.phantom(class as usize, p)
        };
        if count < phantom {
            return Err(format!("lingering pool {p:p} lost its phantom count"));
        }
        // Live blocks, without the phantom count of a lingering pool.
        let count = count - phantom;
        if arena_field != arena.0 {
            return Err(format!(
                "pool {p:p} says arena {arena_field}, is in {}",
                arena.0
            ));
        }
        if count == 0 && phantom == 0 {
            // P3
            if !empties.contains(&(p as usize)) {
                return Err(format!(
                    "pool {p:p} has no live block but is not Empty (P3)"
                ));
            }
            if class == pool::NO_CLASS {
                return Ok(());
            }
        }
        let Some(c) = SizeClass::from_index(class as usize) else {
            return Err(format!("pool {p:p} has class {class}"));
        };
        let capacity = c.blocks_per_pool();
        let full = count as usize == capacity;
        if (count > 0 || phantom > 0) && full == on_ring.contains(&(p as usize)) {
            return Err(format!(
                "pool {p:p} ({count}/{capacity} live) ring membership is wrong"
            ));
        }
        if full != free.is_null() {
            return Err(format!(
                "pool {p:p} ({count}/{capacity} live) free list is wrong (P2)"
            ));
        }
        // The free list holds exactly the carved blocks that are not live.
        // SAFETY: `p` is an initialised pool.
        let carved = unsafe { pool::carved_blocks(p) };
        let lo = p as usize + POOL_OVERHEAD;
        let mut seen = HashSet::new();
        let mut b = free;
        while !b.is_null() {
            let a = b as usize;
            if a < lo || a >= p as usize + POOL_SIZE || !(a - lo).is_multiple_of(c.block_size()) {
                return Err(format!(
                    "pool {p:p}: free block {b:p} is not a block of the pool"
                ));
            }
            if (a - lo) / c.block_size() >= carved {
                return Err(format!("pool {p:p}: free block {b:p} was never carved"));
            }
            if !seen.insert(a) {
                return Err(format!(
                    "pool {p:p}: free block {b:p} is listed twice (double free?)"
                ));
            }
            // SAFETY: a validated free block of this pool.
            b = unsafe { (*b).next };
        }
        if seen.len() + count as usize != carved {
            return Err(format!(
                "pool {p:p}: {} free + {count} live != {carved} carved blocks",
                seen.len()
            ));
        }
        Ok(())
    }
}
