//! Binding a call's arguments to a Python function's parameters: positional, positional-only,
//! keyword-only, `*args` and `**kwargs`, with the order of checks and the `TypeError`
//! messages of CPython 3.11.
//!
//! The slots filled are the callee's first locals, in `co_varnames` order: the positional
//! parameters, the keyword-only ones, then `*args` and `**kwargs`.

use heap::{AnyObj, Gil, Obj};

use super::object::{PyDict, PyFunction};
use super::ops;
use super::types;
use super::{PyErr, PyResult, Vm};
use crate::compile::bytecode::Code;

/// Fills `fast` (the new frame's locals, at least `code.varnames.len()` long and empty) from
/// `args` and `kwargs` for a call of `func`, whose code is `code`. Defaults are filled in
/// for the parameters the call leaves out; anything CPython rejects is its `TypeError`.
pub(crate) fn bind_args(
    gil: &mut Gil<'_>,
    vm: &Vm,
    func: &Obj<PyFunction>,
    code: &Code,
    fast: &mut [Option<AnyObj>],
    mut args: Vec<AnyObj>,
    kwargs: Vec<(AnyObj, AnyObj)>,
) -> PyResult<()> {
    let argc = code.argcount as usize;
    let total = argc + code.kwonlyargcount as usize;
    let given = args.len();
    let kwdict = if code.has_varkw {
        let d = vm.dict(gil);
        fast[total + usize::from(code.has_varargs)] = Some(d.clone().into_any());
        Some(d)
    } else {
        None
    };
    // Extra positional arguments go to `*args`; without it they are an error, reported
    // after the keywords (so a keyword clash is reported first, as CPython does).
    let extra = args.split_off(given.min(argc));
    let extra = if code.has_varargs {
        fast[total] = Some(if extra.is_empty() {
            vm.empty_tuple.clone()
        } else {
            vm.tuple(gil, extra)
        });
        Vec::new()
    } else {
        extra
    };
    for (slot, a) in fast.iter_mut().zip(args) {
        *slot = Some(a);
    }
    bind_keywords(gil, vm, func, code, fast, kwargs, kwdict.as_ref())?;
    if !extra.is_empty() {
        let kwonly_given = fast[argc..total].iter().filter(|s| s.is_some()).count();
        return Err(too_many_positional(
            gil,
            vm,
            func,
            argc,
            given,
            kwonly_given,
        ));
    }
    drop(extra);
    fill_positional_defaults(gil, vm, func, code, fast)?;
    fill_kwonly_defaults(gil, vm, func, code, fast)
}

/// Binds the keyword arguments: to a named parameter (positional-only ones excluded), or
/// else into `**kwargs`, or else an error.
fn bind_keywords(
    gil: &mut Gil<'_>,
    vm: &Vm,
    func: &Obj<PyFunction>,
    code: &Code,
    fast: &mut [Option<AnyObj>],
    kwargs: Vec<(AnyObj, AnyObj)>,
    kwdict: Option<&Obj<PyDict>>,
) -> PyResult<()> {
    let posonly = code.posonlyargcount as usize;
    let total = (code.argcount + code.kwonlyargcount) as usize;
    let mut rest = kwargs.into_iter();
    while let Some((k, v)) = rest.next() {
        let Some(name) = ops::str_payload(gil, &k) else {
            let q = qualname(gil, func);
            return Err(vm.type_error(gil, &format!("{q}() keywords must be strings")));
        };
        let slot = code.varnames[posonly..total]
            .iter()
            .position(|n| n == name)
            .map(|i| posonly + i);
        match (slot, kwdict) {
            (Some(i), _) => {
                if fast[i].is_some() {
                    let msg = format!("got multiple values for argument '{name}'");
                    return Err(func_error(gil, vm, func, &msg));
                }
                fast[i] = Some(v);
            }
            (None, Some(d)) => ops::dict_set(gil, vm, d, k, v)?,
            (None, None) => {
                // Keywords bound before this one cannot have named a positional-only
                // parameter (that would have been an error then), so only this one and
                // the ones after it are checked.
                let names: Vec<AnyObj> = std::iter::once(k).chain(rest.map(|(k, _)| k)).collect();
                return Err(unexpected_keyword(gil, vm, func, code, &names));
            }
        }
    }
    Ok(())
}

/// The error for keyword `names[0]`, which matches no parameter of a function without
/// `**kwargs`: CPython first reports every keyword of the call (from this one on) that names a
/// positional-only parameter.
fn unexpected_keyword(
    gil: &mut Gil<'_>,
    vm: &Vm,
    func: &Obj<PyFunction>,
    code: &Code,
    names: &[AnyObj],
) -> PyErr {
    let posonly = &code.varnames[..code.posonlyargcount as usize];
    let passed: Vec<&str> = names
        .iter()
        .filter_map(|k| ops::str_payload(gil, k))
        .filter(|n| posonly.iter().any(|p| p == n))
        .collect();
    let msg = if passed.is_empty() {
        let name = ops::str_payload(gil, &names[0]).unwrap_or("?");
        format!("got an unexpected keyword argument '{name}'")
    } else {
        format!(
            "got some positional-only arguments passed as keyword arguments: '{}'",
            passed.join(", ")
        )
    };
    func_error(gil, vm, func, &msg)
}

