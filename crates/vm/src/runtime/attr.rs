//! Attributes and items: `o.name`, `o.name = v`, `o[k]`, `o[k] = v`, `x in o`.
//!
//! Instances keep their attributes as a short list of `(name, value)` pairs
//! ([`Attrs::Pairs`]), or in an ordered table ([`Attrs::Inline`]) once they have many or a
//! name that is not interned, until `__dict__` is read; then the attributes move into a real dict
//! object that the instance shares with its `__dict__`, which is what CPython 3.11 does
//! with managed dicts (and why a cycle of instances counts one or two objects per instance
//! in `gc.collect()`).

use std::cell::Cell;

use heap::{AnyObj, Gil, GilCell, Obj, WeakKind, WeakRef};

use super::dict::Dict;
use super::object::*;
use super::ops::{self, str_payload};
use super::property::{self, Access};
use super::types::{self, type_name};
use super::{PyErr, PyResult, Vm};

/// CPython's AttributeError for `o.name`.
pub(crate) fn attr_error(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj, name: &str) -> PyErr {
    if let Some(t) = o.downcast_ref::<PyType>() {
        let n = type_name(gil, t);
        return vm.attribute_error(gil, &format!("type object '{n}' has no attribute '{name}'"));
    }
    if let Some(m) = o.downcast_ref::<PyModule>() {
        let n = m.get(gil).name;
        return vm.attribute_error(gil, &format!("module '{n}' has no attribute '{name}'"));
    }
    let t = vm.type_of(gil, o);
    let n = type_name(gil, &t);
    vm.attribute_error(gil, &format!("'{n}' object has no attribute '{name}'"))
}

/// Most attributes an instance keeps as pairs; the next one moves them into a table.
const MAX_PAIRS: usize = 16;

/// Bits in [`PAIR_NAMES`]: 4096, so that the few dozen names a program gives its instances
/// rarely share a bit with a method name.
const PAIR_NAME_BITS: u32 = 12;

thread_local! {
    /// Every name that was ever given to an instance attribute kept as a pair, as a Bloom
    /// filter on the (interned, immortal, so never reused) name's address: a bit is set by
    /// [`note_pair_name`] before the name joins any pairs and never cleared. A name whose bit
    /// is clear names no pair of any instance, so `LOAD_METHOD`'s quick path
    /// ([`instance_method_quick`]) knows the method is not shadowed without scanning the
    /// instance's pairs (CPython 3.11 knows it from the class's shared keys instead).
    static PAIR_NAMES: [Cell<u64>; 1 << (PAIR_NAME_BITS - 6)] =
        const { [const { Cell::new(0) }; 1 << (PAIR_NAME_BITS - 6)] };
}

/// `name`'s bit in [`PAIR_NAMES`]: (word, mask), from the address mixed by a multiplicative
/// hash (objects' low address bits are mostly alike).
#[inline(always)]
fn pair_name_bit(name: &AnyObj) -> (usize, u64) {
    let h = (name.addr() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PAIR_NAME_BITS);
    ((h >> 6) as usize, 1 << (h & 63))
}

thread_local! {
    /// Whether some instance on this thread ever moved its attributes out of pairs (into a
    /// table or a dict; instances start with pairs). Until one does, a name [`PAIR_NAMES`]
    /// has never seen is no instance's attribute at all, so [`instance_method_quick`] need
    /// not read the instance (as `property::none_made` lets stores skip the class's check).
    static TABLES_MADE: Cell<bool> = const { Cell::new(false) };
}

/// Records that an instance is leaving pairs (see [`TABLES_MADE`]); called before it does.
#[inline]
fn note_table() {
    TABLES_MADE.with(|t| t.set(true));
}

/// Records that `name` names a pair (see [`PAIR_NAMES`]).
#[inline]
fn note_pair_name(name: &AnyObj) {
    let (word, mask) = pair_name_bit(name);
    PAIR_NAMES.with(|bits| bits[word].set(bits[word].get() | mask));
}

/// Whether `name` may name a pair of some instance (false: it names none).
#[inline(always)]
fn may_name_pair(name: &AnyObj) -> bool {
    let (word, mask) = pair_name_bit(name);
    PAIR_NAMES.with(|bits| bits[word].get() & mask != 0)
}

/// Looks `name` up in an instance that keeps pairs: `None` if it keeps a table instead,
/// else whether it has the attribute.
fn pairs_get(gil: &mut Gil<'_>, inst: &Obj<PyInstance>, name: &AnyObj) -> Option<Option<AnyObj>> {
    enum Found {
        NotPairs,
        Done(Option<AnyObj>),
        ByText(Vec<AnyObj>),
    }
    // Immortal strs are interned (see `Vm::intern`): one object per text, and pairs only
    // hold interned names, so an interned name not there by identity is not there at all.
    let interned = name.is_immortal(gil);
    let found = inst.get(gil).attrs.with(gil, |a| match a {
        Attrs::Pairs(pairs) => match pairs.iter().find(|(k, _)| k.ptr_eq(name)) {
            Some((_, v)) => Found::Done(Some(v.clone())),
            None if interned => Found::Done(None),
            None => Found::ByText(pairs.iter().map(|(k, _)| k.clone()).collect()),
        },
        _ => Found::NotPairs,
    });
    match found {
        Found::NotPairs => None,
        Found::Done(v) => Some(v),
        Found::ByText(names) => {
            let text = str_payload(gil, name)?;
            let i = names
                .iter()
                .position(|k| str_payload(gil, k) == Some(text))?;
            Some(inst.get(gil).attrs.with(gil, |a| match a {
                Attrs::Pairs(pairs) => pairs.get(i).map(|(_, v)| v.clone()),
                _ => None,
            }))
        }
    }
}

/// Moves an instance's pairs into an ordered table. Does nothing to other layouts.
fn pairs_to_table(gil: &mut Gil<'_>, inst: &Obj<PyInstance>) {
    let names = inst.get(gil).attrs.with(gil, |a| match a {
        Attrs::Pairs(pairs) => Some(pairs.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>()),
        _ => None,
    });
    let Some(names) = names else {
        return;
    };
    let hashes: Vec<i64> = names
        .iter()
        .map(|k| ops::str_hash(gil, k).unwrap_or(0))
        .collect();
    note_table();
    inst.get(gil).attrs.with_mut(gil, |a| {
        if let Attrs::Pairs(pairs) = a {
            let mut d = Dict::new();
            for ((k, v), h) in std::mem::take(pairs).into_iter().zip(hashes) {
                d.insert_new(h, k, v);
            }
            *a = Attrs::Inline(Box::new(d));
        }
    });
}

