//! Classes: the builtin type objects, `type(x)`, subclass checks and attribute lookup.
//!
//! A class is a [`PyType`] whose namespace is a [`Dict`] keyed by (interned) strs; `__mro__`
//! is stored flattened (single inheritance makes it the chain of bases). Attribute lookup on
//! an instance follows CPython's order for the subset: instance attributes, then the class
//! chain, where a function found on the class becomes a bound method. Builtin types keep
//! their methods as [`PyBuiltin`] method descriptors in their namespace, so `[].append` and
//! `list.append` work like CPython's.

use std::cell::Cell;

use heap::{AnyObj, Gil, GilCell, Obj, WeakKind, WeakRef};

use super::dict::{Dict, Lookup};
use super::object::*;
use super::{PyResult, Vm, ops};

/// The builtin classes.
pub struct Types {
    /// `object`.
    pub object: Obj<PyType>,
    /// `type`.
    pub type_: Obj<PyType>,
    /// `int`.
    pub int: Obj<PyType>,
    /// `bool`.
    pub bool_: Obj<PyType>,
    /// `float`.
    pub float: Obj<PyType>,
    /// `str`.
    pub str_: Obj<PyType>,
    /// `list`.
    pub list: Obj<PyType>,
    /// `tuple`.
    pub tuple: Obj<PyType>,
    /// `dict`.
    pub dict: Obj<PyType>,
    /// `set`.
    pub set: Obj<PyType>,
    /// `frozenset`.
    pub frozenset: Obj<PyType>,
    /// `range`.
    pub range: Obj<PyType>,
    /// `slice`.
    pub slice: Obj<PyType>,
    /// `NoneType`.
    pub none: Obj<PyType>,
    /// `function`.
    pub function: Obj<PyType>,
    /// `builtin_function_or_method`.
    pub builtin: Obj<PyType>,
    /// `method`.
    pub method: Obj<PyType>,
    /// `cell`.
    pub cell: Obj<PyType>,
    /// `code`.
    pub code: Obj<PyType>,
    /// `module`.
    pub module: Obj<PyType>,
    /// Iterators.
    pub iterator: Obj<PyType>,
    /// `super`.
    pub super_: Obj<PyType>,
    /// `classmethod`.
    pub classmethod: Obj<PyType>,
    /// `staticmethod`.
    pub staticmethod: Obj<PyType>,
    /// `property`.
    pub property: Obj<PyType>,
    /// `weakref.ReferenceType`.
    pub weakref: Obj<PyType>,
    /// `weakref.ProxyType`.
    pub weakproxy: Obj<PyType>,
    /// `weakref.CallableProxyType`.
    pub weakcallableproxy: Obj<PyType>,
    /// `BaseException`.
    pub base_exception: Obj<PyType>,
    /// `Exception`.
    pub exception: Obj<PyType>,
    /// `TypeError`.
    pub type_error: Obj<PyType>,
    /// `ValueError`.
    pub value_error: Obj<PyType>,
    /// `LookupError`.
    pub lookup_error: Obj<PyType>,
    /// `IndexError`.
    pub index_error: Obj<PyType>,
    /// `KeyError`.
    pub key_error: Obj<PyType>,
    /// `AttributeError`.
    pub attribute_error: Obj<PyType>,
    /// `NameError`.
    pub name_error: Obj<PyType>,
    /// `UnboundLocalError`.
    pub unbound_local_error: Obj<PyType>,
    /// `ArithmeticError`.
    pub arithmetic_error: Obj<PyType>,
    /// `ZeroDivisionError`.
    pub zero_division_error: Obj<PyType>,
    /// `OverflowError`.
    pub overflow_error: Obj<PyType>,
    /// `RuntimeError`.
    pub runtime_error: Obj<PyType>,
    /// `RecursionError`.
    pub recursion_error: Obj<PyType>,
    /// `NotImplementedError`.
    pub not_implemented_error: Obj<PyType>,
    /// `ReferenceError`.
    pub reference_error: Obj<PyType>,
    /// `AssertionError`.
    pub assertion_error: Obj<PyType>,
    /// `StopIteration`.
    pub stop_iteration: Obj<PyType>,
    /// `GeneratorExit`.
    pub generator_exit: Obj<PyType>,
    /// `generator` (not a builtin name).
    pub generator: Obj<PyType>,
    /// `MemoryError`.
    pub memory_error: Obj<PyType>,
    /// `ImportError`.
    pub import_error: Obj<PyType>,
    /// `SystemExit`.
    pub system_exit: Obj<PyType>,
    /// `KeyboardInterrupt`.
    pub keyboard_interrupt: Obj<PyType>,
    /// `SyntaxError`.
    pub syntax_error: Obj<PyType>,
}

