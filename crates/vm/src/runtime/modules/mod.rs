//! The builtin modules: `sys`, `gc`, `weakref`, `math`, `time`. `import` finds them here
//! (pymem does not import `.py` files).

pub mod gc;
pub mod math;
pub mod sys;
pub mod time;
pub mod weakref;

use heap::{AnyObj, Gil, Obj};

use super::object::PyModule;
use super::{PyResult, Vm, types};

/// Makes a module object whose namespace the `fill` function populates.
pub fn new_module(
    gil: &mut Gil<'_>,
    vm: &Vm,
    name: &'static str,
    fill: fn(&mut Gil<'_>, &Vm, &Obj<super::object::PyDict>),
) -> AnyObj {
    let dict = vm.dict(gil);
    let n = vm.str(gil, name);
    types::dict_set_str(gil, vm, &dict.get(gil).table, "__name__", n);
    fill(gil, vm, &dict);
    Obj::new(gil, PyModule { name, dict }).into_any()
}

/// A module's namespace initialiser.
type Filler = fn(&mut Gil<'_>, &Vm, &Obj<super::object::PyDict>);

/// `import name`.
pub fn import(gil: &mut Gil<'_>, vm: &Vm, name: &str) -> PyResult<AnyObj> {
    if let Some(m) = vm.modules.borrow().get(name) {
        return Ok(m.clone());
    }
    let (key, fill): (&'static str, Filler) = match name {
        "sys" => ("sys", sys::fill),
        "gc" => ("gc", gc::fill),
        "weakref" => ("weakref", weakref::fill),
        "math" => ("math", math::fill),
        "time" => ("time", time::fill),
        _ => {
            let t = vm.types.import_error.clone();
            return Err(vm.err(gil, &t, &format!("No module named '{name}'")));
        }
    };
    let m = new_module(gil, vm, key, fill);
    vm.modules.borrow_mut().insert(key, m.clone());
    Ok(m)
}