/// The namespace an instance keeps its attributes in.
fn instance_get(gil: &mut Gil<'_>, inst: &Obj<PyInstance>, key: &AnyObj) -> Option<AnyObj> {
    if let Some(v) = pairs_get(gil, inst, key) {
        return v;
    }
    enum Where {
        Inline(Option<AnyObj>),
        Undecided,
        Dict(Obj<PyDict>),
    }
    let hash = ops::str_hash(gil, key)?;
    let w = inst.get(gil).attrs.with(gil, |a| match a {
        Attrs::Inline(d) => match d.lookup(hash, key, &|_, _| None) {
            super::dict::Lookup::Found(p) => Where::Inline(d.entry(p).map(|e| e.value.clone())),
            super::dict::Lookup::Missing => Where::Inline(None),
            super::dict::Lookup::Undecided(_) => Where::Undecided,
        },
        Attrs::Dict(d) => Where::Dict(d.clone()),
        Attrs::Pairs(_) => Where::Inline(None),
    });
    match w {
        Where::Inline(v) => v,
        Where::Undecided => {
            // Not found by identity: compare the text.
            let cell = &inst.get(gil).attrs;
            let cands: Vec<(AnyObj, AnyObj)> = cell.with(gil, |a| match a {
                Attrs::Inline(d) => d
                    .iter()
                    .filter(|e| e.hash == hash)
                    .map(|e| (e.key.clone(), e.value.clone()))
                    .collect(),
                Attrs::Dict(_) | Attrs::Pairs(_) => Vec::new(),
            });
            let k = str_payload(gil, key)?.to_owned();
            cands
                .into_iter()
                .find(|(ck, _)| str_payload(gil, ck) == Some(&k))
                .map(|(_, v)| v)
        }
        Where::Dict(d) => types::dict_get_interned(gil, &d.get(gil).table, key),
    }
}

/// The instance attribute `name` if it sits at position `hint` of the instance's pairs or
/// inline table (checked by key identity: names are interned), without hashing.
#[inline]
pub(crate) fn inline_at(
    gil: &mut Gil<'_>,
    inst: &Obj<PyInstance>,
    name: &AnyObj,
    hint: u32,
) -> Option<AnyObj> {
    // A property on the class comes before the instance's own attributes, and it may have
    // been added after the site's hint was taken: then the general path decides.
    if !property::none_made() && !class_lacks_properties(gil, inst) {
        return None;
    }
    // Forced inline: in the interpreter loop the closure was otherwise left as a call.
    inst.get(gil).attrs.with(
        gil,
        #[inline(always)]
        |a| match a {
            Attrs::Pairs(pairs) => pairs
                .get(hint as usize)
                .filter(|(k, _)| k.ptr_eq(name))
                .map(|(_, v)| v.clone()),
            Attrs::Inline(d) => d
                .entry(hint as usize)
                .filter(|e| e.key.ptr_eq(name))
                .map(|e| e.value.clone()),
            Attrs::Dict(_) => None,
        },
    )
}

/// Whether neither the instance's class nor a base holds a property (see
/// [`types::lacks_properties`]).
#[cold]
fn class_lacks_properties(gil: &mut Gil<'_>, inst: &Obj<PyInstance>) -> bool {
    let cls = inst.get(gil).class.cloned(gil);
    let lacks = types::lacks_properties(gil, &cls);
    cls.into_any().release(gil);
    lacks
}

/// Where `name` sits in the instance's pairs or inline table, found by identity.
pub(crate) fn inline_pos(gil: &mut Gil<'_>, inst: &Obj<PyInstance>, name: &AnyObj) -> Option<u32> {
    let hash = ops::str_hash(gil, name)?;
    inst.get(gil).attrs.with(gil, |a| match a {
        Attrs::Pairs(pairs) => pairs
            .iter()
            .position(|(k, _)| k.ptr_eq(name))
            .and_then(|p| u32::try_from(p).ok()),
        Attrs::Inline(d) => match d.lookup(hash, name, &|_, _| None) {
            super::dict::Lookup::Found(p) => u32::try_from(p).ok(),
            _ => None,
        },
        Attrs::Dict(_) => None,
    })
}

/// `inst.__dict__`, materialising it.
pub fn instance_dict(gil: &mut Gil<'_>, vm: &Vm, inst: &Obj<PyInstance>) -> Obj<PyDict> {
    let existing = inst.get(gil).attrs.with(gil, |a| match a {
        Attrs::Dict(d) => Some(d.clone()),
        Attrs::Inline(_) | Attrs::Pairs(_) => None,
    });
    if let Some(d) = existing {
        return d;
    }
    pairs_to_table(gil, inst);
    let table = inst.get(gil).attrs.with_mut(gil, |a| match a {
        Attrs::Inline(d) => std::mem::take(&mut **d),
        // `pairs_to_table` left no pairs.
        Attrs::Dict(_) | Attrs::Pairs(_) => Dict::new(),
    });
    let d = Obj::new(
        gil,
        PyDict {
            table: GilCell::new(table),
        },
    );
    let holds_container = d.get(gil).table.with(gil, |t| {
        t.iter().any(|e| e.value.type_info().is_tracked_type())
    });
    if !holds_container {
        d.as_any().untrack(gil);
    }
    let _ = vm;
    note_table();
    let old = inst.get(gil).attrs.replace(gil, Attrs::Dict(d.clone()));
    drop(old);
    d
}

/// `o.name`.
pub fn getattr(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj, name: &AnyObj) -> PyResult<AnyObj> {
    match getattr_opt(gil, vm, o, name)? {
        Some(v) => Ok(v),
        None => {
            let n = str_payload(gil, name).unwrap_or("?").to_owned();
            if o.tag() == tag::INSTANCE
                && let Some(ga) = ops::special(gil, vm, o, "__getattr__")
            {
                return super::interp::call(gil, vm, &ga, vec![o.clone(), name.clone()], vec![]);
            }
            Err(attr_error(gil, vm, o, &n))
        }
    }
}

fn bind(gil: &mut Gil<'_>, vm: &Vm, attr: AnyObj, receiver: &AnyObj, cls: &Obj<PyType>) -> AnyObj {
    match attr.tag() {
        tag::FUNCTION => Obj::new(
            gil,
            PyMethod {
                func: attr,
                receiver: receiver.clone(),
            },
        )
        .into_any(),
        tag::BUILTIN
            if attr
                .downcast_ref::<PyBuiltin>()
                .is_some_and(|b| b.get(gil).is_method) =>
        {
            let func = attr.downcast::<PyBuiltin>().ok().unwrap();
            Obj::new(
                gil,
                PyBoundBuiltin {
                    func,
                    receiver: receiver.clone(),
                },
            )
            .into_any()
        }
        tag::WRAPPER => {
            let w = attr.downcast_ref::<PyWrapper>().unwrap().get(gil);
            if w.class_method {
                let f = w.func.clone();
                Obj::new(
                    gil,
                    PyMethod {
                        func: f,
                        receiver: cls.clone().into_any(),
                    },
                )
                .into_any()
            } else {
                w.func.clone()
            }
        }
        _ => {
            let _ = vm;
            attr
        }
    }
}