fn make(
    gil: &Gil<'_>,
    name: &str,
    base: Option<&Obj<PyType>>,
    layout: Layout,
    builtin_tag: u32,
) -> Obj<PyType> {
    let mut mro = Vec::new();
    if let Some(b) = base {
        mro.push(b.clone());
        mro.extend(b.get(gil).mro.iter().cloned());
    }
    let name_obj = Obj::new_immortal(gil, PyStr::new(name)).into_any();
    Obj::new_immortal(
        gil,
        PyType {
            name: GilCell::new(name_obj.clone()),
            qualname: GilCell::new(name_obj),
            base: base.cloned(),
            mro: mro.into_boxed_slice(),
            dict: GilCell::new(Dict::new()),
            layout,
            builtin_tag,
            has_del: std::cell::Cell::new(false),
            has_call: std::cell::Cell::new(false),
            no_setattr_epoch: std::cell::Cell::new(0),
            no_truth_epoch: std::cell::Cell::new(0),
            no_property_epoch: std::cell::Cell::new(0),
            heap_type: false,
        },
    )
}

impl Types {
    /// Creates the builtin classes (their namespaces are filled by [`fill`]).
    pub fn new(gil: &Gil<'_>) -> Types {
        let object = make(gil, "object", None, Layout::Instance, 0);
        let o = Some(&object);
        let b = |name: &str, tag: u32| make(gil, name, o, Layout::Builtin, tag);
        let int = b("int", tag::INT);
        let bool_ = make(gil, "bool", Some(&int), Layout::Builtin, tag::BOOL);
        let base_exception = make(gil, "BaseException", o, Layout::Exception, 0);
        let e = |name: &str, base: &Obj<PyType>| make(gil, name, Some(base), Layout::Exception, 0);
        let exception = e("Exception", &base_exception);
        let lookup_error = e("LookupError", &exception);
        let arithmetic_error = e("ArithmeticError", &exception);
        let runtime_error = e("RuntimeError", &exception);
        let name_error = e("NameError", &exception);
        Types {
            type_: b("type", tag::TYPE),
            int,
            bool_,
            float: b("float", tag::FLOAT),
            str_: b("str", tag::STR),
            list: make(gil, "list", o, Layout::List, tag::LIST),
            tuple: b("tuple", tag::TUPLE),
            dict: b("dict", tag::DICT),
            set: b("set", tag::SET),
            frozenset: b("frozenset", tag::SET),
            range: b("range", tag::RANGE),
            slice: b("slice", tag::SLICE),
            none: b("NoneType", tag::NONE),
            function: b("function", tag::FUNCTION),
            builtin: b("builtin_function_or_method", tag::BUILTIN),
            method: b("method", tag::METHOD),
            cell: b("cell", tag::CELL),
            code: b("code", tag::CODE),
            module: b("module", tag::MODULE),
            iterator: b("iterator", tag::ITER),
            super_: b("super", tag::SUPER),
            classmethod: b("classmethod", tag::WRAPPER),
            staticmethod: b("staticmethod", tag::WRAPPER),
            property: b("property", tag::PROPERTY),
            weakref: b("weakref", 0),
            weakproxy: b("weakproxy", 0),
            weakcallableproxy: b("weakcallableproxy", 0),
            type_error: e("TypeError", &exception),
            value_error: e("ValueError", &exception),
            index_error: e("IndexError", &lookup_error),
            key_error: e("KeyError", &lookup_error),
            attribute_error: e("AttributeError", &exception),
            unbound_local_error: e("UnboundLocalError", &name_error),
            zero_division_error: e("ZeroDivisionError", &arithmetic_error),
            overflow_error: e("OverflowError", &arithmetic_error),
            recursion_error: e("RecursionError", &runtime_error),
            not_implemented_error: e("NotImplementedError", &runtime_error),
            reference_error: e("ReferenceError", &exception),
            assertion_error: e("AssertionError", &exception),
            stop_iteration: e("StopIteration", &exception),
            generator_exit: e("GeneratorExit", &base_exception),
            generator: b("generator", tag::GENERATOR),
            memory_error: e("MemoryError", &exception),
            import_error: e("ImportError", &exception),
            system_exit: e("SystemExit", &base_exception),
            keyboard_interrupt: e("KeyboardInterrupt", &base_exception),
            syntax_error: e("SyntaxError", &exception),
            name_error,
            runtime_error,
            arithmetic_error,
            lookup_error,
            exception,
            base_exception,
            object,
        }
    }

    /// Every builtin class with its builtins-namespace name.
    pub fn all(&self) -> Vec<&Obj<PyType>> {
        vec![
            &self.object,
            &self.type_,
            &self.int,
            &self.bool_,
            &self.float,
            &self.str_,
            &self.list,
            &self.tuple,
            &self.dict,
            &self.set,
            &self.frozenset,
            &self.range,
            &self.slice,
            &self.super_,
            &self.classmethod,
            &self.staticmethod,
            &self.property,
            &self.base_exception,
            &self.exception,
            &self.type_error,
            &self.value_error,
            &self.lookup_error,
            &self.index_error,
            &self.key_error,
            &self.attribute_error,
            &self.name_error,
            &self.unbound_local_error,
            &self.arithmetic_error,
            &self.zero_division_error,
            &self.overflow_error,
            &self.runtime_error,
            &self.recursion_error,
            &self.not_implemented_error,
            &self.reference_error,
            &self.assertion_error,
            &self.stop_iteration,
            &self.generator_exit,
            &self.memory_error,
            &self.import_error,
            &self.system_exit,
            &self.keyboard_interrupt,
            &self.syntax_error,
        ]
    }
}

