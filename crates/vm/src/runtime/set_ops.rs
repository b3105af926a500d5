//! Sets as Python sees them: membership with the elements' own `__hash__`/`__eq__`, the
//! algebra (`union`, `intersection`, ...), comparisons, `repr` and `hash(frozenset)`.
//!
//! Each operation follows the steps CPython 3.11 takes (which table is walked, which side is
//! hashed, when the table is sized in advance), because those steps decide the order the
//! result iterates in. Python code (`__eq__`, `__hash__`, iteration) only ever runs while
//! no table is borrowed: searches go through [`super::set::Cursor`] and resume or restart
//! after each comparison.

use heap::{AnyObj, Gil, GilCell, Obj};

use super::object::*;
use super::set::{SetTable, Step};
use super::{PyResult, Vm, ops};
use crate::syntax::ast::{BinOp, CmpOp};

/// Where a search for an element ended.
enum Found {
    /// At this slot.
    At(usize),
    /// Absent; an insertion goes into `slot`.
    Missing { slot: usize, reuses_dummy: bool },
}

/// A new, empty `set` (or `frozenset`).
pub fn new_set(gil: &Gil<'_>, frozen: bool) -> Obj<PySet> {
    Obj::new(gil, PySet::new(frozen))
}

/// The set payload of `o`, if it is a `set` or `frozenset`.
pub fn as_set(o: &AnyObj) -> Option<Obj<PySet>> {
    o.clone().downcast::<PySet>().ok()
}

fn table<'a, 'py: 'a>(gil: &Gil<'py>, s: &'a Obj<PySet>) -> &'a GilCell<SetTable> {
    &s.get(gil).table
}

/// Whether `s` is a frozenset.
pub fn is_frozen(gil: &Gil<'_>, s: &Obj<PySet>) -> bool {
    s.get(gil).frozen
}

/// Number of elements.
pub fn len(gil: &mut Gil<'_>, s: &Obj<PySet>) -> usize {
    table(gil, s).with(gil, SetTable::len)
}

/// The elements with their hashes, in table order (a snapshot: the set may change while
/// the caller runs Python code).
pub fn entries(gil: &mut Gil<'_>, s: &Obj<PySet>) -> Vec<(i64, AnyObj)> {
    table(gil, s).with(gil, |t| t.entries().map(|(h, k)| (h, k.clone())).collect())
}

/// The elements in table order (iteration order).
pub fn elements(gil: &mut Gil<'_>, s: &Obj<PySet>) -> Vec<AnyObj> {
    table(gil, s).with(gil, |t| t.entries().map(|(_, k)| k.clone()).collect())
}

fn elements_equal(gil: &mut Gil<'_>, vm: &Vm, stored: &AnyObj, key: &AnyObj) -> PyResult<bool> {
    if let (Some(a), Some(b)) = (ops::str_payload(gil, stored), ops::str_payload(gil, key)) {
        return Ok(a == b);
    }
    ops::eq(gil, vm, stored, key)
}

fn search(gil: &mut Gil<'_>, vm: &Vm, s: &Obj<PySet>, hash: i64, key: &AnyObj) -> PyResult<Found> {
    'restart: loop {
        let (mut cur, generation) = table(gil, s).with(gil, |t| (t.cursor(hash), t.generation()));
        loop {
            let step = table(gil, s).with(gil, |t| t.advance(&mut cur, key));
            match step {
                Step::Same(slot) => return Ok(Found::At(slot)),
                Step::Vacant { slot, reuses_dummy } => {
                    return Ok(Found::Missing { slot, reuses_dummy });
                }
                Step::Candidate(slot, stored) => {
                    let equal = elements_equal(gil, vm, &stored, key)?;
                    let intact = table(gil, s).with(gil, |t| t.still_at(generation, slot, &stored));
                    if !intact {
                        continue 'restart;
                    }
                    if equal {
                        return Ok(Found::At(slot));
                    }
                }
            }
        }
    }
}

/// Adds `key`, whose hash is `hash`; an equal element already there stays.
pub fn add_hashed(
    gil: &mut Gil<'_>,
    vm: &Vm,
    s: &Obj<PySet>,
    hash: i64,
    key: AnyObj,
) -> PyResult<()> {
    if let Found::Missing { slot, reuses_dummy } = search(gil, vm, s, hash, &key)? {
        table(gil, s).with_mut(gil, |t| t.insert_at(slot, reuses_dummy, hash, key));
    }
    Ok(())
}

