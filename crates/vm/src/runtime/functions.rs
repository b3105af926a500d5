//! Builtin constructors (`int(...)`, `str(...)`, `list(...)`, `type(...)`, `super(...)`, ...)
//! and the builtin functions beyond the core ones in [`super::builtins`].

use heap::{AnyObj, Gil, GilCell, Obj};

use super::builtins::{check_args, kwarg, no_kwargs, register};
use super::interp::call;
use super::object::*;
use super::ops::{self, float_payload, int_payload, str_payload};
use super::types::{self, type_name};
use super::{PyResult, Vm};
use crate::text::{numeric, strings};

/// Installs the builtin functions of this module.
pub fn install(gil: &mut Gil<'_>, vm: &Vm) {
    let fns: &[(&'static str, super::BuiltinFn)] = &[
        ("abs", abs),
        ("all", all),
        ("any", any),
        ("callable", callable),
        ("chr", chr),
        ("ord", ord),
        ("divmod", divmod),
        ("pow", pow),
        ("round", round),
        ("sum", sum),
        ("min", min),
        ("max", max),
        ("sorted", sorted),
        ("reversed", reversed),
        ("enumerate", enumerate),
        ("zip", zip),
        ("map", map),
        ("filter", filter),
        ("getattr", getattr),
        ("setattr", setattr),
        ("hasattr", hasattr),
        ("delattr", delattr),
        ("vars", vars),
        ("dir", dir),
        ("hex", hex),
        ("oct", oct),
        ("bin", bin),
        ("exit", exit),
        ("quit", exit),
    ];
    for &(name, f) in fns {
        register(gil, vm, name, f);
    }
}

/// The name of `o`'s class.
pub fn tname(gil: &Gil<'_>, vm: &Vm, o: &AnyObj) -> String {
    let t = vm.type_of(gil, o);
    type_name(gil, &t)
}

/// Rejects keyword arguments other than `allowed`, with CPython's message.
pub fn only_kwargs(
    gil: &mut Gil<'_>,
    vm: &Vm,
    fname: &str,
    kwargs: &[(AnyObj, AnyObj)],
    allowed: &[&str],
) -> PyResult<()> {
    for (k, _) in kwargs {
        let k = str_payload(gil, k).unwrap_or("").to_owned();
        if !allowed.contains(&k.as_str()) {
            return Err(vm.type_error(
                gil,
                &format!("'{k}' is an invalid keyword argument for {fname}()"),
            ));
        }
    }
    Ok(())
}

/// An int argument (bools included), or CPython's "cannot be interpreted as an integer".
pub fn index_arg(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<i64> {
    if let Some(i) = int_payload(gil, o) {
        return Ok(i);
    }
    if let Some(r) = ops::call_special(gil, vm, o, "__index__", vec![])?
        && let Some(i) = int_payload(gil, &r)
    {
        return Ok(i);
    }
    let n = tname(gil, vm, o);
    Err(vm.type_error(
        gil,
        &format!("'{n}' object cannot be interpreted as an integer"),
    ))
}

fn lt(gil: &mut Gil<'_>, vm: &Vm, a: &AnyObj, b: &AnyObj) -> PyResult<bool> {
    if let (Some(x), Some(y)) = (int_payload(gil, a), int_payload(gil, b)) {
        return Ok(x < y);
    }
    let r = ops::compare(gil, vm, a, b, crate::syntax::ast::CmpOp::Lt)?;
    ops::truthy(gil, vm, &r)
}

/// Sorts `items` as `list.sort` does: stable, by `key(item)` when a key function is given,
/// comparing with `<` only; `reverse` keeps equal items in their original order.
pub fn sort_values(
    gil: &mut Gil<'_>,
    vm: &Vm,
    mut items: Vec<AnyObj>,
    key: Option<&AnyObj>,
    reverse: bool,
) -> PyResult<Vec<AnyObj>> {
    if reverse {
        items.reverse();
    }
    let keys = match key {
        Some(f) => {
            let mut ks = Vec::with_capacity(items.len());
            for it in &items {
                ks.push(call(gil, vm, f, vec![it.clone()], vec![])?);
            }
            ks
        }
        None => items.clone(),
    };
    let n = keys.len();
    let mut idx: Vec<usize> = (0..n).collect();
    let ints: Option<Vec<i64>> = keys.iter().map(|k| int_payload(gil, k)).collect();
    if let Some(ints) = ints {
        idx.sort_by_key(|&i| ints[i]);
    } else if keys.iter().all(|k| k.tag() == tag::STR) {
        let strs: Vec<&str> = keys.iter().map(|k| str_payload(gil, k).unwrap()).collect();
        idx.sort_by(|&a, &b| strs[a].cmp(strs[b]));
    } else {
        // Binary insertion sort for short runs, then bottom-up merges (both stable).
        const RUN: usize = 16;
        let mut lo = 0;
        while lo < n {
            let hi = (lo + RUN).min(n);
            for i in lo + 1..hi {
                let x = idx[i];
                let (mut a, mut b) = (lo, i);
                while a < b {
                    let m = (a + b) / 2;
                    if lt(gil, vm, &keys[x], &keys[idx[m]])? {
                        b = m;
                    } else {
                        a = m + 1;
                    }
                }
                idx.copy_within(a..i, a + 1);
                idx[a] = x;
            }
            lo = hi;
        }
        let mut buf = idx.clone();
        let mut width = RUN;
        while width < n {
            let mut lo = 0;
            while lo < n {
                let mid = (lo + width).min(n);
                let hi = (lo + 2 * width).min(n);
                let (mut i, mut j, mut k) = (lo, mid, lo);
                while i < mid && j < hi {
                    if lt(gil, vm, &keys[idx[j]], &keys[idx[i]])? {
                        buf[k] = idx[j];
                        j += 1;
                    } else {
                        buf[k] = idx[i];
                        i += 1;
                    }
                    k += 1;
                }
                buf[k..k + mid - i].copy_from_slice(&idx[i..mid]);
                k += mid - i;
                buf[k..k + hi - j].copy_from_slice(&idx[j..hi]);
                lo = hi;
            }
            std::mem::swap(&mut idx, &mut buf);
            width *= 2;
        }
    }
    let mut out: Vec<AnyObj> = idx.into_iter().map(|i| items[i].clone()).collect();
    if reverse {
        out.reverse();
    }
    Ok(out)
}

/// Reads `key=` and `reverse=` of `sorted()` / `list.sort()`.
pub fn sort_kwargs(
    gil: &mut Gil<'_>,
    vm: &Vm,
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<(Option<AnyObj>, bool)> {
    only_kwargs(gil, vm, "sort", kwargs, &["key", "reverse"])?;
    let key = kwarg(gil, kwargs, "key").filter(|k| k.tag() != tag::NONE);
    let reverse = match kwarg(gil, kwargs, "reverse") {
        Some(r) => {
            if r.tag() == tag::FLOAT {
                return Err(
                    vm.type_error(gil, "'float' object cannot be interpreted as an integer")
                );
            }
            ops::truthy(gil, vm, &r)?
        }
        None => false,
    };
    Ok((key, reverse))
}

type Kw<'a> = &'a [(AnyObj, AnyObj)];

fn abs(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "abs", kw)?;
    check_args(gil, vm, "abs", args, 1, 1)?;
    let a = &args[0];
    if let Some(i) = int_payload(gil, a) {
        let r = numeric::int_abs(i).map_err(|e| num_err(gil, vm, e))?;
        return Ok(vm.int(gil, r));
    }
    if let Some(f) = float_payload(gil, a) {
        return Ok(vm.float(gil, f.abs()));
    }
    if let Some(r) = ops::call_special(gil, vm, a, "__abs__", vec![])? {
        return Ok(r);
    }
    let n = tname(gil, vm, a);
    Err(vm.type_error(gil, &format!("bad operand type for abs(): '{n}'")))
}

fn all_any(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], want: bool) -> PyResult<AnyObj> {
    let it = ops::get_iter(gil, vm, &args[0])?;
    while let Some(x) = ops::next(gil, vm, &it)? {
        if ops::truthy(gil, vm, &x)? == want {
            return Ok(vm.bool(want));
        }
    }
    Ok(vm.bool(!want))
}

fn all(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "all", kw)?;
    check_args(gil, vm, "all", args, 1, 1)?;
    all_any(gil, vm, args, false)
}

