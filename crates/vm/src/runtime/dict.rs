//! The dict table: CPython's compact, insertion-ordered hash table.
//!
//! Two arrays, as in CPython since 3.6: `entries` holds `(hash, key, value)` in insertion
//! order (a deleted entry leaves a hole until the next resize), and `indices` is the open
//! addressing table of positions into `entries`, probed with CPython's perturbed sequence
//! `i = 5·i + perturb + 1`. The table holds `2/3` of its size in entries; growing rebuilds
//! both arrays with room for `3 × used`, rounded up to a power of two, minimum 8 — the same
//! sizes CPython picks, so `sys.getsizeof` of a dict can report CPython's numbers.
//!
//! Key comparison can run Python code (`__eq__`), which must not happen while the table is
//! borrowed. Lookups therefore take a *fast* equality that answers for identical objects and
//! builtin keys and may say "don't know"; then [`Dict::lookup`] returns the candidate
//! positions and the caller compares them with the table released, re-checking
//! [`Dict::version`] afterwards, as CPython restarts a lookup whose dict changed under it.
//!
//! Versions come from one process-wide counter (CPython 3.11's `ma_version_tag` did the
//! same): two tables with the same version have the same keys at the same positions, which
//! is what lets `LOAD_GLOBAL` cache the position of a name (see `interp.rs`).

use std::sync::atomic::{AtomicU64, Ordering};

use heap::{AnyObj, Trace};

/// The next dict version; 0 is the version of every table never changed.
static NEXT_VERSION: AtomicU64 = AtomicU64::new(1);

const EMPTY: i32 = -1;
const DUMMY: i32 = -2;
/// The smallest table CPython makes.
pub const MIN_SIZE: usize = 8;

/// One key/value pair with the key's hash.
#[derive(Trace)]
pub struct Entry {
    /// The key's hash.
    pub hash: i64,
    /// The key.
    pub key: AnyObj,
    /// The value.
    pub value: AnyObj,
}

/// The outcome of a [`Dict::lookup`].
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The key is at this position of `entries`.
    Found(usize),
    /// No entry has an equal key.
    Missing,
    /// These positions have the same hash and need a full (Python-level) comparison.
    Undecided(Vec<usize>),
}

/// An insertion-ordered hash table of objects.
#[derive(Trace, Default)]
pub struct Dict {
    indices: Vec<i32>,
    entries: Vec<Option<Entry>>,
    used: usize,
    /// Renewed by every insertion of a new key and every deletion (iteration checks it), from
    /// a process-wide counter.
    version: u64,
}

/// Fast key equality: `Some(answer)` when it can tell without running Python code.
pub type FastEq<'a> = &'a dyn Fn(&AnyObj, &AnyObj) -> Option<bool>;

impl Dict {
    /// An empty dict (no table allocated until the first insertion, as CPython's `{}`).
    pub fn new() -> Dict {
        Dict::default()
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.used
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.used == 0
    }

    /// The version: it changes whenever a key is added or removed, and no other table
    /// ever had it unless it has the same keys at the same positions.
    pub fn version(&self) -> u64 {
        self.version
    }

    fn renew_version(&mut self) {
        self.version = NEXT_VERSION.fetch_add(1, Ordering::Relaxed);
    }

    /// Size of the index table (0 before the first insertion).
    pub fn table_size(&self) -> usize {
        self.indices.len()
    }

    /// Length of the entries array, holes included.
    pub fn entries_len(&self) -> usize {
        self.entries.len()
    }

    /// The entry at `pos`, if not deleted.
    pub fn entry(&self, pos: usize) -> Option<&Entry> {
        self.entries.get(pos).and_then(Option::as_ref)
    }

    /// The entry at `pos`, mutably.
    pub fn entry_mut(&mut self, pos: usize) -> Option<&mut Entry> {
        self.entries.get_mut(pos).and_then(Option::as_mut)
    }

