//! `dict` methods. `keys()`, `values()` and `items()` return lists (pymem has no view
//! objects): iteration, `len()` and `in` behave as on CPython's views, `repr` does not.

use heap::{AnyObj, Gil, Obj};

use super::{Kw, arity, check_recv, method};
use crate::runtime::builtins::no_kwargs;
use crate::runtime::functions::tname;
use crate::runtime::object::*;
use crate::runtime::{PyResult, Vm, attr, interp, ops};

/// Installs the `dict` methods.
pub fn install(gil: &mut Gil<'_>, vm: &Vm) {
    let t = vm.types.dict.clone();
    let ms: &[(&'static str, crate::runtime::BuiltinFn)] = &[
        ("get", get),
        ("setdefault", setdefault),
        ("pop", pop),
        ("popitem", popitem),
        ("keys", keys),
        ("values", values),
        ("items", items),
        ("update", update),
        ("clear", clear),
        ("copy", copy),
    ];
    for &(name, f) in ms {
        method(gil, vm, &t, "dict", name, f);
    }
}

fn prelude(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    name: &str,
    min: usize,
    max: usize,
) -> PyResult<Obj<PyDict>> {
    let t = vm.types.dict.clone();
    check_recv(gil, vm, args, &t, "dict", name)?;
    if name != "update" && !kw.is_empty() {
        no_kwargs(gil, vm, &format!("dict.{name}"), kw)?;
    }
    arity(gil, vm, "dict", name, &args[1..], min, max)?;
    match args[0].clone().downcast::<PyDict>() {
        Ok(d) => Ok(d),
        Err(_) => Err(vm.type_error(gil, "dict subclasses are not supported")),
    }
}

fn get(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    prelude(gil, vm, args, kw, "get", 1, 2)?;
    match ops::dict_get(gil, vm, &args[0], &args[1])? {
        Some(v) => Ok(v),
        None => Ok(args.get(2).cloned().unwrap_or_else(|| vm.none.clone())),
    }
}

fn setdefault(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let d = prelude(gil, vm, args, kw, "setdefault", 1, 2)?;
    if let Some(v) = ops::dict_get(gil, vm, &args[0], &args[1])? {
        return Ok(v);
    }
    let v = args.get(2).cloned().unwrap_or_else(|| vm.none.clone());
    ops::dict_set(gil, vm, &d, args[1].clone(), v.clone())?;
    Ok(v)
}

fn pop(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let d = prelude(gil, vm, args, kw, "pop", 1, 2)?;
    match ops::dict_find(gil, vm, &d, &args[1])? {
        Some(p) => {
            let e = d.get(gil).table.with_mut(gil, |t| t.remove_at(p));
            match e {
                Some(e) => Ok(e.value.clone()),
                None => Ok(vm.none.clone()),
            }
        }
        None => match args.get(2) {
            Some(v) => Ok(v.clone()),
            None => Err(vm.key_error(gil, args[1].clone())),
        },
    }
}

fn popitem(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let d = prelude(gil, vm, args, kw, "popitem", 0, 0)?;
    let e = d.get(gil).table.with_mut(gil, |t| t.pop_last());
    match e {
        Some(e) => {
            let (k, v) = (e.key.clone(), e.value.clone());
            drop(e);
            Ok(vm.tuple(gil, vec![k, v]))
        }
        None => {
            let t = vm.types.key_error.clone();
            Err(vm.err(gil, &t, "popitem(): dictionary is empty"))
        }
    }
}

fn keys(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    prelude(gil, vm, args, kw, "keys", 0, 0)?;
    let v = ops::dict_items(gil, &args[0])
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    Ok(vm.list(gil, v))
}

fn values(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    prelude(gil, vm, args, kw, "values", 0, 0)?;
    let v = ops::dict_items(gil, &args[0])
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    Ok(vm.list(gil, v))
}

fn items(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    prelude(gil, vm, args, kw, "items", 0, 0)?;
    let pairs = ops::dict_items(gil, &args[0]);
    let v = pairs
        .into_iter()
        .map(|(k, v)| vm.tuple(gil, vec![k, v]))
        .collect();
    Ok(vm.list(gil, v))
}

/// `d.update(other)`: a dict, an object with `keys()`, or an iterable of pairs.
pub fn update_from(gil: &mut Gil<'_>, vm: &Vm, d: &Obj<PyDict>, other: &AnyObj) -> PyResult<()> {
    if other.tag() == tag::DICT {
        for (k, v) in ops::dict_items(gil, other) {
            ops::dict_set(gil, vm, d, k, v)?;
        }
        return Ok(());
    }
    let keys_name = vm.str(gil, "keys");
    if other.tag() == tag::INSTANCE
        && let Some(kf) = attr::getattr_opt(gil, vm, other, &keys_name)?
    {
        let ks = interp::call(gil, vm, &kf, vec![], vec![])?;
        for k in ops::iterate(gil, vm, &ks)? {
            let v = attr::getitem(gil, vm, other, &k)?;
            ops::dict_set(gil, vm, d, k, v)?;
        }
        return Ok(());
    }
    let it = match ops::get_iter(gil, vm, other) {
        Ok(it) => it,
        Err(_) => {
            let n = tname(gil, vm, other);
            return Err(vm.type_error(gil, &format!("'{n}' object is not iterable")));
        }
    };
    let mut i = 0;
    while let Some(item) = ops::next(gil, vm, &it)? {
        let kv = match ops::iterate(gil, vm, &item) {
            Ok(kv) => kv,
            Err(_) => {
                return Err(vm.type_error(
                    gil,
                    &format!(
                        "cannot convert dictionary update sequence element #{i} to a sequence"
                    ),
                ));
            }
        };
        if kv.len() != 2 {
            return Err(vm.value_error(
                gil,
                &format!(
                    "dictionary update sequence element #{i} has length {}; 2 is required",
                    kv.len()
                ),
            ));
        }
        let mut kv = kv.into_iter();
        let (k, v) = (kv.next().unwrap(), kv.next().unwrap());
        ops::dict_set(gil, vm, d, k, v)?;
        i += 1;
    }
    Ok(())
}

fn update(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let d = prelude(gil, vm, args, kw, "update", 0, 1)?;
    if let Some(o) = args.get(1) {
        update_from(gil, vm, &d, o)?;
    }
    for (k, v) in kw {
        ops::dict_set(gil, vm, &d, k.clone(), v.clone())?;
    }
    Ok(vm.none.clone())
}

fn clear(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let d = prelude(gil, vm, args, kw, "clear", 0, 0)?;
    let old = d.get(gil).table.with_mut(gil, |t| t.clear());
    drop(old);
    Ok(vm.none.clone())
}

fn copy(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let d = prelude(gil, vm, args, kw, "copy", 0, 0)?;
    let n = vm.dict(gil);
    for (k, v) in ops::dict_items(gil, &d.into_any()) {
        ops::dict_set(gil, vm, &n, k, v)?;
    }
    Ok(n.into_any())
}
