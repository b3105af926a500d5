//! Errors nobody can catch: CPython's `PyErr_WriteUnraisable`.
//!
//! A finalizer or a weak-reference callback runs because an object died, not because some
//! caller asked for it, so an error inside it has nowhere to propagate. CPython prints
//! `Exception ignored in: <obj>` and the traceback to stderr and carries on; the heap does
//! the same for panics in finalizers and callbacks and for callbacks that cannot be called,
//! through a hook a VM replaces to print its own format (`sys.unraisablehook`).

use std::io::Write;

use crate::gil::Gil;
use crate::state::heap;

/// One unraisable error: where it happened and what it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unraisable {
    /// What was running, e.g. `the finalizer of Node` (CPython: the object after
    /// "Exception ignored in:").
    pub context: String,
    /// The error.
    pub message: String,
}

/// A handler for unraisable errors (see [`set_unraisable_hook`]).
pub type UnraisableHook = fn(&mut Gil<'_>, &Unraisable);

/// Installs `hook` for unraisable errors (`None` restores the default, which writes
/// `Exception ignored in: {context}` and the message to stderr). Returns the previous hook.
pub fn set_unraisable_hook(
    _gil: &mut Gil<'_>,
    hook: Option<UnraisableHook>,
) -> Option<UnraisableHook> {
    heap().unraisable.replace(hook)
}

/// Reports an unraisable error through the hook.
pub fn report_unraisable(gil: &mut Gil<'_>, error: &Unraisable) {
    match heap().unraisable.get() {
        Some(hook) => hook(gil, error),
        None => {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "Exception ignored in: {}", error.context);
            let _ = writeln!(err, "{}", error.message);
        }
    }
}

/// Reports a panic caught around a finalizer or callback.
pub(crate) fn report_panic(gil: &mut Gil<'_>, context: &str) {
    report_unraisable(
        gil,
        &Unraisable {
            context: context.to_owned(),
            message: "panicked (the panic message was printed above)".to_owned(),
        },
    );
}
