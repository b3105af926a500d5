//! The symbol table: which scope every name of every block lives in.
//!
//! Two passes, as in CPython 3.11:
//!
//! 1. **Collect.** A walk over the AST opens a [`ScopeInfo`] for the module, each class,
//!    `def`, `lambda` and list comprehension, and records per name how it is used there
//!    (bound, a parameter, read, declared `global`/`nonlocal`, imported). The misplaced
//!    `global`/`nonlocal` errors are found here, at the declaration.
//! 2. **Resolve.** A walk over the scope tree decides each name's [`Scope`]: bound names are
//!    local, names bound by an enclosing *function* are free (class bodies are invisible to
//!    nested functions, except for the implicit `__class__`), everything else is global.
//!    Locals captured by inner scopes become cells; free names pass through intermediate
//!    scopes. A method that says `super` or `__class__` captures the class body's
//!    `__class__` cell.
//!
//! Comprehensions are function scopes with one parameter, `.0`; the outermost iterable is
//! collected in the enclosing scope because that is where it is evaluated. The code generator
//! finds a node's scope by the start of its span ([`SymbolTable::scope_at`]).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::syntax::ast::{
    Comprehension, Expr, ExprKind, FStringPart, Module, Params, Stmt, StmtKind,
};
use crate::syntax::{LineIndex, Pos, Span, SyntaxError, SyntaxErrorKind};

/// A name is assigned, deleted, a loop/handler target, or a `def`/`class` name here.
pub const DEF_LOCAL: u16 = 1;
/// A name is a parameter here.
pub const DEF_PARAM: u16 = 2;
/// A name is declared `global` here.
pub const DEF_GLOBAL: u16 = 4;
/// A name is declared `nonlocal` here.
pub const DEF_NONLOCAL: u16 = 8;
/// A name is read here.
pub const USE: u16 = 16;
/// A name is bound by an `import` here.
pub const DEF_IMPORT: u16 = 32;
/// In a class body: a name bound in the class that a method also uses as a free variable of
/// an enclosing function (so the class code object has it as a freevar too).
pub const DEF_FREE_CLASS: u16 = 64;
/// A name is the target of an annotated assignment (`x: int`) here.
pub const DEF_ANNOT: u16 = 128;
/// A name is an iteration variable of this comprehension.
pub const DEF_COMP_ITER: u16 = 256;
const DEF_BOUND: u16 = DEF_LOCAL | DEF_PARAM | DEF_IMPORT;

/// What kind of block a scope is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    /// The module's top level.
    Module,
    /// A class body.
    Class,
    /// A `def`.
    Function,
    /// A `lambda`.
    Lambda,
    /// A list comprehension (a nested function in 3.11).
    Comprehension,
}

impl ScopeKind {
    /// Whether the scope is a function block (fast locals, can own cells).
    pub fn is_function(self) -> bool {
        matches!(
            self,
            ScopeKind::Function | ScopeKind::Lambda | ScopeKind::Comprehension
        )
    }
}

/// Where a name resolves in one scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Bound in this scope (a fast local in functions, a namespace entry elsewhere).
    Local,
    /// Declared `global`.
    GlobalExplicit,
    /// Not bound anywhere visible: a global or builtin.
    GlobalImplicit,
    /// Bound in an enclosing function: reached through a cell passed in the closure.
    Free,
    /// Bound here and captured by an inner scope: lives in a cell.
    Cell,
}

/// One name in one scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// The `DEF_*`/`USE` flags collected for it.
    pub flags: u16,
    /// Where it resolved.
    pub scope: Scope,
}

/// One block's names.
#[derive(Clone, Debug)]
pub struct ScopeInfo {
    /// Its kind.
    pub kind: ScopeKind,
    /// `<module>`, the function or class name, `<lambda>`, `<listcomp>`.
    pub name: String,
    /// The enclosing scope (`None` for the module).
    pub parent: Option<usize>,
    /// Nested scopes, in source order.
    pub children: Vec<usize>,
    /// Symbols in first-use order.
    pub symbols: Vec<(String, Symbol)>,
    /// Parameter names in order (`args`, then `*args`, then `**kwargs`).
    pub params: Vec<String>,
    /// A class body whose methods use `__class__` (or `super`): it makes the `__class__` cell.
    pub needs_class_cell: bool,
    /// A function or lambda containing `yield`, or a generator expression: its code is a
    /// generator's (CPython's `CO_GENERATOR`).
    pub is_generator: bool,
    index: HashMap<String, usize>,
    directives: HashMap<String, Span>,
    /// How many comprehension iterables of this scope are being visited (a walrus there is
    /// an error).
    comp_iter: u32,
}

