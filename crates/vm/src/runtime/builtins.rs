//! The `builtins` namespace: classes, constructors (`type(...)` calls), `__build_class__`,
//! and the builtin functions. More functions live in [`super::functions`].

use heap::{AnyObj, Gil, GilCell, Obj};

use super::interp::{self, call};
use super::object::*;
use super::ops::{self, int_payload, str_payload};
use super::types::{self, type_name};
use super::{BuiltinFn, PyResult, Vm};
use crate::text::format_spec::{FormatSpec, format_float, format_int, format_str};

/// Makes a builtin function object.
pub fn builtin(
    gil: &Gil<'_>,
    name: &'static str,
    owner: &'static str,
    func: BuiltinFn,
    is_method: bool,
) -> AnyObj {
    Obj::new_immortal(
        gil,
        PyBuiltin {
            name,
            owner,
            func,
            is_method,
        },
    )
    .into_any()
}

/// Registers a builtin function in the builtins namespace.
pub fn register(gil: &mut Gil<'_>, vm: &Vm, name: &'static str, func: BuiltinFn) {
    let f = builtin(gil, name, "", func, false);
    types::dict_set_str(gil, vm, &vm.builtins.get(gil).table, name, f);
}

/// Fills the builtins namespace.
pub fn install(gil: &mut Gil<'_>, vm: &Vm) {
    let table = &vm.builtins.get(gil).table;
    for t in vm.types.all() {
        let name = type_name(gil, t);
        types::dict_set_str(gil, vm, table, &name, t.clone().into_any());
    }
    types::dict_set_str(gil, vm, table, "None", vm.none.clone());
    types::dict_set_str(gil, vm, table, "True", vm.true_.clone());
    types::dict_set_str(gil, vm, table, "False", vm.false_.clone());
    types::dict_set_str(
        gil,
        vm,
        table,
        "NotImplemented",
        vm.not_implemented_obj.clone(),
    );
    let name = vm.str(gil, "builtins");
    types::dict_set_str(gil, vm, table, "__name__", name);
    register(gil, vm, "__build_class__", build_class);
    register(gil, vm, "print", print);
    register(gil, vm, "len", len);
    register(gil, vm, "repr", repr);
    register(gil, vm, "isinstance", isinstance);
    register(gil, vm, "issubclass", issubclass);
    register(gil, vm, "id", id);
    register(gil, vm, "hash", hash);
    register(gil, vm, "iter", iter);
    register(gil, vm, "next", next);
    register(gil, vm, "format", format);
    super::functions::install(gil, vm);
}

/// Checks the positional argument count of a builtin.
pub fn check_args(
    gil: &mut Gil<'_>,
    vm: &Vm,
    name: &str,
    args: &[AnyObj],
    min: usize,
    max: usize,
) -> PyResult<()> {
    if args.len() < min || args.len() > max {
        let msg = if min == max {
            match min {
                0 => format!("{name}() takes no arguments ({} given)", args.len()),
                1 => format!("{name}() takes exactly one argument ({} given)", args.len()),
                _ => format!("{name} expected {min} arguments, got {}", args.len()),
            }
        } else if args.len() < min {
            format!(
                "{name} expected at least {min} argument{}, got {}",
                if min == 1 { "" } else { "s" },
                args.len()
            )
        } else {
            format!(
                "{name} expected at most {max} argument{}, got {}",
                if max == 1 { "" } else { "s" },
                args.len()
            )
        };
        return Err(vm.type_error(gil, &msg));
    }
    Ok(())
}

