//! Running programs: compile, build the `__main__` module, run, report, shut down.

use std::cell::Cell;
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
            instrs: code.instrs.clone().into_boxed_slice(),
            consts: consts.into_boxed_slice(),
            names: names.into_boxed_slice(),
            varnames: varnames.into_boxed_slice(),
            stacksize: crate::compile::verify::max_stack_depth(code).unwrap_or(16) as usize,
            global_cache: GlobalSlot::slots(code.names.len()),
            attr_hint: (0..code.names.len()).map(|_| Cell::new(0)).collect(),
            method_cache: (0..code.names.len())
                .map(|_| Cell::new(super::types::LookupSlot::EMPTY))
                .collect(),
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
        Const::FrozenSet(items) => {
            // CPython 3.11's compiler builds the frozenset from the constants in source
            // order, then (merging constants) builds it again from the first one's
            // iteration order: the second build is the constant, and its order shows.
            let items: Vec<AnyObj> = items.iter().map(|c| make_const(gil, vm, c)).collect();
            let first = frozenset_of(gil, vm, items);
            let again = super::set_ops::elements(gil, &first);
            frozenset_of(gil, vm, again).into_any()
        }
        Const::Code(code) => make_code(gil, vm, code).into_any(),
    }
}

/// A frozenset of constants, added in order (constants hash and compare without running
/// Python code, so adding cannot fail).
fn frozenset_of(gil: &mut Gil<'_>, vm: &Vm, items: Vec<AnyObj>) -> Obj<PySet> {
    let s = super::set_ops::new_set(gil, true);
    for item in items {
        let _ = super::set_ops::add(gil, vm, &s, item);
    }
    s
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
    // `weakref.finalize(..., atexit=True)` callbacks run first, as CPython's atexit hook.
    super::modules::weakref::atexit(gil, vm);
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

/// One line given to [`repl`] by its reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplLine {
    /// A line of input, without its line terminator.
    Line(String),
    /// Ctrl-C at the prompt: the input so far is dropped and `KeyboardInterrupt` printed.
    Interrupt,
    /// End of input (Ctrl-D, or the end of a piped stdin): the session ends.
    Eof,
}

/// The name a bare expression statement's value is stored under while it runs.
const REPL_VALUE: &str = "__pymem_repl_value__";

/// The file name of interactive input, as in CPython.
const REPL_FILE: &str = "<stdin>";

/// What [`repl_classify`] makes of the lines typed so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplInput {
    /// More lines are needed (an open bracket or string, a block header, a block that has not
    /// been ended by an empty line): prompt with `... `.
    Incomplete,
    /// The input is complete and parses.
    Complete,
    /// The input is complete and does not parse (the error is reported when it is run).
    Invalid,
}

/// Decides whether the interactive input `source` (lines joined with `\n`, no final newline)
/// is complete, as CPython's interactive tokenizer does: an error at the end of the text
/// (unclosed bracket or string, a block header without a body) asks for more; a compound
/// statement (`def`, `class`, `if`, `for`, `while`, `try`) goes on until an empty line.
pub fn repl_classify(source: &str) -> ReplInput {
    let ended_by_blank = source.ends_with('\n') || source.is_empty();
    let text = format!("{source}\n");
    match crate::syntax::parse(&text, REPL_FILE) {
        Ok(module) => {
            let compound = module.body.last().is_some_and(|s| {
                use crate::syntax::ast::StmtKind::*;
                matches!(
                    s.kind,
                    If { .. }
                        | While { .. }
                        | For { .. }
                        | FunctionDef(_)
                        | ClassDef(_)
                        | Try { .. }
                )
            });
            // A compound statement goes on until an empty line.
            if compound && !ended_by_blank {
                ReplInput::Incomplete
            } else {
                ReplInput::Complete
            }
        }
        Err(e) => {
            if ends_continued(source) {
                return ReplInput::Incomplete;
            }
            if ended_by_blank {
                return ReplInput::Invalid;
            }
            if error_at_eof(&e, &text) || source.trim_end().ends_with(':') {
                ReplInput::Incomplete
            } else {
                ReplInput::Invalid
            }
        }
    }
}

