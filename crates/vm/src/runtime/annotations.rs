//! Annotations at run time: a namespace's `__annotations__` dict (`SETUP_ANNOTATIONS`) and a
//! function's `__annotations__`, which CPython 3.11 keeps as the tuple `MAKE_FUNCTION` got
//! (names and values alternating) until it is first read, then as a dict.

use heap::{AnyObj, Gil, Obj};

use super::object::*;
use super::ops;
use super::types;
use super::{PyResult, Vm};

const NAME: &str = "__annotations__";

/// `SETUP_ANNOTATIONS`: gives the namespace `ns` (a module's globals or a class body's
/// namespace) an empty `__annotations__` dict unless it has one.
pub fn setup(gil: &mut Gil<'_>, vm: &Vm, ns: &Obj<PyDict>) {
    if types::dict_get_str(gil, vm, &ns.get(gil).table, NAME).is_none() {
        let d = vm.dict(gil).into_any();
        types::dict_set_str(gil, vm, &ns.get(gil).table, NAME, d);
    }
}

/// Stores the annotations tuple a new function was made with (read by [`get`]).
pub fn set_initial(gil: &mut Gil<'_>, vm: &Vm, func: &Obj<PyFunction>, pairs: Obj<PyTuple>) {
    types::dict_set_str(gil, vm, &func.get(gil).attrs, NAME, pairs.into_any());
}

/// `func.__annotations__`: the dict, made from the tuple `MAKE_FUNCTION` stored (the tuple
/// is then dropped), or a new empty dict kept from now on.
pub fn get(gil: &mut Gil<'_>, vm: &Vm, func: &Obj<PyFunction>) -> PyResult<AnyObj> {
    let held = types::dict_get_str(gil, vm, &func.get(gil).attrs, NAME);
    if let Some(h) = &held
        && h.downcast_ref::<PyTuple>().is_none()
    {
        return Ok(h.clone());
    }
    let d = vm.dict(gil);
    if let Some(t) = held.as_ref().and_then(|h| h.downcast_ref::<PyTuple>()) {
        let items = t.get(gil).items.to_vec();
        let mut it = items.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            ops::dict_set(gil, vm, &d, k, v)?;
        }
    }
    if let Some(h) = held {
        h.release(gil);
    }
    let d = d.into_any();
    types::dict_set_str(gil, vm, &func.get(gil).attrs, NAME, d.clone());
    Ok(d)
}

/// `func.__annotations__ = value`: a dict, or `None` to forget them (the next read makes an
/// empty dict); anything else is CPython's `TypeError`.
pub fn set(gil: &mut Gil<'_>, vm: &Vm, func: &Obj<PyFunction>, value: AnyObj) -> PyResult<()> {
    if value.tag() == tag::NONE {
        types::dict_del_str(gil, vm, &func.get(gil).attrs, NAME);
        return Ok(());
    }
    if value.downcast_ref::<PyDict>().is_none() {
        return Err(vm.type_error(gil, "__annotations__ must be set to a dict object"));
    }
    types::dict_set_str(gil, vm, &func.get(gil).attrs, NAME, value);
    Ok(())
}
