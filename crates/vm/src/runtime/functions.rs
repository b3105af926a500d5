//! Builtin constructors (`int(...)`, `str(...)`, `list(...)`, `type(...)`, `super(...)`, ...)
//! and the builtin functions beyond the core ones in [`super::builtins`].

use heap::{AnyObj, Gil, GilCell, Obj};

use super::builtins::{check_args, register};
use super::object::*;
use super::ops::{self, float_payload, int_payload, str_payload};
use super::types::{self, type_name};
use super::{PyResult, Vm};
use crate::text::{numeric, strings};

/// Installs the builtin functions of this module.
pub fn install(gil: &mut Gil<'_>, vm: &Vm) {
    let _ = (gil, vm);
    let _ = register;
}

/// Calls a builtin class: `int(x)`, `list(it)`, `type(o)`, `super()`, ...
pub fn construct_builtin(
    gil: &mut Gil<'_>,
    vm: &Vm,
    t: &Obj<PyType>,
    args: Vec<AnyObj>,
    kwargs: Vec<(AnyObj, AnyObj)>,
) -> PyResult<AnyObj> {
    let name = type_name(gil, t);
    let _ = &kwargs;
    match t.get(gil).builtin_tag {
        tag::INT => {
            check_args(gil, vm, "int", &args, 0, 2)?;
            let Some(a) = args.first() else {
                return Ok(vm.int(gil, 0));
            };
            if let Some(i) = int_payload(gil, a) {
                return Ok(vm.int(gil, i));
            }
            if let Some(f) = float_payload(gil, a) {
                let i = numeric::float_to_int(f).map_err(|e| num_err(gil, vm, e))?;
                return Ok(vm.int(gil, i));
            }
            if let Some(s) = str_payload(gil, a) {
                let base = args.get(1).and_then(|b| int_payload(gil, b)).unwrap_or(10) as u32;
                return match strings::parse_int(s, base) {
                    Ok(i) => Ok(vm.int(gil, i)),
                    Err(m) => Err(vm.value_error(gil, &m)),
                };
            }
            if let Some(r) = ops::call_special(gil, vm, a, "__int__", vec![])? {
                return Ok(r);
            }
            let at = vm.type_of(gil, a);
            Err(vm.type_error(gil, &format!("int() argument must be a string, a bytes-like object or a real number, not '{}'", type_name(gil, &at))))
        }
        tag::FLOAT => {
            check_args(gil, vm, "float", &args, 0, 1)?;
            let Some(a) = args.first() else {
                return Ok(vm.float(gil, 0.0));
            };
            if let Some(f) = ops::as_f64(gil, a) {
                return Ok(vm.float(gil, f));
            }
            if let Some(s) = str_payload(gil, a) {
                return match strings::parse_float(s) {
                    Ok(f) => Ok(vm.float(gil, f)),
                    Err(m) => Err(vm.value_error(gil, &m)),
                };
            }
            if let Some(r) = ops::call_special(gil, vm, a, "__float__", vec![])? {
                return Ok(r);
            }
            let at = vm.type_of(gil, a);
            Err(vm.type_error(
                gil,
                &format!(
                    "float() argument must be a string or a real number, not '{}'",
                    type_name(gil, &at)
                ),
            ))
        }
        tag::BOOL => {
            check_args(gil, vm, "bool", &args, 0, 1)?;
            match args.first() {
                Some(a) => {
                    let b = ops::truthy(gil, vm, a)?;
                    Ok(vm.bool(b))
                }
                None => Ok(vm.false_.clone()),
            }
        }
        tag::STR => {
            check_args(gil, vm, "str", &args, 0, 1)?;
            match args.first() {
                Some(a) => {
                    let s = ops::str_of(gil, vm, a)?;
                    Ok(vm.str(gil, &s))
                }
                None => Ok(vm.empty_str.clone()),
            }
        }
        tag::LIST => {
            check_args(gil, vm, "list", &args, 0, 1)?;
            let items = match args.first() {
                Some(a) => ops::iterate(gil, vm, a)?,
                None => Vec::new(),
            };
            Ok(vm.list(gil, items))
        }
        tag::TUPLE => {
            check_args(gil, vm, "tuple", &args, 0, 1)?;
            match args.first() {
                Some(a) if a.tag() == tag::TUPLE => Ok(a.clone()),
                Some(a) => {
                    let items = ops::iterate(gil, vm, a)?;
                    Ok(vm.tuple(gil, items))
                }
                None => Ok(vm.empty_tuple.clone()),
            }
        }
        tag::DICT => {
            check_args(gil, vm, "dict", &args, 0, 1)?;
            let d = vm.dict(gil);
            if let Some(a) = args.first() {
                if a.tag() == tag::DICT {
                    for (k, v) in ops::dict_items(gil, a) {
                        ops::dict_set(gil, vm, &d, k, v)?;
                    }
                } else {
                    for item in ops::iterate(gil, vm, a)? {
                        let kv = ops::iterate(gil, vm, &item)?;
                        if kv.len() != 2 {
                            return Err(vm.value_error(gil, &format!("dictionary update sequence element #0 has length {}; 2 is required", kv.len())));
                        }
                        let mut it = kv.into_iter();
                        let (k, v) = (it.next().unwrap(), it.next().unwrap());
                        ops::dict_set(gil, vm, &d, k, v)?;
                    }
                }
            }
            for (k, v) in kwargs {
                ops::dict_set(gil, vm, &d, k, v)?;
            }
            Ok(d.into_any())
        }
        tag::RANGE => {
            check_args(gil, vm, "range", &args, 1, 3)?;
            let mut v = Vec::new();
            for a in &args {
                match int_payload(gil, a) {
                    Some(i) => v.push(i),
                    None => {
                        let at = vm.type_of(gil, a);
                        return Err(vm.type_error(
                            gil,
                            &format!(
                                "'{}' object cannot be interpreted as an integer",
                                type_name(gil, &at)
                            ),
                        ));
                    }
                }
            }
            let (start, stop, step) = match v.len() {
                1 => (0, v[0], 1),
                2 => (v[0], v[1], 1),
                _ => (v[0], v[1], v[2]),
            };
            if step == 0 {
                return Err(vm.value_error(gil, "range() arg 3 must not be zero"));
            }
            Ok(Obj::new(gil, PyRange { start, stop, step }).into_any())
        }
        tag::TYPE => {
            if args.len() == 1 {
                return Ok(vm.type_of(gil, &args[0]).into_any());
            }
            Err(vm.type_error(gil, "type() takes 1 or 3 arguments"))
        }
        tag::SUPER => super_new(gil, vm, args),
        tag::WRAPPER => {
            check_args(gil, vm, &name, &args, 1, 1)?;
            let class_method = t.ptr_eq(&vm.types.classmethod);
            Ok(Obj::new(
                gil,
                PyWrapper {
                    func: args[0].clone(),
                    class_method,
                },
            )
            .into_any())
        }
        _ => Err(vm.type_error(gil, &format!("cannot create '{name}' instances"))),
    }
}

fn num_err(gil: &mut Gil<'_>, vm: &Vm, e: numeric::NumError) -> super::PyErr {
    match e {
        numeric::NumError::ZeroDivision(m) => vm.zero_division(gil, m),
        numeric::NumError::Overflow(m) => vm.overflow_error(gil, m),
        numeric::NumError::Value(m) => vm.value_error(gil, &m),
    }
}

fn super_new(gil: &mut Gil<'_>, vm: &Vm, args: Vec<AnyObj>) -> PyResult<AnyObj> {
    let (class, obj) = match args.len() {
        2 => (args[0].clone(), args[1].clone()),
        0 => return Err(vm.runtime_error(gil, "super(): no arguments")),
        _ => return Err(vm.type_error(gil, "super() takes 0 or 2 arguments")),
    };
    let Ok(class) = class.downcast::<PyType>() else {
        return Err(vm.type_error(gil, "super() argument 1 must be a type"));
    };
    Ok(Obj::new(gil, PySuper { class, obj }).into_any())
}

#[allow(dead_code)]
fn unused(gil: &Gil<'_>) -> GilCell<u8> {
    let _ = gil;
    let _ = types::mro_of;
    GilCell::new(0)
}
