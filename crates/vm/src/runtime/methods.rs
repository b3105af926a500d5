//! Methods of the builtin types (`str`, `list`, `dict`, `set`, `frozenset`, `tuple`, `int`,
//! `float`), installed as method descriptors in their classes' namespaces.
//!
//! `str` methods live in [`mod@str`], `list` methods in [`mod@list`], `dict` methods in
//! [`mod@dict`], `set` and `frozenset` methods in [`mod@set`]; the few `tuple`, `int` and
//! `float` methods are here.

use heap::{AnyObj, Gil};

use super::builtins::{builtin, check_args, no_kwargs};
use super::functions::tname;
use super::object::*;
use super::ops::{self, float_payload, int_payload};
use super::{BuiltinFn, PyResult, Vm, types};

pub mod dict;
pub mod list;
pub mod set;
pub mod str;

/// Keyword arguments as a builtin receives them.
pub(crate) type Kw<'a> = &'a [(AnyObj, AnyObj)];

/// Adds `name` as a method of `cls`.
pub fn method(
    gil: &mut Gil<'_>,
    vm: &Vm,
    cls: &heap::Obj<super::object::PyType>,
    owner: &'static str,
    name: &'static str,
    f: BuiltinFn,
) {
    let m: AnyObj = builtin(gil, name, owner, f, true);
    types::set_type_attr(gil, vm, cls, name, m);
}

/// Installs every builtin method.
pub fn install(gil: &mut Gil<'_>, vm: &Vm) {
    str::install(gil, vm);
    list::install(gil, vm);
    dict::install(gil, vm);
    set::install(gil, vm);
    super::property::install(gil, vm);
    super::generator::install(gil, vm);
    let tuple = vm.types.tuple.clone();
    method(gil, vm, &tuple, "tuple", "index", tuple_index);
    method(gil, vm, &tuple, "tuple", "count", tuple_count);
    let int = vm.types.int.clone();
    method(gil, vm, &int, "int", "bit_length", int_bit_length);
    let float = vm.types.float.clone();
    method(gil, vm, &float, "float", "is_integer", float_is_integer);
}

/// Checks the argument count of method `owner.name` (`args` without the receiver), with
/// the wording CPython uses for that arity.
pub(crate) fn arity(
    gil: &mut Gil<'_>,
    vm: &Vm,
    owner: &str,
    name: &str,
    args: &[AnyObj],
    min: usize,
    max: usize,
) -> PyResult<()> {
    if (min..=max).contains(&args.len()) {
        // The common case: nothing to report, so no message to build.
        Ok(())
    } else if min == max && min <= 1 {
        check_args(gil, vm, &format!("{owner}.{name}"), args, min, max)
    } else {
        check_args(gil, vm, name, args, min, max)
    }
}

/// Checks that the receiver of `owner.name` is an instance of `cls`.
pub(crate) fn check_recv(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    cls: &heap::Obj<PyType>,
    owner: &str,
    name: &str,
) -> PyResult<()> {
    let Some(r) = args.first() else {
        return Err(vm.type_error(
            gil,
            &format!("unbound method {owner}.{name}() needs an argument"),
        ));
    };
    let t = vm.type_of(gil, r);
    if types::is_subtype(gil, &t, cls) {
        return Ok(());
    }
    let n = tname(gil, vm, r);
    Err(vm.type_error(
        gil,
        &format!("descriptor '{name}' for '{owner}' objects doesn't apply to a '{n}' object"),
    ))
}

/// `start`/`end` arguments of `index`/`count`/`find`-style methods, resolved against a
/// sequence of `len` items as a slice would be.
pub(crate) fn span(
    gil: &mut Gil<'_>,
    vm: &Vm,
    start: Option<&AnyObj>,
    end: Option<&AnyObj>,
    len: usize,
) -> PyResult<(usize, usize)> {
    let len = len as i64;
    let get = |gil: &mut Gil<'_>, o: Option<&AnyObj>, def: i64| -> PyResult<i64> {
        match o {
            None => Ok(def),
            Some(o) if o.tag() == tag::NONE => Ok(def),
            Some(o) => match int_payload(gil, o) {
                Some(v) => Ok(v),
                None => Err(vm.type_error(
                    gil,
                    "slice indices must be integers or None or have an __index__ method",
                )),
            },
        }
    };
    let fix = |v: i64| -> i64 { if v < 0 { (v + len).max(0) } else { v.min(len) } };
    // The start is not clamped to the length: `"ab".find("", 5)` is -1.
    let s = get(gil, start, 0)?;
    let s = if s < 0 { (s + len).max(0) } else { s };
    let e = fix(get(gil, end, len)?);
    Ok((s as usize, e as usize))
}

fn tuple_items(gil: &Gil<'_>, o: &AnyObj) -> Vec<AnyObj> {
    o.downcast_ref::<PyTuple>()
        .map(|t| t.get(gil).items.to_vec())
        .unwrap_or_default()
}

fn tuple_index(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "index", kw)?;
    let t = vm.types.tuple.clone();
    check_recv(gil, vm, args, &t, "tuple", "index")?;
    arity(gil, vm, "tuple", "index", &args[1..], 1, 3)?;
    let items = tuple_items(gil, &args[0]);
    let (s, e) = span(gil, vm, args.get(2), args.get(3), items.len())?;
    for (i, x) in items.iter().enumerate().take(e).skip(s) {
        if ops::eq(gil, vm, x, &args[1])? {
            return Ok(vm.int(gil, i as i64));
        }
    }
    Err(vm.value_error(gil, "tuple.index(x): x not in tuple"))
}

fn tuple_count(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "count", kw)?;
    let t = vm.types.tuple.clone();
    check_recv(gil, vm, args, &t, "tuple", "count")?;
    arity(gil, vm, "tuple", "count", &args[1..], 1, 1)?;
    let mut n = 0;
    for x in tuple_items(gil, &args[0]) {
        if ops::eq(gil, vm, &x, &args[1])? {
            n += 1;
        }
    }
    Ok(vm.int(gil, n))
}

fn int_bit_length(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "bit_length", kw)?;
    let t = vm.types.int.clone();
    check_recv(gil, vm, args, &t, "int", "bit_length")?;
    arity(gil, vm, "int", "bit_length", &args[1..], 0, 0)?;
    let v = int_payload(gil, &args[0]).unwrap_or(0);
    Ok(vm.int(gil, 64 - i64::from(v.unsigned_abs().leading_zeros())))
}

fn float_is_integer(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "is_integer", kw)?;
    let t = vm.types.float.clone();
    check_recv(gil, vm, args, &t, "float", "is_integer")?;
    arity(gil, vm, "float", "is_integer", &args[1..], 0, 0)?;
    let v = float_payload(gil, &args[0]).unwrap_or(0.0);
    Ok(vm.bool(crate::text::numeric::float_is_integer(v)))
}