/// `o.name`, or `None` when there is no such attribute.
pub fn getattr_opt(
    gil: &mut Gil<'_>,
    vm: &Vm,
    o: &AnyObj,
    name: &AnyObj,
) -> PyResult<Option<AnyObj>> {
    let n: &str = str_payload(gil, name).unwrap_or("");
    if n == "__class__" {
        return Ok(Some(vm.type_of(gil, o).into_any()));
    }
    match o.tag() {
        tag::INSTANCE => {
            let inst = o.downcast_ref::<PyInstance>().unwrap().clone();
            if n == "__dict__" {
                return Ok(Some(instance_dict(gil, vm, &inst).into_any()));
            }
            // A property on the class comes before the instance's own attributes.
            if let Some(p) = property::on_class_of(gil, vm, o, name) {
                return property::access(gil, vm, &p, o, Access::Get, None).map(Some);
            }
            if let Some(v) = instance_get(gil, &inst, name) {
                return Ok(Some(v));
            }
            let cls = vm.type_of(gil, o);
            if let Some(v) = types::lookup_interned(gil, &cls, name) {
                return Ok(Some(bind(gil, vm, v, o, &cls)));
            }
            if cls.get(gil).layout == Layout::Exception {
                if n == "args" {
                    let a = vm.exc_args(gil, o);
                    return Ok(Some(vm.tuple(gil, a)));
                }
                // `StopIteration.value`: the first argument (set by its `__init__`).
                if n == "value" && types::is_subtype(gil, &cls, &vm.types.stop_iteration) {
                    let a = vm.exc_args(gil, o);
                    return Ok(Some(
                        a.into_iter().next().unwrap_or_else(|| vm.none.clone()),
                    ));
                }
                if let Some(data) = inst.get(gil).exc.as_deref() {
                    let v = match n {
                        "__cause__" => data.with(gil, |d| d.cause.clone()),
                        "__context__" => data.with(gil, |d| d.context.clone()),
                        "__suppress_context__" => {
                            let s = data.with(gil, |d| d.suppress_context);
                            return Ok(Some(vm.bool(s)));
                        }
                        _ => return Ok(None),
                    };
                    return Ok(Some(v.unwrap_or_else(|| vm.none.clone())));
                }
            }
            Ok(None)
        }
        tag::TYPE => {
            let t = o.clone().downcast::<PyType>().ok().unwrap();
            match n {
                "__name__" => return Ok(Some(t.get(gil).name.cloned(gil))),
                "__qualname__" => return Ok(Some(t.get(gil).qualname.cloned(gil))),
                "__mro__" => {
                    let m: Vec<AnyObj> = types::mro_of(gil, &t)
                        .into_iter()
                        .map(Obj::into_any)
                        .collect();
                    return Ok(Some(vm.tuple(gil, m)));
                }
                "__base__" => {
                    return Ok(Some(
                        t.get(gil)
                            .base
                            .clone()
                            .map_or_else(|| vm.none.clone(), Obj::into_any),
                    ));
                }
                "__bases__" => {
                    let b: Vec<AnyObj> =
                        t.get(gil).base.iter().cloned().map(Obj::into_any).collect();
                    return Ok(Some(vm.tuple(gil, b)));
                }
                "__dict__" => {
                    let items: Vec<(AnyObj, AnyObj)> = t.get(gil).dict.with(gil, |d| {
                        d.iter().map(|e| (e.key.clone(), e.value.clone())).collect()
                    });
                    let d = vm.dict(gil);
                    for (k, v) in items {
                        ops::dict_set(gil, vm, &d, k, v)?;
                    }
                    return Ok(Some(d.into_any()));
                }
                _ => {}
            }
            match types::lookup_interned(gil, &t, name) {
                Some(v) if v.tag() == tag::WRAPPER => Ok(Some(bind(gil, vm, v, o, &t))),
                Some(v) => Ok(Some(v)),
                None => Ok(None),
            }
        }
        tag::MODULE => {
            let m = o.downcast_ref::<PyModule>().unwrap().get(gil);
            let d = m.dict.clone();
            if n == "__dict__" {
                return Ok(Some(d.into_any()));
            }
            Ok(types::dict_get_interned(gil, &d.get(gil).table, name))
        }
        tag::FUNCTION => {
            let f = o.downcast_ref::<PyFunction>().unwrap().clone();
            match n {
                "__name__" => return Ok(Some(f.get(gil).name.cloned(gil))),
                "__qualname__" => return Ok(Some(f.get(gil).qualname.cloned(gil))),
                "__defaults__" => {
                    return Ok(Some(
                        f.get(gil)
                            .defaults
                            .cloned(gil)
                            .map_or_else(|| vm.none.clone(), Obj::into_any),
                    ));
                }
                "__kwdefaults__" => {
                    return Ok(Some(
                        f.get(gil)
                            .kwdefaults
                            .cloned(gil)
                            .map_or_else(|| vm.none.clone(), Obj::into_any),
                    ));
                }
                "__annotations__" => return super::annotations::get(gil, vm, &f).map(Some),
                "__code__" => return Ok(Some(f.get(gil).code.clone().into_any())),
                "__globals__" => return Ok(Some(f.get(gil).globals.clone().into_any())),
                "__closure__" => {
                    return Ok(Some(
                        f.get(gil)
                            .closure
                            .clone()
                            .map_or_else(|| vm.none.clone(), Obj::into_any),
                    ));
                }
                _ => {}
            }
            Ok(types::dict_get_interned(gil, &f.get(gil).attrs, name))
        }
        tag::METHOD => {
            let m = o.downcast_ref::<PyMethod>().unwrap().get(gil);
            match n {
                "__self__" => Ok(Some(m.receiver.clone())),
                "__func__" => Ok(Some(m.func.clone())),
                _ => {
                    let f = m.func.clone();
                    getattr_opt(gil, vm, &f, name)
                }
            }
        }
        tag::BUILTIN => {
            let b = o.downcast_ref::<PyBuiltin>().unwrap().get(gil);
            match n {
                "__name__" => Ok(Some(vm.str(gil, b.name))),
                "__qualname__" => {
                    let q = if b.owner.is_empty() || !b.is_method {
                        b.name.to_owned()
                    } else {
                        format!("{}.{}", b.owner, b.name)
                    };
                    Ok(Some(vm.str(gil, &q)))
                }
                _ => Ok(None),
            }
        }
        tag::BOUND_BUILTIN => {
            let b = o.downcast_ref::<PyBoundBuiltin>().unwrap().get(gil);
            match n {
                "__self__" => Ok(Some(b.receiver.clone())),
                "__name__" => Ok(Some(vm.str(gil, b.func.get(gil).name))),
                _ => Ok(None),
            }
        }
        tag::CELL if n == "cell_contents" => {
            let c = o
                .downcast_ref::<PyCell>()
                .unwrap()
                .get(gil)
                .value
                .cloned(gil);
            match c {
                Some(v) => Ok(Some(v)),
                None => Err(vm.value_error(gil, "Cell is empty")),
            }
        }
        tag::SUPER => super_getattr(gil, vm, o, name),
        tag::GENERATOR => {
            if let Some(v) = super::generator::attribute(gil, vm, o, n) {
                return Ok(Some(v));
            }
            let cls = vm.type_of(gil, o);
            Ok(types::lookup_interned(gil, &cls, name).map(|v| bind(gil, vm, v, o, &cls)))
        }
        tag::PROPERTY => {
            let p = o.clone().downcast::<PyProperty>().ok().unwrap();
            if let Some(v) = property::attribute(gil, vm, &p, n) {
                return Ok(Some(v));
            }
            let t = vm.type_of(gil, o);
            Ok(types::lookup_interned(gil, &t, name).map(|v| bind(gil, vm, v, o, &t)))
        }
        tag::NONE
        | tag::INT
        | tag::BOOL
        | tag::FLOAT
        | tag::STR
        | tag::LIST
        | tag::TUPLE
        | tag::DICT
        | tag::SET
        | tag::RANGE
        | tag::ITER
        | tag::SLICE => {
            if o.tag() == tag::SLICE {
                let s = o.downcast_ref::<PySlice>().unwrap().get(gil);
                match n {
                    "start" => return Ok(Some(s.start.clone())),
                    "stop" => return Ok(Some(s.stop.clone())),
                    "step" => return Ok(Some(s.step.clone())),
                    _ => {}
                }
            }
            if o.tag() == tag::RANGE {
                let r = o.downcast_ref::<PyRange>().unwrap().get(gil);
                let v = match n {
                    "start" => Some(r.start),
                    "stop" => Some(r.stop),
                    "step" => Some(r.step),
                    _ => None,
                };
                if let Some(v) = v {
                    return Ok(Some(vm.int(gil, v)));
                }
            }
            if o.tag() == tag::FLOAT && n == "real" {
                return Ok(Some(o.clone()));
            }
            let cls = vm.type_of(gil, o);
            Ok(types::lookup_interned(gil, &cls, name).map(|v| bind(gil, vm, v, o, &cls)))
        }
        _ => {
            if let Some(w) = o.downcast_ref::<WeakRef>() {
                if w.get(gil).kind() == WeakKind::Ref {
                    if n == "__callback__" {
                        return Ok(Some(
                            w.get(gil).callback(gil).unwrap_or_else(|| vm.none.clone()),
                        ));
                    }
                    return Ok(None);
                }
                let target = WeakRef::upgrade(w, gil);
                return match target {
                    Some(t) => getattr_opt(gil, vm, &t, name),
                    None => Err(super::modules::weakref::dead_proxy(gil, vm)),
                };
            }
            Ok(None)
        }
    }
}

