//! `property`: a class attribute that turns reads, stores and deletions of an instance
//! attribute into calls.
//!
//! A property is a *data descriptor*: found on an instance's class (or a base), it takes
//! precedence over the instance's own attributes, for reads as for stores. The attribute
//! paths ask [`super::types::lacks_properties`] first (a flag kept on the class by epoch, as
//! the `__setattr__` flag is), so classes without properties pay one comparison; the quick
//! store path is closed to classes that have one. What the three calls get and the errors
//! when a function is missing follow CPython 3.11 (`property 'x' of 'C' object has no
//! setter`); `getter`/`setter`/`deleter` return a copy with one function replaced, which is
//! what the decorator form `@x.setter` relies on.

use std::cell::Cell;

use heap::{AnyObj, Gil, GilCell, Obj};

use super::builtins::check_args;
use super::functions::tname;
use super::interp::call;
use super::methods::{Kw, method};
use super::object::{PyProperty, tag};
use super::ops::str_payload;
use super::{PyResult, Vm, types};

thread_local! {
    /// Whether this thread ever made a property: until it does, no class can hold one and
    /// the attribute paths skip the question.
    static MADE: Cell<bool> = const { Cell::new(false) };
}

/// Whether no property was ever made on this thread (so no class holds one).
#[inline]
pub fn none_made() -> bool {
    !MADE.with(Cell::get)
}

/// Makes a property object (and notes that one exists).
fn make(gil: &Gil<'_>, p: PyProperty) -> AnyObj {
    MADE.with(|m| m.set(true));
    Obj::new(gil, p).into_any()
}

/// Which of a property's functions an access calls.
#[derive(Clone, Copy)]
pub enum Access {
    /// A read: `fget(obj)`.
    Get,
    /// A store: `fset(obj, value)`.
    Set,
    /// A deletion: `fdel(obj)`.
    Delete,
}

/// `property(fget=None, fset=None, fdel=None, doc=None)`.
pub fn new(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: Vec<AnyObj>,
    kwargs: Vec<(AnyObj, AnyObj)>,
) -> PyResult<AnyObj> {
    const NAMES: [&str; 4] = ["fget", "fset", "fdel", "doc"];
    check_args(gil, vm, "property", &args, 0, 4)?;
    let mut slots: [Option<AnyObj>; 4] = Default::default();
    for (slot, a) in slots.iter_mut().zip(args) {
        *slot = Some(a);
    }
    for (k, v) in kwargs {
        let key = str_payload(gil, &k).unwrap_or("");
        let Some(i) = NAMES.iter().position(|n| *n == key) else {
            return Err(vm.type_error(
                gil,
                &format!("property() got an unexpected keyword argument '{key}'"),
            ));
        };
        if slots[i].is_some() {
            return Err(vm.type_error(
                gil,
                &format!(
                    "argument for property() given by name ('{key}') and position ({})",
                    i + 1
                ),
            ));
        }
        slots[i] = Some(v);
    }
    // `None` passed for a function is no function.
    let [fget, fset, fdel, doc] = slots.map(|s| s.filter(|v| v.tag() != tag::NONE));
    Ok(make(
        gil,
        PyProperty {
            fget,
            fset,
            fdel,
            doc,
            name: GilCell::new(None),
        },
    ))
}

/// Runs `access` of property `prop` for instance `obj` (`value` for a store). A read
/// returns the getter's result; stores and deletions return what the function returned.
pub fn access(
    gil: &mut Gil<'_>,
    vm: &Vm,
    prop: &Obj<PyProperty>,
    obj: &AnyObj,
    access: Access,
    value: Option<AnyObj>,
) -> PyResult<AnyObj> {
    let p = prop.get(gil);
    let (func, missing) = match access {
        Access::Get => (p.fget.clone(), "getter"),
        Access::Set => (p.fset.clone(), "setter"),
        Access::Delete => (p.fdel.clone(), "deleter"),
    };
    let Some(func) = func else {
        // Named by the class body it was defined in, if any (not by the attribute used).
        let named = p.name.cloned(gil);
        let what = match named.as_ref().and_then(|n| str_payload(gil, n)) {
            Some(n) => format!("property '{n}'"),
            None => "property".to_owned(),
        };
        let owner = tname(gil, vm, obj);
        let t = vm.types.attribute_error.clone();
        return Err(vm.err(
            gil,
            &t,
            &format!("{what} of '{owner}' object has no {missing}"),
        ));
    };
    let mut args = vec![obj.clone()];
    args.extend(value);
    call(gil, vm, &func, args, vec![])
}

/// The property that `obj`'s class (or a base) holds under `name`, when there is one.
pub fn on_class_of(
    gil: &mut Gil<'_>,
    vm: &Vm,
    obj: &AnyObj,
    name: &AnyObj,
) -> Option<Obj<PyProperty>> {
    if none_made() {
        return None;
    }
    let cls = vm.type_of(gil, obj);
    if types::lacks_properties(gil, &cls) {
        return None;
    }
    types::lookup_interned(gil, &cls, name)?
        .downcast::<PyProperty>()
        .ok()
}

/// `fget`, `fset`, `fdel` and `__doc__` of a property object.
pub fn attribute(gil: &Gil<'_>, vm: &Vm, prop: &Obj<PyProperty>, name: &str) -> Option<AnyObj> {
    let p = prop.get(gil);
    let v = match name {
        "fget" => &p.fget,
        "fset" => &p.fset,
        "fdel" => &p.fdel,
        "__doc__" => &p.doc,
        _ => return None,
    };
    Some(v.clone().unwrap_or_else(|| vm.none.clone()))
}

/// Installs `getter`, `setter` and `deleter` on the `property` class.
pub fn install(gil: &mut Gil<'_>, vm: &Vm) {
    let cls = vm.types.property.clone();
    method(gil, vm, &cls, "property", "getter", getter);
    method(gil, vm, &cls, "property", "setter", setter);
    method(gil, vm, &cls, "property", "deleter", deleter);
}

fn getter(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    replaced(gil, vm, args, kw, "getter", Access::Get)
}

fn setter(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    replaced(gil, vm, args, kw, "setter", Access::Set)
}

fn deleter(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    replaced(gil, vm, args, kw, "deleter", Access::Delete)
}

/// `prop.getter(f)` / `.setter(f)` / `.deleter(f)`: a copy of `prop` with that function.
fn replaced(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    name: &str,
    which: Access,
) -> PyResult<AnyObj> {
    super::builtins::no_kwargs(gil, vm, name, kw)?;
    let prop = args
        .first()
        .and_then(|p| p.clone().downcast::<PyProperty>().ok());
    let Some(prop) = prop else {
        return Err(vm.type_error(
            gil,
            &format!("descriptor '{name}' for 'property' objects needs a 'property' object"),
        ));
    };
    check_args(gil, vm, name, &args[1..], 1, 1)?;
    let f = Some(args[1].clone()).filter(|v| v.tag() != tag::NONE);
    let p = prop.get(gil);
    let mut copy = PyProperty {
        fget: p.fget.clone(),
        fset: p.fset.clone(),
        fdel: p.fdel.clone(),
        doc: p.doc.clone(),
        name: GilCell::new(p.name.cloned(gil)),
    };
    match which {
        Access::Get => copy.fget = f,
        Access::Set => copy.fset = f,
        Access::Delete => copy.fdel = f,
    }
    Ok(make(gil, copy))
}