/// `f() takes N positional arguments but M were given`, with the keyword-only arguments
/// the call did pass counted in when there are any.
fn too_many_positional(
    gil: &mut Gil<'_>,
    vm: &Vm,
    func: &Obj<PyFunction>,
    argc: usize,
    given: usize,
    kwonly_given: usize,
) -> PyErr {
    let ndef = func
        .get(gil)
        .defaults
        .cloned(gil)
        .map_or(0, |d| d.get(gil).items.len());
    let takes = if ndef > 0 {
        // `__defaults__` may be longer than the parameter list: CPython prints a negative
        // lower bound then.
        let least = argc as i64 - ndef as i64;
        format!("from {least} to {argc} positional arguments")
    } else {
        format!("{argc} positional argument{}", plural(argc))
    };
    let given_text = if kwonly_given > 0 {
        format!(
            "{given} positional argument{} (and {kwonly_given} keyword-only argument{}) were",
            plural(given),
            plural(kwonly_given)
        )
    } else if given == 1 {
        "1 was".to_owned()
    } else {
        format!("{given} were")
    };
    func_error(
        gil,
        vm,
        func,
        &format!("takes {takes} but {given_text} given"),
    )
}

/// Fills the positional parameters the call left out from `__defaults__` (the last ones
/// have defaults); any still empty is a "missing required positional argument".
fn fill_positional_defaults(
    gil: &mut Gil<'_>,
    vm: &Vm,
    func: &Obj<PyFunction>,
    code: &Code,
    fast: &mut [Option<AnyObj>],
) -> PyResult<()> {
    let argc = code.argcount as usize;
    if fast[..argc].iter().all(Option::is_some) {
        return Ok(());
    }
    let defaults: Vec<AnyObj> = func
        .get(gil)
        .defaults
        .cloned(gil)
        .map(|d| d.get(gil).items.to_vec())
        .unwrap_or_default();
    let first_default = argc.saturating_sub(defaults.len());
    let missing: Vec<&str> = (0..first_default)
        .filter(|&i| fast[i].is_none())
        .map(|i| code.varnames[i].as_str())
        .collect();
    if !missing.is_empty() {
        return Err(missing_arguments(gil, vm, func, "positional", &missing));
    }
    let skip = defaults.len() - (argc - first_default);
    for (slot, d) in fast[first_default..argc]
        .iter_mut()
        .zip(defaults.into_iter().skip(skip))
    {
        if slot.is_none() {
            *slot = Some(d);
        }
    }
    Ok(())
}

/// Fills the keyword-only parameters the call left out from `__kwdefaults__`; any still
/// empty is a "missing required keyword-only argument".
fn fill_kwonly_defaults(
    gil: &mut Gil<'_>,
    vm: &Vm,
    func: &Obj<PyFunction>,
    code: &Code,
    fast: &mut [Option<AnyObj>],
) -> PyResult<()> {
    let argc = code.argcount as usize;
    let total = argc + code.kwonlyargcount as usize;
    if fast[argc..total].iter().all(Option::is_some) {
        return Ok(());
    }
    let kwdefaults = func.get(gil).kwdefaults.cloned(gil);
    let mut missing = Vec::new();
    let names = &code.varnames[argc..total];
    for (slot, name) in fast[argc..total].iter_mut().zip(names) {
        if slot.is_some() {
            continue;
        }
        let default = kwdefaults
            .as_ref()
            .and_then(|d| types::dict_get_str(gil, vm, &d.get(gil).table, name));
        match default {
            Some(d) => *slot = Some(d),
            None => missing.push(name.as_str()),
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing_arguments(gil, vm, func, "keyword-only", &missing))
    }
}

/// `f() missing 2 required positional arguments: 'a' and 'b'` (`kind` is "positional" or
/// "keyword-only").
fn missing_arguments(
    gil: &mut Gil<'_>,
    vm: &Vm,
    func: &Obj<PyFunction>,
    kind: &str,
    names: &[&str],
) -> PyErr {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    let list = match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [init @ .., last] => format!("{}, and {last}", init.join(", ")),
    };
    let n = names.len();
    let msg = format!("missing {n} required {kind} argument{}: {list}", plural(n));
    func_error(gil, vm, func, &msg)
}

/// A `TypeError` about a call of `func`: `<qualname>() <msg>`.
fn func_error(gil: &mut Gil<'_>, vm: &Vm, func: &Obj<PyFunction>, msg: &str) -> PyErr {
    let q = qualname(gil, func);
    vm.type_error(gil, &format!("{q}() {msg}"))
}

/// The function's `__qualname__` as text.
fn qualname(gil: &Gil<'_>, func: &Obj<PyFunction>) -> String {
    let q = func.get(gil).qualname.cloned(gil);
    ops::str_payload(gil, &q).unwrap_or("?").to_owned()
}

/// The plural `s` for `n` things.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