fn super_getattr(
    gil: &mut Gil<'_>,
    vm: &Vm,
    o: &AnyObj,
    name: &AnyObj,
) -> PyResult<Option<AnyObj>> {
    let s = o.downcast_ref::<PySuper>().unwrap().get(gil);
    let (start, obj) = (s.class.clone(), s.obj.clone());
    let obj_cls = match obj.downcast_ref::<PyType>() {
        Some(t) => t.clone(),
        None => vm.type_of(gil, &obj),
    };
    let Some(v) = super_lookup(gil, &obj_cls, &start, name) else {
        return Ok(None);
    };
    if obj.tag() == tag::TYPE && v.tag() != tag::WRAPPER {
        return Ok(Some(v));
    }
    Ok(Some(bind(gil, vm, v, &obj, &obj_cls)))
}

/// For `LoadMethod` on a `super()` object bound to an instance: the plain function
/// `super().name` would bind, and the instance, so the call needs no bound-method object.
pub fn super_method(
    gil: &mut Gil<'_>,
    vm: &Vm,
    o: &AnyObj,
    name: &AnyObj,
) -> Option<(AnyObj, AnyObj)> {
    let s = o.downcast_ref::<PySuper>()?.get(gil);
    let (start, obj) = (s.class.clone(), s.obj.clone());
    if obj.tag() == tag::TYPE {
        return None;
    }
    let obj_cls = vm.type_of(gil, &obj);
    let v = super_lookup(gil, &obj_cls, &start, name)?;
    (v.tag() == tag::FUNCTION).then_some((v, obj))
}

/// `name` in the first class of `cls`'s MRO after `start` (nowhere if `start` is not in
/// it), as `super(start, obj)` looks it up.
fn super_lookup(
    gil: &mut Gil<'_>,
    cls: &Obj<PyType>,
    start: &Obj<PyType>,
    name: &AnyObj,
) -> Option<AnyObj> {
    let mro_len = cls.get(gil).mro.len();
    let first = if cls.ptr_eq(start) {
        1
    } else {
        cls.get(gil)
            .mro
            .iter()
            .position(|t| t.ptr_eq(start))
            .map_or(mro_len + 1, |p| p + 2)
    };
    // Position 0 is `cls` itself, position `i > 0` is `mro[i - 1]`.
    for i in first..=mro_len {
        let t = if i == 0 {
            cls.clone()
        } else {
            cls.get(gil).mro[i - 1].clone()
        };
        if let Some(v) = types::dict_get_interned(gil, &t.get(gil).dict, name) {
            return Some(v);
        }
    }
    None
}

/// For `LoadMethod`: the function to call with `o` as first argument, when `name` is a plain
/// method found on the type (not shadowed by an instance attribute).
pub fn lookup_method(
    gil: &mut Gil<'_>,
    vm: &Vm,
    o: &AnyObj,
    name: &AnyObj,
    site: &Cell<types::LookupSlot>,
) -> PyResult<Option<AnyObj>> {
    let cls = match o.tag() {
        tag::INSTANCE => {
            let inst = o.downcast_ref::<PyInstance>().unwrap();
            if instance_get(gil, inst, name).is_some() {
                return Ok(None);
            }
            inst.get(gil).class.cloned(gil)
        }
        tag::STR
        | tag::LIST
        | tag::DICT
        | tag::SET
        | tag::TUPLE
        | tag::INT
        | tag::FLOAT
        | tag::GENERATOR => vm.type_of(gil, o),
        _ => return Ok(None),
    };
    let found = if name.is_immortal(gil) {
        types::lookup_through(gil, &cls, name, site)
    } else {
        types::lookup_interned(gil, &cls, name)
    };
    Ok(found.filter(|v| {
        (v.tag() == tag::FUNCTION && o.tag() == tag::INSTANCE)
            || v.downcast_ref::<PyBuiltin>()
                .is_some_and(|b| b.get(gil).is_method)
    }))
}

