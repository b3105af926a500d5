//! Methods of the builtin types (`str`, `list`, `dict`, `tuple`, `int`, `float`), installed
//! as method descriptors in their classes' namespaces.

use heap::{AnyObj, Gil};

use super::builtins::builtin;
use super::{BuiltinFn, Vm, types};

/// Adds `name` as a method of `cls`.
pub fn method(
    gil: &mut Gil<'_>,
    vm: &Vm,
    cls: &heap::Obj<super::object::PyType>,
    owner: &'static str,
    name: &'static str,
    f: BuiltinFn,
) {
    let m: AnyObj = builtin(gil, name, owner, f, true);
    types::set_type_attr(gil, vm, cls, name, m);
}

/// Installs every builtin method.
pub fn install(gil: &mut Gil<'_>, vm: &Vm) {
    let _ = (gil, vm);
}