/// Rejects keyword arguments for builtins that take none.
pub fn no_kwargs(
    gil: &mut Gil<'_>,
    vm: &Vm,
    name: &str,
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<()> {
    if kwargs.is_empty() {
        Ok(())
    } else {
        Err(vm.type_error(gil, &format!("{name}() takes no keyword arguments")))
    }
}

/// Finds keyword `name`.
pub fn kwarg(gil: &Gil<'_>, kwargs: &[(AnyObj, AnyObj)], name: &str) -> Option<AnyObj> {
    kwargs
        .iter()
        .find(|(k, _)| str_payload(gil, k) == Some(name))
        .map(|(_, v)| v.clone())
}

fn build_class(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    _kw: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    if args.len() < 2 {
        return Err(vm.type_error(gil, "__build_class__: not enough arguments"));
    }
    let body = args[0].clone();
    let name = args[1].clone();
    let base = match args.get(2) {
        None => vm.types.object.clone(),
        Some(b) => match b.clone().downcast::<PyType>() {
            Ok(t) => t,
            Err(_) => return Err(vm.type_error(gil, "bases must be types")),
        },
    };
    if args.len() > 3 {
        return Err(vm.type_error(gil, "pymem does not support multiple inheritance yet"));
    }
    let Some(func) = body.downcast_ref::<PyFunction>() else {
        return Err(vm.type_error(gil, "__build_class__: func must be a function"));
    };
    let ns = vm.dict(gil);
    let f = func.get(gil);
    let frame = interp::Frame::for_namespace(
        gil,
        vm,
        f.code.clone(),
        f.globals.clone(),
        ns.clone(),
        f.closure.as_ref(),
    );
    let cell = interp::run(gil, vm, frame)?;
    let table = ns.get(gil).table.with_mut(gil, std::mem::take);
    let cls = types::new_class(gil, vm, name, base, table)?;
    types::dict_del_str(gil, vm, &cls.get(gil).dict, "__classcell__");
    if let Some(c) = cell.downcast_ref::<PyCell>() {
        c.get(gil).value.set(gil, Some(cls.clone().into_any()));
    }
    Ok(cls.into_any())
}

/// For the interpreter loop: the Python `__init__` of the plain Python class `t`, when a
/// call of `t` can run it in the loop (instances without exception or list state, `__init__`
/// a Python function). `None`: use [`call_type`].
pub fn python_init(gil: &mut Gil<'_>, vm: &Vm, t: &Obj<PyType>) -> Option<Obj<PyFunction>> {
    if t.get(gil).layout != Layout::Instance {
        return None;
    }
    types::lookup_interned(gil, t, &vm.names.init)?
        .downcast::<PyFunction>()
        .ok()
}

/// A new instance of `t` with the given exception and list state (and no attributes).
pub fn new_instance(
    gil: &Gil<'_>,
    t: &Obj<PyType>,
    exc: Option<ExcData>,
    list: Option<Vec<AnyObj>>,
) -> Obj<PyInstance> {
    Obj::new(
        gil,
        PyInstance {
            class: GilCell::new(t.clone()),
            attrs: GilCell::new(Attrs::Pairs(Vec::new())),
            exc: exc.map(|e| Box::new(GilCell::new(e))),
            list: list.map(|l| Box::new(GilCell::new(l))),
        },
    )
}

/// Calls a class: constructs an instance (or a builtin value).
pub fn call_type(
    gil: &mut Gil<'_>,
    vm: &Vm,
    t: &Obj<PyType>,
    args: Vec<AnyObj>,
    kwargs: Vec<(AnyObj, AnyObj)>,
) -> PyResult<AnyObj> {
    let layout = t.get(gil).layout;
    if layout == Layout::Builtin || (t.ptr_eq(&vm.types.list)) {
        return super::functions::construct_builtin(gil, vm, t, args, kwargs);
    }
    if t.ptr_eq(&vm.types.object) && (!args.is_empty() || !kwargs.is_empty()) {
        return Err(vm.type_error(gil, "object() takes no arguments"));
    }
    let is_exc = layout == Layout::Exception;
    let obj = new_instance(
        gil,
        t,
        is_exc.then(ExcData::default),
        (layout == Layout::List).then(Vec::new),
    )
    .into_any();
    if is_exc {
        let a = vm.tuple(gil, args.clone()).downcast::<PyTuple>().ok();
        if let Some(i) = obj.downcast_ref::<PyInstance>()
            && let Some(d) = &i.get(gil).exc
        {
            d.with_mut(gil, |d| d.args = a);
        }
    }
    let init = types::lookup_interned(gil, t, &vm.names.init).filter(|i| {
        // `object.__init__` itself: the checks below give CPython's messages.
        i.downcast_ref::<PyBuiltin>()
            .is_none_or(|b| b.get(gil).owner != "object")
    });
    match init {
        Some(init) => {
            let mut a = Vec::with_capacity(args.len() + 1);
            a.push(obj.clone());
            a.extend(args);
            let r = call(gil, vm, &init, a, kwargs)?;
            if r.tag() != tag::NONE {
                let rt = vm.type_of(gil, &r);
                return Err(vm.type_error(
                    gil,
                    &format!(
                        "__init__() should return None, not '{}'",
                        type_name(gil, &rt)
                    ),
                ));
            }
        }
        None => {
            if layout == Layout::List && !args.is_empty() {
                let items = ops::iterate(gil, vm, &args[0])?;
                if let Some(l) = ops::instance_list(gil, &obj) {
                    l.with_mut(gil, |v| v.extend(items));
                }
            } else if !is_exc && (!args.is_empty() || !kwargs.is_empty()) {
                let n = type_name(gil, t);
                return Err(vm.type_error(gil, &format!("{n}() takes no arguments")));
            }
        }
    }
    Ok(obj)
}

/// `format(value, spec)`, for f-strings and `format()`.
pub fn format_value(gil: &mut Gil<'_>, vm: &Vm, v: &AnyObj, spec: &str) -> PyResult<AnyObj> {
    if spec.is_empty() && v.tag() == tag::STR {
        return Ok(v.clone());
    }
    if v.tag() == tag::INSTANCE
        && let Some(f) = ops::special(gil, vm, v, "__format__")
    {
        let s = vm.str(gil, spec);
        return call(gil, vm, &f, vec![v.clone(), s], vec![]);
    }
    if spec.is_empty() {
        let s = ops::str_of(gil, vm, v)?;
        return Ok(vm.str(gil, &s));
    }
    let parsed = FormatSpec::parse(spec);
    let tname = {
        let t = vm.type_of(gil, v);
        type_name(gil, &t)
    };
    let r = match parsed {
        Err(e) => Err(e),
        Ok(p) => match v.tag() {
            tag::INT => format_int(int_payload(gil, v).unwrap(), &p),
            tag::BOOL => format_int(int_payload(gil, v).unwrap(), &p),
            tag::FLOAT => format_float(ops::float_payload(gil, v).unwrap(), &p),
            tag::STR => format_str(str_payload(gil, v).unwrap(), &p),
            _ => {
                return Err(vm.type_error(
                    gil,
                    &format!("unsupported format string passed to {tname}.__format__"),
                ));
            }
        },
    };
    match r {
        Ok(s) => Ok(vm.str(gil, &s)),
        Err(e) => Err(vm.value_error(gil, &e.to_string())),
    }
}

fn format(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    _kw: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_args(gil, vm, "format", args, 1, 2)?;
    let spec = args
        .get(1)
        .and_then(|s| str_payload(gil, s).map(str::to_owned))
        .unwrap_or_default();
    format_value(gil, vm, &args[0], &spec)
}

fn print(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    let mut sep = " ".to_owned();
    let mut end = "\n".to_owned();
    let mut to_stderr = false;
    let mut flush = false;
    for (k, v) in kwargs {
        let k = str_payload(gil, k).unwrap_or("").to_owned();
        let val = if v.tag() == tag::NONE {
            None
        } else {
            Some(v.clone())
        };
        match k.as_str() {
            "sep" | "end" => {
                if let Some(v) = val {
                    let Some(s) = str_payload(gil, &v).map(str::to_owned) else {
                        let t = vm.type_of(gil, &v);
                        return Err(vm.type_error(
                            gil,
                            &format!("{k} must be None or a string, not {}", type_name(gil, &t)),
                        ));
                    };
                    if k == "sep" { sep = s } else { end = s }
                }
            }
            "file" => {
                if let Some(v) = val {
                    to_stderr = super::modules::sys::is_stderr(gil, vm, &v);
                }
            }
            "flush" => flush = true,
            _ => {
                return Err(vm.type_error(
                    gil,
                    &format!("'{k}' is an invalid keyword argument for print()"),
                ));
            }
        }
    }
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        out.push_str(&ops::str_of(gil, vm, a)?);
    }
    out.push_str(&end);
    if to_stderr {
        vm.write_stderr(&out);
    } else {
        vm.write_stdout(&out);
        if flush {
            vm.flush_stdout();
        }
    }
    Ok(vm.none.clone())
}