/// `object.__setattr__(o, name, value)`: the store without the class's `__setattr__`
/// hook (a property on the class still takes it).
pub fn store_generic(
    gil: &mut Gil<'_>,
    vm: &Vm,
    o: &AnyObj,
    name: &AnyObj,
    value: AnyObj,
) -> PyResult<()> {
    let Some(inst) = o.downcast_ref::<PyInstance>() else {
        return setattr(gil, vm, o, name, value);
    };
    if str_payload(gil, name) == Some("__class__") {
        if let Ok(t) = value.downcast::<PyType>() {
            let old = inst.get(gil).class.replace(gil, t);
            drop(old);
            return Ok(());
        }
        return Err(vm.type_error(gil, "__class__ must be set to a class"));
    }
    if let Some(p) = property::on_class_of(gil, vm, o, name) {
        property::access(gil, vm, &p, o, Access::Set, Some(value))?;
        return Ok(());
    }
    let d = inst.get(gil).attrs.with(gil, |a| match a {
        Attrs::Dict(d) => Some(d.clone()),
        Attrs::Inline(_) | Attrs::Pairs(_) => None,
    });
    match d {
        Some(d) => ops::dict_set(gil, vm, &d, name.clone(), value),
        None => {
            inline_set(gil, inst, name.clone(), value);
            Ok(())
        }
    }
}

/// `o.name = value`.
pub fn setattr(
    gil: &mut Gil<'_>,
    vm: &Vm,
    o: &AnyObj,
    name: &AnyObj,
    value: AnyObj,
) -> PyResult<()> {
    match o.tag() {
        tag::INSTANCE => {
            let cls = vm.type_of(gil, o);
            if let Some(sa) = types::lookup_interned(gil, &cls, &vm.names.setattr)
                && !types::is_object_slot(gil, &sa)
            {
                super::interp::call(gil, vm, &sa, vec![o.clone(), name.clone(), value], vec![])?;
                return Ok(());
            }
            store_generic(gil, vm, o, name, value)
        }
        tag::TYPE => {
            let t = o.downcast_ref::<PyType>().unwrap();
            if !t.get(gil).heap_type {
                let n = type_name(gil, t);
                return Err(vm.type_error(
                    gil,
                    &format!(
                        "cannot set '{}' attribute of immutable type '{n}'",
                        str_payload(gil, name).unwrap_or("?")
                    ),
                ));
            }
            let n: &str = str_payload(gil, name).unwrap_or("");
            types::set_type_attr(gil, vm, t, n, value);
            Ok(())
        }
        tag::FUNCTION => {
            let f = o.downcast_ref::<PyFunction>().unwrap();
            let n: &str = str_payload(gil, name).unwrap_or("");
            match n {
                "__name__" => f.get(gil).name.set(gil, value),
                "__qualname__" => f.get(gil).qualname.set(gil, value),
                "__defaults__" => f
                    .get(gil)
                    .defaults
                    .set(gil, value.downcast::<PyTuple>().ok()),
                "__annotations__" => super::annotations::set(gil, vm, f, value)?,
                "__kwdefaults__" => {
                    let d = if value.tag() == tag::NONE {
                        None
                    } else {
                        Some(value.downcast::<PyDict>().map_err(|_| {
                            vm.type_error(gil, "__kwdefaults__ must be set to a dict object")
                        })?)
                    };
                    f.get(gil).kwdefaults.set(gil, d);
                }
                _ => types::dict_set_key(gil, &f.get(gil).attrs, name.clone(), value),
            }
            Ok(())
        }
        tag::MODULE => {
            let d = o.downcast_ref::<PyModule>().unwrap().get(gil).dict.clone();
            ops::dict_set(gil, vm, &d, name.clone(), value)
        }
        _ => {
            if let Some(w) = o.downcast_ref::<WeakRef>()
                && w.get(gil).kind() == WeakKind::Proxy
            {
                return match WeakRef::upgrade(w, gil) {
                    Some(t) => setattr(gil, vm, &t, name, value),
                    None => Err(super::modules::weakref::dead_proxy(gil, vm)),
                };
            }
            let n = str_payload(gil, name).unwrap_or("?").to_owned();
            let t = vm.type_of(gil, o);
            let tn = type_name(gil, &t);
            let has = types::lookup(gil, vm, &t, &n).is_some();
            Err(vm.attribute_error(
                gil,
                &if has {
                    format!("'{tn}' object attribute '{n}' is read-only")
                } else {
                    format!("'{tn}' object has no attribute '{n}'")
                },
            ))
        }
    }
}

fn inline_set(gil: &mut Gil<'_>, inst: &Obj<PyInstance>, name: AnyObj, value: AnyObj) {
    let Some(value) = pairs_set(gil, inst, &name, value) else {
        return;
    };
    let Some(hash) = ops::str_hash(gil, &name) else {
        return;
    };
    let pos = inst.get(gil).attrs.with(gil, |a| match a {
        Attrs::Inline(d) => match d.lookup(hash, &name, &|_, _| None) {
            super::dict::Lookup::Found(p) => Ok(Some(p)),
            super::dict::Lookup::Missing => Ok(None),
            super::dict::Lookup::Undecided(_) => Err(()),
        },
        // `pairs_set` left no pairs.
        Attrs::Dict(_) | Attrs::Pairs(_) => Ok(None),
    });
    let pos = match pos {
        Ok(p) => p,
        Err(_) => {
            let cands: Vec<(usize, AnyObj)> = inst.get(gil).attrs.with(gil, |a| match a {
                Attrs::Inline(d) => (0..d.entries_len())
                    .filter_map(|p| {
                        d.entry(p)
                            .filter(|e| e.hash == hash)
                            .map(|e| (p, e.key.clone()))
                    })
                    .collect(),
                Attrs::Dict(_) | Attrs::Pairs(_) => Vec::new(),
            });
            cands
                .into_iter()
                .find(|(_, k)| str_payload(gil, k) == str_payload(gil, &name))
                .map(|(p, _)| p)
        }
    };
    let old = inst.get(gil).attrs.with_mut(gil, |a| match a {
        Attrs::Inline(d) => match pos {
            Some(p) => d.replace_value(p, value),
            None => {
                d.insert_new(hash, name, value);
                None
            }
        },
        Attrs::Dict(_) | Attrs::Pairs(_) => None,
    });
    drop(old);
}

