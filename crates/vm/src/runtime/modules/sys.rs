//! The `sys` module.

use heap::{AnyObj, Gil, Obj};

use crate::runtime::Vm;
use crate::runtime::object::PyDict;

/// Fills the module namespace.
pub fn fill(gil: &mut Gil<'_>, vm: &Vm, ns: &Obj<PyDict>) {
    let _ = (gil, vm, ns);
}

/// Whether `o` is `sys.stderr`.
pub fn is_stderr(gil: &Gil<'_>, vm: &Vm, o: &AnyObj) -> bool {
    let _ = (gil, vm, o);
    false
}