/// Sets `__module__` of the builtin classes and fills their namespaces with methods.
pub fn fill(gil: &mut Gil<'_>, vm: &Vm) {
    for t in vm.types.all() {
        // The names were made before the VM's intern table existed.
        let name = t.get(gil).name.cloned(gil);
        let interned = vm.adopt_interned(gil, &name);
        if !interned.ptr_eq(&name) {
            t.get(gil).name.set(gil, interned.clone());
            t.get(gil).qualname.set(gil, interned);
        }
        let m = vm.intern(gil, "builtins");
        set_type_attr(gil, vm, t, "__module__", m);
    }
    super::methods::install(gil, vm);
    let init = super::builtins::builtin(gil, "__init__", "object", object_init, true);
    set_type_attr(gil, vm, &vm.types.object, "__init__", init);
    let slots: [(&'static str, super::BuiltinFn); 3] = [
        ("__setattr__", object_setattr),
        ("__getattribute__", object_getattribute),
        ("__delattr__", object_delattr),
    ];
    for (name, f) in slots {
        let m = super::builtins::builtin(gil, name, "object", f, true);
        set_type_attr(gil, vm, &vm.types.object, name, m);
    }
    let init = super::builtins::builtin(gil, "__init__", "BaseException", exception_init, true);
    set_type_attr(gil, vm, &vm.types.base_exception, "__init__", init);
}

/// The receiver and the attribute name of `object.<slot>(self, name, ...)`, after CPython's
/// checks: exactly `n` arguments after the receiver, the name a str.
fn slot_args<'a>(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &'a [AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
    slot: &str,
    n: usize,
) -> PyResult<(&'a AnyObj, &'a AnyObj)> {
    super::builtins::no_kwargs(gil, vm, &format!("object.{slot}"), kwargs)?;
    let Some((this, rest)) = args.split_first() else {
        return Err(vm.type_error(
            gil,
            &format!("descriptor '{slot}' of 'object' object needs an argument"),
        ));
    };
    if rest.len() != n {
        // CPython's two argument checkers word it differently (the tuple unpacker, with
        // an empty function name, leaves a leading space).
        let msg = if n == 1 {
            format!("expected 1 argument, got {}", rest.len())
        } else {
            format!(" expected {n} arguments, got {}", rest.len())
        };
        return Err(vm.type_error(gil, &msg));
    }
    if rest[0].tag() != tag::STR {
        let t = vm.type_of(gil, &rest[0]);
        let msg = format!(
            "attribute name must be string, not '{}'",
            type_name(gil, &t)
        );
        return Err(vm.type_error(gil, &msg));
    }
    Ok((this, &rest[0]))
}

/// `object.__setattr__(self, name, value)`: the store a class's own `__setattr__` usually
/// ends in (`super().__setattr__(name, value)`).
fn object_setattr(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    let (this, name) = slot_args(gil, vm, args, kwargs, "__setattr__", 2)?;
    super::attr::store_generic(gil, vm, this, name, args[2].clone())?;
    Ok(vm.none.clone())
}

/// `object.__getattribute__(self, name)`: the lookup without `__getattr__`.
fn object_getattribute(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    let (this, name) = slot_args(gil, vm, args, kwargs, "__getattribute__", 1)?;
    match super::attr::getattr_opt(gil, vm, this, name)? {
        Some(v) => Ok(v),
        None => {
            let n = ops::str_payload(gil, name).unwrap_or("?").to_owned();
            Err(super::attr::attr_error(gil, vm, this, &n))
        }
    }
}

/// `object.__delattr__(self, name)`.
fn object_delattr(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    let (this, name) = slot_args(gil, vm, args, kwargs, "__delattr__", 1)?;
    super::attr::delattr(gil, vm, this, name)?;
    Ok(vm.none.clone())
}

/// `BaseException.__init__(self, *args)`: `self.args = args` (what a subclass's
/// `super().__init__(message)` relies on).
fn exception_init(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    let Some((this, rest)) = args.split_first() else {
        return Err(vm.type_error(
            gil,
            "descriptor '__init__' of 'BaseException' object needs an argument",
        ));
    };
    if !kwargs.is_empty() {
        let t = vm.type_of(gil, this);
        return Err(vm.type_error(
            gil,
            &format!("{}() takes no keyword arguments", type_name(gil, &t)),
        ));
    }
    let data = this
        .downcast_ref::<PyInstance>()
        .and_then(|i| i.get(gil).exc.as_deref());
    let Some(data) = data else {
        return Err(vm.type_error(
            gil,
            "descriptor '__init__' requires a 'BaseException' object",
        ));
    };
    let t = vm.tuple(gil, rest.to_vec()).downcast::<PyTuple>().ok();
    let old = data.with_mut(gil, |d| std::mem::replace(&mut d.args, t));
    drop(old);
    Ok(vm.none.clone())
}

/// `object.__init__`: accepts only the instance.
fn object_init(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    if args.len() != 1 || !kwargs.is_empty() {
        return Err(vm.type_error(
            gil,
            "object.__init__() takes exactly one argument (the instance to initialize)",
        ));
    }
    Ok(vm.none.clone())
}

/// `type(obj)`.
pub fn type_of(gil: &Gil<'_>, vm: &Vm, obj: &AnyObj) -> Obj<PyType> {
    let t = &vm.types;
    match obj.tag() {
        tag::INSTANCE => obj
            .downcast_ref::<PyInstance>()
            .map(|i| i.get(gil).class.cloned(gil))
            .unwrap_or_else(|| t.object.clone()),
        tag::INT => t.int.clone(),
        tag::BOOL => t.bool_.clone(),
        tag::FLOAT => t.float.clone(),
        tag::STR => t.str_.clone(),
        tag::LIST => t.list.clone(),
        tag::TUPLE => t.tuple.clone(),
        tag::DICT => t.dict.clone(),
        tag::SET => match obj.downcast_ref::<PySet>() {
            Some(s) if s.get(gil).frozen => t.frozenset.clone(),
            _ => t.set.clone(),
        },
        tag::NONE => t.none.clone(),
        tag::RANGE => t.range.clone(),
        tag::SLICE => t.slice.clone(),
        tag::FUNCTION => t.function.clone(),
        tag::BUILTIN | tag::BOUND_BUILTIN => t.builtin.clone(),
        tag::METHOD => t.method.clone(),
        tag::CELL => t.cell.clone(),
        tag::CODE => t.code.clone(),
        tag::TYPE => t.type_.clone(),
        tag::MODULE => t.module.clone(),
        tag::ITER => t.iterator.clone(),
        tag::GENERATOR => t.generator.clone(),
        tag::SUPER => t.super_.clone(),
        tag::PROPERTY => t.property.clone(),
        tag::WRAPPER => match obj.downcast_ref::<PyWrapper>() {
            Some(w) if !w.get(gil).class_method => t.staticmethod.clone(),
            _ => t.classmethod.clone(),
        },
        _ => match obj.downcast_ref::<WeakRef>() {
            Some(w) if w.get(gil).kind() == WeakKind::Ref => t.weakref.clone(),
            Some(w) => match WeakRef::upgrade(w, gil) {
                Some(target) if ops::is_callable(gil, vm, &target) => t.weakcallableproxy.clone(),
                _ => t.weakproxy.clone(),
            },
            None => t.object.clone(),
        },
    }
}

impl Vm {
    /// `type(obj)`.
    pub fn type_of(&self, gil: &Gil<'_>, obj: &AnyObj) -> Obj<PyType> {
        type_of(gil, self, obj)
    }
}

/// Whether `sub` is `sup` or derives from it.
pub fn is_subtype(gil: &Gil<'_>, sub: &Obj<PyType>, sup: &Obj<PyType>) -> bool {
    sub.ptr_eq(sup) || sub.get(gil).mro.iter().any(|t| t.ptr_eq(sup))
}

/// `cls.__name__` as a Rust string.
pub fn type_name(gil: &Gil<'_>, cls: &Obj<PyType>) -> String {
    let n = cls.get(gil).name.cloned(gil);
    ops::str_payload(gil, &n).unwrap_or("?").to_owned()
}

/// `cls.__module__` as a Rust string, if it is a str.
pub fn module_of(gil: &mut Gil<'_>, cls: &Obj<PyType>) -> Option<String> {
    let vm = super::current_vm()?;
    let m = type_dict_get(gil, &vm, cls, "__module__")?;
    ops::str_payload(gil, &m).map(str::to_owned)
}

/// Looks `name` up in one namespace.
pub fn dict_get_str(
    gil: &mut Gil<'_>,
    vm: &Vm,
    dict: &GilCell<Dict>,
    name: &str,
) -> Option<AnyObj> {
    let key = vm.intern(gil, name);
    dict_get_interned(gil, dict, &key)
}

/// Looks up an interned str key (identity, then text comparison).
pub fn dict_get_interned(gil: &mut Gil<'_>, dict: &GilCell<Dict>, key: &AnyObj) -> Option<AnyObj> {
    dict_find_interned(gil, dict, key).map(|(_, v)| v)
}

/// [`dict_get_interned`] with the position of the entry found.
pub(crate) fn dict_find_interned(
    gil: &mut Gil<'_>,
    dict: &GilCell<Dict>,
    key: &AnyObj,
) -> Option<(usize, AnyObj)> {
    let hash = ops::str_hash(gil, key)?;
    let found = dict.with(gil, |d| match d.lookup(hash, key, &ops::fast_eq_tags) {
        Lookup::Found(p) => Ok(d.entry(p).map(|e| (p, e.value.clone()))),
        Lookup::Missing => Ok(None),
        Lookup::Undecided(ps) => Err(ps
            .iter()
            .filter_map(|&p| d.entry(p).map(|e| (p, e.key.clone(), e.value.clone())))
            .collect::<Vec<_>>()),
    });
    match found {
        Ok(v) => v,
        Err(cands) => {
            let k = ops::str_payload(gil, key)?;
            cands
                .into_iter()
                .find(|(_, ck, _)| ops::str_payload(gil, ck) == Some(k))
                .map(|(p, _, v)| (p, v))
        }
    }
}

/// Stores `name = value` in a namespace keyed by strs.
pub fn dict_set_str(gil: &mut Gil<'_>, vm: &Vm, dict: &GilCell<Dict>, name: &str, value: AnyObj) {
    let key = vm.intern(gil, name);
    dict_set_key(gil, dict, key, value);
}

/// Stores under an str key object.
pub fn dict_set_key(gil: &mut Gil<'_>, dict: &GilCell<Dict>, key: AnyObj, value: AnyObj) {
    let Some(hash) = ops::str_hash(gil, &key) else {
        return;
    };
    let pos = dict.with(gil, |d| match d.lookup(hash, &key, &ops::fast_eq_tags) {
        Lookup::Found(p) => Ok(p),
        Lookup::Missing => Err(None),
        Lookup::Undecided(ps) => Err(Some(
            ps.iter()
                .filter_map(|&p| d.entry(p).map(|e| (p, e.key.clone())))
                .collect::<Vec<_>>(),
        )),
    });
    let pos = match pos {
        Ok(p) => Some(p),
        Err(None) => None,
        Err(Some(cands)) => cands
            .into_iter()
            .find(|(_, ck)| ops::str_payload(gil, ck) == ops::str_payload(gil, &key))
            .map(|(p, _)| p),
    };
    let old = dict.with_mut(gil, |d| match pos {
        Some(p) => d.replace_value(p, value),
        None => {
            d.insert_new(hash, key, value);
            None
        }
    });
    drop(old);
}

/// Removes `name` from a namespace; whether it was there.
pub fn dict_del_str(gil: &mut Gil<'_>, vm: &Vm, dict: &GilCell<Dict>, name: &str) -> bool {
    let key = vm.intern(gil, name);
    let Some(hash) = ops::str_hash(gil, &key) else {
        return false;
    };
    let cands = dict.with(gil, |d| match d.lookup(hash, &key, &ops::fast_eq_tags) {
        Lookup::Found(p) => vec![(p, key.clone())],
        Lookup::Missing => vec![],
        Lookup::Undecided(ps) => ps
            .iter()
            .filter_map(|&p| d.entry(p).map(|e| (p, e.key.clone())))
            .collect(),
    });
    let pos = cands
        .into_iter()
        .find(|(_, k)| ops::str_payload(gil, k) == Some(name))
        .map(|(p, _)| p);
    match pos {
        Some(p) => {
            let e = dict.with_mut(gil, |d| d.remove_at(p));
            // The namespace may be a class's: cached class lookups are stale now.
            invalidate_type_cache();
            drop(e);
            true
        }
        None => false,
    }
}

/// Looks `name` up on `cls` and its bases.
pub fn lookup(gil: &mut Gil<'_>, vm: &Vm, cls: &Obj<PyType>, name: &str) -> Option<AnyObj> {
    let key = vm.intern(gil, name);
    lookup_interned(gil, cls, &key)
}

/// [`lookup`] with an interned key.
///
/// Results for immortal (interned) names are remembered in a small direct-mapped cache
/// keyed by (class address, name address), as CPython's type attribute cache: an entry
/// records *where* the name was found (the class or which base, and the entry's position in
/// that namespace), or that it was found nowhere, and holds no reference. Every store into
/// or deletion from a class namespace, every class creation and every class deallocation
/// bumps `TYPE_EPOCH`, which invalidates all entries at once.
pub fn lookup_interned(gil: &mut Gil<'_>, cls: &Obj<PyType>, key: &AnyObj) -> Option<AnyObj> {
    if !key.is_immortal(gil) {
        return lookup_uncached(gil, cls, key).map(|(_, _, v)| v);
    }
    let epoch = TYPE_EPOCH.with(Cell::get);
    let slot = cache_slot(cls, key);
    let entry = TYPE_CACHE.with(|c| c[slot].get());
    if let Some(hit) = entry.probe(gil, cls, key, epoch) {
        return hit;
    }
    let (entry, found) = look_and_record(gil, cls, key, epoch);
    if let Some(e) = entry {
        TYPE_CACHE.with(|c| c[slot].set(e));
    }
    found
}

/// [`lookup_interned`] through a cache of the caller's first: an instruction's own
/// [`LookupSlot`] (`LOAD_METHOD`'s, one per name of a code object, as CPython 3.11 keeps an
/// inline cache per instruction) answers without hashing for the last few classes the site
/// saw; other classes go to the shared cache. `key` must be interned (immortal).
///
/// Inlined into its callers so that a hit on the site's cache (the common case) costs its
/// checks and the value's clone, and no call; everything else is
/// `lookup_through_shared`'s.
#[inline(always)]
pub fn lookup_through(
    gil: &mut Gil<'_>,
    cls: &Obj<PyType>,
    key: &AnyObj,
    site: &Cell<LookupSlot>,
) -> Option<AnyObj> {
    debug_assert!(key.is_immortal(gil), "cached lookups need an interned name");
    let epoch = TYPE_EPOCH.with(Cell::get);
    if let Some((owner, pos)) = site.get().way(cls, key, epoch)
        && let Some(hit) = resolve(gil, cls, owner, pos)
    {
        return hit;
    }
    lookup_through_shared(gil, cls, key, site, epoch)
}

/// [`lookup_through`] when the site's cache missed: the shared cache, then the uncached
/// lookup; the site remembers the entry that answers.
#[inline(never)]
fn lookup_through_shared(
    gil: &mut Gil<'_>,
    cls: &Obj<PyType>,
    key: &AnyObj,
    site: &Cell<LookupSlot>,
    epoch: u64,
) -> Option<AnyObj> {
    let slot = cache_slot(cls, key);
    let shared = TYPE_CACHE.with(|c| c[slot].get());
    if let Some(hit) = shared.probe(gil, cls, key, epoch) {
        site.set(site.get().remember(shared));
        return hit;
    }
    let (entry, found) = look_and_record(gil, cls, key, epoch);
    if let Some(e) = entry {
        TYPE_CACHE.with(|c| c[slot].set(e));
        site.set(site.get().remember(e));
    }
    found
}

/// The shared cache's entry for (class, name): both addresses mixed by a multiplicative
/// hash, whose top bits pick the entry (objects' low address bits are mostly alike).
#[inline]
fn cache_slot(cls: &Obj<PyType>, key: &AnyObj) -> usize {
    let mixed = (cls.as_any().addr() ^ key.addr().rotate_left(29)) as u64;
    (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - TYPE_CACHE_BITS)) as usize
}