/// `LOAD_METHOD`'s quick path for an instance that keeps pairs (CPython 3.11's
/// `LOAD_METHOD_WITH_VALUES`): the function `name` names on the class, when the instance
/// does not shadow it (pairs hold interned names only, so identity decides) and the class
/// lookup hits the site's cache entry or the shared cache. `None`: take the general path.
pub(crate) fn instance_method_quick(
    gil: &mut Gil<'_>,
    inst: &Obj<PyInstance>,
    name: &AnyObj,
    site: &Cell<types::LookupSlot>,
) -> Option<AnyObj> {
    if !name.is_immortal(gil) {
        return None;
    }
    // A name no pair ever had is not among this instance's pairs; and while no instance has
    // left pairs, the instance keeps pairs and need not be read at all.
    let may_shadow = may_name_pair(name);
    let shadowed = (may_shadow || TABLES_MADE.with(Cell::get))
        && inst.get(gil).attrs.with(gil, |a| match a {
            Attrs::Pairs(pairs) => may_shadow && pairs.iter().any(|(k, _)| k.ptr_eq(name)),
            Attrs::Inline(_) | Attrs::Dict(_) => true,
        });
    if shadowed {
        return None;
    }
    let cls = inst.get(gil).class.cloned(gil);
    let found = types::lookup_through(gil, &cls, name, site);
    // The class was only looked through: give its reference back without `Drop`'s check
    // that this thread holds the GIL (the token proves it).
    cls.into_any().release(gil);
    found.filter(|v| v.tag() == tag::FUNCTION)
}

/// `STORE_ATTR`'s quick path for an instance that keeps pairs, whose class has no
/// `__setattr__`: the value replaces the pair of the same interned name, or joins the pairs
/// while they have room. Gives the value back when the general path must run.
pub(crate) fn store_quick(
    gil: &mut Gil<'_>,
    vm: &Vm,
    inst: &Obj<PyInstance>,
    name: &AnyObj,
    value: AnyObj,
) -> Result<(), AnyObj> {
    if !name.is_immortal(gil) || name.ptr_eq(&vm.names.class) {
        return Err(value);
    }
    let cls = inst.get(gil).class.cloned(gil);
    if !types::lacks_setattr(gil, vm, &cls)
        || !(property::none_made() || types::lacks_properties(gil, &cls))
    {
        return Err(value);
    }
    // The common store replaces the value of a pair already there, in place.
    let replaced = inst.get(gil).attrs.with_mut(gil, |a| {
        // Found by a shared scan (a tighter loop than `iter_mut`'s), then replaced.
        if let Attrs::Pairs(pairs) = a
            && let Some(i) = pairs.iter().position(|(k, _)| k.ptr_eq(name))
        {
            return Ok(std::mem::replace(&mut pairs[i].1, value));
        }
        Err(value)
    });
    let value = match replaced {
        // The old value is released after the instance is no longer borrowed, with the
        // token (no check that this thread holds the GIL).
        Ok(old) => {
            old.release(gil);
            return Ok(());
        }
        Err(value) => value,
    };
    // A new pair, or not pairs, or no room left (the pairs are then a table, and the general
    // path stores it).
    match pairs_set(gil, inst, name, value) {
        None => Ok(()),
        Some(value) => Err(value),
    }
}

/// Stores `name = value` in an instance that keeps pairs, if the pairs can hold it; gives
/// the value back otherwise (having moved the pairs into a table if there were any).
fn pairs_set(
    gil: &mut Gil<'_>,
    inst: &Obj<PyInstance>,
    name: &AnyObj,
    value: AnyObj,
) -> Option<AnyObj> {
    let interned = name.is_immortal(gil);
    enum Done {
        NotPairs(AnyObj),
        Replaced(AnyObj),
        Added,
        Overflow(AnyObj),
    }
    let done = inst.get(gil).attrs.with_mut(gil, |a| match a {
        Attrs::Pairs(pairs) => match pairs.iter().position(|(k, _)| k.ptr_eq(name)) {
            Some(i) => Done::Replaced(std::mem::replace(&mut pairs[i].1, value)),
            None if interned && pairs.len() < MAX_PAIRS => {
                note_pair_name(name);
                pairs.push((name.clone(), value));
                Done::Added
            }
            None => Done::Overflow(value),
        },
        _ => Done::NotPairs(value),
    });
    match done {
        Done::NotPairs(value) => Some(value),
        // The old value is released after the instance is no longer borrowed.
        Done::Replaced(old) => {
            drop(old);
            None
        }
        Done::Added => None,
        Done::Overflow(value) => {
            pairs_to_table(gil, inst);
            Some(value)
        }
    }
}

/// `del o.name`.
pub fn delattr(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj, name: &AnyObj) -> PyResult<()> {
    let n: &str = str_payload(gil, name).unwrap_or("");
    match o.tag() {
        tag::INSTANCE => {
            if let Some(p) = property::on_class_of(gil, vm, o, name) {
                property::access(gil, vm, &p, o, Access::Delete, None)?;
                return Ok(());
            }
            let inst = o.downcast_ref::<PyInstance>().unwrap().clone();
            pairs_to_table(gil, &inst);
            let d = instance_dict_if_any(gil, &inst);
            let removed = match d {
                Some(d) => ops::dict_del(gil, vm, &d, name)?,
                None => {
                    let hash = ops::str_hash(gil, name).unwrap_or(0);
                    let cands: Vec<(usize, AnyObj)> = inst.get(gil).attrs.with(gil, |a| match a {
                        Attrs::Inline(d) => (0..d.entries_len())
                            .filter_map(|p| {
                                d.entry(p)
                                    .filter(|e| e.hash == hash)
                                    .map(|e| (p, e.key.clone()))
                            })
                            .collect(),
                        Attrs::Dict(_) | Attrs::Pairs(_) => Vec::new(),
                    });
                    let pos = cands
                        .into_iter()
                        .find(|(_, k)| str_payload(gil, k) == Some(n))
                        .map(|(p, _)| p);
                    match pos {
                        Some(p) => {
                            let e = inst.get(gil).attrs.with_mut(gil, |a| match a {
                                Attrs::Inline(d) => d.remove_at(p),
                                Attrs::Dict(_) | Attrs::Pairs(_) => None,
                            });
                            drop(e);
                            true
                        }
                        None => false,
                    }
                }
            };
            if removed {
                Ok(())
            } else {
                Err(attr_error(gil, vm, o, n))
            }
        }
        tag::TYPE => {
            let t = o.downcast_ref::<PyType>().unwrap();
            if types::dict_del_str(gil, vm, &t.get(gil).dict, n) {
                Ok(())
            } else {
                Err(attr_error(gil, vm, o, n))
            }
        }
        tag::FUNCTION => {
            let f = o.downcast_ref::<PyFunction>().unwrap();
            // Deleting `__annotations__` never fails (CPython sets them to NULL).
            if types::dict_del_str(gil, vm, &f.get(gil).attrs, n) || n == "__annotations__" {
                Ok(())
            } else {
                Err(attr_error(gil, vm, o, n))
            }
        }
        _ => {
            if let Some(w) = o.downcast_ref::<WeakRef>()
                && w.get(gil).kind() == WeakKind::Proxy
            {
                return match WeakRef::upgrade(w, gil) {
                    Some(t) => delattr(gil, vm, &t, name),
                    None => Err(super::modules::weakref::dead_proxy(gil, vm)),
                };
            }
            Err(attr_error(gil, vm, o, n))
        }
    }
}

