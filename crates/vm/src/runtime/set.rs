//! The table behind `set` and `frozenset`: open addressing over one array of slots, laid out
//! and grown the way CPython 3.11's set is, so that iteration order and `sys.getsizeof` come
//! out the same.
//!
//! A slot is empty, a *dummy* (an element was removed there; searches go past it) or holds
//! an element with its hash. Iteration walks the slots in index order, which is why small
//! ints come out sorted by `hash & mask`. A search starts at `hash & mask`, looks at up to
//! [`LINEAR_PROBES`] following slots while they fit before the end of the table, then jumps
//! with the perturbed recurrence `i = 5·i + 1 + perturb` (`perturb` starts as the hash and
//! loses [`PERTURB_SHIFT`] bits per jump). An insertion takes the last dummy the search
//! passed, or else the empty slot that ended it.
//!
//! `fill` counts elements plus dummies. Once an insertion into an empty slot makes
//! `5·fill ≥ 3·mask`, the table is rebuilt for `4 × used` elements (`2 ×` past 50,000),
//! rounded up to the next power of two above that (minimum 8), dummies dropped.
//!
//! Comparing elements may run Python code, so the table never compares: a search is a
//! [`Cursor`] that stops at each slot holding an equal hash ([`Step::Candidate`]) and lets the
//! caller compare with the table released, then resume if the table was not rebuilt and the
//! slot still holds that element ([`SetTable::still_at`]), or restart otherwise — CPython's
//! rule for a comparison that mutates the set.

use std::sync::atomic::{AtomicU64, Ordering};

use heap::{AnyObj, Trace};

/// Slots a search looks at one after another before it jumps.
pub const LINEAR_PROBES: usize = 9;
/// Bits of the hash each jump brings into the probe sequence.
pub const PERTURB_SHIFT: u32 = 5;
/// The size of a new table (CPython's `PySet_MINSIZE`, the table kept inside the object).
pub const MIN_SIZE: usize = 8;

/// One slot of the table.
#[derive(Trace, Default)]
pub enum Slot {
    /// Never used since the table was built.
    #[default]
    Empty,
    /// An element was removed from here.
    Dummy,
    /// An element and its hash.
    Active(i64, AnyObj),
}

/// Where a search is: the slot it looks at next and what it has seen.
#[derive(Clone, Debug)]
pub struct Cursor {
    hash: i64,
    /// The first slot of the current run of linear probes.
    base: usize,
    /// Offset of the next slot to look at within the run.
    offset: usize,
    perturb: u64,
    /// The last dummy passed, where an insertion goes.
    dummy: Option<usize>,
}

/// What a search step found.
#[derive(Debug)]
pub enum Step {
    /// This slot holds the very same object.
    Same(usize),
    /// This slot holds an element with the same hash: the caller compares it.
    Candidate(usize, AnyObj),
    /// The search ended: the element is absent, and an insertion would go into this slot
    /// (`reuses_dummy`: the slot is a dummy, so `fill` does not grow).
    Vacant {
        /// The slot an insertion uses.
        slot: usize,
        /// Whether it is a dummy slot.
        reuses_dummy: bool,
    },
}

/// A copy of a table's elements and layout ([`SetTable::snapshot`]).
pub struct Snapshot {
    size: usize,
    clean: bool,
    entries: Vec<(usize, i64, AnyObj)>,
}

static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

fn next_generation() -> u64 {
    NEXT_GENERATION.fetch_add(1, Ordering::Relaxed)
}

/// The hash table of a set.
#[derive(Trace, Default)]
pub struct SetTable {
    /// The slots: empty until the first insertion, then a power of two, at least 8.
    slots: Vec<Slot>,
    fill: usize,
    used: usize,
    /// Where `pop()` looks first.
    finger: usize,
    /// Renewed whenever the slot array is replaced (a resize or a clear).
    generation: u64,
}

impl SetTable {
    /// An empty table.
    pub fn new() -> SetTable {
        SetTable::default()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.used
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.used == 0
    }

    /// Number of slots (8 for a table never filled, as CPython's inline table).
    pub fn size(&self) -> usize {
        self.slots.len().max(MIN_SIZE)
    }

    /// Elements plus dummies.
    pub fn fill(&self) -> usize {
        self.fill
    }