/// `s.add(key)` (`TypeError: unhashable type` for a key without a hash).
pub fn add(gil: &mut Gil<'_>, vm: &Vm, s: &Obj<PySet>, key: AnyObj) -> PyResult<()> {
    let h = ops::hash(gil, vm, &key)?;
    add_hashed(gil, vm, s, h, key)
}

/// Whether an element equal to `key` (hash `hash`) is in `s`.
pub fn contains_hashed(
    gil: &mut Gil<'_>,
    vm: &Vm,
    s: &Obj<PySet>,
    hash: i64,
    key: &AnyObj,
) -> PyResult<bool> {
    Ok(matches!(search(gil, vm, s, hash, key)?, Found::At(_)))
}

/// Runs `f` on `key`, or — when `key` is a `set`, which has no hash — on a frozenset of its
/// elements (so `{1} in {frozenset({1})}` is true, as in CPython).
fn with_frozen_key<R>(
    gil: &mut Gil<'_>,
    vm: &Vm,
    key: &AnyObj,
    f: impl FnOnce(&mut Gil<'_>, i64, &AnyObj) -> PyResult<R>,
) -> PyResult<R> {
    if let Some(k) = as_set(key)
        && !is_frozen(gil, &k)
    {
        let frozen = new_set(gil, true);
        merge(gil, vm, &frozen, &k)?;
        let frozen = frozen.into_any();
        let h = ops::hash(gil, vm, &frozen)?;
        return f(gil, h, &frozen);
    }
    let h = ops::hash(gil, vm, key)?;
    f(gil, h, key)
}

/// `key in s`.
pub fn contains(gil: &mut Gil<'_>, vm: &Vm, s: &Obj<PySet>, key: &AnyObj) -> PyResult<bool> {
    with_frozen_key(gil, vm, key, |gil, h, k| contains_hashed(gil, vm, s, h, k))
}

/// Removes the element equal to `key` (hash `hash`); whether there was one.
pub fn discard_hashed(
    gil: &mut Gil<'_>,
    vm: &Vm,
    s: &Obj<PySet>,
    hash: i64,
    key: &AnyObj,
) -> PyResult<bool> {
    match search(gil, vm, s, hash, key)? {
        Found::At(slot) => {
            let old = table(gil, s).with_mut(gil, |t| t.remove_at(slot));
            drop(old);
            Ok(true)
        }
        Found::Missing { .. } => Ok(false),
    }
}

/// `s.discard(key)` (a `set` key stands for the frozenset of its elements); whether an
/// element was removed.
pub fn discard(gil: &mut Gil<'_>, vm: &Vm, s: &Obj<PySet>, key: &AnyObj) -> PyResult<bool> {
    with_frozen_key(gil, vm, key, |gil, h, k| discard_hashed(gil, vm, s, h, k))
}

/// Empties `s`.
pub fn clear(gil: &mut Gil<'_>, s: &Obj<PySet>) {
    let old = table(gil, s).with_mut(gil, SetTable::clear);
    drop(old);
}

/// Adds every element of the set `other` to `s`.
pub fn merge(gil: &mut Gil<'_>, vm: &Vm, s: &Obj<PySet>, other: &Obj<PySet>) -> PyResult<()> {
    let incoming = len(gil, other);
    if s.ptr_eq(other) || incoming == 0 {
        return Ok(());
    }
    table(gil, s).with_mut(gil, |t| t.reserve(incoming));
    if table(gil, s).with(gil, SetTable::fill) == 0 {
        // Nothing to compare against: the elements go in as they are.
        let snapshot = table(gil, other).with(gil, SetTable::snapshot);
        table(gil, s).with_mut(gil, |t| t.fill_from(snapshot));
        return Ok(());
    }
    for (h, k) in entries(gil, other) {
        add_hashed(gil, vm, s, h, k)?;
    }
    Ok(())
}

/// `s.update(other)` for one iterable: a set is merged, a dict's keys come with their
/// stored hashes, anything else is iterated.
pub fn update(gil: &mut Gil<'_>, vm: &Vm, s: &Obj<PySet>, other: &AnyObj) -> PyResult<()> {
    if let Some(o) = as_set(other) {
        return merge(gil, vm, s, &o);
    }
    if let Some(d) = other.downcast_ref::<PyDict>() {
        let keys: Vec<(i64, AnyObj)> = d
            .get(gil)
            .table
            .with(gil, |t| t.iter().map(|e| (e.hash, e.key.clone())).collect());
        table(gil, s).with_mut(gil, |t| t.reserve(keys.len()));
        for (h, k) in keys {
            add_hashed(gil, vm, s, h, k)?;
        }
        return Ok(());
    }
    let it = ops::get_iter(gil, vm, other)?;
    while let Some(x) = ops::next(gil, vm, &it)? {
        add(gil, vm, s, x)?;
    }
    Ok(())
}

/// A new set (or frozenset) of the elements of `iterable`.
pub fn from_iterable(
    gil: &mut Gil<'_>,
    vm: &Vm,
    frozen: bool,
    iterable: Option<&AnyObj>,
) -> PyResult<Obj<PySet>> {
    let s = new_set(gil, frozen);
    if let Some(it) = iterable {
        update(gil, vm, &s, it)?;
    }
    Ok(s)
}

/// A shallow copy of the same kind.
pub fn copy(gil: &mut Gil<'_>, vm: &Vm, s: &Obj<PySet>) -> PyResult<Obj<PySet>> {
    let n = new_set(gil, is_frozen(gil, s));
    merge(gil, vm, &n, s)?;
    Ok(n)
}

/// `s | other` / `s.union(other)` for one operand.
pub fn union(gil: &mut Gil<'_>, vm: &Vm, s: &Obj<PySet>, other: &AnyObj) -> PyResult<Obj<PySet>> {
    let r = copy(gil, vm, s)?;
    if !other.ptr_eq(s.as_any()) {
        update(gil, vm, &r, other)?;
    }
    Ok(r)
}

/// `s & other` / `s.intersection(other)` for one operand; the result has `s`'s kind.
pub fn intersection(
    gil: &mut Gil<'_>,
    vm: &Vm,
    s: &Obj<PySet>,
    other: &AnyObj,
) -> PyResult<Obj<PySet>> {
    if other.ptr_eq(s.as_any()) {
        return copy(gil, vm, s);
    }
    let result = new_set(gil, is_frozen(gil, s));
    if let Some(o) = as_set(other) {
        let (big, small) = if len(gil, &o) > len(gil, s) {
            (o, s.clone())
        } else {
            (s.clone(), o)
        };
        for (h, k) in entries(gil, &small) {
            if contains_hashed(gil, vm, &big, h, &k)? {
                add_hashed(gil, vm, &result, h, k)?;
            }
        }
        return Ok(result);
    }
    let it = ops::get_iter(gil, vm, other)?;
    while let Some(k) = ops::next(gil, vm, &it)? {
        let h = ops::hash(gil, vm, &k)?;
        if contains_hashed(gil, vm, s, h, &k)? {
            add_hashed(gil, vm, &result, h, k)?;
            if len(gil, &result) >= len(gil, s) {
                break;
            }
        }
    }
    Ok(result)
}

/// Replaces the contents of `s` with those of `from` (CPython's body swap).
pub fn replace_contents(gil: &mut Gil<'_>, s: &Obj<PySet>, from: &Obj<PySet>) {
    let mut moved = table(gil, from).with_mut(gil, std::mem::take);
    moved.renew_generation();
    let old = table(gil, s).with_mut(gil, |t| std::mem::replace(t, moved));
    drop(old);
    s.get(gil).hash.set(-1);
}

/// Removes from `s` every element of `other` (`s -= other`, `difference_update`).
pub fn difference_update(
    gil: &mut Gil<'_>,
    vm: &Vm,
    s: &Obj<PySet>,
    other: &AnyObj,
) -> PyResult<()> {
    if other.ptr_eq(s.as_any()) {
        clear(gil, s);
        return Ok(());
    }
    if let Some(o) = as_set(other) {
        let o = if len(gil, &o) >> 3 > len(gil, s) {
            intersection(gil, vm, s, other)?
        } else {
            o
        };
        for (h, k) in entries(gil, &o) {
            discard_hashed(gil, vm, s, h, &k)?;
        }
    } else {
        let it = ops::get_iter(gil, vm, other)?;
        while let Some(k) = ops::next(gil, vm, &it)? {
            let h = ops::hash(gil, vm, &k)?;
            discard_hashed(gil, vm, s, h, &k)?;
        }
    }
    table(gil, s).with_mut(gil, SetTable::shed_dummies);
    Ok(())
}

/// `s - other` / `s.difference(other)` for one operand; the result has `s`'s kind.
pub fn difference(
    gil: &mut Gil<'_>,
    vm: &Vm,
    s: &Obj<PySet>,
    other: &AnyObj,
) -> PyResult<Obj<PySet>> {
    let other_len = match (as_set(other), other.tag()) {
        (Some(o), _) => Some(len(gil, &o)),
        (None, tag::DICT) => Some(ops::dict_len(gil, other)),
        _ => None,
    };
    let copy_then_remove = |gil: &mut Gil<'_>| -> PyResult<Obj<PySet>> {
        let r = copy(gil, vm, s)?;
        difference_update(gil, vm, &r, other)?;
        Ok(r)
    };
    let Some(other_len) = other_len else {
        return copy_then_remove(gil);
    };
    if len(gil, s) >> 2 > other_len {
        return copy_then_remove(gil);
    }
    let result = new_set(gil, is_frozen(gil, s));
    let other_set = as_set(other);
    for (h, k) in entries(gil, s) {
        let present = match &other_set {
            Some(o) => contains_hashed(gil, vm, o, h, &k)?,
            None => ops::dict_get(gil, vm, other, &k)?.is_some(),
        };
        if !present {
            add_hashed(gil, vm, &result, h, k)?;
        }
    }
    Ok(result)
}