fn instance_dict_if_any(gil: &mut Gil<'_>, inst: &Obj<PyInstance>) -> Option<Obj<PyDict>> {
    inst.get(gil).attrs.with(gil, |a| match a {
        Attrs::Dict(d) => Some(d.clone()),
        Attrs::Inline(_) | Attrs::Pairs(_) => None,
    })
}

/// Resolves a (possibly negative) index against `len`. `what` names the access in the
/// `IndexError` ("list assignment index out of range"); the `TypeError` names the type only
/// ("list indices must be integers or slices"), as CPython's do.
fn index(gil: &mut Gil<'_>, vm: &Vm, k: &AnyObj, len: usize, what: &str) -> PyResult<usize> {
    let Some(i) = ops::int_payload(gil, k) else {
        let t = vm.type_of(gil, k);
        let owner = what.strip_suffix(" assignment").unwrap_or(what);
        return Err(vm.type_error(
            gil,
            &format!(
                "{owner} indices must be integers or slices, not {}",
                type_name(gil, &t)
            ),
        ));
    };
    let j = if i < 0 { i + len as i64 } else { i };
    if j < 0 || j >= len as i64 {
        return Err(vm.index_error(gil, &format!("{what} index out of range")));
    }
    Ok(j as usize)
}

/// `(start, stop, step)` of a slice against a sequence of `len` items, CPython's clamping.
pub fn slice_indices(
    gil: &mut Gil<'_>,
    vm: &Vm,
    s: &Obj<PySlice>,
    len: usize,
) -> PyResult<(i64, i64, i64)> {
    let sl = s.get(gil);
    let get = |gil: &mut Gil<'_>, o: &AnyObj| -> PyResult<Option<i64>> {
        if o.tag() == tag::NONE {
            return Ok(None);
        }
        match ops::int_payload(gil, o) {
            Some(v) => Ok(Some(v)),
            None => Err(vm.type_error(
                gil,
                "slice indices must be integers or None or have an __index__ method",
            )),
        }
    };
    let (a, b, c) = (sl.start.clone(), sl.stop.clone(), sl.step.clone());
    let step = get(gil, &c)?.unwrap_or(1);
    if step == 0 {
        return Err(vm.value_error(gil, "slice step cannot be zero"));
    }
    let len = len as i64;
    let clamp = |v: Option<i64>, def: i64| -> i64 {
        match v {
            None => def,
            Some(v) if v < 0 => {
                let v = v + len;
                if v < 0 {
                    if step < 0 { -1 } else { 0 }
                } else {
                    v
                }
            }
            Some(v) if v >= len => {
                if step < 0 {
                    len - 1
                } else {
                    len
                }
            }
            Some(v) => v,
        }
    };
    let start = clamp(get(gil, &a)?, if step < 0 { len - 1 } else { 0 });
    let stop = clamp(get(gil, &b)?, if step < 0 { -1 } else { len });
    Ok((start, stop, step))
}

fn slice_positions(start: i64, stop: i64, step: i64) -> Vec<usize> {
    let mut v = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        v.push(i as usize);
        i += step;
    }
    v
}

/// `o[k]`.
pub fn getitem(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj, k: &AnyObj) -> PyResult<AnyObj> {
    match o.tag() {
        tag::LIST | tag::TUPLE | tag::STR => {
            let what = match o.tag() {
                tag::LIST => "list",
                tag::TUPLE => "tuple",
                _ => "string",
            };
            if let Some(s) = k.downcast_ref::<PySlice>() {
                if o.tag() == tag::STR {
                    let chars: Vec<char> = str_payload(gil, o).unwrap().chars().collect();
                    let (a, b, c) = slice_indices(gil, vm, s, chars.len())?;
                    let r: String = slice_positions(a, b, c)
                        .into_iter()
                        .map(|i| chars[i])
                        .collect();
                    return Ok(vm.str(gil, &r));
                }
                let items = ops::seq_items(gil, o).unwrap_or_default();
                let (a, b, c) = slice_indices(gil, vm, s, items.len())?;
                let r: Vec<AnyObj> = slice_positions(a, b, c)
                    .into_iter()
                    .map(|i| items[i].clone())
                    .collect();
                return Ok(if o.tag() == tag::LIST {
                    vm.list(gil, r)
                } else {
                    vm.tuple(gil, r)
                });
            }
            if o.tag() == tag::STR {
                let s = str_payload(gil, o).unwrap();
                let n = o.downcast_ref::<PyStr>().unwrap().get(gil).chars;
                let i = index(gil, vm, k, n, what)?;
                let c = if s.is_ascii() {
                    s[i..i + 1].to_owned()
                } else {
                    s.chars().nth(i).map(String::from).unwrap_or_default()
                };
                return Ok(vm.str(gil, &c));
            }
            if o.tag() == tag::TUPLE {
                let t = o.downcast_ref::<PyTuple>().unwrap().clone();
                let n = t.get(gil).items.len();
                let i = index(gil, vm, k, n, what)?;
                return Ok(t.get(gil).items[i].clone());
            }
            let l = o.downcast_ref::<PyList>().unwrap().clone();
            let n = l.get(gil).items.with(gil, |v| v.len());
            let i = index(gil, vm, k, n, what)?;
            Ok(l.get(gil).items.with(gil, |v| v[i].clone()))
        }
        tag::DICT => match ops::dict_get(gil, vm, o, k)? {
            Some(v) => Ok(v),
            None => Err(vm.key_error(gil, k.clone())),
        },
        tag::RANGE => {
            let r = o.downcast_ref::<PyRange>().unwrap().get(gil);
            let (start, step, n) = (r.start, r.step, r.len());
            let i = index(gil, vm, k, n as usize, "range object")?;
            Ok(vm.int(gil, start + step * i as i64))
        }
        tag::INSTANCE => {
            if let Some(r) = ops::call_special(gil, vm, o, "__getitem__", vec![k.clone()])? {
                return Ok(r);
            }
            if let Some(l) = ops::instance_list(gil, o) {
                let items = l.with(gil, |v| v.clone());
                let tmp = vm.list(gil, items);
                return getitem(gil, vm, &tmp, k);
            }
            let t = vm.type_of(gil, o);
            Err(vm.type_error(
                gil,
                &format!("'{}' object is not subscriptable", type_name(gil, &t)),
            ))
        }
        _ => {
            if let Some(w) = o.downcast_ref::<WeakRef>()
                && w.get(gil).kind() == WeakKind::Proxy
            {
                return match WeakRef::upgrade(w, gil) {
                    Some(t) => getitem(gil, vm, &t, k),
                    None => Err(super::modules::weakref::dead_proxy(gil, vm)),
                };
            }
            let t = vm.type_of(gil, o);
            Err(vm.type_error(
                gil,
                &format!("'{}' object is not subscriptable", type_name(gil, &t)),
            ))
        }
    }
}

