//! The heap's slots, implemented by the VM: `__del__` for instances, and the call slot that
//! lets Python functions, bound methods and builtins be weak-reference callbacks.
//!
//! The heap calls these with nothing but the object and the GIL token, so they find the
//! thread's [`Vm`] through [`current_vm`]. Errors cannot propagate from here:
//! they are reported as CPython does, `Exception ignored in: <...>` and the traceback on
//! stderr, and execution continues.

use heap::{AnyObj, Gil, Obj};

use super::interp::call;
use super::object::*;
use super::{PyErr, Vm, current_vm, ops, types};

/// Prints an error nobody can catch, CPython's `PyErr_WriteUnraisable` format.
pub fn report_unraisable(gil: &mut Gil<'_>, vm: &Vm, context: &AnyObj, err: PyErr) {
    let what = ops::repr(gil, vm, context).unwrap_or_else(|_| "<object repr() failed>".into());
    let tb = vm.format_exception(gil, &err.exc);
    vm.write_stderr(&format!("Exception ignored in: {what}\n{tb}"));
}

/// Whether an instance's class defines `__del__` (CPython gives only such classes a
/// `tp_finalize`): instances of other classes skip the finalizer machinery entirely.
pub fn instance_has_del(this: &Obj<PyInstance>, gil: &Gil<'_>) -> bool {
    this.get(gil).class.cloned(gil).get(gil).has_del.get()
}

/// [`PyInstance`]'s finalizer: runs `__del__` if the class has one.
pub fn instance_finalizer(this: &Obj<PyInstance>, gil: &mut Gil<'_>) {
    let Some(vm) = current_vm() else { return };
    let cls = this.get(gil).class.cloned(gil);
    if !cls.get(gil).has_del.get() {
        return;
    }
    let Some(del) = types::lookup(gil, &vm, &cls, "__del__") else {
        return;
    };
    let me = this.clone().into_any();
    let saved = vm.exc_info.borrow_mut().take();
    if let Err(e) = call(gil, &vm, &del, vec![me], vec![]) {
        report_unraisable(gil, &vm, &del, e);
    }
    *vm.exc_info.borrow_mut() = saved;
}

fn call_slot(gil: &mut Gil<'_>, callable: AnyObj, arg: &AnyObj) {
    let Some(vm) = current_vm() else { return };
    let saved = vm.exc_info.borrow_mut().take();
    if let Err(e) = call(gil, &vm, &callable, vec![arg.clone()], vec![]) {
        report_unraisable(gil, &vm, &callable, e);
    }
    *vm.exc_info.borrow_mut() = saved;
}

/// A Python function as a weak-reference callback.
pub fn call_function_slot(this: &Obj<PyFunction>, gil: &mut Gil<'_>, arg: &AnyObj) {
    call_slot(gil, this.clone().into_any(), arg);
}

/// A bound method as a weak-reference callback.
pub fn call_method_slot(this: &Obj<PyMethod>, gil: &mut Gil<'_>, arg: &AnyObj) {
    call_slot(gil, this.clone().into_any(), arg);
}

/// A builtin as a weak-reference callback.
pub fn call_builtin_slot(this: &Obj<PyBuiltin>, gil: &mut Gil<'_>, arg: &AnyObj) {
    call_slot(gil, this.clone().into_any(), arg);
}