fn any(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "any", kw)?;
    check_args(gil, vm, "any", args, 1, 1)?;
    all_any(gil, vm, args, true)
}

fn callable(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "callable", kw)?;
    check_args(gil, vm, "callable", args, 1, 1)?;
    Ok(vm.bool(ops::is_callable(gil, vm, &args[0])))
}

fn chr(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "chr", kw)?;
    check_args(gil, vm, "chr", args, 1, 1)?;
    let i = index_arg(gil, vm, &args[0])?;
    if !(0..0x110000).contains(&i) {
        return Err(vm.value_error(gil, "chr() arg not in range(0x110000)"));
    }
    match char::from_u32(i as u32) {
        Some(c) => Ok(vm.str(gil, c.encode_utf8(&mut [0u8; 4]))),
        None => Err(vm.value_error(gil, "pymem strs cannot hold surrogate code points")),
    }
}

fn ord(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "ord", kw)?;
    check_args(gil, vm, "ord", args, 1, 1)?;
    let Some(s) = str_payload(gil, &args[0]) else {
        let n = tname(gil, vm, &args[0]);
        return Err(vm.type_error(
            gil,
            &format!("ord() expected string of length 1, but {n} found"),
        ));
    };
    let mut cs = s.chars();
    match (cs.next(), cs.next()) {
        (Some(c), None) => Ok(vm.int(gil, c as i64)),
        _ => {
            let n = s.chars().count();
            Err(vm.type_error(
                gil,
                &format!("ord() expected a character, but string of length {n} found"),
            ))
        }
    }
}

