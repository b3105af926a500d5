//! The object protocol: truth, equality, hashing, ordering, arithmetic, `repr`/`str`,
//! attributes, items, iteration — builtin fast paths first, then special methods of
//! Python classes, with CPython's error messages.

use std::cmp::Ordering;

use heap::{AnyObj, Gil, Obj, WeakKind, WeakRef};

use super::dict::Lookup;
use super::interp::call;
use super::object::*;
use super::types::{self, lookup, type_name};
use super::{PyErr, PyResult, Vm, set_ops};
use crate::syntax::ast::{BinOp, CmpOp};
use crate::text::{float_repr::float_repr, numeric, strings::str_repr};

/// The text of a str object.
#[inline]
pub fn str_payload<'a, 'py: 'a>(gil: &Gil<'py>, o: &'a AnyObj) -> Option<&'a str> {
    o.downcast_ref::<PyStr>().map(|s| &*s.get(gil).s)
}

/// The value of an int or bool.
#[inline]
pub fn int_payload(gil: &Gil<'_>, o: &AnyObj) -> Option<i64> {
    match o.tag() {
        tag::INT => o.downcast_ref::<PyInt>().map(|i| i.get(gil).0),
        tag::BOOL => o.downcast_ref::<PyBool>().map(|b| b.get(gil).0 as i64),
        _ => None,
    }
}

/// The value of a float.
#[inline]
pub fn float_payload(gil: &Gil<'_>, o: &AnyObj) -> Option<f64> {
    o.downcast_ref::<PyFloat>().map(|f| f.get(gil).0)
}

/// A number as f64 (ints converted).
pub fn as_f64(gil: &Gil<'_>, o: &AnyObj) -> Option<f64> {
    float_payload(gil, o).or_else(|| int_payload(gil, o).map(|i| i as f64))
}

/// The hash of a str object (cached in the object).
pub fn str_hash(gil: &Gil<'_>, o: &AnyObj) -> Option<i64> {
    let s = o.downcast_ref::<PyStr>()?.get(gil);
    let h = s.hash.get();
    if h != -1 {
        return Some(h);
    }
    // FNV-1a over the bytes, folded like CPython's hashes (never -1).
    let mut x: u64 = 0xcbf29ce484222325;
    for b in s.s.bytes() {
        x ^= b as u64;
        x = x.wrapping_mul(0x100000001b3);
    }
    let mut h = x as i64;
    if h == -1 {
        h = -2;
    }
    s.hash.set(h);
    Some(h)
}

/// Equality that needs no payloads: `Some(false)` for objects of different builtin kinds.
pub fn fast_eq_tags(a: &AnyObj, b: &AnyObj) -> Option<bool> {
    let (ta, tb) = (a.tag(), b.tag());
    let numeric = |t| matches!(t, tag::INT | tag::BOOL | tag::FLOAT);
    if ta == tag::INSTANCE || tb == tag::INSTANCE {
        return None;
    }
    if ta != tb && !(numeric(ta) && numeric(tb)) {
        return Some(false);
    }
    None
}

/// Whether `o` can be called.
pub fn is_callable(gil: &Gil<'_>, vm: &Vm, o: &AnyObj) -> bool {
    match o.tag() {
        tag::FUNCTION | tag::BUILTIN | tag::BOUND_BUILTIN | tag::METHOD | tag::TYPE => true,
        tag::INSTANCE => vm.type_of(gil, o).get(gil).has_call.get(),
        _ => o.downcast_ref::<WeakRef>().is_some_and(|w| {
            w.get(gil).kind() == WeakKind::Proxy
                && WeakRef::upgrade(w, gil).is_some_and(|t| is_callable(gil, vm, &t))
        }),
    }
}

/// Looks for a special method on the class of `o` (instances of Python classes only).
pub fn special(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj, name: &str) -> Option<AnyObj> {
    if o.tag() != tag::INSTANCE {
        return None;
    }
    let cls = vm.type_of(gil, o);
    lookup(gil, vm, &cls, name)
}

/// Calls special method `name` of `o` with `args`, if the class has it.
pub fn call_special(
    gil: &mut Gil<'_>,
    vm: &Vm,
    o: &AnyObj,
    name: &str,
    args: Vec<AnyObj>,
) -> PyResult<Option<AnyObj>> {
    let Some(f) = special(gil, vm, o, name) else {
        return Ok(None);
    };
    let mut a = Vec::with_capacity(args.len() + 1);
    a.push(o.clone());
    a.extend(args);
    call(gil, vm, &f, a, Vec::new()).map(Some)
}

/// `bool(o)`.
pub fn truthy(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<bool> {
    if o.tag() == 0
        && let Some(t) = proxy_target(gil, vm, o)?
    {
        return truthy(gil, vm, &t);
    }
    Ok(match o.tag() {
        tag::BOOL => int_payload(gil, o) == Some(1),
        tag::NONE => false,
        tag::INT => int_payload(gil, o) != Some(0),
        tag::FLOAT => float_payload(gil, o) != Some(0.0),
        tag::STR => str_payload(gil, o).is_some_and(|s| !s.is_empty()),
        tag::LIST => o
            .downcast_ref::<PyList>()
            .is_some_and(|l| l.get(gil).items.with(gil, |v| !v.is_empty())),
        tag::TUPLE => o
            .downcast_ref::<PyTuple>()
            .is_some_and(|t| !t.get(gil).items.is_empty()),
        tag::DICT => o
            .downcast_ref::<PyDict>()
            .is_some_and(|d| d.get(gil).table.with(gil, |t| !t.is_empty())),
        tag::SET => set_ops::as_set(o).is_some_and(|s| set_ops::len(gil, &s) > 0),
        tag::RANGE => o
            .downcast_ref::<PyRange>()
            .is_some_and(|r| !r.get(gil).is_empty()),
        tag::INSTANCE => {
            // A class without `__bool__` and `__len__` (remembered per class): true unless
            // the instance holds an empty list.
            let cls = vm.type_of(gil, o);
            if types::lacks_truth_methods(gil, vm, &cls) {
                return Ok(instance_list(gil, o).is_none_or(|l| l.with(gil, |v| !v.is_empty())));
            }
            if let Some(r) = call_special(gil, vm, o, "__bool__", vec![])? {
                return Ok(int_payload(gil, &r) == Some(1));
            }
            if let Some(r) = call_special(gil, vm, o, "__len__", vec![])? {
                return Ok(int_payload(gil, &r).unwrap_or(0) != 0);
            }
            if let Some(l) = instance_list(gil, o) {
                return Ok(l.with(gil, |v| !v.is_empty()));
            }
            true
        }
        _ => true,
    })
}

/// The list inside a `list` subclass instance.
pub fn instance_list<'a, 'py: 'a>(
    gil: &Gil<'py>,
    o: &'a AnyObj,
) -> Option<&'a heap::GilCell<Vec<AnyObj>>> {
    o.downcast_ref::<PyInstance>()
        .and_then(|i| i.get(gil).list.as_deref())
}

/// Items of a list (or list subclass) or tuple, copied out.
pub fn seq_items(gil: &mut Gil<'_>, o: &AnyObj) -> Option<Vec<AnyObj>> {
    match o.tag() {
        tag::LIST => o
            .downcast_ref::<PyList>()
            .map(|l| l.get(gil).items.with(gil, |v| v.clone())),
        tag::TUPLE => o
            .downcast_ref::<PyTuple>()
            .map(|t| t.get(gil).items.to_vec()),
        tag::INSTANCE => instance_list(gil, o).map(|l| l.with(gil, |v| v.clone())),
        _ => None,
    }
}

