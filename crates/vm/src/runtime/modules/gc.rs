//! The `gc` module: CPython 3.11's surface over [`heap::gc`], with its argument checking and
//! messages. `gc.garbage` and `gc.callbacks` are the VM's lists ([`Vm::gc_garbage`],
//! [`Vm::gc_callbacks`]); one heap callback, registered when the module is first made, moves
//! the heap's garbage into `gc.garbage` and calls the Python callbacks after each collection.

use std::cell::Cell;

use heap::gc::{self as hgc, CallbackInfo, Phase};
use heap::{AnyObj, Gil, Obj};

use super::sys::{check_none, check_one, def, int_arg, set};
use crate::runtime::builtins::no_kwargs;
use crate::runtime::callback::report_unraisable;
use crate::runtime::interp::call;
use crate::runtime::object::*;
use crate::runtime::ops::{self, str_payload};
use crate::runtime::{PyResult, Vm, current_vm, types};

thread_local! {
    static HOOKED: Cell<bool> = const { Cell::new(false) };
}

/// Fills the module namespace.
pub fn fill(gil: &mut Gil<'_>, vm: &Vm, ns: &Obj<PyDict>) {
    let o = "gc";
    def(gil, vm, ns, o, "collect", collect);
    def(gil, vm, ns, o, "enable", enable);
    def(gil, vm, ns, o, "disable", disable);
    def(gil, vm, ns, o, "isenabled", isenabled);
    def(gil, vm, ns, o, "get_count", get_count);
    def(gil, vm, ns, o, "get_threshold", get_threshold);
    def(gil, vm, ns, o, "set_threshold", set_threshold);
    def(gil, vm, ns, o, "get_objects", get_objects);
    def(gil, vm, ns, o, "get_referrers", get_referrers);
    def(gil, vm, ns, o, "get_referents", get_referents);
    def(gil, vm, ns, o, "is_tracked", is_tracked);
    def(gil, vm, ns, o, "is_finalized", is_finalized);
    def(gil, vm, ns, o, "freeze", freeze);
    def(gil, vm, ns, o, "unfreeze", unfreeze);
    def(gil, vm, ns, o, "get_freeze_count", get_freeze_count);
    def(gil, vm, ns, o, "get_stats", get_stats);
    def(gil, vm, ns, o, "set_debug", set_debug);
    def(gil, vm, ns, o, "get_debug", get_debug);
    for (name, v) in [
        ("DEBUG_STATS", hgc::DEBUG_STATS),
        ("DEBUG_COLLECTABLE", hgc::DEBUG_COLLECTABLE),
        ("DEBUG_UNCOLLECTABLE", hgc::DEBUG_UNCOLLECTABLE),
        ("DEBUG_SAVEALL", hgc::DEBUG_SAVEALL),
        ("DEBUG_LEAK", hgc::DEBUG_LEAK),
    ] {
        let i = vm.int(gil, v as i64);
        set(gil, vm, ns, name, i);
    }
    set(gil, vm, ns, "garbage", vm.gc_garbage.clone());
    set(gil, vm, ns, "callbacks", vm.gc_callbacks.clone());
    install_hooks(gil);
}

/// Registers the heap callback behind `gc.callbacks` / `gc.garbage` and routes `DEBUG_*`
/// output through the VM's stderr (stdout flushed first). Once per thread.
pub fn install_hooks(gil: &mut Gil<'_>) {
    if HOOKED.with(|h| h.replace(true)) {
        return;
    }
    hgc::add_callback(gil, on_collection);
    hgc::set_debug_output(
        gil,
        Some(Box::new(|s: &str| match current_vm() {
            Some(vm) => vm.write_stderr(s),
            None => eprint!("{s}"),
        })),
    );
}

/// Moves the heap's `gc.garbage` entries into the VM's `gc.garbage` list.
pub fn sync_garbage(gil: &mut Gil<'_>, vm: &Vm) {
    let g = hgc::take_garbage(gil);
    if g.is_empty() {
        return;
    }
    if let Some(l) = vm.gc_garbage.downcast_ref::<PyList>() {
        l.get(gil).items.with_mut(gil, |v| v.extend(g));
    } else if let Some(l) = ops::instance_list(gil, &vm.gc_garbage) {
        l.with_mut(gil, |v| v.extend(g));
    }
}

fn on_collection(gil: &mut Gil<'_>, phase: Phase, info: &CallbackInfo) {
    let Some(vm) = current_vm() else { return };
    if phase == Phase::Stop {
        sync_garbage(gil, &vm);
    }
    let cbs: Vec<AnyObj> = match vm.gc_callbacks.downcast_ref::<PyList>() {
        Some(l) => l.get(gil).items.with(gil, |v| v.clone()),
        None => return,
    };
    if cbs.is_empty() {
        return;
    }
    let ph = vm.str(gil, phase.as_str());
    let d = vm.dict(gil);
    let entries = [
        ("generation", info.generation),
        ("collected", info.collected),
        ("uncollectable", info.uncollectable),
    ];
    for (k, v) in entries {
        let v = vm.int(gil, v as i64);
        types::dict_set_str(gil, &vm, &d.get(gil).table, k, v);
    }
    let d = d.into_any();
    let saved = vm.exc_info.borrow_mut().take();
    for cb in cbs {
        if let Err(e) = call(gil, &vm, &cb, vec![ph.clone(), d.clone()], vec![]) {
            report_unraisable(gil, &vm, &cb, e);
        }
    }
    *vm.exc_info.borrow_mut() = saved;
}