fn divmod(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "divmod", kw)?;
    check_args(gil, vm, "divmod", args, 2, 2)?;
    let (a, b) = (&args[0], &args[1]);
    if let (Some(x), Some(y)) = (int_payload(gil, a), int_payload(gil, b)) {
        let (q, r) = numeric::int_divmod(x, y).map_err(|e| num_err(gil, vm, e))?;
        let (q, r) = (vm.int(gil, q), vm.int(gil, r));
        return Ok(vm.tuple(gil, vec![q, r]));
    }
    let numeric_pair = matches!(a.tag(), tag::INT | tag::BOOL | tag::FLOAT)
        && matches!(b.tag(), tag::INT | tag::BOOL | tag::FLOAT);
    if numeric_pair {
        let (x, y) = (ops::as_f64(gil, a).unwrap(), ops::as_f64(gil, b).unwrap());
        let (q, r) = numeric::float_divmod(x, y).map_err(|e| num_err(gil, vm, e))?;
        let (q, r) = (vm.float(gil, q), vm.float(gil, r));
        return Ok(vm.tuple(gil, vec![q, r]));
    }
    if let Some(r) = ops::call_special(gil, vm, a, "__divmod__", vec![b.clone()])?
        && !r.ptr_eq(&vm.not_implemented_obj)
    {
        return Ok(r);
    }
    if let Some(r) = ops::call_special(gil, vm, b, "__rdivmod__", vec![a.clone()])?
        && !r.ptr_eq(&vm.not_implemented_obj)
    {
        return Ok(r);
    }
    let (na, nb) = (tname(gil, vm, a), tname(gil, vm, b));
    Err(vm.type_error(
        gil,
        &format!("unsupported operand type(s) for divmod(): '{na}' and '{nb}'"),
    ))
}