impl ScopeInfo {
    fn new(kind: ScopeKind, name: &str, parent: Option<usize>) -> Self {
        ScopeInfo {
            kind,
            name: name.to_owned(),
            parent,
            children: Vec::new(),
            symbols: Vec::new(),
            params: Vec::new(),
            needs_class_cell: false,
            is_generator: false,
            index: HashMap::new(),
            directives: HashMap::new(),
            comp_iter: 0,
        }
    }

    /// The symbol for `name`, if the scope mentions it.
    pub fn get(&self, name: &str) -> Option<Symbol> {
        self.index.get(name).map(|&i| self.symbols[i].1)
    }

    /// Where `name` resolves (`None` if the scope never mentions it).
    pub fn scope_of(&self, name: &str) -> Option<Scope> {
        self.get(name).map(|s| s.scope)
    }

    /// The cell variables, sorted by name (CPython's order), `__class__` included.
    pub fn cellvars(&self) -> Vec<String> {
        let mut cells: BTreeSet<String> = self
            .symbols
            .iter()
            .filter(|(_, s)| s.scope == Scope::Cell)
            .map(|(n, _)| n.clone())
            .collect();
        if self.needs_class_cell {
            cells.insert("__class__".into());
        }
        cells.into_iter().collect()
    }

    /// The free variables, sorted by name.
    pub fn freevars(&self) -> Vec<String> {
        let free: BTreeSet<String> = self
            .symbols
            .iter()
            .filter(|(_, s)| s.scope == Scope::Free || s.flags & DEF_FREE_CLASS != 0)
            .map(|(n, _)| n.clone())
            .collect();
        free.into_iter().collect()
    }

    fn add(&mut self, name: &str, flag: u16) -> u16 {
        let i = *self.index.entry(name.to_owned()).or_insert_with(|| {
            self.symbols.push((
                name.to_owned(),
                Symbol {
                    flags: 0,
                    scope: Scope::GlobalImplicit,
                },
            ));
            self.symbols.len() - 1
        });
        let old = self.symbols[i].1.flags;
        self.symbols[i].1.flags |= flag;
        old
    }
}

/// All scopes of a module; scope 0 is the module.
#[derive(Clone, Debug)]
pub struct SymbolTable {
    /// The scopes, in the order they were opened (a parent before its children).
    pub scopes: Vec<ScopeInfo>,
    by_pos: HashMap<Pos, usize>,
}

impl SymbolTable {
    /// The scope opened by the `def`/`class` statement, `lambda` or comprehension whose span
    /// starts at `pos`.
    pub fn scope_at(&self, pos: Pos) -> Option<usize> {
        self.by_pos.get(&pos).copied()
    }
}

/// Builds and resolves the symbol table of `module`.
///
/// # Errors
/// CPython's symbol-table `SyntaxError`s (misplaced `global`/`nonlocal`, no binding for a
/// `nonlocal`, duplicate parameters), located at the offending statement or name.
pub fn build(module: &Module, file: &str, source: &str) -> Result<SymbolTable, SyntaxError> {
    let index = LineIndex::new(source);
    let mut b = Builder {
        table: SymbolTable {
            scopes: vec![ScopeInfo::new(ScopeKind::Module, "<module>", None)],
            by_pos: HashMap::new(),
        },
        cur: 0,
        file,
        index: &index,
    };
    b.stmts(&module.body)?;
    let mut table = b.table;
    let mut free = HashSet::new();
    let err = analyze(&mut table, 0, None, &HashSet::new(), &mut free);
    err.map_err(|(msg, span)| error_at(file, &index, msg, span))?;
    Ok(table)
}

/// A `SyntaxError` at `span`, with its source line.
pub(crate) fn error_at(file: &str, index: &LineIndex<'_>, msg: String, span: Span) -> SyntaxError {
    SyntaxError {
        kind: SyntaxErrorKind::Syntax,
        msg,
        file: file.to_owned(),
        line: span.start.line,
        col: span.start.col,
        end: Some(span.end),
        text: index.line_text(span.start.line).map(str::to_owned),
        unsupported: None,
    }
}