/// True when a `SyntaxError` is about the end of the text (the input may go on).
fn error_at_eof(e: &crate::syntax::SyntaxError, text: &str) -> bool {
    let msg = e.msg.as_str();
    if msg.contains("EOF")
        || msg.contains("was never closed")
        || msg.contains("unterminated triple-quoted")
        || msg.starts_with("expected an indented block")
    {
        return true;
    }
    let last_line = text.trim_end().lines().count() as u32;
    e.line > last_line
}

/// Whether the text ends inside brackets or with a backslash continuation.
fn ends_continued(source: &str) -> bool {
    if source.trim_end().ends_with('\\') {
        return true;
    }
    let mut depth: i64 = 0;
    let mut quote: Option<char> = None;
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                if c == '\\' {
                    chars.next();
                } else if c == q || c == '\n' {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                '#' => {
                    for c in chars.by_ref() {
                        if c == '\n' {
                            break;
                        }
                    }
                }
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            },
        }
    }
    depth > 0
}

/// An interactive session: one VM and one `__main__` namespace for every input. Create and
/// use it inside one [`heap::with_gil`] call (see [`repl`]).
pub struct Session {
    vm: Rc<Vm>,
    globals: Obj<PyDict>,
}

/// What running one interactive input did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputOutcome {
    /// It ran (or failed with a reported exception or `SyntaxError`): read the next input.
    Continue,
    /// `SystemExit` was raised: end the session with this status.
    Exit(i32),
}

impl Session {
    /// A fresh VM (installed as the thread's VM) with an empty `__main__` namespace and
    /// `sys.argv == argv` (CPython's interactive `sys.argv` is `['']`).
    pub fn new(gil: &mut Gil<'_>, argv: Vec<String>) -> Session {
        let vm = Vm::new(gil);
        install(Some(vm.clone()));
        *vm.argv.borrow_mut() = argv;
        let globals = main_namespace(gil, &vm);
        Session { vm, globals }
    }

    /// The session's VM.
    pub fn vm(&self) -> &Rc<Vm> {
        &self.vm
    }

    /// Runs one complete interactive input, as CPython's "single" mode does: a bare
    /// expression statement's value, unless None, is printed with `repr` and bound to `_` in
    /// builtins; an exception prints its traceback and the session goes on.
    pub fn run_input(&mut self, gil: &mut Gil<'_>, source: &str) -> InputOutcome {
        let vm = self.vm.clone();
        let text = format!("{source}\n");
        let outcome = match self.compile_input(&text) {
            Err(e) => {
                vm.write_stderr(&e.to_string());
                InputOutcome::Continue
            }
            Ok((code, is_expr)) => {
                let code = make_code(gil, &vm, &code);
                match interp::run_module(gil, &vm, code, self.globals.clone()) {
                    Ok(_) if is_expr => self.display_value(gil),
                    Ok(_) => InputOutcome::Continue,
                    Err(e) => self.report(gil, &e.exc),
                }
            }
        };
        *vm.exc_info.borrow_mut() = None;
        vm.flush_stdout();
        outcome
    }

    /// Parses and compiles an input; a lone expression statement becomes an assignment to
    /// [`REPL_VALUE`] (spans kept, so tracebacks point at the user's text).
    fn compile_input(&self, text: &str) -> Result<(Arc<Code>, bool), crate::syntax::SyntaxError> {
        use crate::syntax::ast::{Expr, ExprKind, StmtKind};
        let mut module = crate::syntax::parse(text, REPL_FILE)?;
        let mut is_expr = false;
        if let [stmt] = module.body.as_mut_slice()
            && let StmtKind::Expr(e) = &stmt.kind
        {
            let value = e.clone();
            let target = Expr {
                kind: ExprKind::Name(REPL_VALUE.to_owned()),
                span: value.span,
            };
            stmt.kind = StmtKind::Assign {
                targets: vec![target],
                value,
            };
            is_expr = true;
        }
        let code = crate::compile::compile_module(&module, REPL_FILE, text)?;
        Ok((code, is_expr))
    }