    /// Changes whenever the slot array is replaced.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    fn mask(&self) -> usize {
        self.size() - 1
    }

    /// Starts a search for an element with this hash.
    pub fn cursor(&self, hash: i64) -> Cursor {
        Cursor {
            hash,
            base: hash as u64 as usize & self.mask(),
            offset: 0,
            perturb: hash as u64,
            dummy: None,
        }
    }

    /// Moves the search on to the next slot worth reporting.
    pub fn advance(&self, cur: &mut Cursor, key: &AnyObj) -> Step {
        if self.slots.is_empty() {
            return Step::Vacant {
                slot: cur.base,
                reuses_dummy: false,
            };
        }
        let mask = self.mask();
        loop {
            let run = if cur.base + LINEAR_PROBES <= mask {
                LINEAR_PROBES
            } else {
                0
            };
            while cur.offset <= run {
                let slot = cur.base + cur.offset;
                cur.offset += 1;
                match &self.slots[slot] {
                    Slot::Empty => {
                        return match cur.dummy {
                            Some(d) => Step::Vacant {
                                slot: d,
                                reuses_dummy: true,
                            },
                            None => Step::Vacant {
                                slot,
                                reuses_dummy: false,
                            },
                        };
                    }
                    Slot::Dummy => cur.dummy = Some(slot),
                    Slot::Active(h, k) if *h == cur.hash => {
                        return if k.ptr_eq(key) {
                            Step::Same(slot)
                        } else {
                            Step::Candidate(slot, k.clone())
                        };
                    }
                    Slot::Active(..) => {}
                }
            }
            cur.perturb >>= PERTURB_SHIFT;
            cur.base = (cur
                .base
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(cur.perturb as usize))
                & mask;
            cur.offset = 0;
        }
    }

    /// Whether a search may go on after comparing the element found at `slot`: the table
    /// was not rebuilt since `generation` and the slot still holds `key`.
    pub fn still_at(&self, generation: u64, slot: usize, key: &AnyObj) -> bool {
        self.generation == generation
            && matches!(self.slots.get(slot), Some(Slot::Active(_, k)) if k.ptr_eq(key))
    }

    /// The element at `slot`, if there is one.
    pub fn key_at(&self, slot: usize) -> Option<&AnyObj> {
        match self.slots.get(slot) {
            Some(Slot::Active(_, k)) => Some(k),
            _ => None,
        }
    }

    /// Puts a new element where a search ended ([`Step::Vacant`]), growing the table when it
    /// gets too full.
    pub fn insert_at(&mut self, slot: usize, reuses_dummy: bool, hash: i64, key: AnyObj) {
        if self.slots.is_empty() {
            self.slots = empty_slots(MIN_SIZE);
        }
        self.slots[slot] = Slot::Active(hash, key);
        self.used += 1;
        if reuses_dummy {
            return;
        }
        self.fill += 1;
        if self.fill * 5 >= self.mask() * 3 {
            self.resize(self.growth_target());
        }
    }

    /// What a growing table is sized for.
    fn growth_target(&self) -> usize {
        if self.used > 50_000 {
            self.used * 2
        } else {
            self.used * 4
        }
    }

    /// Removes the element at `slot`, leaving a dummy; returns it (to be dropped by the
    /// caller once the table is released).
    pub fn remove_at(&mut self, slot: usize) -> Option<AnyObj> {
        match std::mem::replace(self.slots.get_mut(slot)?, Slot::Dummy) {
            Slot::Active(_, k) => {
                self.used -= 1;
                Some(k)
            }
            other => {
                self.slots[slot] = other;
                None
            }
        }
    }

    /// Removes an arbitrary element: the first at or after the finger, which then moves past
    /// it (so repeated pops walk the table once).
    pub fn pop(&mut self) -> Option<AnyObj> {
        if self.used == 0 {
            return None;
        }
        let mask = self.mask();
        let mut i = self.finger & mask;
        while !matches!(self.slots[i], Slot::Active(..)) {
            i = (i + 1) & mask;
        }
        self.finger = i + 1;
        self.remove_at(i)
    }

    /// Empties the table back to its initial size; returns the elements, to be dropped by
    /// the caller once the table is released.
    pub fn clear(&mut self) -> Vec<AnyObj> {
        let slots = std::mem::take(&mut self.slots);
        self.fill = 0;
        self.used = 0;
        self.generation = next_generation();
        slots
            .into_iter()
            .filter_map(|s| match s {
                Slot::Active(_, k) => Some(k),
                _ => None,
            })
            .collect()
    }

    /// Rebuilds the table with the smallest size above `min_used` (at least 8), without
    /// dummies. A table of 8 without dummies is left alone.
    pub fn resize(&mut self, min_used: usize) {
        let mut size = MIN_SIZE;
        while size <= min_used {
            size <<= 1;
        }
        if size == MIN_SIZE && self.size() == MIN_SIZE && self.fill == self.used {
            return;
        }
        let old = std::mem::replace(&mut self.slots, empty_slots(size));
        self.generation = next_generation();
        self.fill = self.used;
        for slot in old {
            if let Slot::Active(h, k) = slot {
                place_clean(&mut self.slots, h, k);
            }
        }
    }

    /// Makes room before `incoming` elements are added one by one (CPython sizes the table
    /// once before a merge).
    pub fn reserve(&mut self, incoming: usize) {
        if (self.fill + incoming) * 5 >= self.mask() * 3 {
            self.resize((self.used + incoming) * 2);
        }
    }

    /// The elements with their slots, for [`SetTable::fill_from`].
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            size: self.size(),
            clean: self.fill == self.used,
            entries: self
                .slots
                .iter()
                .enumerate()
                .filter_map(|(i, s)| match s {
                    Slot::Active(h, k) => Some((i, *h, k.clone())),
                    _ => None,
                })
                .collect(),
        }
    }

    /// Puts another table's elements into this empty one without comparing them (they are
    /// known distinct): slot for slot when the sizes match and the source had no dummies,
    /// else one by one in the source's slot order.
    pub fn fill_from(&mut self, src: Snapshot) {
        debug_assert!(self.fill == 0);
        if src.entries.is_empty() {
            return;
        }
        if self.slots.is_empty() {
            self.slots = empty_slots(MIN_SIZE);
        }
        let n = src.entries.len();
        let same_layout = self.size() == src.size && src.clean;
        for (slot, h, k) in src.entries {
            if same_layout {
                self.slots[slot] = Slot::Active(h, k);
            } else {
                place_clean(&mut self.slots, h, k);
            }
        }
        self.fill = n;
        self.used = n;
    }

    /// Marks the slot array as replaced (after the table moved into another set).
    pub fn renew_generation(&mut self) {
        self.generation = next_generation();
    }

    /// The elements with their hashes, in slot order.
    pub fn entries(&self) -> impl Iterator<Item = (i64, &AnyObj)> {
        self.slots.iter().filter_map(|s| match s {
            Slot::Active(h, k) => Some((*h, k)),
            _ => None,
        })
    }

    /// The first element at or after slot `pos`, with its slot.
    pub fn next_from(&self, pos: usize) -> Option<(usize, &AnyObj)> {
        self.slots
            .iter()
            .enumerate()
            .skip(pos)
            .find_map(|(i, s)| match s {
                Slot::Active(_, k) => Some((i, k)),
                _ => None,
            })
    }

    /// After removals: rebuilds the table when more than a quarter of it is dummies (what
    /// CPython's `difference_update` does).
    pub fn shed_dummies(&mut self) {
        if self.fill - self.used > self.mask() / 4 {
            self.resize(self.growth_target());
        }
    }

    /// `hash(frozenset)`: order-independent, from the elements' hashes and their number
    /// (CPython 3.11's algorithm, so equal frozensets hash alike in both).
    pub fn frozen_hash(&self) -> i64 {
        fn shuffle(h: u64) -> u64 {
            ((h ^ 89_869_747) ^ (h << 16)).wrapping_mul(3_644_798_167)
        }
        let mut h = self
            .entries()
            .fold(0u64, |acc, (eh, _)| acc ^ shuffle(eh as u64));
        h ^= (self.used as u64 + 1).wrapping_mul(1_927_868_237);
        h ^= (h >> 11) ^ (h >> 25);
        h = h.wrapping_mul(69_069).wrapping_add(907_133_923);
        if h == u64::MAX { 590_923_713 } else { h as i64 }
    }

    /// Bytes `sys.getsizeof` reports without the GC header: CPython's set object (200),
    /// plus 16 per slot once the table outgrew the inline one.
    pub fn sizeof(&self) -> usize {
        let extra = if self.size() > MIN_SIZE {
            self.size() * 16
        } else {
            0
        };
        200 + extra
    }
}

fn empty_slots(n: usize) -> Vec<Slot> {
    std::iter::repeat_with(|| Slot::Empty).take(n).collect()
}

/// Puts an element known to be absent into a table without dummies.
fn place_clean(slots: &mut [Slot], hash: i64, key: AnyObj) {
    let mask = slots.len() - 1;
    let mut perturb = hash as u64;
    let mut base = hash as u64 as usize & mask;
    loop {
        let run = if base + LINEAR_PROBES <= mask {
            LINEAR_PROBES
        } else {
            0
        };
        if let Some(slot) = (base..=base + run).find(|&i| matches!(slots[i], Slot::Empty)) {
            slots[slot] = Slot::Active(hash, key);
            return;
        }
        perturb >>= PERTURB_SHIFT;
        base = (base
            .wrapping_mul(5)
            .wrapping_add(1)
            .wrapping_add(perturb as usize))
            & mask;
    }
}

#[cfg(test)]
#[path = "set_tests.rs"]
mod tests;
