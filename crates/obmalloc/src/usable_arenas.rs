//! `usable_arenas`: the arenas that have a pool to give, fullest first.
//!
//! New pools are taken from the head, the arena with the fewest free pools, so that
//! allocation concentrates in the busiest arenas and the nearly empty ones get a chance to
//! drain completely and go back to the OS. The list is doubly linked through the arena
//! table and kept sorted ascending by `free_pool_count` after every change.
//!
//! Keeping it sorted costs O(1) per change thanks to CPython's `nfp2lasta` (bpo-37029):
//! `last_with[k]` is the rightmost arena with exactly `k` free pools, or none. A change
//! only ever moves one arena's count by one, so the arena either stays where it is or
//! jumps to just after `last_with[old count]`; no search is needed.
//!
//! **S1**: the list is sorted by `free_pool_count`, ascending.
//! **S2**: `last_with[k]` is the rightmost arena with `k` free pools, or `NONE` if none.
//! **S3**: every arena on the list has `free_pool_count > 0` (A2 in `arena.rs`).

use crate::arena::{ArenaIdx, ArenaTable};
use crate::config::MAX_POOLS_IN_ARENA;

/// The sorted list and its fingers.
#[doc(alias = "usable_arenas")]
pub(crate) struct UsableArenas {
    /// The fullest usable arena.
    pub(crate) head: ArenaIdx,
    /// CPython's `nfp2lasta` (S2).
    #[doc(alias = "nfp2lasta")]
    last_with: [ArenaIdx; MAX_POOLS_IN_ARENA + 1],
}

impl UsableArenas {
    pub(crate) const fn new() -> UsableArenas {
        UsableArenas {
            head: ArenaIdx::NONE,
            last_with: [ArenaIdx::NONE; MAX_POOLS_IN_ARENA + 1],
        }
    }

    /// Makes a fresh arena the only member of the (empty) list.
    pub(crate) fn insert_only(&mut self, t: &mut ArenaTable, i: ArenaIdx) {
        debug_assert!(self.head.is_none(), "usable_arenas is not empty");
        let a = t.get_mut(i);
        a.next = ArenaIdx::NONE;
        a.prev = ArenaIdx::NONE;
        let nf = a.free_pool_count as usize;
        debug_assert!(self.last_with[nf].is_none());
        self.last_with[nf] = i;
        self.head = i;
    }

    /// The head arena gives a pool away: its count drops by one, and it leaves the list
    /// when it has none left. The list stays sorted because the head has the lowest count.
    pub(crate) fn take_pool_from_head(&mut self, t: &mut ArenaTable) {
        let i = self.head;
        let nf = t.get(i).free_pool_count as usize;
        debug_assert!(nf > 0, "arena {} on usable_arenas has no free pool", i.0);
        if self.last_with[nf] == i {
            self.last_with[nf] = ArenaIdx::NONE;
        }
        if nf > 1 {
            debug_assert!(self.last_with[nf - 1].is_none());
            self.last_with[nf - 1] = i;
        }
        let a = t.get_mut(i);
        a.free_pool_count -= 1;
        if a.free_pool_count == 0 {
            let next = a.next;
            self.head = next;
            if !next.is_none() {
                t.get_mut(next).prev = ArenaIdx::NONE;
            }
        }
    }

    /// Arena `i` got a pool back. Updates the finger of its old count and increments the
    /// count; returns that old finger, which [`reposition`](Self::reposition) needs. The
    /// caller then either [`unlink`](Self::unlink)s the arena (to release it) or
    /// repositions it.
    pub(crate) fn pool_returned(&mut self, t: &mut ArenaTable, i: ArenaIdx) -> ArenaIdx {
        let nf = t.get(i).free_pool_count as usize;
        let last = self.last_with[nf];
        if last == i {
            let prev = t.get(i).prev;
            self.last_with[nf] = if !prev.is_none() && t.get(prev).free_pool_count as usize == nf {
                prev
            } else {
                ArenaIdx::NONE
            };
        }
        t.get_mut(i).free_pool_count += 1;
        last
    }

