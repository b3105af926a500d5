//! The `weakref` module.

use heap::{Gil, Obj};

use crate::runtime::object::PyDict;
use crate::runtime::{PyErr, Vm};

/// Fills the module namespace.
pub fn fill(gil: &mut Gil<'_>, vm: &Vm, ns: &Obj<PyDict>) {
    let _ = (gil, vm, ns);
}

/// `ReferenceError: weakly-referenced object no longer exists`.
pub fn dead_proxy(gil: &mut Gil<'_>, vm: &Vm) -> PyErr {
    let t = vm.types.reference_error.clone();
    vm.err(gil, &t, "weakly-referenced object no longer exists")
}