/// The value a valid cache record for `cls` points at (`owner` and `pos` as in
/// [`CacheEntry`]): `Some(None)` if the name was validly found nowhere, `None` if the
/// namespace entry is gone (then the lookup runs uncached).
#[inline(always)]
fn resolve(gil: &mut Gil<'_>, cls: &Obj<PyType>, owner: u32, pos: u32) -> Option<Option<AnyObj>> {
    if owner == CACHE_MISSING {
        return Some(None);
    }
    let c = cls.get(gil);
    let owner = if owner == 0 {
        c
    } else {
        c.mro[owner as usize - 1].get(gil)
    };
    owner
        .dict
        .with(gil, |d| d.entry(pos as usize).map(|en| en.value.clone()))
        .map(Some)
}

/// The uncached lookup, and the cache entry recording it (none if the epoch moved).
fn look_and_record(
    gil: &mut Gil<'_>,
    cls: &Obj<PyType>,
    key: &AnyObj,
    epoch: u64,
) -> (Option<CacheEntry>, Option<AnyObj>) {
    let found = lookup_uncached(gil, cls, key);
    // The lookup ran no Python code, but check the epoch anyway before recording.
    let entry = (TYPE_EPOCH.with(Cell::get) == epoch).then(|| {
        let (owner, pos) = match &found {
            Some((o, p, _)) => (*o, *p as u32),
            None => (CACHE_MISSING, 0),
        };
        CacheEntry {
            cls: cls.as_any().addr(),
            name: key.addr(),
            epoch,
            owner,
            pos,
        }
    });
    (entry, found.map(|(_, _, v)| v))
}