fn pow(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    only_kwargs(gil, vm, "pow", kw, &["base", "exp", "mod"])?;
    let mut a: Vec<Option<AnyObj>> = args.iter().cloned().map(Some).collect();
    a.resize(3, None);
    for (i, name) in ["base", "exp", "mod"].iter().enumerate() {
        if let Some(v) = kwarg(gil, kw, name) {
            a[i] = Some(v);
        }
    }
    if args.len() > 3 {
        return Err(vm.type_error(
            gil,
            &format!("pow expected at most 3 arguments, got {}", args.len()),
        ));
    }
    let (Some(base), Some(exp)) = (a[0].clone(), a[1].clone()) else {
        return Err(vm.type_error(
            gil,
            &format!(
                "pow() missing required argument '{}' (pos {})",
                if a[0].is_none() { "base" } else { "exp" },
                if a[0].is_none() { 1 } else { 2 }
            ),
        ));
    };
    match a[2].clone().filter(|m| m.tag() != tag::NONE) {
        None => ops::binary(gil, vm, &base, &exp, crate::syntax::ast::BinOp::Pow, false),
        Some(m) => {
            let (Some(b), Some(e), Some(m)) = (
                int_payload(gil, &base),
                int_payload(gil, &exp),
                int_payload(gil, &m),
            ) else {
                return Err(vm.type_error(
                    gil,
                    "pow() 3rd argument not allowed unless all arguments are integers",
                ));
            };
            if m == 0 {
                return Err(vm.value_error(gil, "pow() 3rd argument cannot be 0"));
            }
            let mm = (m as i128).abs();
            let mut b = (b as i128).rem_euclid(mm);
            let mut e = e;
            if e < 0 {
                // Modular inverse by the extended Euclidean algorithm.
                let (mut r0, mut r1, mut s0, mut s1) = (b, mm, 1i128, 0i128);
                while r1 != 0 {
                    let q = r0 / r1;
                    (r0, r1) = (r1, r0 - q * r1);
                    (s0, s1) = (s1, s0 - q * s1);
                }
                if r0 != 1 {
                    return Err(vm.value_error(gil, "base is not invertible for the given modulus"));
                }
                b = s0.rem_euclid(mm);
                e = -e;
            }
            let mut r: i128 = 1 % mm;
            while e > 0 {
                if e & 1 == 1 {
                    r = r * b % mm;
                }
                b = b * b % mm;
                e >>= 1;
            }
            if m < 0 && r != 0 {
                r -= mm;
            }
            Ok(vm.int(gil, r as i64))
        }
    }
}

fn round(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    only_kwargs(gil, vm, "round", kw, &["number", "ndigits"])?;
    let number = args.first().cloned().or_else(|| kwarg(gil, kw, "number"));
    let nd = args.get(1).cloned().or_else(|| kwarg(gil, kw, "ndigits"));
    if args.len() > 2 {
        return Err(vm.type_error(
            gil,
            &format!("round() takes at most 2 arguments ({} given)", args.len()),
        ));
    }
    let Some(x) = number else {
        return Err(vm.type_error(gil, "round() missing required argument 'number' (pos 1)"));
    };
    let nd = nd.filter(|n| n.tag() != tag::NONE);
    let ndigits = match &nd {
        Some(n) => Some(index_arg(gil, vm, n)?),
        None => None,
    };
    if let Some(i) = int_payload(gil, &x) {
        let r = numeric::int_round(i, ndigits).map_err(|e| num_err(gil, vm, e))?;
        return Ok(vm.int(gil, r));
    }
    if let Some(f) = float_payload(gil, &x) {
        return match numeric::float_round(f, ndigits).map_err(|e| num_err(gil, vm, e))? {
            numeric::IntOrFloat::Int(i) => Ok(vm.int(gil, i)),
            numeric::IntOrFloat::Float(f) => Ok(vm.float(gil, f)),
        };
    }
    let extra: Vec<AnyObj> = nd.into_iter().collect();
    if let Some(r) = ops::call_special(gil, vm, &x, "__round__", extra)? {
        return Ok(r);
    }
    let n = tname(gil, vm, &x);
    Err(vm.type_error(gil, &format!("type {n} doesn't define __round__ method")))
}

fn sum(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    only_kwargs(gil, vm, "sum", kw, &["start"])?;
    check_args(gil, vm, "sum", args, 1, 2)?;
    let start = args.get(1).cloned().or_else(|| kwarg(gil, kw, "start"));
    let mut acc = start.unwrap_or_else(|| vm.int(gil, 0));
    if acc.tag() == tag::STR {
        return Err(vm.type_error(gil, "sum() can't sum strings [use ''.join(seq) instead]"));
    }
    let it = ops::get_iter(gil, vm, &args[0])?;
    while let Some(x) = ops::next(gil, vm, &it)? {
        acc = ops::binary(gil, vm, &acc, &x, crate::syntax::ast::BinOp::Add, false)?;
    }
    Ok(acc)
}