/// `s ^= other` / `symmetric_difference_update`.
pub fn symmetric_difference_update(
    gil: &mut Gil<'_>,
    vm: &Vm,
    s: &Obj<PySet>,
    other: &AnyObj,
) -> PyResult<()> {
    if other.ptr_eq(s.as_any()) {
        clear(gil, s);
        return Ok(());
    }
    let pairs = if let Some(d) = other.downcast_ref::<PyDict>() {
        d.get(gil)
            .table
            .with(gil, |t| t.iter().map(|e| (e.hash, e.key.clone())).collect())
    } else {
        let o = match as_set(other) {
            Some(o) => o,
            None => from_iterable(gil, vm, is_frozen(gil, s), Some(other))?,
        };
        entries(gil, &o)
    };
    for (h, k) in pairs {
        if !discard_hashed(gil, vm, s, h, &k)? {
            add_hashed(gil, vm, s, h, k)?;
        }
    }
    Ok(())
}

/// `s ^ other` / `s.symmetric_difference(other)`; the result has `s`'s kind.
pub fn symmetric_difference(
    gil: &mut Gil<'_>,
    vm: &Vm,
    s: &Obj<PySet>,
    other: &AnyObj,
) -> PyResult<Obj<PySet>> {
    let r = from_iterable(gil, vm, is_frozen(gil, s), Some(other))?;
    symmetric_difference_update(gil, vm, &r, s.as_any())?;
    Ok(r)
}