fn len(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: &[(AnyObj, AnyObj)]) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "len", kw)?;
    check_args(gil, vm, "len", args, 1, 1)?;
    let n = ops::len(gil, vm, &args[0])?;
    Ok(vm.int(gil, n as i64))
}

fn repr(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], _kw: &[(AnyObj, AnyObj)]) -> PyResult<AnyObj> {
    check_args(gil, vm, "repr", args, 1, 1)?;
    let s = ops::repr(gil, vm, &args[0])?;
    Ok(vm.str(gil, &s))
}

fn class_matches(
    gil: &mut Gil<'_>,
    vm: &Vm,
    cls: &Obj<PyType>,
    spec: &AnyObj,
    fname: &str,
) -> PyResult<bool> {
    if let Some(t) = spec.downcast_ref::<PyType>() {
        return Ok(types::is_subtype(gil, cls, t));
    }
    if let Some(items) = spec.downcast_ref::<PyTuple>() {
        let items = items.get(gil).items.to_vec();
        for i in &items {
            if class_matches(gil, vm, cls, i, fname)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    Err(vm.type_error(
        gil,
        &format!("{fname}() arg 2 must be a type, a tuple of types, or a union"),
    ))
}

fn isinstance(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    _kw: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_args(gil, vm, "isinstance", args, 2, 2)?;
    let cls = vm.type_of(gil, &args[0]);
    let r = class_matches(gil, vm, &cls, &args[1], "isinstance")?;
    Ok(vm.bool(r))
}

fn issubclass(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    _kw: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_args(gil, vm, "issubclass", args, 2, 2)?;
    let Some(cls) = args[0].downcast_ref::<PyType>().cloned() else {
        return Err(vm.type_error(gil, "issubclass() arg 1 must be a class"));
    };
    let r = class_matches(gil, vm, &cls, &args[1], "issubclass")?;
    Ok(vm.bool(r))
}

fn id(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], _kw: &[(AnyObj, AnyObj)]) -> PyResult<AnyObj> {
    check_args(gil, vm, "id", args, 1, 1)?;
    Ok(vm.int(gil, args[0].addr() as i64))
}

fn hash(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], _kw: &[(AnyObj, AnyObj)]) -> PyResult<AnyObj> {
    check_args(gil, vm, "hash", args, 1, 1)?;
    let h = ops::hash(gil, vm, &args[0])?;
    Ok(vm.int(gil, h))
}

fn iter(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], _kw: &[(AnyObj, AnyObj)]) -> PyResult<AnyObj> {
    check_args(gil, vm, "iter", args, 1, 1)?;
    ops::get_iter(gil, vm, &args[0])
}

fn next(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], _kw: &[(AnyObj, AnyObj)]) -> PyResult<AnyObj> {
    check_args(gil, vm, "next", args, 1, 2)?;
    // A generator's `StopIteration` carries the value it returned.
    if let Some(g) = args[0].downcast_ref::<super::generator::PyGenerator>()
        && args.len() == 1
    {
        return super::generator::next_or_stop(gil, vm, g);
    }
    match ops::next(gil, vm, &args[0])? {
        Some(v) => Ok(v),
        None => match args.get(1) {
            Some(d) => Ok(d.clone()),
            None => {
                let t = vm.types.stop_iteration.clone();
                Err(super::PyErr {
                    exc: vm.new_exception(gil, &t, vec![]),
                })
            }
        },
    }
}