struct Builder<'a, 'src> {
    table: SymbolTable,
    cur: usize,
    file: &'a str,
    index: &'a LineIndex<'src>,
}

type Res = Result<(), SyntaxError>;

impl Builder<'_, '_> {
    fn err(&self, msg: String, span: Span) -> SyntaxError {
        error_at(self.file, self.index, msg, span)
    }

    fn scope(&mut self) -> &mut ScopeInfo {
        &mut self.table.scopes[self.cur]
    }

    fn add(&mut self, name: &str, flag: u16) {
        self.scope().add(name, flag);
        let kind = self.scope().kind;
        // `super()` in a function implicitly reads the class's `__class__`.
        if flag == USE && name == "super" && kind.is_function() {
            self.scope().add("__class__", USE);
        }
    }

    fn enter(&mut self, kind: ScopeKind, name: &str, at: Pos) -> usize {
        let id = self.table.scopes.len();
        let mut info = ScopeInfo::new(kind, name, Some(self.cur));
        // A scope opened inside a comprehension iterable is still inside it (CPython's
        // `symtable_enter_block` copies the count).
        info.comp_iter = self.scope().comp_iter;
        self.table.scopes.push(info);
        self.table.scopes[self.cur].children.push(id);
        self.table.by_pos.insert(at, id);
        std::mem::replace(&mut self.cur, id)
    }

    fn params(&mut self, params: &Params) -> Res {
        // `co_varnames` order: positional, keyword-only, `*args`, `**kwargs`.
        let names = params
            .args
            .iter()
            .chain(&params.kwonly)
            .map(|p| &p.name)
            .chain(&params.vararg)
            .chain(&params.kwarg);
        for ident in names {
            if self.scope().get(&ident.name).is_some() {
                return Err(self.err(
                    format!("duplicate argument '{}' in function definition", ident.name),
                    ident.span,
                ));
            }
            self.scope().add(&ident.name, DEF_PARAM);
            self.scope().params.push(ident.name.clone());
        }
        Ok(())
    }

    /// Visits the annotations of `params` and the return annotation (they run in the
    /// enclosing scope).
    fn annotations(&mut self, params: &Params, returns: Option<&Expr>) -> Res {
        params
            .args
            .iter()
            .chain(&params.kwonly)
            .filter_map(|p| p.annotation.as_ref())
            .chain(params.vararg_annotation.as_deref())
            .chain(params.kwarg_annotation.as_deref())
            .chain(returns)
            .try_for_each(|a| self.expr(a))
    }

    /// Visits the default values of `params` (they run in the enclosing scope).
    fn param_defaults(&mut self, params: &Params) -> Res {
        params
            .args
            .iter()
            .chain(&params.kwonly)
            .filter_map(|p| p.default.as_ref())
            .try_for_each(|d| self.expr(d))
    }

    fn stmts(&mut self, body: &[Stmt]) -> Res {
        body.iter().try_for_each(|s| self.stmt(s))
    }

