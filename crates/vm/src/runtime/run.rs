//! Running programs: compile, build the `__main__` module, run, report, shut down.

use std::rc::Rc;
use std::sync::Arc;

use heap::{AnyObj, Gil, Obj};

use super::interp;
use super::object::*;
use super::ops;
use super::types;
use super::{Vm, install};
use crate::compile::bytecode::{Code, Const};

/// Turns compiled code into a code object (constants and names become objects; names and
/// identifier-like strings are interned, as CPython does).
pub fn make_code(gil: &mut Gil<'_>, vm: &Vm, code: &Arc<Code>) -> Obj<PyCode> {
    let consts: Vec<AnyObj> = code.consts.iter().map(|c| make_const(gil, vm, c)).collect();
    let names: Vec<AnyObj> = code.names.iter().map(|n| vm.intern(gil, n)).collect();
    let varnames: Vec<AnyObj> = code.varnames.iter().map(|n| vm.intern(gil, n)).collect();
    Obj::new(
        gil,
        PyCode {
            code: code.clone(),
            consts: consts.into_boxed_slice(),
            names: names.into_boxed_slice(),
            varnames: varnames.into_boxed_slice(),
        },
    )
}

fn make_const(gil: &mut Gil<'_>, vm: &Vm, c: &Const) -> AnyObj {
    match c {
        Const::None => vm.none.clone(),
        Const::Bool(b) => vm.bool(*b),
        Const::Int(i) => vm.int(gil, *i),
        Const::Float(f) => vm.float(gil, *f),
        Const::Str(s) => {
            if s.len() <= 40 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                vm.intern(gil, s)
            } else {
                vm.str(gil, s)
            }
        }
        Const::Tuple(items) => {
            let v: Vec<AnyObj> = items.iter().map(|c| make_const(gil, vm, c)).collect();
            let t = vm.tuple(gil, v);
            t.untrack(gil);
            t
        }
        Const::Code(code) => make_code(gil, vm, code).into_any(),
    }
}

/// How a program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit status for the process.
    Exit(i32),
}

/// A new `__main__` namespace.
pub fn main_namespace(gil: &mut Gil<'_>, vm: &Vm) -> Obj<PyDict> {
    let g = vm.dict(gil);
    let name = vm.intern(gil, "__main__");
    types::dict_set_str(gil, vm, &g.get(gil).table, "__name__", name);
    types::dict_set_str(gil, vm, &g.get(gil).table, "__doc__", vm.none.clone());
    let b = vm.builtins.clone().into_any();
    types::dict_set_str(gil, vm, &g.get(gil).table, "__builtins__", b);
    g
}

/// Prints an uncaught exception (or handles `SystemExit`); returns the exit status.
pub fn report_uncaught(gil: &mut Gil<'_>, vm: &Vm, exc: &AnyObj) -> i32 {
    if vm.exc_matches(gil, exc, &vm.types.system_exit.clone()) {
        let args = vm.exc_args(gil, exc);
        return match args.first() {
            None => 0,
            Some(a) if a.tag() == tag::NONE => 0,
            Some(a) => match ops::int_payload(gil, a) {
                Some(i) => i as i32,
                None => {
                    let s = ops::str_of(gil, vm, a).unwrap_or_default();
                    vm.write_stderr(&format!("{s}\n"));
                    1
                }
            },
        };
    }
    let text = vm.format_exception(gil, exc);
    vm.write_stderr(&text);
    1
}

/// Runs `source` as the `__main__` module with `sys.argv = argv`; returns the exit status.
/// Prints a `SyntaxError` or an uncaught exception's traceback to stderr, then shuts down as
/// CPython does (module globals cleared, a final collection, `PYTHONMALLOCSTATS` report).
pub fn run_main(source: &str, filename: &str, argv: Vec<String>) -> i32 {
    heap::with_gil(|gil| {
        let vm = Vm::new(gil);
        install(Some(vm.clone()));
        *vm.argv.borrow_mut() = argv;
        vm.sources
            .borrow_mut()
            .insert(filename.to_owned(), Rc::from(source));
        let status = match crate::compile::compile_source(source, filename) {
            Err(e) => {
                vm.write_stderr(&e.to_string());
                1
            }
            Ok(code) => {
                let code = make_code(gil, &vm, &code);
                let globals = main_namespace(gil, &vm);
                let status = match interp::run_module(gil, &vm, code, globals.clone()) {
                    Ok(_) => 0,
                    Err(e) => report_uncaught(gil, &vm, &e.exc),
                };
                shutdown(gil, &vm, globals);
                status
            }
        };
        vm.flush_stdout();
        install(None);
        status
    })
}

/// CPython's interpreter shutdown, in the order that runs user finalizers: `__main__`'s
/// globals are cleared (each value dropped in insertion order), then a collection frees the
/// cycles left.
pub fn shutdown(gil: &mut Gil<'_>, vm: &Vm, globals: Obj<PyDict>) {
    *vm.exc_info.borrow_mut() = None;
    // One value at a time, in insertion order, each replaced by None as CPython's
    // `_PyModule_ClearDict` does, so a finalizer that reads a global sees None, not garbage.
    let n = globals.get(gil).table.with(gil, |t| t.entries_len());
    for p in 0..n {
        let none = vm.none.clone();
        let old = globals.get(gil).table.with_mut(gil, |t| {
            t.entry_mut(p)
                .map(|e| std::mem::replace(&mut e.value, none))
        });
        drop(old);
    }
    heap::gc::collect(gil, 2).ok();
    vm.flush_stdout();
}

/// Keeps `Vm` reachable for tools that drive the runtime directly.
pub fn new_vm(gil: &mut Gil<'_>) -> Rc<Vm> {
    let vm = Vm::new(gil);
    install(Some(vm.clone()));
    vm
}