/// Whether neither `cls` nor a base defines `__setattr__` (so stores go straight to the
/// instance). The answer is kept on the class with the epoch it was found in.
#[inline]
pub fn lacks_setattr(gil: &mut Gil<'_>, vm: &Vm, cls: &Obj<PyType>) -> bool {
    lacks(gil, cls, &[&vm.names.setattr], |t| &t.no_setattr_epoch)
}

/// Whether neither `cls` nor a base defines `__bool__` or `__len__` (so its instances are
/// true, unless they hold a list), kept on the class as [`lacks_setattr`]'s answer is.
#[inline]
pub fn lacks_truth_methods(gil: &mut Gil<'_>, vm: &Vm, cls: &Obj<PyType>) -> bool {
    lacks(gil, cls, &[&vm.names.bool_, &vm.names.len], |t| {
        &t.no_truth_epoch
    })
}

/// Whether `v` is one of `object`'s own attribute methods (`object.__setattr__`, ...): a
/// class that finds only those has no hook of its own.
pub fn is_object_slot(gil: &Gil<'_>, v: &AnyObj) -> bool {
    v.downcast_ref::<PyBuiltin>()
        .is_some_and(|b| b.get(gil).owner == "object")
}

/// Whether neither `cls` nor a base holds a `property` (so instance attributes are only
/// ever the instance's own), kept on the class as [`lacks_setattr`]'s answer is.
#[inline]
pub fn lacks_properties(gil: &mut Gil<'_>, cls: &Obj<PyType>) -> bool {
    let epoch = TYPE_EPOCH.with(Cell::get);
    if cls.get(gil).no_property_epoch.get() == epoch {
        return true;
    }
    let holds = |gil: &mut Gil<'_>, t: &Obj<PyType>| {
        t.get(gil)
            .dict
            .with(gil, |d| d.iter().any(|e| e.value.tag() == tag::PROPERTY))
    };
    let mut lacks = !holds(gil, cls);
    for i in 0..cls.get(gil).mro.len() {
        if !lacks {
            break;
        }
        let t = cls.get(gil).mro[i].clone();
        lacks = !holds(gil, &t);
    }
    if lacks {
        cls.get(gil).no_property_epoch.set(epoch);
    }
    lacks
}