fn min_max(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    is_max: bool,
) -> PyResult<AnyObj> {
    let fname = if is_max { "max" } else { "min" };
    only_kwargs(gil, vm, fname, kw, &["key", "default"])?;
    let key = kwarg(gil, kw, "key").filter(|k| k.tag() != tag::NONE);
    let default = kwarg(gil, kw, "default");
    let items = match args.len() {
        0 => {
            return Err(vm.type_error(gil, &format!("{fname} expected at least 1 argument, got 0")));
        }
        1 => ops::iterate(gil, vm, &args[0])?,
        _ => {
            if default.is_some() {
                return Err(vm.type_error(
                    gil,
                    &format!(
                        "Cannot specify a default for {fname}() with multiple positional arguments"
                    ),
                ));
            }
            args.to_vec()
        }
    };
    let mut best: Option<(AnyObj, AnyObj)> = None;
    for it in items {
        let k = match &key {
            Some(f) => call(gil, vm, f, vec![it.clone()], vec![])?,
            None => it.clone(),
        };
        best = match best {
            None => Some((k, it)),
            Some((bk, bv)) => {
                let better = if is_max {
                    let r = ops::compare(gil, vm, &k, &bk, crate::syntax::ast::CmpOp::Gt)?;
                    ops::truthy(gil, vm, &r)?
                } else {
                    lt(gil, vm, &k, &bk)?
                };
                if better {
                    Some((k, it))
                } else {
                    Some((bk, bv))
                }
            }
        };
    }
    match best {
        Some((_, v)) => Ok(v),
        None => match default {
            Some(d) => Ok(d),
            None => Err(vm.value_error(gil, &format!("{fname}() arg is an empty sequence"))),
        },
    }
}

fn min(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    min_max(gil, vm, args, kw, false)
}

fn max(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    min_max(gil, vm, args, kw, true)
}

fn sorted(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    if args.len() != 1 {
        return Err(vm.type_error(
            gil,
            &format!("sorted expected 1 argument, got {}", args.len()),
        ));
    }
    let items = ops::iterate(gil, vm, &args[0])?;
    let (key, reverse) = sort_kwargs(gil, vm, kw)?;
    let out = sort_values(gil, vm, items, key.as_ref(), reverse)?;
    Ok(vm.list(gil, out))
}

fn reversed(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "reversed", kw)?;
    check_args(gil, vm, "reversed", args, 1, 1)?;
    let o = &args[0];
    match o.tag() {
        tag::LIST => {
            let n = ops::len(gil, vm, o)?;
            return Ok(Obj::new(
                gil,
                PyIter {
                    state: GilCell::new(IterState::ListRev(o.clone(), n.into())),
                    kind: "list_reverseiterator",
                },
            )
            .into_any());
        }
        tag::TUPLE | tag::STR | tag::RANGE | tag::DICT => {
            let kind = match o.tag() {
                tag::RANGE => "range_iterator",
                tag::DICT => "dict_reversekeyiterator",
                _ => "reversed",
            };
            let mut items = ops::iterate(gil, vm, o)?;
            items.reverse();
            return Ok(ops::items_iter(gil, items, kind));
        }
        tag::INSTANCE => {
            if let Some(r) = ops::call_special(gil, vm, o, "__reversed__", vec![])? {
                return Ok(r);
            }
            if ops::instance_list(gil, o).is_some()
                && ops::special(gil, vm, o, "__getitem__").is_none()
            {
                let n = ops::len(gil, vm, o)?;
                return Ok(Obj::new(
                    gil,
                    PyIter {
                        state: GilCell::new(IterState::ListRev(o.clone(), n.into())),
                        kind: "list_reverseiterator",
                    },
                )
                .into_any());
            }
            if ops::special(gil, vm, o, "__len__").is_some()
                && ops::special(gil, vm, o, "__getitem__").is_some()
            {
                let n = ops::len(gil, vm, o)?;
                let mut items = Vec::with_capacity(n);
                for i in (0..n).rev() {
                    let idx = vm.int(gil, i as i64);
                    items.push(super::attr::getitem(gil, vm, o, &idx)?);
                }
                return Ok(ops::items_iter(gil, items, "reversed"));
            }
        }
        _ => {}
    }
    let n = tname(gil, vm, o);
    Err(vm.type_error(gil, &format!("'{n}' object is not reversible")))
}

