//! The `weakref` module.
//!
//! `ref`, `proxy`, `getweakrefcount` and `getweakrefs` are builtins over the heap's
//! [`WeakRef`] objects (whose type the VM reports as `weakref.ReferenceType`, `ProxyType` or
//! `CallableProxyType`). `ref` is a builtin function rather than the `ReferenceType` class:
//! calling a builtin class goes through `functions::construct_builtin`, which has no
//! weakref case. `WeakValueDictionary`, `WeakKeyDictionary` and `finalize` are Python
//! source ([`PY_SOURCE`]) run in the module namespace when the module is made, as CPython's
//! own are Python code.

use heap::{AnyObj, Gil, Obj, WeakRef};

use super::sys::{check_one, def, set, tname};
use crate::runtime::callback::report_unraisable;
use crate::runtime::interp::{call, run_module};
use crate::runtime::object::*;
use crate::runtime::ops::str_payload;
use crate::runtime::{PyErr, PyResult, Vm, types};

/// The Python half of the module: `WeakValueDictionary`, `WeakKeyDictionary`, `finalize`.
pub const PY_SOURCE: &str = include_str!("weakref_py.py");

/// Fills the module namespace.
pub fn fill(gil: &mut Gil<'_>, vm: &Vm, ns: &Obj<PyDict>) {
    let o = "_weakref";
    def(gil, vm, ns, o, "ref", new_ref);
    def(gil, vm, ns, o, "proxy", new_proxy);
    def(gil, vm, ns, o, "getweakrefcount", getweakrefcount);
    def(gil, vm, ns, o, "getweakrefs", getweakrefs);
    def(gil, vm, ns, o, "_report", report);
    def(gil, vm, ns, o, "_apply", apply);
    set(
        gil,
        vm,
        ns,
        "ReferenceType",
        vm.types.weakref.clone().into_any(),
    );
    set(
        gil,
        vm,
        ns,
        "ProxyType",
        vm.types.weakproxy.clone().into_any(),
    );
    set(
        gil,
        vm,
        ns,
        "CallableProxyType",
        vm.types.weakcallableproxy.clone().into_any(),
    );
    let pt = vm.tuple(
        gil,
        vec![
            vm.types.weakproxy.clone().into_any(),
            vm.types.weakcallableproxy.clone().into_any(),
        ],
    );
    set(gil, vm, ns, "ProxyTypes", pt);
    for (t, name) in [
        (&vm.types.weakref, "ReferenceType"),
        (&vm.types.weakproxy, "ProxyType"),
        (&vm.types.weakcallableproxy, "CallableProxyType"),
    ] {
        let m = vm.intern(gil, "weakref");
        types::set_type_attr(gil, vm, t, "__module__", m);
        let n = vm.intern(gil, name);
        t.get(gil).name.set(gil, n.clone());
        t.get(gil).qualname.set(gil, n);
    }
    let before: std::collections::HashSet<usize> = heap::gc::get_objects(gil, Some(0))
        .map(|v| v.iter().map(AnyObj::addr).collect())
        .unwrap_or_default();
    match crate::compile::compile_source(PY_SOURCE, "<weakref>") {
        Ok(code) => {
            let code = crate::runtime::run::make_code(gil, vm, &code);
            let b = vm.builtins.clone().into_any();
            set(gil, vm, ns, "__builtins__", b);
            if let Err(e) = run_module(gil, vm, code, ns.clone()) {
                let text = vm.format_exception(gil, &e.exc);
                vm.write_stderr(&text);
            }
            untrack_atomic_tuples(gil, &before);
        }
        Err(e) => vm.write_stderr(&format!("weakref: {e}\n")),
    }
}

/// Untracks the tuples of atomic values (the functions' `(None,)` defaults) that running
/// [`PY_SOURCE`] made: CPython's module is imported at start-up and its collections untrack
/// them long before a user's first `gc.collect()`, which must not count them.
fn untrack_atomic_tuples(gil: &mut Gil<'_>, before: &std::collections::HashSet<usize>) {
    let Ok(young) = heap::gc::get_objects(gil, Some(0)) else {
        return;
    };
    for o in young {
        if before.contains(&o.addr()) {
            continue;
        }
        if let Some(t) = o.downcast_ref::<PyTuple>()
            && t.get(gil).items.iter().all(|i| !i.is_tracked(gil))
        {
            o.untrack(gil);
        }
    }
}

