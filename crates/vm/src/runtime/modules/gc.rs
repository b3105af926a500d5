//! The `gc` module.

use heap::{Gil, Obj};

use crate::runtime::Vm;
use crate::runtime::object::PyDict;

/// Fills the module namespace.
pub fn fill(gil: &mut Gil<'_>, vm: &Vm, ns: &Obj<PyDict>) {
    let _ = (gil, vm, ns);
}