fn collect(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    if args.len() + kwargs.len() > 1 {
        return Err(vm.type_error(
            gil,
            &format!(
                "collect() takes at most 1 argument ({} given)",
                args.len() + kwargs.len()
            ),
        ));
    }
    let mut gen_arg = args.first().cloned();
    for (k, v) in kwargs {
        match str_payload(gil, k) {
            Some("generation") => gen_arg = Some(v.clone()),
            other => {
                let n = other.unwrap_or("").to_owned();
                return Err(vm.type_error(
                    gil,
                    &format!("collect() got an unexpected keyword argument '{n}'"),
                ));
            }
        }
    }
    let g = match gen_arg {
        Some(a) => int_arg(gil, vm, &a)?,
        None => 2,
    };
    if !(0..hgc::NUM_GENERATIONS as i64).contains(&g) {
        return Err(vm.value_error(gil, "invalid generation"));
    }
    let n = hgc::collect(gil, g as usize).map_err(|e| vm.value_error(gil, &e.to_string()))?;
    sync_garbage(gil, vm);
    Ok(vm.int(gil, n as i64))
}

fn enable(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_none(gil, vm, "gc.enable", args, kwargs)?;
    hgc::enable(gil);
    Ok(vm.none.clone())
}

fn disable(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_none(gil, vm, "gc.disable", args, kwargs)?;
    hgc::disable(gil);
    Ok(vm.none.clone())
}

fn isenabled(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_none(gil, vm, "gc.isenabled", args, kwargs)?;
    Ok(vm.bool(hgc::is_enabled(gil)))
}

fn triple(gil: &mut Gil<'_>, vm: &Vm, v: [usize; 3]) -> AnyObj {
    let items = v.iter().map(|&x| vm.int(gil, x as i64)).collect();
    vm.tuple(gil, items)
}

fn get_count(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_none(gil, vm, "gc.get_count", args, kwargs)?;
    let c = hgc::get_count(gil);
    Ok(triple(gil, vm, c))
}

fn get_threshold(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_none(gil, vm, "gc.get_threshold", args, kwargs)?;
    let t = hgc::get_threshold(gil);
    Ok(triple(gil, vm, t))
}

fn set_threshold(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "set_threshold", kwargs)?;
    if args.is_empty() {
        return Err(vm.type_error(gil, "set_threshold() takes at least 1 argument (0 given)"));
    }
    if args.len() > 3 {
        return Err(vm.type_error(
            gil,
            &format!(
                "set_threshold() takes at most 3 arguments ({} given)",
                args.len()
            ),
        ));
    }
    let mut t = hgc::get_threshold(gil);
    let mut vals = Vec::new();
    for a in args {
        if a.tag() == tag::FLOAT {
            return Err(vm.type_error(gil, "'float' object cannot be interpreted as an integer"));
        }
        let v = int_arg(gil, vm, a)?;
        if v > i32::MAX as i64 || v < i32::MIN as i64 {
            return Err(vm.overflow_error(gil, "signed integer is greater than maximum"));
        }
        vals.push(v.max(0) as usize);
    }
    for (i, v) in vals.into_iter().enumerate() {
        t[i] = v;
    }
    hgc::set_threshold(gil, t);
    Ok(vm.none.clone())
}

fn get_objects(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    if args.len() + kwargs.len() > 1 {
        return Err(vm.type_error(
            gil,
            &format!(
                "get_objects() takes at most 1 argument ({} given)",
                args.len() + kwargs.len()
            ),
        ));
    }
    let mut gen_arg = args.first().cloned();
    for (k, v) in kwargs {
        match str_payload(gil, k) {
            Some("generation") => gen_arg = Some(v.clone()),
            other => {
                let n = other.unwrap_or("").to_owned();
                return Err(vm.type_error(
                    gil,
                    &format!("get_objects() got an unexpected keyword argument '{n}'"),
                ));
            }
        }
    }
    let g = match gen_arg {
        Some(a) if a.tag() != tag::NONE => {
            let Some(g) = ops::int_payload(gil, &a) else {
                let n = super::sys::tname(gil, vm, &a);
                return Err(vm.type_error(
                    gil,
                    &format!("argument should be integer or None, not '{n}'"),
                ));
            };
            if g >= hgc::NUM_GENERATIONS as i64 {
                return Err(vm.value_error(
                    gil,
                    &format!(
                        "generation parameter must be less than the number of available generations ({})",
                        hgc::NUM_GENERATIONS
                    ),
                ));
            }
            if g < -1 {
                return Err(vm.value_error(gil, "generation parameter cannot be negative"));
            }
            if g == -1 { None } else { Some(g as usize) }
        }
        _ => None,
    };
    let objs = hgc::get_objects(gil, g).map_err(|e| vm.value_error(gil, &e.to_string()))?;
    Ok(vm.list(gil, objs))
}