/// `s <= other` / `s.issubset(other)` (any iterable `other`).
pub fn issubset(gil: &mut Gil<'_>, vm: &Vm, s: &Obj<PySet>, other: &AnyObj) -> PyResult<bool> {
    let o = match as_set(other) {
        Some(o) => o,
        None => from_iterable(gil, vm, false, Some(other))?,
    };
    if len(gil, s) > len(gil, &o) {
        return Ok(false);
    }
    for (h, k) in entries(gil, s) {
        if !contains_hashed(gil, vm, &o, h, &k)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `s >= other` / `s.issuperset(other)` (any iterable `other`).
pub fn issuperset(gil: &mut Gil<'_>, vm: &Vm, s: &Obj<PySet>, other: &AnyObj) -> PyResult<bool> {
    if let Some(o) = as_set(other) {
        return issubset(gil, vm, &o, s.as_any());
    }
    let it = ops::get_iter(gil, vm, other)?;
    while let Some(k) = ops::next(gil, vm, &it)? {
        let h = ops::hash(gil, vm, &k)?;
        if !contains_hashed(gil, vm, s, h, &k)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `s.isdisjoint(other)`.
pub fn isdisjoint(gil: &mut Gil<'_>, vm: &Vm, s: &Obj<PySet>, other: &AnyObj) -> PyResult<bool> {
    if other.ptr_eq(s.as_any()) {
        return Ok(len(gil, s) == 0);
    }
    if let Some(o) = as_set(other) {
        let (big, small) = if len(gil, &o) > len(gil, s) {
            (o, s.clone())
        } else {
            (s.clone(), o)
        };
        for (h, k) in entries(gil, &small) {
            if contains_hashed(gil, vm, &big, h, &k)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    let it = ops::get_iter(gil, vm, other)?;
    while let Some(k) = ops::next(gil, vm, &it)? {
        let h = ops::hash(gil, vm, &k)?;
        if contains_hashed(gil, vm, s, h, &k)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `a op b` for two sets: `None` when `b` is not a set (`NotImplemented`).
pub fn compare(
    gil: &mut Gil<'_>,
    vm: &Vm,
    a: &Obj<PySet>,
    b: &AnyObj,
    op: CmpOp,
) -> PyResult<Option<bool>> {
    let Some(bs) = as_set(b) else {
        return Ok(None);
    };
    let (la, lb) = (len(gil, a), len(gil, &bs));
    Ok(Some(match op {
        CmpOp::Eq | CmpOp::NotEq => {
            let (ha, hb) = (a.get(gil).hash.get(), bs.get(gil).hash.get());
            let equal = la == lb && (ha == -1 || hb == -1 || ha == hb) && issubset(gil, vm, a, b)?;
            equal == (op == CmpOp::Eq)
        }
        CmpOp::LtE => issubset(gil, vm, a, b)?,
        CmpOp::GtE => issuperset(gil, vm, a, b)?,
        CmpOp::Lt => la < lb && issubset(gil, vm, a, b)?,
        CmpOp::Gt => la > lb && issuperset(gil, vm, a, b)?,
        _ => return Ok(None),
    }))
}

/// `a op b` and `a op= b` for `| & - ^` when both are sets; `None` otherwise
/// (`NotImplemented`). The in-place forms change a `set` and return it; a `frozenset`
/// gets a new one.
pub fn binary(
    gil: &mut Gil<'_>,
    vm: &Vm,
    a: &AnyObj,
    b: &AnyObj,
    op: BinOp,
    inplace: bool,
) -> PyResult<Option<AnyObj>> {
    let (Some(s), Some(_)) = (as_set(a), as_set(b)) else {
        return Ok(None);
    };
    if inplace && !is_frozen(gil, &s) {
        match op {
            BinOp::BitOr => update(gil, vm, &s, b)?,
            BinOp::BitAnd => {
                let r = intersection(gil, vm, &s, b)?;
                replace_contents(gil, &s, &r);
            }
            BinOp::Sub => difference_update(gil, vm, &s, b)?,
            BinOp::BitXor => symmetric_difference_update(gil, vm, &s, b)?,
            _ => return Ok(None),
        }
        return Ok(Some(a.clone()));
    }
    let r = match op {
        BinOp::BitOr => union(gil, vm, &s, b)?,
        BinOp::BitAnd => intersection(gil, vm, &s, b)?,
        BinOp::Sub => difference(gil, vm, &s, b)?,
        BinOp::BitXor => symmetric_difference(gil, vm, &s, b)?,
        _ => return Ok(None),
    };
    Ok(Some(r.into_any()))
}

/// `hash(frozenset)`, computed once; `None` for a `set` (unhashable).
pub fn hash(gil: &mut Gil<'_>, s: &Obj<PySet>) -> Option<i64> {
    if !is_frozen(gil, s) {
        return None;
    }
    let cached = s.get(gil).hash.get();
    if cached != -1 {
        return Some(cached);
    }
    let h = table(gil, s).with(gil, SetTable::frozen_hash);
    s.get(gil).hash.set(h);
    Some(h)
}

/// `repr(s)`: `{1, 2}`, `set()`, `frozenset({1, 2})`, `frozenset()`; `set(...)` for a set
/// reached again while its own repr is being built.
pub fn repr(gil: &mut Gil<'_>, vm: &Vm, s: &Obj<PySet>) -> PyResult<String> {
    let name = if is_frozen(gil, s) {
        "frozenset"
    } else {
        "set"
    };
    let Some(_guard) = vm.enter_repr(gil, s.as_any())? else {
        return Ok(format!("{name}(...)"));
    };
    let items = elements(gil, s);
    if items.is_empty() {
        return Ok(format!("{name}()"));
    }
    let mut parts = Vec::with_capacity(items.len());
    for x in &items {
        parts.push(ops::repr(gil, vm, x)?);
    }
    let body = parts.join(", ");
    Ok(if is_frozen(gil, s) {
        format!("frozenset({{{body}}})")
    } else {
        format!("{{{body}}}")
    })
}
