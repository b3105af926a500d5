//! `a, *b, c = iterable` at run time (CPython's `UNPACK_EX`).

use heap::{AnyObj, Gil};

use super::object::PyTuple;
use super::ops;
use super::types::type_name;
use super::{PyResult, Vm};

/// Unpacks `seq` for `before` targets, a starred one, and `after` targets (`counts` is
/// `before | after << 8`), pushing onto `stack` the last `after` items (last deepest), a
/// new list of the middle items, then the first `before` items (the first on top), so that
/// the stores that follow assign left to right. CPython's errors: `TypeError` "cannot
/// unpack non-iterable X object", `ValueError` "not enough values to unpack (expected at
/// least n, got m)".
pub fn unpack_ex(
    gil: &mut Gil<'_>,
    vm: &Vm,
    seq: &AnyObj,
    counts: u32,
    stack: &mut Vec<AnyObj>,
) -> PyResult<()> {
    let before = (counts & 0xff) as usize;
    let after = (counts >> 8) as usize;
    let mut items = match ops::try_iterate(gil, vm, seq)? {
        Ok(items) => items,
        Err(e) => {
            let type_error = vm.types.type_error.clone();
            if !vm.exc_matches(gil, &e.exc, &type_error) {
                return Err(e);
            }
            let t = vm.type_of(gil, seq);
            let msg = format!("cannot unpack non-iterable {} object", type_name(gil, &t));
            return Err(vm.type_error(gil, &msg));
        }
    };
    if items.len() < before + after {
        let msg = format!(
            "not enough values to unpack (expected at least {}, got {})",
            before + after,
            items.len()
        );
        return Err(vm.value_error(gil, &msg));
    }
    let tail = items.split_off(items.len() - after);
    let middle = items.split_off(before);
    stack.extend(tail.into_iter().rev());
    stack.push(vm.list(gil, middle));
    stack.extend(items.into_iter().rev());
    Ok(())
}

/// The positional arguments of `CallFunctionEx`: the items of `args` (a tuple as it is, any
/// other iterable iterated, as CPython's `PySequence_Tuple`). `Ok(Err(type name))` when
/// `args` is not iterable, for the caller's "f() argument after * must be an iterable".
pub fn star_args(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &AnyObj,
) -> PyResult<Result<Vec<AnyObj>, String>> {
    if let Some(t) = args.downcast_ref::<PyTuple>() {
        return Ok(Ok(t.get(gil).items.to_vec()));
    }
    match ops::try_iterate(gil, vm, args)? {
        Ok(items) => Ok(Ok(items)),
        Err(e) => {
            let type_error = vm.types.type_error.clone();
            if !vm.exc_matches(gil, &e.exc, &type_error) {
                return Err(e);
            }
            let t = vm.type_of(gil, args);
            Ok(Err(type_name(gil, &t)))
        }
    }
}