/// `a == b`.
pub fn eq(gil: &mut Gil<'_>, vm: &Vm, a: &AnyObj, b: &AnyObj) -> PyResult<bool> {
    if a.ptr_eq(b) && a.tag() != tag::FLOAT {
        return Ok(true);
    }
    let r = compare(gil, vm, a, b, CmpOp::Eq)?;
    truthy(gil, vm, &r)
}

fn num_cmp(gil: &Gil<'_>, a: &AnyObj, b: &AnyObj) -> Option<Option<Ordering>> {
    match (int_payload(gil, a), int_payload(gil, b)) {
        (Some(x), Some(y)) => Some(Some(x.cmp(&y))),
        (Some(x), None) => float_payload(gil, b).map(|y| numeric::cmp_int_float(x, y)),
        (None, Some(y)) => {
            float_payload(gil, a).map(|x| numeric::cmp_int_float(y, x).map(Ordering::reverse))
        }
        (None, None) => match (float_payload(gil, a), float_payload(gil, b)) {
            (Some(x), Some(y)) => Some(x.partial_cmp(&y)),
            _ => None,
        },
    }
}

fn ord_result(ord: Option<Ordering>, op: CmpOp) -> bool {
    match (ord, op) {
        (None, CmpOp::NotEq) => true,
        (None, _) => false,
        (Some(o), CmpOp::Eq) => o == Ordering::Equal,
        (Some(o), CmpOp::NotEq) => o != Ordering::Equal,
        (Some(o), CmpOp::Lt) => o == Ordering::Less,
        (Some(o), CmpOp::LtE) => o != Ordering::Greater,
        (Some(o), CmpOp::Gt) => o == Ordering::Greater,
        (Some(o), CmpOp::GtE) => o != Ordering::Less,
        _ => false,
    }
}

fn op_symbol(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "==",
        CmpOp::NotEq => "!=",
        CmpOp::Lt => "<",
        CmpOp::LtE => "<=",
        CmpOp::Gt => ">",
        CmpOp::GtE => ">=",
        _ => "?",
    }
}

fn dunder(op: CmpOp) -> (&'static str, &'static str) {
    match op {
        CmpOp::Eq => ("__eq__", "__eq__"),
        CmpOp::NotEq => ("__ne__", "__ne__"),
        CmpOp::Lt => ("__lt__", "__gt__"),
        CmpOp::LtE => ("__le__", "__ge__"),
        CmpOp::Gt => ("__gt__", "__lt__"),
        CmpOp::GtE => ("__ge__", "__le__"),
        _ => ("", ""),
    }
}

/// Rich comparison `a op b` for `== != < <= > >=`.
pub fn compare(gil: &mut Gil<'_>, vm: &Vm, a: &AnyObj, b: &AnyObj, op: CmpOp) -> PyResult<AnyObj> {
    if let Some(ord) = num_cmp(gil, a, b) {
        return Ok(vm.bool(ord_result(ord, op)));
    }
    if let (Some(x), Some(y)) = (str_payload(gil, a), str_payload(gil, b)) {
        return Ok(vm.bool(ord_result(Some(x.cmp(y)), op)));
    }
    // Containers and special methods recurse: bounded by the recursion limit, and the Rust
    // stack grows on demand so a high limit cannot overflow it.
    let _level = vm.enter_recursion(gil, " in comparison")?;
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || compare_slow(gil, vm, a, b, op))
}

fn compare_slow(gil: &mut Gil<'_>, vm: &Vm, a: &AnyObj, b: &AnyObj, op: CmpOp) -> PyResult<AnyObj> {
    if let Some(ord) = num_cmp(gil, a, b) {
        return Ok(vm.bool(ord_result(ord, op)));
    }
    if let (Some(x), Some(y)) = (str_payload(gil, a), str_payload(gil, b)) {
        return Ok(vm.bool(ord_result(Some(x.cmp(y)), op)));
    }
    if a.tag() == tag::INSTANCE || b.tag() == tag::INSTANCE {
        let (fwd, refl) = dunder(op);
        if let Some(r) = call_special(gil, vm, a, fwd, vec![b.clone()])?
            && !r.ptr_eq(&vm.not_implemented(gil))
        {
            return Ok(r);
        }
        if let Some(r) = call_special(gil, vm, b, refl, vec![a.clone()])?
            && !r.ptr_eq(&vm.not_implemented(gil))
        {
            return Ok(r);
        }
        if a.tag() == tag::INSTANCE
            && b.tag() == tag::INSTANCE
            && let (Some(x), Some(y)) = (instance_list(gil, a), instance_list(gil, b))
        {
            let xs = x.with(gil, |v| v.clone());
            let ys = y.with(gil, |v| v.clone());
            return seq_compare(gil, vm, &xs, &ys, op);
        }
    }
    let same_kind = a.tag() == b.tag() && matches!(a.tag(), tag::LIST | tag::TUPLE);
    if same_kind {
        let xs = seq_items(gil, a).unwrap_or_default();
        let ys = seq_items(gil, b).unwrap_or_default();
        return seq_compare(gil, vm, &xs, &ys, op);
    }
    if let (Some(x), Some(y)) = (a.downcast_ref::<WeakRef>(), b.downcast_ref::<WeakRef>())
        && matches!(op, CmpOp::Eq | CmpOp::NotEq)
        && x.get(gil).kind() == WeakKind::Ref
        && y.get(gil).kind() == WeakKind::Ref
    {
        // Two live references compare their referents; otherwise identity (CPython).
        let same = match (WeakRef::upgrade(x, gil), WeakRef::upgrade(y, gil)) {
            (Some(p), Some(q)) => eq(gil, vm, &p, &q)?,
            _ => a.ptr_eq(b),
        };
        return Ok(vm.bool(same == (op == CmpOp::Eq)));
    }
    if a.tag() == tag::SET
        && let Some(s) = set_ops::as_set(a)
        && let Some(r) = set_ops::compare(gil, vm, &s, b, op)?
    {
        return Ok(vm.bool(r));
    }
    if a.tag() == tag::DICT && b.tag() == tag::DICT && matches!(op, CmpOp::Eq | CmpOp::NotEq) {
        let r = dict_eq(gil, vm, a, b)?;
        return Ok(vm.bool(r == (op == CmpOp::Eq)));
    }
    if a.tag() == tag::RANGE && b.tag() == tag::RANGE && matches!(op, CmpOp::Eq | CmpOp::NotEq) {
        let (x, y) = (
            a.downcast_ref::<PyRange>().unwrap().get(gil),
            b.downcast_ref::<PyRange>().unwrap().get(gil),
        );
        let same = (x.is_empty() && y.is_empty())
            || (x.start == y.start && x.len() == y.len() && (x.len() == 1 || x.step == y.step));
        return Ok(vm.bool(same == (op == CmpOp::Eq)));
    }
    match op {
        CmpOp::Eq => Ok(vm.bool(a.ptr_eq(b))),
        CmpOp::NotEq => Ok(vm.bool(!a.ptr_eq(b))),
        _ => {
            let (ta, tb) = (vm.type_of(gil, a), vm.type_of(gil, b));
            Err(vm.type_error(
                gil,
                &format!(
                    "'{}' not supported between instances of '{}' and '{}'",
                    op_symbol(op),
                    type_name(gil, &ta),
                    type_name(gil, &tb)
                ),
            ))
        }
    }
}