    fn stmt(&mut self, s: &Stmt) -> Res {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.stmt_inner(s))
    }

    fn stmt_inner(&mut self, s: &Stmt) -> Res {
        match &s.kind {
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::Raise { exc, cause } => {
                exc.iter().chain(cause).try_for_each(|e| self.expr(e))
            }
            StmtKind::Assign { targets, value } => {
                self.expr(value)?;
                targets.iter().try_for_each(|t| self.target(t, DEF_LOCAL))
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.expr(value)?;
                self.target(target, DEF_LOCAL)
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => {
                // CPython's symtable: a simple name is bound (even without a value), and
                // may not be declared global or nonlocal in a function or class.
                if let ExprKind::Name(n) = &target.kind {
                    let cur = self.scope().get(n).map_or(0, |s| s.flags);
                    if *simple && self.cur != 0 && cur & (DEF_GLOBAL | DEF_NONLOCAL) != 0 {
                        let what = if cur & DEF_GLOBAL != 0 {
                            "global"
                        } else {
                            "nonlocal"
                        };
                        return Err(
                            self.err(format!("annotated name '{n}' can't be {what}"), target.span)
                        );
                    }
                    if *simple {
                        self.add(n, DEF_ANNOT | DEF_LOCAL);
                    } else if value.is_some() {
                        self.add(n, DEF_LOCAL);
                    }
                } else {
                    self.expr(target)?;
                }
                self.expr(annotation)?;
                value.as_ref().map_or(Ok(()), |v| self.expr(v))
            }
            StmtKind::Delete(ts) => ts.iter().try_for_each(|t| self.target(t, DEF_LOCAL)),
            StmtKind::Pass | StmtKind::Break | StmtKind::Continue => Ok(()),
            StmtKind::Return(v) => v.as_ref().map_or(Ok(()), |e| self.expr(e)),
            StmtKind::If { test, body, orelse } => {
                self.expr(test)?;
                self.stmts(body)?;
                self.stmts(orelse)
            }
            StmtKind::While { test, body, orelse } => {
                self.expr(test)?;
                self.stmts(body)?;
                self.stmts(orelse)
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                self.target(target, DEF_LOCAL)?;
                self.expr(iter)?;
                self.stmts(body)?;
                self.stmts(orelse)
            }
            StmtKind::With { items, body } => {
                for item in items {
                    self.expr(&item.context)?;
                    if let Some(t) = &item.target {
                        self.target(t, DEF_LOCAL)?;
                    }
                }
                self.stmts(body)
            }
            StmtKind::FunctionDef(f) => {
                self.add(&f.name.name, DEF_LOCAL);
                self.param_defaults(&f.params)?;
                self.annotations(&f.params, f.returns.as_ref())?;
                f.decorators.iter().try_for_each(|d| self.expr(d))?;
                let prev = self.enter(ScopeKind::Function, &f.name.name, s.span.start);
                self.params(&f.params)?;
                self.stmts(&f.body)?;
                self.cur = prev;
                Ok(())
            }
            StmtKind::ClassDef(c) => {
                self.add(&c.name.name, DEF_LOCAL);
                c.decorators.iter().try_for_each(|d| self.expr(d))?;
                c.bases.iter().try_for_each(|b| self.expr(b))?;
                let prev = self.enter(ScopeKind::Class, &c.name.name, s.span.start);
                self.stmts(&c.body)?;
                self.cur = prev;
                Ok(())
            }
            StmtKind::Global(names) => self.declare(names, s.span, true),
            StmtKind::Nonlocal(names) => self.declare(names, s.span, false),
            StmtKind::Import(names) | StmtKind::ImportFrom { names, .. } => {
                names
                    .iter()
                    .for_each(|n| self.add(&n.bound().name, DEF_IMPORT));
                Ok(())
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                self.stmts(body)?;
                for h in handlers {
                    if let Some(t) = &h.typ {
                        self.expr(t)?;
                    }
                    if let Some(n) = &h.name {
                        self.add(&n.name, DEF_LOCAL);
                    }
                    self.stmts(&h.body)?;
                }
                self.stmts(orelse)?;
                self.stmts(finalbody)
            }
            StmtKind::Assert { test, msg } => {
                self.expr(test)?;
                msg.as_ref().map_or(Ok(()), |m| self.expr(m))
            }
        }
    }

    fn declare(&mut self, names: &[crate::syntax::ast::Ident], at: Span, global: bool) -> Res {
        let what = if global { "global" } else { "nonlocal" };
        for n in names {
            let cur = self.scope().get(&n.name).map_or(0, |s| s.flags);
            if cur & (DEF_PARAM | DEF_LOCAL | USE | DEF_ANNOT) != 0 {
                let msg = if cur & DEF_PARAM != 0 {
                    format!("name '{}' is parameter and {what}", n.name)
                } else if cur & USE != 0 {
                    format!("name '{}' is used prior to {what} declaration", n.name)
                } else if cur & DEF_ANNOT != 0 {
                    format!("annotated name '{}' can't be {what}", n.name)
                } else {
                    format!("name '{}' is assigned to before {what} declaration", n.name)
                };
                return Err(self.err(msg, at));
            }
            self.add(&n.name, if global { DEF_GLOBAL } else { DEF_NONLOCAL });
            self.scope().directives.entry(n.name.clone()).or_insert(at);
        }
        Ok(())
    }

    fn target(&mut self, e: &Expr, flag: u16) -> Res {
        match &e.kind {
            ExprKind::Name(n) => {
                self.add(n, flag);
                Ok(())
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                items.iter().try_for_each(|t| self.target(t, flag))
            }
            ExprKind::Starred(inner) => self.target(inner, flag),
            _ => self.expr(e),
        }
    }

    fn expr(&mut self, e: &Expr) -> Res {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.expr_inner(e))
    }

    fn expr_inner(&mut self, e: &Expr) -> Res {
        match &e.kind {
            ExprKind::Name(n) => {
                self.add(n, USE);
                Ok(())
            }
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::None => Ok(()),
            ExprKind::FString(parts) => self.fstring_parts(parts),
            ExprKind::BinOp { left, right, .. } => {
                self.expr(left)?;
                self.expr(right)
            }
            ExprKind::UnaryOp { operand, .. } => self.expr(operand),
            ExprKind::BoolOp { values, .. } => values.iter().try_for_each(|v| self.expr(v)),
            ExprKind::Compare {
                left, comparators, ..
            } => {
                self.expr(left)?;
                comparators.iter().try_for_each(|v| self.expr(v))
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.expr(test)?;
                self.expr(body)?;
                self.expr(orelse)
            }
            ExprKind::Named { target, value } => self.named(target, value, e.span),
            ExprKind::Lambda { params, body } => {
                self.param_defaults(params)?;
                let prev = self.enter(ScopeKind::Lambda, "<lambda>", e.span.start);
                self.params(params)?;
                self.expr(body)?;
                self.cur = prev;
                Ok(())
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                self.expr(func)?;
                args.iter().try_for_each(|a| self.expr(a))?;
                keywords.iter().try_for_each(|k| self.expr(&k.value))
            }
            ExprKind::Attribute { value, .. } | ExprKind::Starred(value) => self.expr(value),
            ExprKind::Subscript { value, index } => {
                self.expr(value)?;
                self.expr(index)
            }
            ExprKind::Slice { lower, upper, step } => [lower, upper, step]
                .into_iter()
                .flatten()
                .try_for_each(|x| self.expr(x)),
            ExprKind::List(items) | ExprKind::Tuple(items) | ExprKind::Set(items) => {
                items.iter().try_for_each(|x| self.expr(x))
            }
            ExprKind::Dict(pairs) => pairs.iter().try_for_each(|(k, v)| {
                self.expr(k)?;
                self.expr(v)
            }),
            ExprKind::ListComp { elt, generators } => {
                self.comprehension(e, "<listcomp>", &[elt], generators)
            }
            ExprKind::SetComp { elt, generators } => {
                self.comprehension(e, "<setcomp>", &[elt], generators)
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => self.comprehension(e, "<dictcomp>", &[key, value], generators),
            ExprKind::GeneratorExp { elt, generators } => {
                self.comprehension(e, "<genexpr>", &[elt], generators)
            }
            ExprKind::Yield(value) => {
                let scope = &self.table.scopes[self.cur];
                let inside = match (scope.kind, scope.name.as_str()) {
                    (ScopeKind::Function | ScopeKind::Lambda, _) => None,
                    (ScopeKind::Module | ScopeKind::Class, _) => Some("outside function"),
                    (_, "<genexpr>") => Some("inside generator expression"),
                    (_, "<setcomp>") => Some("inside set comprehension"),
                    (_, "<dictcomp>") => Some("inside dict comprehension"),
                    _ => Some("inside list comprehension"),
                };
                if let Some(where_) = inside {
                    return Err(self.err(format!("'yield' {where_}"), e.span));
                }
                self.scope().is_generator = true;
                value.as_deref().map_or(Ok(()), |v| self.expr(v))
            }
        }
    }

    fn fstring_parts(&mut self, parts: &[FStringPart]) -> Res {
        parts.iter().try_for_each(|p| match p {
            FStringPart::Literal(_) => Ok(()),
            FStringPart::Field { value, spec, .. } => {
                self.expr(value)?;
                spec.as_deref().map_or(Ok(()), |s| self.fstring_parts(s))
            }
        })
    }

    /// A comprehension's iterable, where CPython forbids `:=`.
    fn comp_iter(&mut self, iter: &Expr) -> Res {
        self.scope().comp_iter += 1;
        let result = self.expr(iter);
        self.scope().comp_iter -= 1;
        result
    }

    /// `target := value`, CPython 3.11's `symtable_handle_namedexpr`: in a comprehension the
    /// target binds in the nearest enclosing function (nonlocal from the comprehension) or
    /// the module (global); a comprehension iterable, a class body and the comprehension's
    /// own iteration variables are SyntaxErrors.
    fn named(&mut self, target: &crate::syntax::ast::Ident, value: &Expr, span: Span) -> Res {
        if self.scope().comp_iter > 0 {
            return Err(self.err(
                "assignment expression cannot be used in a comprehension iterable expression"
                    .into(),
                span,
            ));
        }
        let name = &target.name;
        if self.scope().kind == ScopeKind::Comprehension {
            let mut id = self.cur;
            loop {
                let scope = &self.table.scopes[id];
                let flags = scope.get(name).map_or(0, |s| s.flags);
                match scope.kind {
                    ScopeKind::Comprehension => {
                        if flags & DEF_COMP_ITER != 0 {
                            return Err(self.err(
                                format!(
                                    "assignment expression cannot rebind comprehension \
                                     iteration variable '{name}'"
                                ),
                                span,
                            ));
                        }
                        // A comprehension always has an enclosing scope.
                        id = scope.parent.unwrap_or(0);
                    }
                    ScopeKind::Function | ScopeKind::Lambda => {
                        let here = if flags & DEF_GLOBAL != 0 {
                            DEF_GLOBAL
                        } else {
                            DEF_NONLOCAL
                        };
                        self.scope().add(name, here);
                        self.scope().directives.entry(name.clone()).or_insert(span);
                        self.table.scopes[id].add(name, DEF_LOCAL);
                        break;
                    }
                    ScopeKind::Module => {
                        self.scope().add(name, DEF_GLOBAL);
                        self.scope().directives.entry(name.clone()).or_insert(span);
                        self.table.scopes[id].add(name, DEF_GLOBAL);
                        break;
                    }
                    ScopeKind::Class => {
                        return Err(self.err(
                            "assignment expression within a comprehension cannot be used in a \
                             class body"
                                .into(),
                            span,
                        ));
                    }
                }
            }
        }
        self.expr(value)?;
        self.add(name, DEF_LOCAL);
        Ok(())
    }

    fn comprehension(
        &mut self,
        e: &Expr,
        name: &str,
        elts: &[&Expr],
        generators: &[Comprehension],
    ) -> Res {
        let Some((first, rest)) = generators.split_first() else {
            return elts.iter().try_for_each(|x| self.expr(x));
        };
        self.comp_iter(&first.iter)?;
        let prev = self.enter(ScopeKind::Comprehension, name, e.span.start);
        self.scope().is_generator = name == "<genexpr>";
        self.scope().add(".0", DEF_PARAM);
        self.scope().params.push(".0".into());
        self.target(&first.target, DEF_LOCAL | DEF_COMP_ITER)?;
        first.ifs.iter().try_for_each(|c| self.expr(c))?;
        for g in rest {
            self.target(&g.target, DEF_LOCAL | DEF_COMP_ITER)?;
            self.comp_iter(&g.iter)?;
            g.ifs.iter().try_for_each(|c| self.expr(c))?;
        }
        elts.iter().try_for_each(|x| self.expr(x))?;
        self.cur = prev;
        Ok(())
    }
}