/// `ReferenceError: weakly-referenced object no longer exists`.
pub fn dead_proxy(gil: &mut Gil<'_>, vm: &Vm) -> PyErr {
    let t = vm.types.reference_error.clone();
    vm.err(gil, &t, "weakly-referenced object no longer exists")
}

/// Runs the `weakref.finalize` objects whose `atexit` is true, newest first, and stops the
/// others from running afterwards (CPython's `finalize._exitfunc`, an `atexit` hook). The
/// interpreter's shutdown calls it before clearing `__main__`, if `weakref` was imported.
pub fn atexit(gil: &mut Gil<'_>, vm: &Vm) {
    let Some(m) = vm.modules.borrow().get("weakref").cloned() else {
        return;
    };
    let Some(m) = m.downcast_ref::<PyModule>() else {
        return;
    };
    let ns = m.get(gil).dict.clone();
    let Some(f) = types::dict_get_str(gil, vm, &ns.get(gil).table, "_exitfunc") else {
        return;
    };
    if let Err(e) = call(gil, vm, &f, vec![], vec![]) {
        report_unraisable(gil, vm, &f, e);
    }
}

fn not_weakrefable(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyErr {
    let n = tname(gil, vm, o);
    vm.type_error(
        gil,
        &format!("cannot create weak reference to '{n}' object"),
    )
}

/// `object()` itself has no weakref slot in CPython (its subclasses do).
fn is_bare_object(gil: &Gil<'_>, vm: &Vm, o: &AnyObj) -> bool {
    o.tag() == tag::INSTANCE && vm.type_of(gil, o).ptr_eq(&vm.types.object)
}

fn ref_args(
    gil: &mut Gil<'_>,
    vm: &Vm,
    who: &str,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<(AnyObj, Option<AnyObj>)> {
    if !kwargs.is_empty() {
        let _ = str_payload(gil, &kwargs[0].0);
        return Err(vm.type_error(gil, &format!("{who} takes no keyword arguments")));
    }
    match args.len() {
        0 => Err(vm.type_error(gil, &format!("{who} expected at least 1 argument, got 0"))),
        1 | 2 => {
            let cb = args.get(1).filter(|c| c.tag() != tag::NONE).cloned();
            Ok((args[0].clone(), cb))
        }
        n => Err(vm.type_error(gil, &format!("{who} expected at most 2 arguments, got {n}"))),
    }
}

fn new_ref(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    let (target, cb) = ref_args(gil, vm, "__new__", args, kwargs)?;
    if is_bare_object(gil, vm, &target) {
        return Err(not_weakrefable(gil, vm, &target));
    }
    match WeakRef::new(gil, &target, cb) {
        Ok(r) => Ok(r.into_any()),
        Err(_) => Err(not_weakrefable(gil, vm, &target)),
    }
}

fn new_proxy(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    let (target, cb) = ref_args(gil, vm, "proxy", args, kwargs)?;
    if is_bare_object(gil, vm, &target) {
        return Err(not_weakrefable(gil, vm, &target));
    }
    match WeakRef::new_proxy(gil, &target, cb) {
        Ok(r) => Ok(r.into_any()),
        Err(_) => Err(not_weakrefable(gil, vm, &target)),
    }
}

fn getweakrefcount(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_one(gil, vm, "_weakref.getweakrefcount", args, kwargs)?;
    let n = heap::weakref::weakref_count(gil, &args[0]);
    Ok(vm.int(gil, n as i64))
}

fn getweakrefs(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_one(gil, vm, "_weakref.getweakrefs", args, kwargs)?;
    let refs = heap::weakref::weakrefs(gil, &args[0])
        .into_iter()
        .map(Obj::into_any)
        .collect();
    Ok(vm.list(gil, refs))
}

/// `_report(finalizer, exc)`: an exception from a finalizer run at exit, reported as
/// unraisable (CPython prints it through `sys.excepthook`).
fn report(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    _kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    if let [ctx, exc] = args {
        report_unraisable(gil, vm, ctx, PyErr { exc: exc.clone() });
    }
    Ok(vm.none.clone())
}

/// `_apply(func, args, kwargs)`: `func(*args, **kwargs)` (pymem's compiler has no `*` in
/// calls yet).
fn apply(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    _kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    let [f, a, kw] = args else {
        return Err(vm.type_error(gil, "_apply expected 3 arguments"));
    };
    let pos = crate::runtime::ops::seq_items(gil, a).unwrap_or_default();
    let kws = if kw.tag() == tag::DICT {
        crate::runtime::ops::dict_items(gil, kw)
    } else {
        Vec::new()
    };
    call(gil, vm, f, pos, kws)
}