fn get_referrers(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "get_referrers", kwargs)?;
    let refs: Vec<&AnyObj> = args.iter().collect();
    let found = hgc::get_referrers(gil, &refs);
    Ok(vm.list(gil, found))
}

fn get_referents(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "get_referents", kwargs)?;
    let mut found = Vec::new();
    for o in args {
        match traverse_in_cpython_order(gil, o) {
            Some(refs) => found.extend(refs),
            None => found.extend(hgc::get_referents(gil, &[o])),
        }
    }
    Ok(vm.list(gil, found))
}

/// What CPython 3.11's `tp_traverse` of the builtin containers visits, in its order (the
/// heap's `Trace` visits the same references in storage order, which is all collection
/// needs): list and tuple items last to first; a dict's values only while all its keys
/// are strs (3.11's str-keys table), else value then key per entry; an instance's attribute
/// values (or its `__dict__`), then its class. `None` for the other types.
fn traverse_in_cpython_order(gil: &mut Gil<'_>, o: &AnyObj) -> Option<Vec<AnyObj>> {
    match o.tag() {
        tag::LIST => {
            let l = o.downcast_ref::<PyList>()?;
            Some(
                l.get(gil)
                    .items
                    .with(gil, |v| v.iter().rev().cloned().collect()),
            )
        }
        tag::TUPLE => {
            let t = o.downcast_ref::<PyTuple>()?;
            Some(t.get(gil).items.iter().rev().cloned().collect())
        }
        tag::DICT => {
            let items = ops::dict_items(gil, o);
            let str_keys = items.iter().all(|(k, _)| k.tag() == tag::STR);
            Some(if str_keys {
                items.into_iter().map(|(_, v)| v).collect()
            } else {
                items.into_iter().flat_map(|(k, v)| [v, k]).collect()
            })
        }
        tag::INSTANCE => {
            let inst = o.downcast_ref::<PyInstance>()?;
            let i = inst.get(gil);
            if i.exc.is_some() || i.list.is_some() {
                return None;
            }
            let mut refs: Vec<AnyObj> = i.attrs.with(gil, |a| match a {
                Attrs::Pairs(pairs) => pairs.iter().map(|(_, v)| v.clone()).collect(),
                Attrs::Inline(d) => d.iter().map(|e| e.value.clone()).collect(),
                Attrs::Dict(d) => vec![d.clone().into_any()],
            });
            refs.push(i.class.cloned(gil).into_any());
            Some(refs)
        }
        _ => None,
    }
}

fn is_tracked(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_one(gil, vm, "gc.is_tracked", args, kwargs)?;
    let o = &args[0];
    // CPython's static builtin types and bare `object()` instances are not GC objects.
    let static_type = o
        .downcast_ref::<PyType>()
        .is_some_and(|t| !t.get(gil).heap_type);
    let bare_object = o.tag() == tag::INSTANCE && vm.type_of(gil, o).ptr_eq(&vm.types.object);
    if static_type || bare_object {
        return Ok(vm.false_.clone());
    }
    Ok(vm.bool(hgc::is_tracked(gil, o)))
}

fn is_finalized(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_one(gil, vm, "gc.is_finalized", args, kwargs)?;
    Ok(vm.bool(hgc::is_finalized(gil, &args[0])))
}

fn freeze(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_none(gil, vm, "gc.freeze", args, kwargs)?;
    hgc::freeze(gil);
    Ok(vm.none.clone())
}

fn unfreeze(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_none(gil, vm, "gc.unfreeze", args, kwargs)?;
    hgc::unfreeze(gil);
    Ok(vm.none.clone())
}

fn get_freeze_count(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_none(gil, vm, "gc.get_freeze_count", args, kwargs)?;
    Ok(vm.int(gil, hgc::get_freeze_count(gil) as i64))
}

fn get_stats(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_none(gil, vm, "gc.get_stats", args, kwargs)?;
    let stats = hgc::get_stats(gil);
    let mut out = Vec::new();
    for s in stats {
        let d = vm.dict(gil);
        for (k, v) in [
            ("collections", s.collections),
            ("collected", s.collected),
            ("uncollectable", s.uncollectable),
        ] {
            let v = vm.int(gil, v as i64);
            types::dict_set_str(gil, vm, &d.get(gil).table, k, v);
        }
        out.push(d.into_any());
    }
    Ok(vm.list(gil, out))
}

fn set_debug(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_one(gil, vm, "gc.set_debug", args, kwargs)?;
    if args[0].tag() == tag::FLOAT {
        return Err(vm.type_error(gil, "'float' object cannot be interpreted as an integer"));
    }
    let f = int_arg(gil, vm, &args[0])?;
    hgc::set_debug(gil, f as u32);
    Ok(vm.none.clone())
}

fn get_debug(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_none(gil, vm, "gc.get_debug", args, kwargs)?;
    Ok(vm.int(gil, hgc::get_debug(gil) as i64))
}
