//! The front end: source text → pymem's [`ast::Module`], or a CPython-style [`SyntaxError`].
//!
//! ```text
//!  source ──► tokenize::scan ──► ruff_python_parser ──► lower ──► ast::Module
//!               │ CPython's          │ ruff's errors        │ "pymem does not
//!               │ tokenizer errors   ▼                      │  support X yet"
//!               └──────────────► diagnose ◄─────────────────┘
//!                                    ▼
//!                               SyntaxError (CPython 3.11's message, line, column)
//! ```
//!
//! - `tokenize` re-checks the source the way CPython's tokenizer does (strings, brackets,
//!   indentation, nesting limits); its errors take priority, as in CPython.
//! - ruff's parser (targeting Python 3.11, so later syntax is rejected) builds ruff's tree.
//! - `lower` — the only module that reads ruff's AST — converts it into [`ast`],
//!   rejecting what PySub-0 leaves out.
//! - `diagnose` turns ruff's first error into CPython's wording for the common cases
//!   (missing `:`, brackets, indentation, invalid targets); anything else is CPython's generic
//!   `invalid syntax` at ruff's location.

pub mod ast;
mod diagnose;
pub mod error;
pub mod location;
mod lower;
mod tokenize;

pub use error::{SyntaxError, SyntaxErrorKind};
pub use location::{LineIndex, Pos, Span};

use ruff_python_ast::{Mod, PythonVersion};
use ruff_python_parser::{Mode, ParseOptions, parse_unchecked};

/// Parses and lowers a whole module. `file` is only used in error reports.
///
/// # Errors
/// A [`SyntaxError`] when the source is not valid Python 3.11 (with CPython's message for the
/// common cases), or when it uses a construct outside PySub-0 (then
/// [`SyntaxError::unsupported`] names it).
///
/// ```
/// use vm::syntax::{ast::StmtKind, parse};
///
/// let module = parse("x = 1\n", "<string>").unwrap();
/// assert!(matches!(module.body[0].kind, StmtKind::Assign { .. }));
///
/// let err = parse("match x:\n    case 1:\n        pass\n", "<string>").unwrap_err();
/// assert_eq!(err.msg, "pymem does not support 'match' statements yet");
/// assert_eq!(err.unsupported, Some("match statement"));
/// ```
pub fn parse(source: &str, file: &str) -> Result<ast::Module, SyntaxError> {
    let index = LineIndex::new(source);
    let scan = tokenize::scan(&index);
    if let Some(err) = scan.error.clone() {
        return Err(diagnose::from_tokenizer(err, &index, file));
    }
    let options = ParseOptions::from(Mode::Module).with_target_version(PythonVersion::PY311);
    let parsed = parse_unchecked(source, options);
    let Mod::Module(module) = parsed.syntax() else {
        // Mode::Module always produces a module; report rather than panic if that changes.
        return Err(diagnose::internal(
            "the parser did not return a module",
            &index,
            file,
        ));
    };
    if let Some(first) = parsed.errors().first() {
        return Err(diagnose::from_parser(first, module, &scan, &index, file));
    }
    if let Some(first) = parsed.unsupported_syntax_errors().first() {
        return Err(diagnose::newer_syntax(first, &index, file));
    }
    lower::lower_module(module, &index, file)
}
