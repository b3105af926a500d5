//! AST → [`Code`]: one [`Unit`] per scope being compiled, a stack of them for nesting.
//!
//! A unit owns the growing instruction vector, its span vector and the interned tables.
//! Jumps are emitted with a placeholder target and patched once the target index is known
//! (targets are absolute instruction indices). The unit's block stack ([`Block`]) records the
//! loops, `try` bodies and `except` handlers the current statement is inside, so that
//! `break`, `continue` and `return` can emit the instructions that leave them.
//!
//! Statements are in [`stmt`], expressions and assignment targets in [`expr`].

mod expr;
mod stmt;

use std::collections::HashMap;
use std::sync::Arc;

use super::bytecode::{Code, CodeKind, Const, Instr};
use super::symtable::{Scope, ScopeKind, SymbolTable};
use crate::syntax::ast::Module;
use crate::syntax::{LineIndex, Span, SyntaxError};

/// How much stack to keep free before recursing into a nested node, and how much to add.
const RED_ZONE: usize = 64 * 1024;
const SEGMENT: usize = 1024 * 1024;

/// Equality key for constant deduplication: kind and value (floats by bits), so `1`, `1.0`
/// and `True` stay three constants.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ConstKey {
    None,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(String),
    Tuple(Vec<ConstKey>),
    FrozenSet(Vec<ConstKey>),
}

fn const_key(c: &Const) -> Option<ConstKey> {
    Some(match c {
        Const::None => ConstKey::None,
        Const::Bool(b) => ConstKey::Bool(*b),
        Const::Int(i) => ConstKey::Int(*i),
        Const::Float(f) => ConstKey::Float(f.to_bits()),
        Const::Str(s) => ConstKey::Str(s.clone()),
        Const::Tuple(items) => ConstKey::Tuple(items.iter().map(const_key).collect::<Option<_>>()?),
        Const::FrozenSet(items) => {
            ConstKey::FrozenSet(items.iter().map(const_key).collect::<Option<_>>()?)
        }
        Const::Code(_) => return None,
    })
}

/// A construct the current statement is nested in, innermost last.
#[derive(Clone, Debug)]
enum Block {
    /// A `while` (`iter == false`) or `for` loop; `breaks` are jumps to patch to its end.
    Loop {
        start: u32,
        breaks: Vec<usize>,
        iter: bool,
    },
    /// The body of a `try` (one `SetupExcept` to pop).
    TryBody,
    /// An `except` handler body: a `SetupExcept` and the saved exception state to pop, and
    /// the bound name to clear.
    Handler { name: Option<String> },
    /// The body (and handlers, and `else`) of a `try` with a `finally`: leaving it pops its
    /// `SetupExcept` and runs a copy of the `finally` body (CPython's `FINALLY_TRY`).
    FinallyTry { body: Vec<crate::syntax::ast::Stmt> },
    /// The `finally` body run while an exception propagates: the stack holds the saved
    /// exception state and the exception, under a cleanup `SetupExcept` (`FINALLY_END`).
    FinallyEnd,
    /// A value kept on the stack while a `finally` body runs for a `return` (`POP_VALUE`).
    PopValue,
    /// The body of a `with`: leaving it pops its `SetupExcept` and calls the bound
    /// `__exit__` below with three `None`s (CPython's `WITH`).
    With,
}

/// One scope being compiled.
struct Unit {
    scope: usize,
    code: Code,
    names: HashMap<String, u32>,
    varnames: HashMap<String, u32>,
    consts: HashMap<ConstKey, u32>,
    blocks: Vec<Block>,
}

/// The compiler state: the symbol table and the stack of units.
pub(crate) struct Compiler<'a> {
    table: &'a SymbolTable,
    index: LineIndex<'a>,
    file: &'a str,
    filename: Arc<str>,
    units: Vec<Unit>,
}

/// Compiles a module whose symbol table has been built.
pub(crate) fn compile(
    module: &Module,
    table: &SymbolTable,
    file: &str,
    source: &str,
) -> Result<Arc<Code>, SyntaxError> {
    let mut c = Compiler {
        table,
        index: LineIndex::new(source),
        file,
        filename: Arc::from(file),
        units: Vec::new(),
    };
    c.push_unit(0, CodeKind::Module, "<module>".into(), 1);
    let span = module.body.first().map_or(
        Span {
            start: crate::syntax::Pos { line: 1, col: 1 },
            end: crate::syntax::Pos { line: 1, col: 1 },
        },
        |s| s.span,
    );
    if stmt::has_annotations(&module.body) {
        c.emit(Instr::SetupAnnotations, span);
    }
    let mut body = &module.body[..];
    if let Some(first) = module.body.first()
        && let Some(doc) = stmt::docstring(first)
    {
        let k = c.add_const(Const::Str(doc.to_owned()));
        c.emit(Instr::LoadConst(k), first.span);
        c.store_name("__doc__", first.span);
        body = &module.body[1..];
    }
    c.stmts(body)?;
    let end = module.body.last().map_or(span, |s| s.span);
    let none = c.add_const(Const::None);
    c.emit(Instr::LoadConst(none), end);
    c.emit(Instr::ReturnValue, end);
    Ok(Arc::new(c.pop_unit()))
}