/// Whether none of the interned `names` is found on `cls` or its bases; a "none" answer is
/// remembered in the class's `epoch_of` cell with the type-cache epoch (any change to a
/// class namespace moves the epoch and so forgets it).
#[inline]
fn lacks(
    gil: &mut Gil<'_>,
    cls: &Obj<PyType>,
    names: &[&AnyObj],
    epoch_of: impl Fn(&PyType) -> &Cell<u64>,
) -> bool {
    let epoch = TYPE_EPOCH.with(Cell::get);
    if epoch_of(cls.get(gil)).get() == epoch {
        return true;
    }
    let lacks = names
        .iter()
        .all(|n| lookup_interned(gil, cls, n).is_none_or(|v| is_object_slot(gil, &v)));
    if lacks && TYPE_EPOCH.with(Cell::get) == epoch {
        epoch_of(cls.get(gil)).set(epoch);
    }
    lacks
}

/// The uncached lookup: (0 for `cls` itself or 1 + index into its mro, position, value).
fn lookup_uncached(
    gil: &mut Gil<'_>,
    cls: &Obj<PyType>,
    key: &AnyObj,
) -> Option<(u32, usize, AnyObj)> {
    if let Some((p, v)) = dict_find_interned(gil, &cls.get(gil).dict, key) {
        return Some((0, p, v));
    }
    let n = cls.get(gil).mro.len();
    for i in 0..n {
        let t = cls.get(gil).mro[i].clone();
        if let Some((p, v)) = dict_find_interned(gil, &t.get(gil).dict, key) {
            return Some((i as u32 + 1, p, v));
        }
    }
    None
}