    /// `sys.displayhook`: prints the value's repr and binds `_` (not for None).
    fn display_value(&mut self, gil: &mut Gil<'_>) -> InputOutcome {
        let vm = self.vm.clone();
        let table = &self.globals.get(gil).table;
        let value = types::dict_get_str(gil, &vm, table, REPL_VALUE);
        types::dict_del_str(gil, &vm, &self.globals.get(gil).table, REPL_VALUE);
        let Some(value) = value else {
            return InputOutcome::Continue;
        };
        if value.tag() == tag::NONE {
            return InputOutcome::Continue;
        }
        match ops::repr(gil, &vm, &value) {
            Ok(text) => {
                vm.write_stdout(&text);
                vm.write_stdout("\n");
                types::dict_set_str(gil, &vm, &vm.builtins.get(gil).table, "_", value);
                InputOutcome::Continue
            }
            Err(e) => self.report(gil, &e.exc),
        }
    }

    /// Prints an exception's traceback, or ends the session on `SystemExit`.
    fn report(&mut self, gil: &mut Gil<'_>, exc: &AnyObj) -> InputOutcome {
        let vm = self.vm.clone();
        if vm.exc_matches(gil, exc, &vm.types.system_exit.clone()) {
            return InputOutcome::Exit(report_uncaught(gil, &vm, exc));
        }
        let text = vm.format_exception(gil, exc);
        vm.write_stderr(&text);
        InputOutcome::Continue
    }

    /// Ends the session as CPython ends the interpreter (see [`shutdown`]) and uninstalls
    /// the VM.
    pub fn finish(self, gil: &mut Gil<'_>) {
        let Session { vm, globals } = self;
        shutdown(gil, &vm, globals);
        vm.flush_stdout();
        install(None);
    }
}

/// The interactive loop: reads lines with `read_line(prompt)` (`">>> "` or `"... "`),
/// gathers them into complete inputs ([`repl_classify`]) and runs each in one persistent
/// [`Session`], inside a single [`heap::with_gil`] call. Returns the exit status: 0 at end of
/// input, the `SystemExit` status if one is raised.
pub fn repl<F: FnMut(&str) -> ReplLine>(argv: Vec<String>, mut read_line: F) -> i32 {
    heap::with_gil(|gil| {
        let mut session = Session::new(gil, argv);
        let mut buffer: Vec<String> = Vec::new();
        let status = loop {
            let prompt = if buffer.is_empty() { ">>> " } else { "... " };
            session.vm().flush_stdout();
            let line = match read_line(prompt) {
                ReplLine::Line(l) => l,
                ReplLine::Interrupt => {
                    buffer.clear();
                    session.vm().write_stderr("\nKeyboardInterrupt\n");
                    continue;
                }
                ReplLine::Eof => {
                    if buffer.is_empty() {
                        break 0;
                    }
                    // Run what was gathered, as CPython does when the input ends mid-block.
                    let src = buffer.join("\n");
                    buffer.clear();
                    match session.run_input(gil, &src) {
                        InputOutcome::Exit(s) => break s,
                        InputOutcome::Continue => break 0,
                    }
                }
            };
            if buffer.is_empty() && line.trim().is_empty() {
                continue;
            }
            buffer.push(line);
            let mut src = buffer.join("\n");
            if buffer.len() > 1 && buffer.last().is_some_and(|l| l.trim().is_empty()) {
                // An empty line ends a block.
                src.truncate(src.trim_end().len());
                src.push('\n');
            }
            match repl_classify(&src) {
                ReplInput::Incomplete => continue,
                ReplInput::Complete | ReplInput::Invalid => {
                    buffer.clear();
                    if let InputOutcome::Exit(s) = session.run_input(gil, src.trim_end()) {
                        break s;
                    }
                }
            }
        };
        session.finish(gil);
        status
    })
}