    /// Live entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().flatten()
    }

    /// The first live entry at or after `pos`, with its position.
    pub fn next_from(&self, mut pos: usize) -> Option<(usize, &Entry)> {
        while pos < self.entries.len() {
            if let Some(e) = &self.entries[pos] {
                return Some((pos, e));
            }
            pos += 1;
        }
        None
    }

    fn probe(&self, hash: i64) -> impl Iterator<Item = usize> + '_ {
        let mask = self.indices.len() - 1;
        let mut perturb = hash as u64;
        let mut i = (hash as u64 as usize) & mask;
        let mut first = true;
        std::iter::from_fn(move || {
            if first {
                first = false;
            } else {
                perturb >>= 5;
                i = (i
                    .wrapping_mul(5)
                    .wrapping_add(perturb as usize)
                    .wrapping_add(1))
                    & mask;
            }
            Some(i)
        })
    }

    /// Finds `key` (whose hash is `hash`).
    pub fn lookup(&self, hash: i64, key: &AnyObj, eq: FastEq<'_>) -> Lookup {
        if self.indices.is_empty() {
            return Lookup::Missing;
        }
        let mut undecided = Vec::new();
        for slot in self.probe(hash) {
            match self.indices[slot] {
                EMPTY => break,
                DUMMY => {}
                ix => {
                    let pos = ix as usize;
                    if let Some(e) = &self.entries[pos]
                        && e.hash == hash
                    {
                        if e.key.ptr_eq(key) {
                            return Lookup::Found(pos);
                        }
                        match eq(&e.key, key) {
                            Some(true) => return Lookup::Found(pos),
                            Some(false) => {}
                            None => undecided.push(pos),
                        }
                    }
                }
            }
        }
        if undecided.is_empty() {
            Lookup::Missing
        } else {
            Lookup::Undecided(undecided)
        }
    }

    /// Appends a new key (the caller checked it is absent). Returns its position.
    pub fn insert_new(&mut self, hash: i64, key: AnyObj, value: AnyObj) -> usize {
        if self.indices.is_empty() {
            self.rebuild(MIN_SIZE);
        } else if self.entries.len() + 1 > usable(self.indices.len()) {
            self.rebuild(grown_size(self.used));
        }
        let pos = self.entries.len();
        let slot = self
            .probe(hash)
            .find(|&s| self.indices[s] < 0)
            .expect("a table with room has a free slot");
        self.indices[slot] = pos as i32;
        self.entries.push(Some(Entry { hash, key, value }));
        self.used += 1;
        self.renew_version();
        pos
    }

    /// Replaces the value at `pos`, returning the old one (to drop outside any borrow).
    pub fn replace_value(&mut self, pos: usize, value: AnyObj) -> Option<AnyObj> {
        self.entries[pos]
            .as_mut()
            .map(|e| std::mem::replace(&mut e.value, value))
    }

    /// Removes the entry at `pos`, returning it.
    pub fn remove_at(&mut self, pos: usize) -> Option<Entry> {
        let e = self.entries.get_mut(pos)?.take()?;
        let slot = self
            .probe(e.hash)
            .find(|&s| self.indices[s] == pos as i32)
            .expect("a live entry is indexed");
        self.indices[slot] = DUMMY;
        self.used -= 1;
        self.renew_version();
        Some(e)
    }

    /// Removes everything, returning the entries (to drop outside any borrow).
    pub fn clear(&mut self) -> Vec<Entry> {
        self.indices = Vec::new();
        self.used = 0;
        self.renew_version();
        std::mem::take(&mut self.entries)
            .into_iter()
            .flatten()
            .collect()
    }

    /// Removes and returns the last inserted entry.
    pub fn pop_last(&mut self) -> Option<Entry> {
        let pos = self.entries.iter().rposition(Option::is_some)?;
        self.remove_at(pos)
    }

    fn rebuild(&mut self, size: usize) {
        let entries: Vec<Option<Entry>> = std::mem::take(&mut self.entries)
            .into_iter()
            .filter(Option::is_some)
            .collect();
        self.indices = vec![EMPTY; size];
        for (pos, e) in entries.iter().enumerate() {
            let h = e.as_ref().map_or(0, |e| e.hash);
            let slot = self
                .probe(h)
                .find(|&s| self.indices[s] == EMPTY)
                .expect("a fresh table has room");
            self.indices[slot] = pos as i32;
        }
        self.entries = entries;
        self.entries
            .reserve_exact(usable(size) - self.entries.len());
    }

    /// Bytes `sys.getsizeof` reports for a dict with this table, as CPython 3.11 computes it
    /// (object header + keys object with its indices and entries).
    pub fn sizeof(&self) -> usize {
        let base = 48usize; // PyDictObject
        if self.indices.is_empty() {
            return base;
        }
        let size = self.indices.len();
        let index_bytes = if size <= 0xff {
            1
        } else if size <= 0xffff {
            2
        } else {
            4
        };
        // PyDictKeysObject header (32) + indices + entries (24 each, or 16 for str-only keys;
        // pymem reports the general layout).
        base + 32 + size * index_bytes + usable(size) * 24
    }
}

/// Entries a table of `size` slots holds (CPython's `USABLE_FRACTION`).
pub fn usable(size: usize) -> usize {
    (size << 1) / 3
}

/// The table size CPython 3.11 grows to for `used` entries (`GROWTH_RATE`: used × 3).
fn grown_size(used: usize) -> usize {
    (used * 3).next_power_of_two().max(MIN_SIZE)
}
