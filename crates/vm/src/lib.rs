//! # vm: pymem's Python-subset virtual machine
//!
//! The fourth layer of pymem: a front end, a compiler and a bytecode interpreter for a Python
//! subset (PySub-0 of `shared/design/python-subset-vm.md` §3, and more), whose every object
//! lives on the `heap` crate, so that `sys.getrefcount`, `gc` and `weakref` tell the story
//! CPython 3.11 tells.
//!
//! ```text
//!   source ─► syntax (parse, lower: pymem's AST or a CPython-style SyntaxError)
//!          ─► compile (symbol table, CPython 3.11-shaped bytecode, stack-depth check)
//!          ─► runtime (objects on the heap, the interpreter loop, builtins, sys/gc/weakref)
//! ```
//!
//! - [`syntax`]: source text in, [`syntax::ast::Module`] or a [`syntax::SyntaxError`] out
//!   (the design below).
//! - [`compile`]: scopes as CPython's symtable resolves them (local, global, cell, free,
//!   class scopes, comprehensions as functions), instructions whose stack effects are
//!   documented one by one in `compile/bytecode.rs`, a disassembler and a verifier.
//! - [`runtime`]: payloads with CPython's layouts and sizes, the compact dict, the loop
//!   (boxed frames from a pool, no Rust recursion per Python call, inline caches for globals
//!   and instance attributes), tracebacks, and the `sys`, `gc`, `weakref`, `math` and `time`
//!   modules. [`runtime::run::run_main`] runs a script the way the `pymem` command does.
//!
//! ## The front end
//!
//! ```text
//!   source ─► syntax::tokenize (CPython tokenizer checks) ─► ruff_python_parser (3.11 target)
//!          ─► syntax::lower (the only reader of ruff's AST) ─► syntax::ast::Module
//!                     └─ any failure ─► syntax::SyntaxError (CPython 3.11's text and caret)
//! ```
//!
//! - **Parser.** `ruff_python_parser` `=0.0.10`, Astral's hand-written recursive-descent
//!   parser: ~7x faster than `rustpython-parser` and recovers from errors. Its AST is an unstable
//!   internal API, so it is pinned exactly and read in one module, `syntax/lower.rs`; everything
//!   after the front end (the compiler and its symbol table) sees only [`syntax::ast`], whose
//!   shapes follow CPython's `ast` module (nested `If` for `elif`, `Compare` chains, `Slice` in
//!   `Subscript`), as ruff keeps its AST apart from its consumers.
//! - **Subset.** Lowering accepts the syntax pymem runs; any other valid Python becomes a
//!   [`syntax::SyntaxError`] saying `pymem does not support X yet`, located at the construct,
//!   with [`syntax::SyntaxError::unsupported`] naming it as the conformance corpus' `# needs:`
//!   tags do. Nothing panics on any input.
//! - **Locations.** Every node has a [`syntax::Span`]: 1-based lines and 1-based columns
//!   counted in characters, CPython's `SyntaxError.lineno/offset` convention. (CPython's AST
//!   `col_offset` is a 0-based UTF-8 byte offset; the compiler converts if it needs that.)
//! - **Errors as CPython prints them.** ruff's messages differ from CPython's, so for the common
//!   cases (missing `:`, unbalanced brackets, indentation, invalid assignment targets,
//!   unterminated strings) the front end reproduces CPython 3.11's message, line and column,
//!   checked against `python3.11` in the tests; CPython's tokenizer errors are found by a scan
//!   of our own because CPython gives them priority over parser errors wherever they occur.
//! - **Bounded nesting.** CPython's tokenizer limits (200 open brackets, 100 indentation levels)
//!   are enforced before parsing; unparenthesised operator chains stop at 3000 levels with an
//!   error, where CPython's compiler raises `RecursionError`.
//!
//! Start reading at [`syntax::parse`].
//!
//! ```
//! let module = vm::syntax::parse("def f(x):\n    return x + 1\n", "m.py").unwrap();
//! assert_eq!(module.body.len(), 1);
//! let err = vm::syntax::parse("if x\n    pass\n", "m.py").unwrap_err();
//! assert_eq!(err.to_string(), "  File \"m.py\", line 1\n    if x\n        ^\nSyntaxError: expected ':'\n");
//! ```

#![doc(test(attr(deny(warnings))))]

pub mod compile;
pub mod runtime;
pub mod syntax;
pub mod text;