    /// Restores S1 and S2 after [`pool_returned`](Self::pool_returned), given the finger it
    /// returned. Three cases: the arena was full and off the list (it goes to the front),
    /// it is already the rightmost of its old count (it stays), or it jumps to just after
    /// that rightmost arena.
    pub(crate) fn reposition(&mut self, t: &mut ArenaTable, i: ArenaIdx, last: ArenaIdx) {
        let nf = t.get(i).free_pool_count as usize;
        if nf == 1 {
            // It was full, hence on no list; one free pool is the fewest possible.
            let head = self.head;
            let a = t.get_mut(i);
            a.next = head;
            a.prev = ArenaIdx::NONE;
            if !head.is_none() {
                t.get_mut(head).prev = i;
            }
            self.head = i;
            if self.last_with[1].is_none() {
                self.last_with[1] = i;
            }
            return;
        }
        if self.last_with[nf].is_none() {
            self.last_with[nf] = i;
        }
        if last == i {
            return;
        }
        // Move `i` to just after `last`, the rightmost arena with the old count.
        self.unlink(t, i);
        let after = t.get(last).next;
        {
            let a = t.get_mut(i);
            a.prev = last;
            a.next = after;
        }
        if !after.is_none() {
            t.get_mut(after).prev = i;
        }
        t.get_mut(last).next = i;
    }

    /// Takes `i` off the list without touching the fingers (the caller fixes them).
    pub(crate) fn unlink(&mut self, t: &mut ArenaTable, i: ArenaIdx) {
        let (prev, next) = {
            let a = t.get(i);
            (a.prev, a.next)
        };
        if prev.is_none() {
            debug_assert_eq!(self.head, i);
            self.head = next;
        } else {
            t.get_mut(prev).next = next;
        }
        if !next.is_none() {
            t.get_mut(next).prev = prev;
        }
    }

    /// Takes `i` off the list and fixes its finger (for `trim`).
    pub(crate) fn remove(&mut self, t: &mut ArenaTable, i: ArenaIdx) {
        let nf = t.get(i).free_pool_count as usize;
        if self.last_with[nf] == i {
            let prev = t.get(i).prev;
            self.last_with[nf] = if !prev.is_none() && t.get(prev).free_pool_count as usize == nf {
                prev
            } else {
                ArenaIdx::NONE
            };
        }
        self.unlink(t, i);
    }

    /// The members, head first.
    pub(crate) fn members(&self, t: &ArenaTable) -> Vec<ArenaIdx> {
        let mut out = Vec::new();
        let mut i = self.head;
        while !i.is_none() {
            out.push(i);
            if out.len() > t.len() {
                break; // a cycle: validate() reports it
            }
            i = t.get(i).next;
        }
        out
    }

    /// Checks S1, S2, S3 and the links.
    pub(crate) fn validate(&self, t: &ArenaTable) -> Result<(), String> {
        let members = self.members(t);
        if members.len() > t.len() {
            return Err("usable_arenas has a cycle".into());
        }
        let mut prev = ArenaIdx::NONE;
        for (n, &i) in members.iter().enumerate() {
            let a = t.get(i);
            if a.address.is_null() {
                return Err(format!("usable arena {} has no memory", i.0));
            }
            if a.prev != prev {
                return Err(format!("usable arena {} has a bad back link", i.0));
            }
            if a.free_pool_count == 0 {
                return Err(format!("usable arena {} has no free pool (S3)", i.0));
            }
            if n > 0 && t.get(prev).free_pool_count > a.free_pool_count {
                return Err(format!(
                    "usable_arenas out of order: arena {} has {} free pools, arena {} after it {} (S1)",
                    prev.0,
                    t.get(prev).free_pool_count,
                    i.0,
                    a.free_pool_count
                ));
            }
            prev = i;
        }
        for k in 0..=MAX_POOLS_IN_ARENA {
            let expect = members
                .iter()
                .rev()
                .find(|&&i| t.get(i).free_pool_count as usize == k)
                .copied()
                .unwrap_or(ArenaIdx::NONE);
            if self.last_with[k] != expect {
                return Err(format!(
                    "nfp2lasta[{k}] is {:?}, the rightmost arena with {k} free pools is {:?} (S2)",
                    self.last_with[k], expect
                ));
            }
        }
        Ok(())
    }
}