const TYPE_CACHE_BITS: u32 = 12;
const TYPE_CACHE_SIZE: usize = 1 << TYPE_CACHE_BITS;
const CACHE_MISSING: u32 = u32::MAX;

/// Where a class lookup found a name (see [`lookup_interned`]): valid while the class at
/// address `cls` and the name at address `name` are the ones looked up and no class
/// namespace has changed since `epoch`. Holds no reference.
#[derive(Clone, Copy, Debug)]
struct CacheEntry {
    cls: usize,
    name: usize,
    epoch: u64,
    /// 0: the class itself; `i + 1`: `mro[i]`; `CACHE_MISSING`: found nowhere.
    owner: u32,
    /// The entry's position in the owner's namespace.
    pos: u32,
}

impl CacheEntry {
    /// An entry that matches no lookup.
    const EMPTY: CacheEntry = CacheEntry {
        cls: 0,
        name: 0,
        epoch: 0,
        owner: 0,
        pos: 0,
    };

    /// The value this entry points at, if it is for this lookup and still valid
    /// (see [`resolve`]).
    #[inline(always)]
    fn probe(
        self,
        gil: &mut Gil<'_>,
        cls: &Obj<PyType>,
        key: &AnyObj,
        epoch: u64,
    ) -> Option<Option<AnyObj>> {
        if self.cls != cls.as_any().addr() || self.name != key.addr() || self.epoch != epoch {
            return None;
        }
        resolve(gil, cls, self.owner, self.pos)
    }
}

/// Classes a [`LookupSlot`] remembers: a site in a base class's method (`self.m()`) sees
/// each subclass's instances, and Python programs have a handful of them at most sites that see
/// more than one (richards' tasks are four).
const SITE_WAYS: usize = 4;

/// One class a [`LookupSlot`] remembers: its address, and where the site's name was found
/// on it (`owner` and `pos` as in [`CacheEntry`]).
#[derive(Clone, Copy, Debug)]
struct SiteWay {
    cls: usize,
    owner: u32,
    pos: u32,
}

/// A lookup site's own cache (see [`lookup_through`]): where the site's name (at address
/// `name`) was found on each of the last `SITE_WAYS` (4) classes seen there, all recorded in
/// `epoch`, so that any change to a class namespace forgets them together. Holds no
/// reference.
#[derive(Clone, Copy, Debug)]
pub struct LookupSlot {
    name: usize,
    epoch: u64,
    /// Unused ways have class address 0, which no class has.
    ways: [SiteWay; SITE_WAYS],
    /// The way the next class to remember replaces (round robin).
    next: u32,
}

impl LookupSlot {
    /// A site cache that answers no lookup.
    pub const EMPTY: LookupSlot = LookupSlot {
        name: 0,
        epoch: 0,
        ways: [SiteWay {
            cls: 0,
            owner: 0,
            pos: 0,
        }; SITE_WAYS],
        next: 0,
    };

    /// Where this cache says `key` is found on `cls` in `epoch`: (owner, position) as in
    /// [`CacheEntry`]. The answer is copied out of the way that holds it (rather than found
    /// as a reference into the cache), so that the compiler reads only the fields it needs
    /// instead of copying the whole cache out of its `Cell` first.
    #[inline(always)]
    fn way(self, cls: &Obj<PyType>, key: &AnyObj, epoch: u64) -> Option<(u32, u32)> {
        if self.name != key.addr() || self.epoch != epoch {
            return None;
        }
        let cls = cls.as_any().addr();
        // Spelled out (for the four ways): a loop, even unrolled, left the compiler copying
        // the whole cache out of its `Cell` on every lookup.
        let [w0, w1, w2, w3] = self.ways;
        let w = if w0.cls == cls {
            w0
        } else if w1.cls == cls {
            w1
        } else if w2.cls == cls {
            w2
        } else if w3.cls == cls {
            w3
        } else {
            return None;
        };
        Some((w.owner, w.pos))
    }