impl Compiler<'_> {
    fn unit(&mut self) -> &mut Unit {
        self.units.last_mut().expect("a unit is being compiled")
    }

    fn unit_ref(&self) -> &Unit {
        self.units.last().expect("a unit is being compiled")
    }

    fn scope_kind(&self) -> ScopeKind {
        self.table.scopes[self.unit_ref().scope].kind
    }

    fn error(&self, msg: &str, span: Span) -> SyntaxError {
        super::symtable::error_at(self.file, &self.index, msg.to_owned(), span)
    }

    /// Opens the unit for symbol-table scope `scope`; parameters take the first varnames.
    fn push_unit(&mut self, scope: usize, kind: CodeKind, qualname: String, first_line: u32) {
        let info = &self.table.scopes[scope];
        let varnames = info.params.clone();
        let cellvars = info.cellvars();
        let cell2arg = cellvars
            .iter()
            .map(|c| varnames.iter().position(|v| v == c).map(|i| i as u32))
            .collect();
        let code = Code {
            kind,
            name: info.name.clone(),
            qualname,
            filename: self.filename.clone(),
            first_line,
            argcount: 0,
            posonlyargcount: 0,
            kwonlyargcount: 0,
            has_varargs: false,
            has_varkw: false,
            varnames: varnames.clone(),
            cellvars,
            cell2arg,
            freevars: info.freevars(),
            names: Vec::new(),
            consts: Vec::new(),
            instrs: Vec::new(),
            spans: Vec::new(),
            docstring: None,
            is_generator: info.is_generator,
        };
        let varnames = varnames
            .into_iter()
            .enumerate()
            .map(|(i, n)| (n, i as u32))
            .collect();
        self.units.push(Unit {
            scope,
            code,
            names: HashMap::new(),
            varnames,
            consts: HashMap::new(),
            blocks: Vec::new(),
        });
        if self.table.scopes[scope].is_generator {
            // CPython 3.11's generator prologue: the call returns the generator, and its
            // first resumption's `None` is dropped.
            let at = Span {
                start: crate::syntax::Pos {
                    line: first_line,
                    col: 1,
                },
                end: crate::syntax::Pos {
                    line: first_line,
                    col: 1,
                },
            };
            self.emit(Instr::ReturnGenerator, at);
            self.emit(Instr::PopTop, at);
        }
    }

    fn pop_unit(&mut self) -> Code {
        self.units.pop().expect("a unit is being compiled").code
    }

    /// The qualified name of a `def`/`class`/`lambda`/comprehension named `name` nested in
    /// the current unit.
    fn qualname(&self, name: &str) -> String {
        let unit = self.unit_ref();
        let info = &self.table.scopes[unit.scope];
        match info.kind {
            ScopeKind::Module => name.to_owned(),
            _ if info.scope_of(name) == Some(Scope::GlobalExplicit) => name.to_owned(),
            ScopeKind::Class => format!("{}.{name}", unit.code.qualname),
            _ => format!("{}.<locals>.{name}", unit.code.qualname),
        }
    }

    fn emit(&mut self, instr: Instr, span: Span) -> usize {
        let code = &mut self.unit().code;
        code.instrs.push(instr);
        code.spans.push(span);
        code.instrs.len() - 1
    }

    /// The index the next instruction will have.
    fn here(&self) -> u32 {
        self.unit_ref().code.instrs.len() as u32
    }

    /// Points the jump at `at` to `target`.
    fn patch(&mut self, at: usize, target: u32) {
        let instr = &mut self.unit().code.instrs[at];
        match instr {
            Instr::Jump(t)
            | Instr::PopJumpIfFalse(t)
            | Instr::PopJumpIfTrue(t)
            | Instr::JumpIfFalseOrPop(t)
            | Instr::JumpIfTrueOrPop(t)
            | Instr::ForIter(t)
            | Instr::SetupExcept(t)
            | Instr::SetupWith(t) => *t = target,
            other => unreachable!("patching a non-jump {other:?}"),
        }
    }

    /// Points the jump at `at` to the next instruction.
    fn patch_here(&mut self, at: usize) {
        let here = self.here();
        self.patch(at, here);
    }

    fn add_const(&mut self, c: Const) -> u32 {
        let unit = self.unit();
        let key = const_key(&c);
        if let Some(k) = &key
            && let Some(&i) = unit.consts.get(k)
        {
            return i;
        }
        let i = unit.code.consts.len() as u32;
        unit.code.consts.push(c);
        if let Some(k) = key {
            unit.consts.insert(k, i);
        }
        i
    }

    fn add_name(&mut self, name: &str) -> u32 {
        let unit = self.unit();
        if let Some(&i) = unit.names.get(name) {
            return i;
        }
        let i = unit.code.names.len() as u32;
        unit.code.names.push(name.to_owned());
        unit.names.insert(name.to_owned(), i);
        i
    }

    fn add_varname(&mut self, name: &str) -> u32 {
        let unit = self.unit();
        if let Some(&i) = unit.varnames.get(name) {
            return i;
        }
        let i = unit.code.varnames.len() as u32;
        unit.code.varnames.push(name.to_owned());
        unit.varnames.insert(name.to_owned(), i);
        i
    }

    /// Index of `name` in `cellvars ++ freevars`.
    fn cell_index(&self, name: &str) -> Option<u32> {
        let code = &self.unit_ref().code;
        code.cellvars
            .iter()
            .position(|c| c == name)
            .or_else(|| {
                code.freevars
                    .iter()
                    .position(|f| f == name)
                    .map(|i| i + code.cellvars.len())
            })
            .map(|i| i as u32)
    }

    fn store_name(&mut self, name: &str, span: Span) {
        self.name_op(name, NameOp::Store, span);
    }

    /// Emits the load, store or delete of variable `name` for the current scope.
    fn name_op(&mut self, name: &str, op: NameOp, span: Span) {
        let info = &self.table.scopes[self.unit_ref().scope];
        let kind = info.kind;
        let scope = info.scope_of(name);
        let instr = match scope {
            Some(Scope::Free | Scope::Cell) => {
                let i = self.cell_index(name).unwrap_or(0);
                match op {
                    NameOp::Load if kind == ScopeKind::Class => Instr::LoadClassDeref(i),
                    NameOp::Load => Instr::LoadDeref(i),
                    NameOp::Store => Instr::StoreDeref(i),
                    NameOp::Delete => Instr::DeleteDeref(i),
                }
            }
            Some(Scope::Local) if kind.is_function() => {
                let i = self.add_varname(name);
                match op {
                    NameOp::Load => Instr::LoadFast(i),
                    NameOp::Store => Instr::StoreFast(i),
                    NameOp::Delete => Instr::DeleteFast(i),
                }
            }
            Some(Scope::GlobalExplicit) => self.global_op(name, op),
            Some(Scope::GlobalImplicit) | None if kind.is_function() => self.global_op(name, op),
            _ => {
                let i = self.add_name(name);
                match op {
                    NameOp::Load => Instr::LoadName(i),
                    NameOp::Store => Instr::StoreName(i),
                    NameOp::Delete => Instr::DeleteName(i),
                }
            }
        };
        self.emit(instr, span);
    }

    /// Whether `name` is a fast local of the unit being compiled (`LOAD_FAST`/`STORE_FAST`).
    fn is_fast_local(&self, name: &str) -> bool {
        let info = &self.table.scopes[self.unit_ref().scope];
        info.kind.is_function() && info.scope_of(name) == Some(Scope::Local)
    }

    fn global_op(&mut self, name: &str, op: NameOp) -> Instr {
        let i = self.add_name(name);
        match op {
            NameOp::Load => Instr::LoadGlobal(i),
            NameOp::Store => Instr::StoreGlobal(i),
            NameOp::Delete => Instr::DeleteGlobal(i),
        }
    }

    /// Finishes the child unit `code` and emits, in the current unit, the instructions that
    /// make a function of it: `[defaults already pushed, as `default_flags` says]`, closure
    /// cells, the code, `MakeFunction`.
    fn make_function(&mut self, code: Code, default_flags: u32, span: Span) {
        let mut flags = default_flags;
        if !code.freevars.is_empty() {
            for name in &code.freevars {
                let i = self.cell_index(name).unwrap_or(0);
                self.emit(Instr::LoadClosure(i), span);
            }
            self.emit(Instr::BuildTuple(code.freevars.len() as u32), span);
            flags |= 8;
        }
        let k = self.add_const(Const::Code(Arc::new(code)));
        self.emit(Instr::LoadConst(k), span);
        self.emit(Instr::MakeFunction(flags), span);
    }
}

/// What a [`Compiler::name_op`] does with the variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NameOp {
    Load,
    Store,
    Delete,
}