fn enumerate(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    only_kwargs(gil, vm, "enumerate", kw, &["iterable", "start"])?;
    let iterable = args.first().cloned().or_else(|| kwarg(gil, kw, "iterable"));
    let start = args.get(1).cloned().or_else(|| kwarg(gil, kw, "start"));
    if args.len() > 2 {
        return Err(vm.type_error(
            gil,
            &format!(
                "enumerate() takes at most 2 arguments ({} given)",
                args.len()
            ),
        ));
    }
    let Some(iterable) = iterable else {
        return Err(vm.type_error(
            gil,
            "enumerate() missing required argument 'iterable' (pos 1)",
        ));
    };
    let mut i = match start {
        Some(s) => index_arg(gil, vm, &s)?,
        None => 0,
    };
    let items = ops::iterate(gil, vm, &iterable)?;
    let mut out = Vec::with_capacity(items.len());
    for x in items {
        let n = vm.int(gil, i);
        out.push(vm.tuple(gil, vec![n, x]));
        i = i.wrapping_add(1);
    }
    Ok(ops::items_iter(gil, out, "enumerate"))
}

fn zip_rows(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj]) -> PyResult<Vec<Vec<AnyObj>>> {
    let mut its = Vec::with_capacity(args.len());
    for a in args {
        its.push(ops::get_iter(gil, vm, a)?);
    }
    let mut rows = Vec::new();
    if its.is_empty() {
        return Ok(rows);
    }
    'outer: loop {
        let mut row = Vec::with_capacity(its.len());
        for it in &its {
            match ops::next(gil, vm, it)? {
                Some(x) => row.push(x),
                None => break 'outer,
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

fn zip(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    only_kwargs(gil, vm, "zip", kw, &["strict"])?;
    let rows = zip_rows(gil, vm, args)?;
    let out = rows.into_iter().map(|r| vm.tuple(gil, r)).collect();
    Ok(ops::items_iter(gil, out, "zip"))
}

fn map(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "map", kw)?;
    if args.len() < 2 {
        return Err(vm.type_error(gil, "map() must have at least two arguments."));
    }
    let f = args[0].clone();
    let rows = zip_rows(gil, vm, &args[1..])?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(call(gil, vm, &f, r, vec![])?);
    }
    Ok(ops::items_iter(gil, out, "map"))
}

fn filter(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "filter", kw)?;
    check_args(gil, vm, "filter", args, 2, 2)?;
    let f = args[0].clone();
    let mut out = Vec::new();
    for x in ops::iterate(gil, vm, &args[1])? {
        let keep = if f.tag() == tag::NONE {
            ops::truthy(gil, vm, &x)?
        } else {
            let r = call(gil, vm, &f, vec![x.clone()], vec![])?;
            ops::truthy(gil, vm, &r)?
        };
        if keep {
            out.push(x);
        }
    }
    Ok(ops::items_iter(gil, out, "filter"))
}

fn attr_name(gil: &mut Gil<'_>, vm: &Vm, name: &AnyObj) -> PyResult<()> {
    if name.tag() == tag::STR {
        Ok(())
    } else {
        let n = tname(gil, vm, name);
        Err(vm.type_error(gil, &format!("attribute name must be string, not '{n}'")))
    }
}

fn is_attr_error(gil: &Gil<'_>, vm: &Vm, e: &super::PyErr) -> bool {
    vm.exc_matches(gil, &e.exc, &vm.types.attribute_error)
}

fn getattr(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "getattr", kw)?;
    check_args(gil, vm, "getattr", args, 2, 3)?;
    attr_name(gil, vm, &args[1])?;
    match super::attr::getattr(gil, vm, &args[0], &args[1]) {
        Err(e) if args.len() == 3 && is_attr_error(gil, vm, &e) => Ok(args[2].clone()),
        r => r,
    }
}

fn hasattr(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "hasattr", kw)?;
    check_args(gil, vm, "hasattr", args, 2, 2)?;
    attr_name(gil, vm, &args[1])?;
    match super::attr::getattr(gil, vm, &args[0], &args[1]) {
        Ok(_) => Ok(vm.true_.clone()),
        Err(e) if is_attr_error(gil, vm, &e) => Ok(vm.false_.clone()),
        Err(e) => Err(e),
    }
}