fn dict_eq(gil: &mut Gil<'_>, vm: &Vm, a: &AnyObj, b: &AnyObj) -> PyResult<bool> {
    let items = dict_items(gil, a);
    if items.len() != dict_len(gil, b) {
        return Ok(false);
    }
    for (k, v) in items {
        match dict_get(gil, vm, b, &k)? {
            Some(w) => {
                if !eq(gil, vm, &v, &w)? {
                    return Ok(false);
                }
            }
            None => return Ok(false),
        }
    }
    Ok(true)
}

fn seq_compare(
    gil: &mut Gil<'_>,
    vm: &Vm,
    xs: &[AnyObj],
    ys: &[AnyObj],
    op: CmpOp,
) -> PyResult<AnyObj> {
    if matches!(op, CmpOp::Eq | CmpOp::NotEq) && xs.len() != ys.len() {
        return Ok(vm.bool(op == CmpOp::NotEq));
    }
    for (x, y) in xs.iter().zip(ys) {
        if !eq(gil, vm, x, y)? {
            return match op {
                CmpOp::Eq => Ok(vm.false_.clone()),
                CmpOp::NotEq => Ok(vm.true_.clone()),
                _ => compare(gil, vm, x, y, op),
            };
        }
    }
    Ok(vm.bool(ord_result(Some(xs.len().cmp(&ys.len())), op)))
}

