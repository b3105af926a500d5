//! `list` methods (also used by instances of `list` subclasses).

use heap::{AnyObj, Gil, GilCell};

use super::{Kw, arity, check_recv, method, span};
use crate::runtime::builtins::no_kwargs;
use crate::runtime::functions::{index_arg, sort_kwargs, sort_values};
use crate::runtime::object::*;
use crate::runtime::ops;
use crate::runtime::{PyResult, Vm};

/// Installs the `list` methods.
pub fn install(gil: &mut Gil<'_>, vm: &Vm) {
    let t = vm.types.list.clone();
    let ms: &[(&'static str, crate::runtime::BuiltinFn)] = &[
        ("append", append),
        ("extend", extend),
        ("insert", insert),
        ("pop", pop),
        ("remove", remove),
        ("index", index),
        ("count", count),
        ("clear", clear),
        ("copy", copy),
        ("reverse", reverse),
        ("sort", sort),
    ];
    for &(name, f) in ms {
        method(gil, vm, &t, "list", name, f);
    }
}

/// The item vector of a list or list-subclass instance.
fn cell<'a, 'py: 'a>(gil: &Gil<'py>, o: &'a AnyObj) -> &'a GilCell<Vec<AnyObj>> {
    match o.downcast_ref::<PyList>() {
        Some(l) => &l.get(gil).items,
        None => ops::instance_list(gil, o).expect("receiver checked to be a list"),
    }
}

/// Checks receiver, keywords and arity; returns nothing (use `cell(&args[0])`).
fn prelude(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    name: &str,
    min: usize,
    max: usize,
) -> PyResult<()> {
    let t = vm.types.list.clone();
    check_recv(gil, vm, args, &t, "list", name)?;
    if name != "sort" && !kw.is_empty() {
        no_kwargs(gil, vm, &format!("list.{name}"), kw)?;
    }
    arity(gil, vm, "list", name, &args[1..], min, max)
}

fn snapshot(gil: &mut Gil<'_>, o: &AnyObj) -> Vec<AnyObj> {
    cell(gil, o).with(gil, |v| v.clone())
}

fn append(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    prelude(gil, vm, args, kw, "append", 1, 1)?;
    let x = args[1].clone();
    cell(gil, &args[0]).with_mut(gil, |v| v.push(x));
    Ok(vm.none.clone())
}

fn extend(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    prelude(gil, vm, args, kw, "extend", 1, 1)?;
    let items = ops::iterate(gil, vm, &args[1])?;
    cell(gil, &args[0]).with_mut(gil, |v| v.extend(items));
    Ok(vm.none.clone())
}

fn insert(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    prelude(gil, vm, args, kw, "insert", 2, 2)?;
    let i = index_arg(gil, vm, &args[1])?;
    let x = args[2].clone();
    cell(gil, &args[0]).with_mut(gil, |v| {
        let n = v.len() as i64;
        let at = if i < 0 { (i + n).max(0) } else { i.min(n) };
        v.insert(at as usize, x);
    });
    Ok(vm.none.clone())
}

fn pop(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    prelude(gil, vm, args, kw, "pop", 0, 1)?;
    let i = match args.get(1) {
        Some(a) => index_arg(gil, vm, a)?,
        None => -1,
    };
    let r = cell(gil, &args[0]).with_mut(gil, |v| {
        if v.is_empty() {
            return Err("pop from empty list");
        }
        let n = v.len() as i64;
        let at = if i < 0 { i + n } else { i };
        if !(0..n).contains(&at) {
            return Err("pop index out of range");
        }
        Ok(v.remove(at as usize))
    });
    r.map_err(|m| vm.index_error(gil, m))
}

/// Index of the first item equal to `x` in `[a, b)`, comparing outside any borrow.
fn find(
    gil: &mut Gil<'_>,
    vm: &Vm,
    l: &AnyObj,
    x: &AnyObj,
    a: usize,
    b: usize,
) -> PyResult<Option<usize>> {
    let mut i = a;
    loop {
        let item = cell(gil, l).with(gil, |v| if i < b { v.get(i).cloned() } else { None });
        let Some(item) = item else {
            return Ok(None);
        };
        if ops::eq(gil, vm, &item, x)? {
            return Ok(Some(i));
        }
        i += 1;
    }
}

fn remove(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    prelude(gil, vm, args, kw, "remove", 1, 1)?;
    match find(gil, vm, &args[0], &args[1], 0, usize::MAX)? {
        Some(i) => {
            let old = cell(gil, &args[0]).with_mut(gil, |v| (i < v.len()).then(|| v.remove(i)));
            drop(old);
            Ok(vm.none.clone())
        }
        None => Err(vm.value_error(gil, "list.remove(x): x not in list")),
    }
}

fn index(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    prelude(gil, vm, args, kw, "index", 1, 3)?;
    let n = cell(gil, &args[0]).with(gil, |v| v.len());
    let (a, b) = span(gil, vm, args.get(2), args.get(3), n)?;
    match find(gil, vm, &args[0], &args[1], a, b)? {
        Some(i) => Ok(vm.int(gil, i as i64)),
        None => {
            let r = ops::repr(gil, vm, &args[1])?;
            Err(vm.value_error(gil, &format!("{r} is not in list")))
        }
    }
}

fn count(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    prelude(gil, vm, args, kw, "count", 1, 1)?;
    let mut n = 0;
    for x in snapshot(gil, &args[0]) {
        if ops::eq(gil, vm, &x, &args[1])? {
            n += 1;
        }
    }
    Ok(vm.int(gil, n))
}

fn clear(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    prelude(gil, vm, args, kw, "clear", 0, 0)?;
    let mut old = cell(gil, &args[0]).with_mut(gil, std::mem::take);
    // CPython's list_clear releases the items last to first.
    while let Some(item) = old.pop() {
        drop(item);
    }
    Ok(vm.none.clone())
}

fn copy(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    prelude(gil, vm, args, kw, "copy", 0, 0)?;
    let items = snapshot(gil, &args[0]);
    Ok(vm.list(gil, items))
}

fn reverse(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    prelude(gil, vm, args, kw, "reverse", 0, 0)?;
    cell(gil, &args[0]).with_mut(gil, |v| v.reverse());
    Ok(vm.none.clone())
}

fn sort(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let t = vm.types.list.clone();
    check_recv(gil, vm, args, &t, "list", "sort")?;
    if args.len() > 1 {
        return Err(vm.type_error(gil, "sort() takes no positional arguments"));
    }
    let (key, rev) = sort_kwargs(gil, vm, kw)?;
    // As CPython: the list looks empty while it is being sorted.
    let items = cell(gil, &args[0]).with_mut(gil, std::mem::take);
    let result = sort_values(gil, vm, items.clone(), key.as_ref(), rev);
    let (back, err) = match result {
        Ok(sorted) => (sorted, None),
        Err(e) => (items, Some(e)),
    };
    let meddled = cell(gil, &args[0]).with_mut(gil, |v| std::mem::replace(v, back));
    let modified = !meddled.is_empty();
    drop(meddled);
    if let Some(e) = err {
        return Err(e);
    }
    if modified {
        return Err(vm.value_error(gil, "list modified during sort"));
    }
    Ok(vm.none.clone())
}
