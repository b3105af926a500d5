//! `set` and `frozenset` methods. A `frozenset` has the ones that leave the receiver alone;
//! the operations themselves are in [`crate::runtime::set_ops`].

use heap::{AnyObj, Gil, Obj};

use super::{Kw, arity, check_recv, method};
use crate::runtime::builtins::no_kwargs;
use crate::runtime::object::*;
use crate::runtime::set_ops as so;
use crate::runtime::{BuiltinFn, PyResult, Vm};

/// Installs the `set` and `frozenset` methods.
pub fn install(gil: &mut Gil<'_>, vm: &Vm) {
    let shared: &[(&'static str, BuiltinFn, BuiltinFn)] = &[
        ("copy", set_copy, frozenset_copy),
        ("union", set_union, frozenset_union),
        ("intersection", set_intersection, frozenset_intersection),
        ("difference", set_difference, frozenset_difference),
        (
            "symmetric_difference",
            set_symmetric_difference,
            frozenset_symmetric_difference,
        ),
        ("issubset", set_issubset, frozenset_issubset),
        ("issuperset", set_issuperset, frozenset_issuperset),
        ("isdisjoint", set_isdisjoint, frozenset_isdisjoint),
    ];
    let (set, frozenset) = (vm.types.set.clone(), vm.types.frozenset.clone());
    for &(name, for_set, for_frozenset) in shared {
        method(gil, vm, &set, "set", name, for_set);
        method(gil, vm, &frozenset, "frozenset", name, for_frozenset);
    }
    let only_set: &[(&'static str, BuiltinFn)] = &[
        ("add", add),
        ("discard", discard),
        ("remove", remove),
        ("pop", pop),
        ("clear", clear),
        ("update", update),
        ("intersection_update", intersection_update),
        ("difference_update", difference_update),
        ("symmetric_difference_update", symmetric_difference_update),
    ];
    for &(name, f) in only_set {
        method(gil, vm, &set, "set", name, f);
    }
}

/// Checks the receiver and the argument count (`max == usize::MAX`: any number) of
/// `owner.name`; returns the receiver.
fn prelude(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    owner: &str,
    name: &str,
    (min, max): (usize, usize),
) -> PyResult<Obj<PySet>> {
    let cls = if owner == "set" {
        vm.types.set.clone()
    } else {
        vm.types.frozenset.clone()
    };
    check_recv(gil, vm, args, &cls, owner, name)?;
    no_kwargs(gil, vm, &format!("{owner}.{name}"), kw)?;
    arity(gil, vm, owner, name, &args[1..], min, max)?;
    match so::as_set(&args[0]) {
        Some(s) => Ok(s),
        None => Err(vm.type_error(gil, "set subclasses are not supported")),
    }
}

const ANY: usize = usize::MAX;

/// Defines `set_<name>` and `frozenset_<name>`, the two classes' descriptors for one
/// method that takes its owner's name.
macro_rules! for_both {
    ($($name:ident => $set:ident, $frozen:ident;)*) => {$(
        fn $set(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
            $name(gil, vm, args, kw, "set")
        }
        fn $frozen(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
            $name(gil, vm, args, kw, "frozenset")
        }
    )*};
}

for_both! {
    union => set_union, frozenset_union;
    intersection => set_intersection, frozenset_intersection;
    difference => set_difference, frozenset_difference;
    symmetric_difference => set_symmetric_difference, frozenset_symmetric_difference;
    issubset => set_issubset, frozenset_issubset;
    issuperset => set_issuperset, frozenset_issuperset;
    isdisjoint => set_isdisjoint, frozenset_isdisjoint;
}

fn add(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = prelude(gil, vm, args, kw, "set", "add", (1, 1))?;
    so::add(gil, vm, &s, args[1].clone())?;
    Ok(vm.none.clone())
}

fn discard(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = prelude(gil, vm, args, kw, "set", "discard", (1, 1))?;
    so::discard(gil, vm, &s, &args[1])?;
    Ok(vm.none.clone())
}

fn remove(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = prelude(gil, vm, args, kw, "set", "remove", (1, 1))?;
    if so::discard(gil, vm, &s, &args[1])? {
        Ok(vm.none.clone())
    } else {
        Err(vm.key_error(gil, args[1].clone()))
    }
}

fn pop(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = prelude(gil, vm, args, kw, "set", "pop", (0, 0))?;
    match s.get(gil).table.with_mut(gil, |t| t.pop()) {
        Some(k) => Ok(k),
        None => {
            let t = vm.types.key_error.clone();
            Err(vm.err(gil, &t, "pop from an empty set"))
        }
    }
}

fn clear(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = prelude(gil, vm, args, kw, "set", "clear", (0, 0))?;
    so::clear(gil, &s);
    Ok(vm.none.clone())
}

fn set_copy(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = prelude(gil, vm, args, kw, "set", "copy", (0, 0))?;
    Ok(so::copy(gil, vm, &s)?.into_any())
}

fn frozenset_copy(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    prelude(gil, vm, args, kw, "frozenset", "copy", (0, 0))?;
    Ok(args[0].clone())
}

fn update(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = prelude(gil, vm, args, kw, "set", "update", (0, ANY))?;
    for o in &args[1..] {
        so::update(gil, vm, &s, o)?;
    }
    Ok(vm.none.clone())
}

fn union(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>, owner: &str) -> PyResult<AnyObj> {
    let s = prelude(gil, vm, args, kw, owner, "union", (0, ANY))?;
    let r = so::copy(gil, vm, &s)?;
    for o in &args[1..] {
        if !o.ptr_eq(&args[0]) {
            so::update(gil, vm, &r, o)?;
        }
    }
    Ok(r.into_any())
}

/// `s.intersection(*others)`, one operand after another.
fn intersect_all(
    gil: &mut Gil<'_>,
    vm: &Vm,
    s: &Obj<PySet>,
    others: &[AnyObj],
) -> PyResult<Obj<PySet>> {
    if others.is_empty() {
        return so::copy(gil, vm, s);
    }
    let mut r = s.clone();
    for o in others {
        r = so::intersection(gil, vm, &r, o)?;
    }
    Ok(r)
}

fn intersection(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    owner: &str,
) -> PyResult<AnyObj> {
    let s = prelude(gil, vm, args, kw, owner, "intersection", (0, ANY))?;
    Ok(intersect_all(gil, vm, &s, &args[1..])?.into_any())
}

fn intersection_update(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
) -> PyResult<AnyObj> {
    let s = prelude(gil, vm, args, kw, "set", "intersection_update", (0, ANY))?;
    let r = intersect_all(gil, vm, &s, &args[1..])?;
    so::replace_contents(gil, &s, &r);
    Ok(vm.none.clone())
}

fn difference(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    owner: &str,
) -> PyResult<AnyObj> {
    let s = prelude(gil, vm, args, kw, owner, "difference", (0, ANY))?;
    let Some((first, rest)) = args[1..].split_first() else {
        return Ok(so::copy(gil, vm, &s)?.into_any());
    };
    let r = so::difference(gil, vm, &s, first)?;
    for o in rest {
        so::difference_update(gil, vm, &r, o)?;
    }
    Ok(r.into_any())
}

fn difference_update(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = prelude(gil, vm, args, kw, "set", "difference_update", (0, ANY))?;
    for o in &args[1..] {
        so::difference_update(gil, vm, &s, o)?;
    }
    Ok(vm.none.clone())
}

fn symmetric_difference(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    owner: &str,
) -> PyResult<AnyObj> {
    let s = prelude(gil, vm, args, kw, owner, "symmetric_difference", (1, 1))?;
    Ok(so::symmetric_difference(gil, vm, &s, &args[1])?.into_any())
}

fn symmetric_difference_update(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
) -> PyResult<AnyObj> {
    let s = prelude(
        gil,
        vm,
        args,
        kw,
        "set",
        "symmetric_difference_update",
        (1, 1),
    )?;
    so::symmetric_difference_update(gil, vm, &s, &args[1])?;
    Ok(vm.none.clone())
}

/// A set operation that answers yes or no about the receiver and one other iterable.
type Test = fn(&mut Gil<'_>, &Vm, &Obj<PySet>, &AnyObj) -> PyResult<bool>;

/// `owner.name(other)`, answered by `test`.
fn predicate(
    gil: &mut Gil<'_>,
    vm: &Vm,
    (args, kw): (&[AnyObj], Kw<'_>),
    owner: &str,
    name: &str,
    test: Test,
) -> PyResult<AnyObj> {
    let s = prelude(gil, vm, args, kw, owner, name, (1, 1))?;
    let r = test(gil, vm, &s, &args[1])?;
    Ok(vm.bool(r))
}

/// Defines the methods (taking their owner's name) that [`predicate`] answers.
macro_rules! predicates {
    ($($name:ident => $test:path;)*) => {$(
        fn $name(
            gil: &mut Gil<'_>,
            vm: &Vm,
            args: &[AnyObj],
            kw: Kw<'_>,
            owner: &str,
        ) -> PyResult<AnyObj> {
            predicate(gil, vm, (args, kw), owner, stringify!($name), $test)
        }
    )*};
}

predicates! {
    issubset => so::issubset;
    issuperset => so::issuperset;
    isdisjoint => so::isdisjoint;
}