/// `hash(o)`.
pub fn hash(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<i64> {
    if o.tag() == tag::TUPLE {
        return stacker::maybe_grow(64 * 1024, 1024 * 1024, || hash_inner(gil, vm, o));
    }
    hash_inner(gil, vm, o)
}

fn hash_inner(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<i64> {
    match o.tag() {
        tag::STR => Ok(str_hash(gil, o).unwrap_or(0)),
        tag::INT | tag::BOOL => Ok(numeric::hash_int(int_payload(gil, o).unwrap_or(0))),
        tag::FLOAT => Ok(numeric::hash_float(
            float_payload(gil, o).unwrap_or(0.0),
            o.addr(),
        )),
        tag::TUPLE => {
            let items = seq_items(gil, o).unwrap_or_default();
            let _level = vm.enter_recursion(gil, "")?;
            let mut hs = Vec::with_capacity(items.len());
            for i in &items {
                hs.push(hash(gil, vm, i)?);
            }
            Ok(numeric::hash_tuple(&hs))
        }
        tag::SET => match set_ops::as_set(o).and_then(|s| set_ops::hash(gil, &s)) {
            Some(h) => Ok(h),
            None => Err(vm.type_error(gil, "unhashable type: 'set'")),
        },
        tag::LIST | tag::DICT | tag::SLICE => {
            let t = vm.type_of(gil, o);
            Err(vm.type_error(gil, &format!("unhashable type: '{}'", type_name(gil, &t))))
        }
        tag::INSTANCE => {
            let cls = vm.type_of(gil, o);
            match lookup(gil, vm, &cls, "__hash__") {
                Some(h) if h.tag() == tag::NONE => {
                    Err(vm.type_error(gil, &format!("unhashable type: '{}'", type_name(gil, &cls))))
                }
                Some(h) => {
                    let r = call(gil, vm, &h, vec![o.clone()], vec![])?;
                    match int_payload(gil, &r) {
                        Some(v) => Ok(if v == -1 { -2 } else { v }),
                        None => Err(vm.type_error(gil, "__hash__ method should return an integer")),
                    }
                }
                None if lookup(gil, vm, &cls, "__eq__").is_some() => {
                    Err(vm.type_error(gil, &format!("unhashable type: '{}'", type_name(gil, &cls))))
                }
                None => Ok((o.addr() >> 4) as i64),
            }
        }
        _ => Ok((o.addr() >> 4) as i64),
    }
}

/// `repr(o)`.
pub fn repr(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<String> {
    if o.tag() == tag::INSTANCE {
        let _level = vm.enter_recursion(gil, " while getting the repr of an object")?;
        return stacker::maybe_grow(64 * 1024, 1024 * 1024, || repr_inner(gil, vm, o));
    }
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || repr_inner(gil, vm, o))
}

fn repr_inner(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<String> {
    Ok(match o.tag() {
        tag::NONE => "None".into(),
        tag::BOOL => if int_payload(gil, o) == Some(1) {
            "True"
        } else {
            "False"
        }
        .into(),
        tag::INT => int_payload(gil, o).unwrap_or(0).to_string(),
        tag::FLOAT => float_repr(float_payload(gil, o).unwrap_or(0.0)),
        tag::STR => str_repr(str_payload(gil, o).unwrap_or("")),
        tag::LIST | tag::TUPLE => {
            let items = seq_items(gil, o).unwrap_or_default();
            let guard = vm.enter_repr(gil, o)?;
            let Some(_g) = guard else {
                return Ok(if o.tag() == tag::LIST {
                    "[...]"
                } else {
                    "(...)"
                }
                .into());
            };
            let mut parts = Vec::with_capacity(items.len());
            for i in &items {
                parts.push(repr(gil, vm, i)?);
            }
            if o.tag() == tag::LIST {
                format!("[{}]", parts.join(", "))
            } else if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            }
        }
        tag::DICT => {
            let items = dict_items(gil, o);
            let Some(_g) = vm.enter_repr(gil, o)? else {
                return Ok("{...}".into());
            };
            let mut parts = Vec::with_capacity(items.len());
            for (k, v) in &items {
                let ks = repr(gil, vm, k)?;
                let vs = repr(gil, vm, v)?;
                parts.push(format!("{ks}: {vs}"));
            }
            format!("{{{}}}", parts.join(", "))
        }
        tag::SET => match set_ops::as_set(o) {
            Some(s) => set_ops::repr(gil, vm, &s)?,
            None => "set()".into(),
        },
        tag::RANGE => {
            let r = o.downcast_ref::<PyRange>().unwrap().get(gil);
            if r.step == 1 {
                format!("range({}, {})", r.start, r.stop)
            } else {
                format!("range({}, {}, {})", r.start, r.stop, r.step)
            }
        }
        tag::GENERATOR => super::generator::repr(gil, o),
        tag::FUNCTION => {
            let f = o.downcast_ref::<PyFunction>().unwrap().get(gil);
            let q = f.qualname.cloned(gil);
            format!(
                "<function {} at {:#x}>",
                str_payload(gil, &q).unwrap_or("?"),
                o.addr()
            )
        }
        tag::BUILTIN => {
            let b = o.downcast_ref::<PyBuiltin>().unwrap().get(gil);
            if b.is_method {
                format!("<method '{}' of '{}' objects>", b.name, b.owner)
            } else {
                format!("<built-in function {}>", b.name)
            }
        }
        tag::BOUND_BUILTIN => {
            let b = o.downcast_ref::<PyBoundBuiltin>().unwrap().get(gil);
            let r = b.receiver.clone();
            let t = vm.type_of(gil, &r);
            format!(
                "<built-in method {} of {} object at {:#x}>",
                b.func.get(gil).name,
                type_name(gil, &t),
                r.addr()
            )
        }
        tag::METHOD => {
            let m = o.downcast_ref::<PyMethod>().unwrap().get(gil);
            let (f, r) = (m.func.clone(), m.receiver.clone());
            let fq = match f.downcast_ref::<PyFunction>() {
                Some(f) => {
                    let q = f.get(gil).qualname.cloned(gil);
                    str_payload(gil, &q).unwrap_or("?").to_owned()
                }
                None => "?".into(),
            };
            format!("<bound method {} of {}>", fq, repr(gil, vm, &r)?)
        }
        tag::TYPE => {
            let t = o.clone().downcast::<PyType>().ok().unwrap();
            let q = t.get(gil).qualname.cloned(gil);
            let q = str_payload(gil, &q).unwrap_or("?").to_owned();
            match types::module_of(gil, &t) {
                Some(m) if m != "builtins" => format!("<class '{m}.{q}'>"),
                _ => format!("<class '{q}'>"),
            }
        }
        tag::MODULE => {
            let m = o.downcast_ref::<PyModule>().unwrap().get(gil);
            format!("<module '{}' (built-in)>", m.name)
        }
        tag::CELL => format!("<cell at {:#x}>", o.addr()),
        tag::SLICE => {
            let s = o.downcast_ref::<PySlice>().unwrap().get(gil);
            let (a, b, c) = (s.start.clone(), s.stop.clone(), s.step.clone());
            format!(
                "slice({}, {}, {})",
                repr(gil, vm, &a)?,
                repr(gil, vm, &b)?,
                repr(gil, vm, &c)?
            )
        }
        tag::INSTANCE => {
            if let Some(r) = call_special(gil, vm, o, "__repr__", vec![])? {
                return match str_payload(gil, &r) {
                    Some(s) => Ok(s.to_owned()),
                    None => {
                        let t = vm.type_of(gil, &r);
                        Err(vm.type_error(
                            gil,
                            &format!("__repr__ returned non-string (type {})", type_name(gil, &t)),
                        ))
                    }
                };
            }
            let cls = vm.type_of(gil, o);
            if cls.get(gil).layout == Layout::Exception {
                let args = vm.exc_args(gil, o);
                let name = type_name(gil, &cls);
                let inner = if args.len() == 1 {
                    repr(gil, vm, &args[0])?
                } else {
                    let t = vm.tuple(gil, args);
                    let s = repr(gil, vm, &t)?;
                    s[1..s.len() - 1].trim_end_matches(',').to_owned()
                };
                return Ok(format!("{name}({inner})"));
            }
            if let Some(l) = instance_list(gil, o) {
                let items = l.with(gil, |v| v.clone());
                let tmp = vm.list(gil, items);
                return repr(gil, vm, &tmp);
            }
            let q = cls.get(gil).qualname.cloned(gil);
            let q = str_payload(gil, &q).unwrap_or("?").to_owned();
            let m = types::module_of(gil, &cls).unwrap_or_else(|| "__main__".into());
            format!("<{m}.{q} object at {:#x}>", o.addr())
        }
        _ => {
            if let Some(w) = o.downcast_ref::<WeakRef>() {
                let target = WeakRef::upgrade(w, gil);
                let kind = w.get(gil).kind();
                match (kind, target) {
                    (WeakKind::Ref, None) => format!("<weakref at {:#x}; dead>", o.addr()),
                    (WeakKind::Ref, Some(t)) => {
                        let ty = vm.type_of(gil, &t);
                        format!(
                            "<weakref at {:#x}; to '{}' at {:#x}>",
                            o.addr(),
                            type_name(gil, &ty),
                            t.addr()
                        )
                    }
                    (_, None) => format!("<weakproxy at {:#x}; dead>", o.addr()),
                    (_, Some(t)) => {
                        let ty = vm.type_of(gil, &t);
                        format!(
                            "<weakproxy at {:#x}; to '{}' at {:#x}>",
                            o.addr(),
                            type_name(gil, &ty),
                            t.addr()
                        )
                    }
                }
            } else {
                let t = vm.type_of(gil, o);
                format!("<{} object at {:#x}>", type_name(gil, &t), o.addr())
            }
        }
    })
}

/// `str(o)`.
pub fn str_of(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<String> {
    if o.tag() == 0
        && let Some(t) = proxy_target(gil, vm, o)?
    {
        return str_of(gil, vm, &t);
    }
    match o.tag() {
        tag::STR => Ok(str_payload(gil, o).unwrap_or("").to_owned()),
        tag::INSTANCE => {
            // CPython's PyObject_Str takes a recursion level; `object.__str__` then calls
            // the type's repr slot directly (no second level, as `repr()` would take).
            let _level = vm.enter_recursion(gil, " while getting the str of an object")?;
            if let Some(r) = call_special(gil, vm, o, "__str__", vec![])? {
                return match str_payload(gil, &r) {
                    Some(s) => Ok(s.to_owned()),
                    None => Err(vm.type_error(gil, "__str__ returned non-string")),
                };
            }
            let cls = vm.type_of(gil, o);
            if cls.get(gil).layout == Layout::Exception {
                return vm.exc_str(gil, o);
            }
            stacker::maybe_grow(64 * 1024, 1024 * 1024, || repr_inner(gil, vm, o))
        }
        _ => repr(gil, vm, o),
    }
}

fn binop_name(op: BinOp) -> (&'static str, &'static str, &'static str, &'static str) {
    match op {
        BinOp::Add => ("+", "__add__", "__radd__", "__iadd__"),
        BinOp::Sub => ("-", "__sub__", "__rsub__", "__isub__"),
        BinOp::Mult => ("*", "__mul__", "__rmul__", "__imul__"),
        BinOp::Div => ("/", "__truediv__", "__rtruediv__", "__itruediv__"),
        BinOp::FloorDiv => ("//", "__floordiv__", "__rfloordiv__", "__ifloordiv__"),
        BinOp::Mod => ("%", "__mod__", "__rmod__", "__imod__"),
        BinOp::Pow => ("** or pow()", "__pow__", "__rpow__", "__ipow__"),
        BinOp::LShift => ("<<", "__lshift__", "__rlshift__", "__ilshift__"),
        BinOp::RShift => (">>", "__rshift__", "__rrshift__", "__irshift__"),
        BinOp::BitOr => ("|", "__or__", "__ror__", "__ior__"),
        BinOp::BitXor => ("^", "__xor__", "__rxor__", "__ixor__"),
        BinOp::BitAnd => ("&", "__and__", "__rand__", "__iand__"),
    }
}

fn num_err(gil: &mut Gil<'_>, vm: &Vm, e: numeric::NumError) -> PyErr {
    match e {
        numeric::NumError::ZeroDivision(m) => vm.zero_division(gil, m),
        numeric::NumError::Overflow(m) => vm.overflow_error(gil, m),
        numeric::NumError::Value(m) => vm.value_error(gil, &m),
    }
}

fn int_binop(gil: &mut Gil<'_>, vm: &Vm, x: i64, y: i64, op: BinOp) -> PyResult<AnyObj> {
    let ovf =
        |gil: &mut Gil<'_>| vm.overflow_error(gil, "integer overflow: pymem's ints are 64-bit");
    let r = match op {
        BinOp::Add => x.checked_add(y).ok_or_else(|| ovf(gil))?,
        BinOp::Sub => x.checked_sub(y).ok_or_else(|| ovf(gil))?,
        BinOp::Mult => x.checked_mul(y).ok_or_else(|| ovf(gil))?,
        BinOp::Div => {
            let f = numeric::int_truediv(x, y).map_err(|e| num_err(gil, vm, e))?;
            return Ok(vm.float(gil, f));
        }
        BinOp::FloorDiv => numeric::int_floordiv(x, y).map_err(|e| num_err(gil, vm, e))?,
        BinOp::Mod => numeric::int_mod(x, y).map_err(|e| num_err(gil, vm, e))?,
        BinOp::Pow => match numeric::int_pow(x, y).map_err(|e| num_err(gil, vm, e))? {
            numeric::IntOrFloat::Int(i) => i,
            numeric::IntOrFloat::Float(f) => return Ok(vm.float(gil, f)),
        },
        BinOp::LShift => numeric::int_lshift(x, y).map_err(|e| num_err(gil, vm, e))?,
        BinOp::RShift => numeric::int_rshift(x, y).map_err(|e| num_err(gil, vm, e))?,
        BinOp::BitOr => x | y,
        BinOp::BitXor => x ^ y,
        BinOp::BitAnd => x & y,
    };
    Ok(vm.int(gil, r))
}

fn float_binop(gil: &mut Gil<'_>, vm: &Vm, x: f64, y: f64, op: BinOp) -> PyResult<Option<AnyObj>> {
    let r = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mult => x * y,
        BinOp::Div => {
            if y == 0.0 {
                return Err(vm.zero_division(gil, "float division by zero"));
            }
            x / y
        }
        BinOp::FloorDiv => numeric::float_floordiv(x, y).map_err(|e| num_err(gil, vm, e))?,
        BinOp::Mod => numeric::float_mod(x, y).map_err(|e| num_err(gil, vm, e))?,
        BinOp::Pow => numeric::float_pow(x, y).map_err(|e| num_err(gil, vm, e))?,
        _ => return Ok(None),
    };
    Ok(Some(vm.float(gil, r)))
}

/// `a op b` (`inplace`: `a op= b`).
pub fn binary(
    gil: &mut Gil<'_>,
    vm: &Vm,
    a: &AnyObj,
    b: &AnyObj,
    op: BinOp,
    inplace: bool,
) -> PyResult<AnyObj> {
    let (ta, tb) = (a.tag(), b.tag());
    if ta == 0 || tb == 0 {
        let x = proxy_target(gil, vm, a)?;
        let y = proxy_target(gil, vm, b)?;
        if x.is_some() || y.is_some() {
            let x = x.unwrap_or_else(|| a.clone());
            let y = y.unwrap_or_else(|| b.clone());
            return binary(gil, vm, &x, &y, op, inplace);
        }
    }
    if let (Some(x), Some(y)) = (int_payload(gil, a), int_payload(gil, b)) {
        if ta == tag::BOOL
            && tb == tag::BOOL
            && matches!(op, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor)
        {
            let r = match op {
                BinOp::BitAnd => x & y,
                BinOp::BitOr => x | y,
                _ => x ^ y,
            };
            return Ok(vm.bool(r != 0));
        }
        return int_binop(gil, vm, x, y, op);
    }
    if (ta == tag::FLOAT || tb == tag::FLOAT)
        && let (Some(x), Some(y)) = (as_f64(gil, a), as_f64(gil, b))
        && let Some(r) = float_binop(gil, vm, x, y, op)?
    {
        return Ok(r);
    }
    if ta == tag::SET
        && tb == tag::SET
        && let Some(r) = set_ops::binary(gil, vm, a, b, op, inplace)?
    {
        return Ok(r);
    }
    match (ta, tb, op) {
        (tag::STR, tag::STR, BinOp::Add) => {
            let s = format!(
                "{}{}",
                str_payload(gil, a).unwrap(),
                str_payload(gil, b).unwrap()
            );
            return Ok(vm.str(gil, &s));
        }
        (tag::LIST, tag::LIST, BinOp::Add) if inplace => {
            let items = seq_items(gil, b).unwrap_or_default();
            a.downcast_ref::<PyList>()
                .unwrap()
                .get(gil)
                .items
                .with_mut(gil, |v| v.extend(items));
            return Ok(a.clone());
        }
        (tag::LIST, tag::LIST, BinOp::Add) | (tag::TUPLE, tag::TUPLE, BinOp::Add) => {
            let mut items = seq_items(gil, a).unwrap_or_default();
            items.extend(seq_items(gil, b).unwrap_or_default());
            return Ok(if ta == tag::LIST {
                vm.list(gil, items)
            } else {
                vm.tuple(gil, items)
            });
        }
        (tag::STR | tag::LIST | tag::TUPLE, tag::INT | tag::BOOL, BinOp::Mult)
        | (tag::INT | tag::BOOL, tag::STR | tag::LIST | tag::TUPLE, BinOp::Mult) => {
            let (seq, n) = if int_payload(gil, b).is_some() {
                (a, int_payload(gil, b).unwrap())
            } else {
                (b, int_payload(gil, a).unwrap())
            };
            return repeat(gil, vm, seq, n, inplace && seq.ptr_eq(a));
        }
        (tag::LIST, _, BinOp::Add) if inplace => {
            let items = iterate(gil, vm, b)?;
            a.downcast_ref::<PyList>()
                .unwrap()
                .get(gil)
                .items
                .with_mut(gil, |v| v.extend(items));
            return Ok(a.clone());
        }
        (tag::STR, _, BinOp::Add) if tb != tag::INSTANCE => {
            let t = vm.type_of(gil, b);
            return Err(vm.type_error(
                gil,
                &format!(
                    "can only concatenate str (not \"{}\") to str",
                    type_name(gil, &t)
                ),
            ));
        }
        (tag::LIST, _, BinOp::Add) if !inplace && tb != tag::INSTANCE => {
            let t = vm.type_of(gil, b);
            return Err(vm.type_error(
                gil,
                &format!(
                    "can only concatenate list (not \"{}\") to list",
                    type_name(gil, &t)
                ),
            ));
        }
        (tag::STR, _, BinOp::Mod) => {
            return Err(vm.type_error(gil, "pymem does not support %-formatting yet"));
        }
        _ => {}
    }
    let (sym, fwd, refl, inpl) = binop_name(op);
    if inplace
        && let Some(r) = call_special(gil, vm, a, inpl, vec![b.clone()])?
        && !r.ptr_eq(&vm.not_implemented(gil))
    {
        return Ok(r);
    }
    if let Some(r) = call_special(gil, vm, a, fwd, vec![b.clone()])?
        && !r.ptr_eq(&vm.not_implemented(gil))
    {
        return Ok(r);
    }
    if let Some(r) = call_special(gil, vm, b, refl, vec![a.clone()])?
        && !r.ptr_eq(&vm.not_implemented(gil))
    {
        return Ok(r);
    }
    if ta == tag::INSTANCE
        && op == BinOp::Add
        && let Some(l) = instance_list(gil, a)
    {
        let mut items = l.with(gil, |v| v.clone());
        items.extend(iterate(gil, vm, b)?);
        return Ok(vm.list(gil, items));
    }
    let (ca, cb) = (vm.type_of(gil, a), vm.type_of(gil, b));
    let sym = if inplace {
        format!("{sym}=")
    } else {
        sym.to_owned()
    };
    let sym = if sym == "** or pow()=" {
        "**=".to_owned()
    } else {
        sym
    };
    Err(vm.type_error(
        gil,
        &format!(
            "unsupported operand type(s) for {sym}: '{}' and '{}'",
            type_name(gil, &ca),
            type_name(gil, &cb)
        ),
    ))
}

fn repeat(gil: &mut Gil<'_>, vm: &Vm, seq: &AnyObj, n: i64, inplace: bool) -> PyResult<AnyObj> {
    let n = n.max(0) as usize;
    match seq.tag() {
        tag::STR => {
            let s = str_payload(gil, seq).unwrap();
            if s.len()
                .checked_mul(n)
                .is_none_or(|t| t > isize::MAX as usize / 2)
            {
                return Err(vm.memory_error(gil));
            }
            let r = s.repeat(n);
            Ok(vm.str(gil, &r))
        }
        _ => {
            let items = seq_items(gil, seq).unwrap_or_default();
            let total = items.len().checked_mul(n);
            if total.is_none_or(|t| t > (1 << 36)) {
                return Err(vm.memory_error(gil));
            }
            let mut out = Vec::new();
            if out.try_reserve_exact(total.unwrap()).is_err() {
                return Err(vm.memory_error(gil));
            }
            for _ in 0..n {
                out.extend(items.iter().cloned());
            }
            if inplace && seq.tag() == tag::LIST {
                let old = seq
                    .downcast_ref::<PyList>()
                    .unwrap()
                    .get(gil)
                    .items
                    .replace(gil, out);
                drop(old);
                return Ok(seq.clone());
            }
            Ok(if seq.tag() == tag::LIST {
                vm.list(gil, out)
            } else {
                vm.tuple(gil, out)
            })
        }
    }
}

/// Unary `-`, `+`, `~`.
pub fn unary(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj, which: &str) -> PyResult<AnyObj> {
    if let Some(i) = int_payload(gil, o) {
        return match which {
            "-" => i
                .checked_neg()
                .map(|v| vm.int(gil, v))
                .ok_or_else(|| vm.overflow_error(gil, "integer overflow: pymem's ints are 64-bit")),
            "+" => Ok(vm.int(gil, i)),
            _ => Ok(vm.int(gil, !i)),
        };
    }
    if let Some(f) = float_payload(gil, o) {
        match which {
            "-" => return Ok(vm.float(gil, -f)),
            "+" => return Ok(vm.float(gil, f)),
            _ => {}
        }
    }
    let name = match which {
        "-" => "__neg__",
        "+" => "__pos__",
        _ => "__invert__",
    };
    if let Some(r) = call_special(gil, vm, o, name, vec![])? {
        return Ok(r);
    }
    let t = vm.type_of(gil, o);
    Err(vm.type_error(
        gil,
        &format!(
            "bad operand type for unary {which}: '{}'",
            type_name(gil, &t)
        ),
    ))
}

/// The referent of a `weakref.proxy` (`ReferenceError` if it died); `None` for anything
/// else. Proxies forward every operation to their referent.
pub fn proxy_target(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<Option<AnyObj>> {
    match o.downcast_ref::<WeakRef>() {
        Some(w) if w.get(gil).kind() == WeakKind::Proxy => match WeakRef::upgrade(w, gil) {
            Some(t) => Ok(Some(t)),
            None => Err(super::modules::weakref::dead_proxy(gil, vm)),
        },
        _ => Ok(None),
    }
}

/// `len(o)`.
pub fn len(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<usize> {
    if let Some(t) = proxy_target(gil, vm, o)? {
        return len(gil, vm, &t);
    }
    match o.tag() {
        tag::STR => Ok(o.downcast_ref::<PyStr>().unwrap().get(gil).chars),
        tag::LIST => Ok(o
            .downcast_ref::<PyList>()
            .unwrap()
            .get(gil)
            .items
            .with(gil, |v| v.len())),
        tag::TUPLE => Ok(o.downcast_ref::<PyTuple>().unwrap().get(gil).items.len()),
        tag::DICT => Ok(dict_len(gil, o)),
        tag::SET => Ok(set_ops::as_set(o).map_or(0, |s| set_ops::len(gil, &s))),
        tag::RANGE => Ok(o.downcast_ref::<PyRange>().unwrap().get(gil).len() as usize),
        _ => {
            if let Some(r) = call_special(gil, vm, o, "__len__", vec![])? {
                return match int_payload(gil, &r) {
                    Some(n) if n >= 0 => Ok(n as usize),
                    Some(_) => Err(vm.value_error(gil, "__len__() should return >= 0")),
                    None => {
                        let t = vm.type_of(gil, &r);
                        Err(vm.type_error(
                            gil,
                            &format!(
                                "'{}' object cannot be interpreted as an integer",
                                type_name(gil, &t)
                            ),
                        ))
                    }
                };
            }
            if let Some(l) = instance_list(gil, o) {
                return Ok(l.with(gil, |v| v.len()));
            }
            let t = vm.type_of(gil, o);
            Err(vm.type_error(
                gil,
                &format!("object of type '{}' has no len()", type_name(gil, &t)),
            ))
        }
    }
}

/// Number of items of a dict object.
pub fn dict_len(gil: &mut Gil<'_>, o: &AnyObj) -> usize {
    o.downcast_ref::<PyDict>()
        .map_or(0, |d| d.get(gil).table.with(gil, |t| t.len()))
}

/// A dict's items, copied out in order.
pub fn dict_items(gil: &mut Gil<'_>, o: &AnyObj) -> Vec<(AnyObj, AnyObj)> {
    o.downcast_ref::<PyDict>().map_or_else(Vec::new, |d| {
        d.get(gil).table.with(gil, |t| {
            t.iter().map(|e| (e.key.clone(), e.value.clone())).collect()
        })
    })
}

/// Finds `key` in dict object `d`: its position.
pub fn dict_find(
    gil: &mut Gil<'_>,
    vm: &Vm,
    d: &Obj<PyDict>,
    key: &AnyObj,
) -> PyResult<Option<usize>> {
    let h = hash(gil, vm, key)?;
    loop {
        let (res, version) = d.get(gil).table.with(gil, |t| {
            let r = match t.lookup(h, key, &fast_eq_tags) {
                Lookup::Found(p) => Ok(Some(p)),
                Lookup::Missing => Ok(None),
                Lookup::Undecided(ps) => Err(ps
                    .iter()
                    .filter_map(|&p| t.entry(p).map(|e| (p, e.key.clone())))
                    .collect::<Vec<_>>()),
            };
            (r, t.version())
        });
        match res {
            Ok(p) => return Ok(p),
            Err(cands) => {
                let mut found = None;
                for (p, k) in cands {
                    if eq(gil, vm, &k, key)? {
                        found = Some(p);
                        break;
                    }
                }
                if d.get(gil).table.with(gil, |t| t.version()) == version {
                    return Ok(found);
                }
            }
        }
    }
}

/// `d.get(key)` on a dict object.
pub fn dict_get(gil: &mut Gil<'_>, vm: &Vm, d: &AnyObj, key: &AnyObj) -> PyResult<Option<AnyObj>> {
    let Some(d) = d.downcast_ref::<PyDict>() else {
        return Ok(None);
    };
    let Some(p) = dict_find(gil, vm, d, key)? else {
        return Ok(None);
    };
    Ok(d.get(gil)
        .table
        .with(gil, |t| t.entry(p).map(|e| e.value.clone())))
}

/// `d[key] = value` on a dict object (tracks the dict when a container is stored, as
/// CPython 3.11's `MAINTAIN_TRACKING`).
pub fn dict_set(
    gil: &mut Gil<'_>,
    vm: &Vm,
    d: &Obj<PyDict>,
    key: AnyObj,
    value: AnyObj,
) -> PyResult<()> {
    let h = hash(gil, vm, &key)?;
    let pos = dict_find(gil, vm, d, &key)?;
    if !d.as_any().is_tracked(gil) && (may_be_tracked(gil, &key) || may_be_tracked(gil, &value)) {
        d.as_any().track(gil);
    }
    let old = d.get(gil).table.with_mut(gil, |t| match pos {
        Some(p) => t.replace_value(p, value),
        None => {
            t.insert_new(h, key, value);
            None
        }
    });
    drop(old);
    Ok(())
}

/// Whether an object might be (or become) tracked: CPython's `_PyObject_GC_MAY_BE_TRACKED`.
pub fn may_be_tracked(gil: &Gil<'_>, o: &AnyObj) -> bool {
    if !o.type_info().is_tracked_type() {
        return false;
    }
    if o.tag() == tag::TUPLE {
        return o.is_tracked(gil);
    }
    true
}

/// Deletes `key` from dict `d`; `false` if absent.
pub fn dict_del(gil: &mut Gil<'_>, vm: &Vm, d: &Obj<PyDict>, key: &AnyObj) -> PyResult<bool> {
    match dict_find(gil, vm, d, key)? {
        Some(p) => {
            let e = d.get(gil).table.with_mut(gil, |t| t.remove_at(p));
            drop(e);
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Everything `iter(o)` yields, collected (for calls that consume an iterable whole).
pub fn iterate(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<Vec<AnyObj>> {
    try_iterate(gil, vm, o)?
}

/// [`iterate`], keeping apart the failure to get an iterator (the inner `Err`, for callers
/// with their own message for "not iterable") from an error while iterating (the outer).
pub fn try_iterate(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<Result<Vec<AnyObj>, PyErr>> {
    if let Some(v) = seq_items(gil, o) {
        return Ok(Ok(v));
    }
    let it = match get_iter(gil, vm, o) {
        Ok(it) => it,
        Err(e) => return Ok(Err(e)),
    };
    let mut out = Vec::new();
    while let Some(x) = next(gil, vm, &it)? {
        out.push(x);
    }
    Ok(Ok(out))
}

/// `iter(o)`.
pub fn get_iter(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<AnyObj> {
    if o.tag() == 0
        && let Some(t) = proxy_target(gil, vm, o)?
    {
        return get_iter(gil, vm, &t);
    }
    let (state, kind) = match o.tag() {
        tag::LIST => (IterState::List(o.clone(), 0.into()), "list_iterator"),
        tag::TUPLE => (
            IterState::Tuple(o.clone().downcast().ok().unwrap(), 0.into()),
            "tuple_iterator",
        ),
        tag::RANGE => {
            let r = o.downcast_ref::<PyRange>().unwrap().get(gil);
            (
                IterState::Range(r.start.into(), r.len().into(), r.step),
                "range_iterator",
            )
        }
        tag::DICT => {
            let d: Obj<PyDict> = o.clone().downcast().ok().unwrap();
            let n = d.get(gil).table.with(gil, |t| t.len());
            (
                IterState::Dict(d, 0.into(), n, 0, 0.into()),
                "dict_keyiterator",
            )
        }
        tag::STR => (
            IterState::Str(o.clone().downcast().ok().unwrap(), 0.into()),
            "str_ascii_iterator",
        ),
        tag::SET => {
            let s: Obj<PySet> = o.clone().downcast().ok().unwrap();
            let n = set_ops::len(gil, &s);
            (IterState::Set(s, 0.into(), n.into()), "set_iterator")
        }
        tag::ITER | tag::GENERATOR => return Ok(o.clone()),
        tag::INSTANCE => {
            if let Some(r) = call_special(gil, vm, o, "__iter__", vec![])? {
                if r.tag() == tag::ITER || special(gil, vm, &r, "__next__").is_some() {
                    return Ok(if r.tag() == tag::ITER {
                        r
                    } else {
                        Obj::new(
                            gil,
                            PyIter {
                                state: heap::GilCell::new(IterState::Object(r)),
                                kind: "iterator",
                            },
                        )
                        .into_any()
                    });
                }
                let t = vm.type_of(gil, &r);
                return Err(vm.type_error(
                    gil,
                    &format!(
                        "iter() returned non-iterator of type '{}'",
                        type_name(gil, &t)
                    ),
                ));
            }
            if instance_list(gil, o).is_some() {
                (IterState::List(o.clone(), 0.into()), "list_iterator")
            } else if special(gil, vm, o, "__getitem__").is_some() {
                let mut items = Vec::new();
                let mut i = 0;
                loop {
                    let idx = vm.int(gil, i);
                    match call_special(gil, vm, o, "__getitem__", vec![idx]) {
                        Ok(Some(v)) => items.push(v),
                        Ok(None) => break,
                        Err(e)
                            if vm.exc_matches(gil, &e.exc, &vm.types.index_error.clone())
                                || vm.exc_matches(
                                    gil,
                                    &e.exc,
                                    &vm.types.stop_iteration.clone(),
                                ) =>
                        {
                            break;
                        }
                        Err(e) => return Err(e),
                    }
                    i += 1;
                }
                (IterState::Items(items, 0.into()), "iterator")
            } else {
                let t = vm.type_of(gil, o);
                return Err(vm.type_error(
                    gil,
                    &format!("'{}' object is not iterable", type_name(gil, &t)),
                ));
            }
        }
        _ => {
            let t = vm.type_of(gil, o);
            return Err(vm.type_error(
                gil,
                &format!("'{}' object is not iterable", type_name(gil, &t)),
            ));
        }
    };
    Ok(Obj::new(
        gil,
        PyIter {
            state: heap::GilCell::new(state),
            kind,
        },
    )
    .into_any())
}

/// An iterator over computed items.
pub fn items_iter(gil: &Gil<'_>, items: Vec<AnyObj>, kind: &'static str) -> AnyObj {
    Obj::new(
        gil,
        PyIter {
            state: heap::GilCell::new(IterState::Items(items, 0.into())),
            kind,
        },
    )
    .into_any()
}

/// `next(it)`: `None` when exhausted.
pub fn next(gil: &mut Gil<'_>, vm: &Vm, it: &AnyObj) -> PyResult<Option<AnyObj>> {
    if it.tag() == tag::GENERATOR {
        return super::generator::next(gil, vm, it);
    }
    let Some(iter) = it.downcast_ref::<PyIter>() else {
        if let Some(r) = call_special_next(gil, vm, it)? {
            return Ok(r);
        }
        let t = vm.type_of(gil, it);
        return Err(vm.type_error(
            gil,
            &format!("'{}' object is not an iterator", type_name(gil, &t)),
        ));
    };
    enum Step {
        Item(Option<AnyObj>),
        Int(i64),
        TupleAt(Obj<PyTuple>, usize),
        ListAt(AnyObj, usize, bool),
        DictAt(Obj<PyDict>, usize, usize, u8, usize),
        StrAt(Obj<PyStr>, usize),
        SetAt(Obj<PySet>, usize, usize),
        Object(AnyObj),
    }
    let step = iter.get(gil).state.with(gil, |s| match s {
        IterState::List(l, i) => Step::ListAt(l.clone(), i.get(), false),
        IterState::ListRev(l, i) => {
            let k = i.get();
            if k == 0 {
                Step::Item(None)
            } else {
                i.set(k - 1);
                Step::ListAt(l.clone(), k - 1, true)
            }
        }
        IterState::Tuple(t, i) => {
            let k = i.get();
            i.set(k + 1);
            Step::TupleAt(t.clone(), k)
        }
        IterState::Range(next, left, step) => {
            if left.get() <= 0 {
                Step::Item(None)
            } else {
                let v = next.get();
                left.set(left.get() - 1);
                next.set(v.wrapping_add(*step));
                Step::Int(v)
            }
        }
        IterState::Dict(d, pos, n, kind, yielded) => {
            Step::DictAt(d.clone(), pos.get(), *n, *kind, yielded.get())
        }
        IterState::Str(s, pos) => Step::StrAt(s.clone(), pos.get()),
        IterState::Set(s, pos, n) => Step::SetAt(s.clone(), pos.get(), n.get()),
        IterState::Done => Step::Item(None),
        IterState::Object(o) => Step::Object(o.clone()),
        IterState::Items(v, i) => {
            let k = i.get();
            i.set(k + 1);
            Step::Item(v.get(k).cloned())
        }
    });
    match step {
        Step::Int(v) => Ok(Some(vm.int(gil, v))),
        Step::TupleAt(t, k) => {
            let item = t.get(gil).items.get(k).cloned();
            if item.is_none() {
                finish(gil, iter);
            }
            Ok(item)
        }
        Step::Item(x) => {
            if x.is_none() {
                finish(gil, iter);
            }
            Ok(x)
        }
        Step::ListAt(l, idx, rev) => {
            let cell = match l.downcast_ref::<PyList>() {
                Some(l) => Some(&l.get(gil).items),
                None => instance_list(gil, &l),
            };
            let item = cell.and_then(|c| c.with(gil, |v| v.get(idx).cloned()));
            if item.is_some() && !rev {
                iter.get(gil).state.with(gil, |s| {
                    if let IterState::List(_, c) = s {
                        c.set(idx + 1)
                    }
                });
            }
            if item.is_none() {
                finish(gil, iter);
            }
            Ok(item)
        }
        Step::DictAt(d, pos, n, kind, yielded) => {
            let (len, found) = d.get(gil).table.with(gil, |t| {
                (
                    t.len(),
                    t.next_from(pos)
                        .map(|(p, e)| (p, e.key.clone(), e.value.clone())),
                )
            });
            if len != n {
                return Err(vm.runtime_error(gil, "dictionary changed size during iteration"));
            }
            match found {
                Some(_) if yielded >= n => {
                    // Same size, but more keys than it started with: some were replaced.
                    finish(gil, iter);
                    Err(vm.runtime_error(gil, "dictionary keys changed during iteration"))
                }
                Some((p, k, v)) => {
                    iter.get(gil).state.with(gil, |s| {
                        if let IterState::Dict(_, c, _, _, y) = s {
                            c.set(p + 1);
                            y.set(y.get() + 1);
                        }
                    });
                    Ok(Some(match kind {
                        0 => k,
                        1 => v,
                        _ => vm.tuple(gil, vec![k, v]),
                    }))
                }
                None => {
                    finish(gil, iter);
                    Ok(None)
                }
            }
        }
        Step::StrAt(s, pos) => {
            let c = s.get(gil).s[pos..].chars().next();
            match c {
                Some(c) => {
                    let mut buf = [0u8; 4];
                    let o = vm.str(gil, c.encode_utf8(&mut buf));
                    iter.get(gil).state.with(gil, |st| {
                        if let IterState::Str(_, p) = st {
                            p.set(pos + c.len_utf8())
                        }
                    });
                    Ok(Some(o))
                }
                None => {
                    finish(gil, iter);
                    Ok(None)
                }
            }
        }
        Step::SetAt(s, pos, n) => {
            let (len, found) = s.get(gil).table.with(gil, |t| {
                (t.len(), t.next_from(pos).map(|(p, k)| (p, k.clone())))
            });
            if len != n {
                iter.get(gil).state.with(gil, |st| {
                    if let IterState::Set(_, _, n) = st {
                        n.set(usize::MAX)
                    }
                });
                return Err(vm.runtime_error(gil, "Set changed size during iteration"));
            }
            match found {
                Some((p, k)) => {
                    iter.get(gil).state.with(gil, |st| {
                        if let IterState::Set(_, c, _) = st {
                            c.set(p + 1)
                        }
                    });
                    Ok(Some(k))
                }
                None => {
                    finish(gil, iter);
                    Ok(None)
                }
            }
        }
        Step::Object(o) => match call_special_next(gil, vm, &o)? {
            Some(r) => Ok(r),
            None => Ok(None),
        },
    }
}

/// `FOR_ITER`'s quick path: the next item of a list or range iterator, taken in one visit
/// to the iterator's state (as CPython's `listiter_next` and `rangeiter_next` do, no step
/// value in between). `None`: another kind of iterator (or a list subclass), for [`next`];
/// `Some(None)`: exhausted, and the iterator is finished as `next` leaves it.
#[inline]
pub fn next_quick(gil: &mut Gil<'_>, vm: &Vm, it: &AnyObj) -> Option<Option<AnyObj>> {
    enum Quick {
        ListAt(Obj<PyList>, usize),
        Int(i64),
        End,
    }
    let iter = it.downcast_ref::<PyIter>()?;
    let quick = iter.get(gil).state.with(gil, |s| match s {
        IterState::List(l, i) => {
            let l = l.downcast_ref::<PyList>()?.clone();
            let k = i.get();
            // Past the end the iterator is finished below, so the step may run ahead.
            i.set(k + 1);
            Some(Quick::ListAt(l, k))
        }
        IterState::Range(next, left, step) => {
            if left.get() <= 0 {
                return Some(Quick::End);
            }
            let v = next.get();
            left.set(left.get() - 1);
            next.set(v.wrapping_add(*step));
            Some(Quick::Int(v))
        }
        _ => None,
    })?;
    let item = match quick {
        Quick::Int(v) => return Some(Some(vm.int(gil, v))),
        Quick::ListAt(l, k) => {
            let item = l.get(gil).items.get_at(gil, k);
            l.into_any().release(gil);
            item
        }
        Quick::End => None,
    };
    if item.is_none() {
        finish(gil, iter);
    }
    Some(item)
}

fn finish(gil: &mut Gil<'_>, iter: &Obj<PyIter>) {
    let old = iter
        .get(gil)
        .state
        .with_mut(gil, |s| std::mem::replace(s, IterState::Done));
    drop(old);
}

fn call_special_next(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<Option<Option<AnyObj>>> {
    match call_special(gil, vm, o, "__next__", vec![]) {
        Ok(Some(v)) => Ok(Some(Some(v))),
        Ok(None) => Ok(None),
        Err(e) if vm.exc_matches(gil, &e.exc, &vm.types.stop_iteration.clone()) => Ok(Some(None)),
        Err(e) => Err(e),
    }
}