    /// This cache with `e`'s class remembered too; the classes remembered for another name
    /// or in an older epoch are forgotten first.
    fn remember(mut self, e: CacheEntry) -> LookupSlot {
        if self.name != e.name || self.epoch != e.epoch {
            self = LookupSlot {
                name: e.name,
                epoch: e.epoch,
                ..LookupSlot::EMPTY
            };
        }
        let i = self.next as usize % SITE_WAYS;
        self.ways[i] = SiteWay {
            cls: e.cls,
            owner: e.owner,
            pos: e.pos,
        };
        self.next = ((i + 1) % SITE_WAYS) as u32;
        self
    }
}

thread_local! {
    /// The class-namespace epoch (see [`lookup_interned`]); starts at 1 so that the
    /// zeroed cache entries never match.
    static TYPE_EPOCH: Cell<u64> = const { Cell::new(1) };
    static TYPE_CACHE: [Cell<CacheEntry>; TYPE_CACHE_SIZE] =
        const { [const { Cell::new(CacheEntry::EMPTY) }; TYPE_CACHE_SIZE] };
}

/// Invalidates every cached class lookup: called on any change to a class namespace, on
/// class creation and on class deallocation.
pub fn invalidate_type_cache() {
    TYPE_EPOCH.with(|e| e.set(e.get() + 1));
}

/// `cls.__dict__[name]` (own namespace only).
pub fn type_dict_get(gil: &mut Gil<'_>, vm: &Vm, cls: &Obj<PyType>, name: &str) -> Option<AnyObj> {
    dict_get_str(gil, vm, &cls.get(gil).dict, name)
}

/// Sets a class attribute, keeping the `__del__` flag current.
pub fn set_type_attr(gil: &mut Gil<'_>, vm: &Vm, cls: &Obj<PyType>, name: &str, value: AnyObj) {
    invalidate_type_cache();
    dict_set_str(gil, vm, &cls.get(gil).dict, name, value);
    invalidate_type_cache();
    if name == "__del__" {
        cls.get(gil).has_del.set(true);
    }
    if name == "__call__" {
        cls.get(gil).has_call.set(true);
    }
}

/// Creates a class from a `class` statement.
pub fn new_class(
    gil: &mut Gil<'_>,
    vm: &Vm,
    name: AnyObj,
    base: Obj<PyType>,
    namespace: Dict,
) -> PyResult<Obj<PyType>> {
    invalidate_type_cache();
    let layout = match base.get(gil).layout {
        Layout::Builtin => {
            let n = type_name(gil, &base);
            return Err(vm.type_error(
                gil,
                &format!("pymem does not support subclassing '{n}' yet"),
            ));
        }
        l => l,
    };
    let mut mro = vec![base.clone()];
    mro.extend(base.get(gil).mro.iter().cloned());
    let has_del = base.get(gil).has_del.get();
    let has_call = base.get(gil).has_call.get();
    let qualname = name.clone();
    let cls = Obj::new(
        gil,
        PyType {
            name: GilCell::new(name),
            qualname: GilCell::new(qualname),
            base: Some(base),
            mro: mro.into_boxed_slice(),
            dict: GilCell::new(namespace),
            layout,
            builtin_tag: 0,
            has_del: std::cell::Cell::new(has_del),
            has_call: std::cell::Cell::new(has_call),
            no_setattr_epoch: std::cell::Cell::new(0),
            no_truth_epoch: std::cell::Cell::new(0),
            no_property_epoch: std::cell::Cell::new(0),
            heap_type: true,
        },
    );
    if type_dict_get(gil, vm, &cls, "__del__").is_some() {
        cls.get(gil).has_del.set(true);
    }
    if type_dict_get(gil, vm, &cls, "__call__").is_some() {
        cls.get(gil).has_call.set(true);
    }
    if let Some(q) = type_dict_get(gil, vm, &cls, "__qualname__") {
        cls.get(gil).qualname.set(gil, q);
    }
    // `__set_name__` for the one builtin descriptor that has it: a property learns the name
    // it was given in the class body (its error messages use it).
    let named: Vec<(AnyObj, AnyObj)> = cls.get(gil).dict.with(gil, |d| {
        d.iter()
            .filter(|e| e.value.tag() == tag::PROPERTY)
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect()
    });
    for (key, value) in named {
        if let Some(p) = value.downcast_ref::<PyProperty>() {
            p.get(gil).name.set(gil, Some(key));
        }
    }
    Ok(cls)
}

/// `cls.__mro__` as a list, the class first.
pub fn mro_of(gil: &Gil<'_>, cls: &Obj<PyType>) -> Vec<Obj<PyType>> {
    let mut v = vec![cls.clone()];
    v.extend(cls.get(gil).mro.iter().cloned());
    v
}
