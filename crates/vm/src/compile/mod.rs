//! The compiler: pymem's syntax tree → [`bytecode::Code`], CPython 3.11's shapes.
//!
//! ```text
//!  ast::Module ──► symtable::build ──► codegen ──► Arc<Code> (module)
//!                    │ scopes and        │ one Code per scope, nested ones as
//!                    │ name resolution   │ Const::Code constants of their parent
//!                    └─► SyntaxError ◄───┘ ('return' outside function, ...)
//! ```
//!
//! **Symbol table first.** As in CPython, a first pass over the whole module collects how
//! every name is used in every scope (module, class, function, lambda, comprehension) and
//! resolves it: local, global (declared or implicit), free (bound by an enclosing function),
//! or cell (local and captured). Misplaced `global`/`nonlocal` declarations are reported
//! here, before any code is generated, so the first error CPython would report is the one
//! pymem reports.
//!
//! **Then code generation**, one unit per scope with the units nested on a stack. The
//! symbol table decides the instruction family for each name: `*Name` in module and class
//! bodies, `*Fast`/`*Deref`/`*Global` in functions, `LoadClassDeref` for a class body's free
//! variables. The instruction sequences copy CPython 3.11's where reference counts or object
//! allocation can observe them: the `PushNull`/`LoadMethod` + `Call` shapes, comprehensions as
//! functions called with an iterator, the class-body prologue and `__classcell__` epilogue,
//! and the exception-handler stack discipline (`SetupExcept` blocks instead of 3.11's
//! exception table; see `codegen/stmt.rs`). Every instruction carries the span of the node
//! that produced it, for tracebacks.
//!
//! **Verification.** [`verify::max_stack_depth`] walks the control-flow graph of a `Code`
//! and computes the deepest stack it can need, rejecting code whose depth could go negative
//! or differ where paths join; the interpreter uses it to size frames. [`dis`] prints `Code`
//! the way CPython's `dis` module does.
//!
//! Recursion over the syntax tree is bounded by the front end's nesting limits and runs on a
//! growable stack (`stacker`).

pub mod bytecode;
mod codegen;
pub mod dis;
pub mod symtable;
pub mod verify;

use std::sync::Arc;

use crate::syntax::SyntaxError;
use crate::syntax::ast::Module;
use bytecode::Code;

/// Compiles a parsed module. `filename` goes into the code objects and errors; `source` is
/// the text the module was parsed from (for the source line of a `SyntaxError`).
///
/// # Errors
/// The `SyntaxError`s CPython 3.11 raises after parsing: from the symbol table (misplaced
/// `global`/`nonlocal`) and the code generator (`return`/`break`/`continue` out of place).
pub fn compile_module(
    module: &Module,
    filename: &str,
    source: &str,
) -> Result<Arc<Code>, SyntaxError> {
    let table = symtable::build(module, filename, source)?;
    codegen::compile(module, &table, filename, source)
}

/// Parses and compiles `source`.
///
/// # Errors
/// Any `SyntaxError` of [`crate::syntax::parse`] or [`compile_module`].
///
/// ```
/// let code = vm::compile::compile_source("print(1)\n", "m.py").unwrap();
/// assert_eq!(code.name, "<module>");
/// ```
pub fn compile_source(source: &str, filename: &str) -> Result<Arc<Code>, SyntaxError> {
    let module = crate::syntax::parse(source, filename)?;
    compile_module(&module, filename, source)
}