type AnalyzeErr = (String, Span);

const NOWHERE: Span = Span {
    start: Pos { line: 1, col: 1 },
    end: Pos { line: 1, col: 1 },
};

/// Resolves scope `id` given the names bound by enclosing functions (`bound`, `None` at the
/// module) and the names known to be global; adds the scope's free names to `free`.
fn analyze(
    table: &mut SymbolTable,
    id: usize,
    bound: Option<&HashSet<String>>,
    global: &HashSet<String>,
    free: &mut HashSet<String>,
) -> Result<(), AnalyzeErr> {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
        analyze_inner(table, id, bound, global, free)
    })
}

fn analyze_inner(
    table: &mut SymbolTable,
    id: usize,
    bound: Option<&HashSet<String>>,
    global: &HashSet<String>,
    free: &mut HashSet<String>,
) -> Result<(), AnalyzeErr> {
    let kind = table.scopes[id].kind;
    let mut global = global.clone();
    let mut bound_here: Option<HashSet<String>> = bound.cloned();
    let mut local = HashSet::new();
    let mut new_bound = HashSet::new();
    let mut new_global = HashSet::new();
    if kind == ScopeKind::Class {
        new_global.extend(global.iter().cloned());
        if let Some(b) = bound {
            new_bound.extend(b.iter().cloned());
        }
    }
    let mut scopes: Vec<Scope> = Vec::with_capacity(table.scopes[id].symbols.len());
    {
        let scope = &table.scopes[id];
        for (name, sym) in &scope.symbols {
            let flags = sym.flags;
            let directive = || scope.directives.get(name).copied().unwrap_or(NOWHERE);
            let s = if flags & DEF_GLOBAL != 0 {
                if flags & DEF_NONLOCAL != 0 {
                    return Err((format!("name '{name}' is nonlocal and global"), directive()));
                }
                global.insert(name.clone());
                if let Some(b) = bound_here.as_mut() {
                    b.remove(name);
                }
                Scope::GlobalExplicit
            } else if flags & DEF_NONLOCAL != 0 {
                let Some(b) = bound_here.as_ref() else {
                    return Err((
                        "nonlocal declaration not allowed at module level".into(),
                        directive(),
                    ));
                };
                if !b.contains(name) {
                    return Err((
                        format!("no binding for nonlocal '{name}' found"),
                        directive(),
                    ));
                }
                free.insert(name.clone());
                Scope::Free
            } else if flags & DEF_BOUND != 0 {
                local.insert(name.clone());
                global.remove(name);
                Scope::Local
            } else if bound_here.as_ref().is_some_and(|b| b.contains(name)) {
                free.insert(name.clone());
                Scope::Free
            } else {
                Scope::GlobalImplicit
            };
            scopes.push(s);
        }
    }
    if kind == ScopeKind::Class {
        new_bound.insert("__class__".to_owned());
    } else {
        if kind.is_function() {
            new_bound.extend(local.iter().cloned());
        }
        if let Some(b) = &bound_here {
            new_bound.extend(b.iter().cloned());
        }
        new_global.extend(global.iter().cloned());
    }
    let mut new_free = HashSet::new();
    for child in table.scopes[id].children.clone() {
        analyze(table, child, Some(&new_bound), &new_global, &mut new_free)?;
    }
    let scope = &mut table.scopes[id];
    if kind.is_function() {
        for (s, (name, _)) in scopes.iter_mut().zip(&scope.symbols) {
            if *s == Scope::Local && new_free.remove(name) {
                *s = Scope::Cell;
            }
        }
    } else if kind == ScopeKind::Class && new_free.remove("__class__") {
        scope.needs_class_cell = true;
    }
    for (s, (_, sym)) in scopes.into_iter().zip(scope.symbols.iter_mut()) {
        sym.scope = s;
    }
    // Free names of inner scopes that this scope does not itself resolve pass through it.
    let mut pending: Vec<&String> = new_free.iter().collect();
    pending.sort();
    for name in pending {
        if let Some(&i) = scope.index.get(name) {
            let sym = &mut scope.symbols[i].1;
            if kind == ScopeKind::Class && sym.flags & (DEF_BOUND | DEF_GLOBAL) != 0 {
                sym.flags |= DEF_FREE_CLASS;
            }
            continue;
        }
        if bound.is_some_and(|b| !b.contains(name)) {
            continue;
        }
        scope.add(name, 0);
        let i = scope.index[name];
        scope.symbols[i].1.scope = Scope::Free;
    }
    free.extend(new_free);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn table(src: &str) -> SymbolTable {
        build(&parse(src, "t.py").unwrap(), "t.py", src).unwrap()
    }

    #[test]
    fn cells_and_frees() {
        let t = table("def f(a):\n    x = 1\n    def g():\n        nonlocal x\n        return a\n");
        let f = &t.scopes[1];
        assert_eq!(f.scope_of("x"), Some(Scope::Cell));
        assert_eq!(f.scope_of("a"), Some(Scope::Cell));
        let g = &t.scopes[2];
        assert_eq!(g.freevars(), ["a", "x"]);
    }
}