fn setattr(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "setattr", kw)?;
    check_args(gil, vm, "setattr", args, 3, 3)?;
    attr_name(gil, vm, &args[1])?;
    super::attr::setattr(gil, vm, &args[0], &args[1], args[2].clone())?;
    Ok(vm.none.clone())
}

fn delattr(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "delattr", kw)?;
    check_args(gil, vm, "delattr", args, 2, 2)?;
    attr_name(gil, vm, &args[1])?;
    super::attr::delattr(gil, vm, &args[0], &args[1])?;
    Ok(vm.none.clone())
}

fn vars(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "vars", kw)?;
    check_args(gil, vm, "vars", args, 1, 1)?;
    let o = &args[0];
    if let Some(inst) = o.downcast_ref::<PyInstance>() {
        let inst = inst.clone();
        return Ok(super::attr::instance_dict(gil, vm, &inst).into_any());
    }
    if let Some(m) = o.downcast_ref::<PyModule>() {
        return Ok(m.get(gil).dict.clone().into_any());
    }
    Err(vm.type_error(gil, "vars() argument must have __dict__ attribute"))
}

fn dir(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "dir", kw)?;
    check_args(gil, vm, "dir", args, 1, 1)?;
    let o = &args[0];
    let mut keys: Vec<AnyObj> = Vec::new();
    let mut classes: Vec<Obj<PyType>> = Vec::new();
    if let Some(inst) = o.downcast_ref::<PyInstance>() {
        let inst = inst.clone();
        let d = super::attr::instance_dict(gil, vm, &inst).into_any();
        keys.extend(ops::dict_items(gil, &d).into_iter().map(|(k, _)| k));
        classes.push(vm.type_of(gil, o));
    } else if let Some(m) = o.downcast_ref::<PyModule>() {
        let d = m.get(gil).dict.clone().into_any();
        keys.extend(ops::dict_items(gil, &d).into_iter().map(|(k, _)| k));
    } else if let Some(t) = o.downcast_ref::<PyType>() {
        classes.push(t.clone());
    } else {
        classes.push(vm.type_of(gil, o));
    }
    for c in classes {
        for t in std::iter::once(c.clone()).chain(types::mro_of(gil, &c)) {
            let ks: Vec<AnyObj> = t
                .get(gil)
                .dict
                .with(gil, |d| d.iter().map(|e| e.key.clone()).collect());
            keys.extend(ks);
        }
    }
    let mut names: Vec<String> = keys
        .iter()
        .filter_map(|k| str_payload(gil, k).map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    let out = names.iter().map(|n| vm.str(gil, n)).collect();
    Ok(vm.list(gil, out))
}

fn radix(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>, fname: &str) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, fname, kw)?;
    check_args(gil, vm, fname, args, 1, 1)?;
    let i = index_arg(gil, vm, &args[0])?;
    let m = i.unsigned_abs();
    let body = match fname {
        "hex" => format!("0x{m:x}"),
        "oct" => format!("0o{m:o}"),
        _ => format!("0b{m:b}"),
    };
    let s = if i < 0 { format!("-{body}") } else { body };
    Ok(vm.str(gil, &s))
}

fn hex(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    radix(gil, vm, args, kw, "hex")
}

fn oct(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    radix(gil, vm, args, kw, "oct")
}

fn bin(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    radix(gil, vm, args, kw, "bin")
}

fn exit(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "exit", kw)?;
    check_args(gil, vm, "exit", args, 0, 1)?;
    let t = vm.types.system_exit.clone();
    Err(super::PyErr {
        exc: vm.new_exception(gil, &t, args.to_vec()),
    })
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
        tag::SET => {
            let frozen = t.ptr_eq(&vm.types.frozenset);
            let name = if frozen { "frozenset" } else { "set" };
            no_kwargs(gil, vm, name, &kwargs)?;
            check_args(gil, vm, name, &args, 0, 1)?;
            let arg = args.first();
            if frozen
                && let Some(a) = arg
                && let Some(s) = super::set_ops::as_set(a)
                && super::set_ops::is_frozen(gil, &s)
            {
                return Ok(a.clone());
            }
            Ok(super::set_ops::from_iterable(gil, vm, frozen, arg)?.into_any())
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
        tag::PROPERTY => super::property::new(gil, vm, args, kwargs),
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