/// `o[k] = v`.
pub fn setitem(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj, k: AnyObj, v: AnyObj) -> PyResult<()> {
    match o.tag() {
        tag::LIST => {
            let l = o.downcast_ref::<PyList>().unwrap().clone();
            if let Some(s) = k.downcast_ref::<PySlice>() {
                return set_list_slice(gil, vm, &l, s, &v);
            }
            let n = l.get(gil).items.with(gil, |x| x.len());
            let i = index(gil, vm, &k, n, "list assignment")?;
            let old = l
                .get(gil)
                .items
                .with_mut(gil, |x| std::mem::replace(&mut x[i], v));
            drop(old);
            Ok(())
        }
        tag::DICT => {
            let d = o.downcast_ref::<PyDict>().unwrap().clone();
            ops::dict_set(gil, vm, &d, k, v)
        }
        tag::INSTANCE => {
            if ops::call_special(gil, vm, o, "__setitem__", vec![k.clone(), v.clone()])?.is_some() {
                return Ok(());
            }
            if let Some(l) = ops::instance_list(gil, o) {
                let n = l.with(gil, |x| x.len());
                let i = index(gil, vm, &k, n, "list assignment")?;
                let old = l.with_mut(gil, |x| std::mem::replace(&mut x[i], v));
                drop(old);
                return Ok(());
            }
            let t = vm.type_of(gil, o);
            Err(vm.type_error(
                gil,
                &format!(
                    "'{}' object does not support item assignment",
                    type_name(gil, &t)
                ),
            ))
        }
        _ => {
            let t = vm.type_of(gil, o);
            Err(vm.type_error(
                gil,
                &format!(
                    "'{}' object does not support item assignment",
                    type_name(gil, &t)
                ),
            ))
        }
    }
}

/// `l[a:b] = v` and `l[a:b:c] = v`: a simple slice is replaced by any number of items, an
/// extended one item for item. The items are read before the list changes, so
/// `l[:] = l` works.
fn set_list_slice(
    gil: &mut Gil<'_>,
    vm: &Vm,
    l: &Obj<PyList>,
    s: &Obj<PySlice>,
    v: &AnyObj,
) -> PyResult<()> {
    let Ok(items) = ops::try_iterate(gil, vm, v)? else {
        return Err(vm.type_error(gil, "can only assign an iterable"));
    };
    let n = l.get(gil).items.with(gil, |x| x.len());
    let (start, stop, step) = slice_indices(gil, vm, s, n)?;
    let old: Vec<AnyObj> = if step == 1 {
        let (a, b) = (start as usize, stop.max(start) as usize);
        l.get(gil)
            .items
            .with_mut(gil, |x| x.splice(a..b, items).collect())
    } else {
        let pos = slice_positions(start, stop, step);
        if pos.len() != items.len() {
            return Err(vm.value_error(
                gil,
                &format!(
                    "attempt to assign sequence of size {} to extended slice of size {}",
                    items.len(),
                    pos.len()
                ),
            ));
        }
        l.get(gil).items.with_mut(gil, |x| {
            pos.iter()
                .zip(items)
                .map(|(&p, item)| std::mem::replace(&mut x[p], item))
                .collect()
        })
    };
    // The replaced items are released after the list is no longer borrowed.
    drop(old);
    Ok(())
}

/// `del o[k]`.
pub fn delitem(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj, k: &AnyObj) -> PyResult<()> {
    match o.tag() {
        tag::LIST => {
            let l = o.downcast_ref::<PyList>().unwrap().clone();
            let n = l.get(gil).items.with(gil, |x| x.len());
            if let Some(s) = k.downcast_ref::<PySlice>() {
                let (a, b, c) = slice_indices(gil, vm, s, n)?;
                let mut pos = slice_positions(a, b, c);
                pos.sort_unstable();
                let removed = l.get(gil).items.with_mut(gil, |x| {
                    pos.iter().rev().map(|&p| x.remove(p)).collect::<Vec<_>>()
                });
                drop(removed);
                return Ok(());
            }
            let i = index(gil, vm, k, n, "list assignment")?;
            let old = l.get(gil).items.with_mut(gil, |x| x.remove(i));
            drop(old);
            Ok(())
        }
        tag::DICT => {
            let d = o.downcast_ref::<PyDict>().unwrap().clone();
            if ops::dict_del(gil, vm, &d, k)? {
                Ok(())
            } else {
                Err(vm.key_error(gil, k.clone()))
            }
        }
        tag::INSTANCE => {
            if ops::call_special(gil, vm, o, "__delitem__", vec![k.clone()])?.is_some() {
                return Ok(());
            }
            let t = vm.type_of(gil, o);
            Err(vm.type_error(
                gil,
                &format!(
                    "'{}' object doesn't support item deletion",
                    type_name(gil, &t)
                ),
            ))
        }
        _ => {
            let t = vm.type_of(gil, o);
            Err(vm.type_error(
                gil,
                &format!(
                    "'{}' object doesn't support item deletion",
                    type_name(gil, &t)
                ),
            ))
        }
    }
}

/// `x in o`.
pub fn contains(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj, x: &AnyObj) -> PyResult<bool> {
    match o.tag() {
        tag::DICT => Ok(ops::dict_get(gil, vm, o, x)?.is_some()),
        tag::SET => match super::set_ops::as_set(o) {
            Some(s) => super::set_ops::contains(gil, vm, &s, x),
            None => Ok(false),
        },
        tag::STR => match str_payload(gil, x) {
            Some(needle) => Ok(str_payload(gil, o).unwrap().contains(needle)),
            None => {
                let t = vm.type_of(gil, x);
                Err(vm.type_error(
                    gil,
                    &format!(
                        "'in <string>' requires string as left operand, not {}",
                        type_name(gil, &t)
                    ),
                ))
            }
        },
        tag::RANGE => {
            let r = o.downcast_ref::<PyRange>().unwrap().get(gil);
            let (start, stop, step) = (r.start, r.stop, r.step);
            Ok(match ops::int_payload(gil, x) {
                Some(v) => {
                    let inside = if step > 0 {
                        v >= start && v < stop
                    } else {
                        v <= start && v > stop
                    };
                    inside && (v - start) % step == 0
                }
                None => false,
            })
        }
        tag::INSTANCE if ops::special(gil, vm, o, "__contains__").is_some() => {
            let r = ops::call_special(gil, vm, o, "__contains__", vec![x.clone()])?.unwrap();
            ops::truthy(gil, vm, &r)
        }
        _ => {
            let items = ops::iterate(gil, vm, o)?;
            for i in &items {
                if i.ptr_eq(x) || ops::eq(gil, vm, i, x)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
    }
}
