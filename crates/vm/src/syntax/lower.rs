//! Lowering: ruff's syntax tree → pymem's [`ast`](super::ast).
//!
//! This is the only module that reads `ruff_python_ast` nodes, so a new ruff version (its AST
//! is an unstable internal API) touches one file. It walks ruff's tree by reference and builds
//! ours, converting byte ranges into CPython-style [`Pos`](super::location::Pos)es.
//!
//! Anything pymem does not run yet (`yield from`, `match`, `async`, big integers, ...; PySub-0
//! and the tier-2 features listed in `tests/conformance/README.md` run) becomes a
//! [`SyntaxError`] whose message is
//! `pymem does not support <construct> yet`, located at the construct, with
//! [`SyntaxError::unsupported`] naming the construct the way the conformance corpus' `# needs:`
//! tags (and `tests/conformance/record.py`'s lint) do. The first such construct in source
//! order is reported.
//!
//! Nesting: recursion here follows the tree, whose depth the user controls. The tokenizer scan
//! ([`super::tokenize`]) has already capped brackets at 200, blocks at 100 and operators at
//! 3,000 per logical line, which bounds the depth; the walk grows its stack on demand with
//! `stacker` (as ruff's parser does) and still counts depth, stopping at [`MAX_DEPTH`] with an
//! error should a tree get deeper than those caps allow.

use ruff_python_ast as ra;
use ruff_text_size::{Ranged, TextRange};

use super::ast::*;
use super::error::{SyntaxError, SyntaxErrorKind};
use super::location::{LineIndex, Span};

/// The deepest expression/statement nesting lowered before giving up with an error.
pub(crate) const MAX_DEPTH: usize = 5000;

/// Stack left before growing, and the size of each new segment (ruff's parser uses the same).
const STACK_RED_ZONE: usize = 100 * 1024;
const STACK_SEGMENT: usize = 1024 * 1024;

type Result<T> = std::result::Result<T, SyntaxError>;

/// Lowers a parsed module.
pub(crate) fn lower_module(
    module: &ra::ModModule,
    index: &LineIndex<'_>,
    file: &str,
) -> Result<Module> {
    let mut lowerer = Lowerer {
        index,
        file,
        depth: 0,
    };
    Ok(Module {
        body: lowerer.stmts(&module.body)?,
    })
}

struct Lowerer<'a, 'src> {
    index: &'a LineIndex<'src>,
    file: &'a str,
    depth: usize,
}

impl Lowerer<'_, '_> {
    fn span(&self, range: TextRange) -> Span {
        Span {
            start: self.index.pos(range.start().to_usize()),
            end: self.index.pos(range.end().to_usize()),
        }
    }

    fn ident(&self, id: &ra::Identifier) -> Ident {
        Ident {
            name: id.id.as_str().to_owned(),
            span: self.span(id.range),
        }
    }

    /// The error for a construct outside PySub-0.
    fn unsupported(&self, range: TextRange, tag: &'static str, what: &str) -> SyntaxError {
        let span = self.span(range);
        SyntaxError {
            kind: SyntaxErrorKind::Syntax,
            msg: format!("pymem does not support {what} yet"),
            file: self.file.to_owned(),
            line: span.start.line,
            col: span.start.col,
            end: Some(span.end),
            text: self.index.line_text(span.start.line).map(str::to_owned),
            unsupported: Some(tag),
        }
    }

    fn enter(&mut self, range: TextRange) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.unsupported(
                range,
                "deep-nesting",
                "code nested more than 5000 levels deep",
            ));
        }
        Ok(())
    }

    fn stmts(&mut self, body: &[ra::Stmt]) -> Result<Vec<Stmt>> {
        body.iter().map(|s| self.stmt(s)).collect()
    }

    fn stmt(&mut self, stmt: &ra::Stmt) -> Result<Stmt> {
        self.enter(stmt.range())?;
        let kind = stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || self.stmt_kind(stmt));
        self.depth -= 1;
        Ok(Stmt {
            kind: kind?,
            span: self.span(stmt.range()),
        })
    }

    fn stmt_kind(&mut self, stmt: &ra::Stmt) -> Result<StmtKind> {
        use ra::Stmt as S;
        Ok(match stmt {
            S::Expr(s) => StmtKind::Expr(self.expr(&s.value)?),
            S::Pass(_) => StmtKind::Pass,
            S::Break(_) => StmtKind::Break,
            S::Continue(_) => StmtKind::Continue,
            S::Return(s) => StmtKind::Return(self.opt_expr(s.value.as_deref())?),
            S::Assign(s) => StmtKind::Assign {
                targets: s
                    .targets
                    .iter()
                    .map(|t| self.target(t))
                    .collect::<Result<_>>()?,
                value: self.expr(&s.value)?,
            },
            S::AugAssign(s) => StmtKind::AugAssign {
                target: self.target(&s.target)?,
                op: self.bin_op(s.op, s.range)?,
                value: self.expr(&s.value)?,
            },
            S::AnnAssign(s) => StmtKind::AnnAssign {
                target: self.target(&s.target)?,
                annotation: self.expr(&s.annotation)?,
                value: self.opt_expr(s.value.as_deref())?,
                simple: s.simple,
            },
            S::Delete(s) => StmtKind::Delete(
                s.targets
                    .iter()
                    .map(|t| self.expr(t))
                    .collect::<Result<_>>()?,
            ),
            S::If(s) => self.if_stmt(s)?,
            S::While(s) => StmtKind::While {
                test: self.expr(&s.test)?,
                body: self.stmts(&s.body)?,
                orelse: self.stmts(&s.orelse)?,
            },
            S::For(s) => {
                if s.is_async {
                    return Err(self.unsupported(s.range, "async", "'async for'"));
                }
                StmtKind::For {
                    target: self.target(&s.target)?,
                    iter: self.expr(&s.iter)?,
                    body: self.stmts(&s.body)?,
                    orelse: self.stmts(&s.orelse)?,
                }
            }
            S::FunctionDef(s) => StmtKind::FunctionDef(Box::new(self.function_def(s)?)),
            S::ClassDef(s) => StmtKind::ClassDef(Box::new(self.class_def(s)?)),
            S::Global(s) => StmtKind::Global(s.names.iter().map(|n| self.ident(n)).collect()),
            S::Nonlocal(s) => StmtKind::Nonlocal(s.names.iter().map(|n| self.ident(n)).collect()),
            S::Import(s) => {
                if s.is_lazy {
                    return Err(self.unsupported(s.range, "lazy-import", "'lazy import'"));
                }
                StmtKind::Import(s.names.iter().map(|a| self.alias(a)).collect())
            }
            S::ImportFrom(s) => self.import_from(s)?,
            S::Raise(s) => StmtKind::Raise {
                exc: self.opt_expr(s.exc.as_deref())?,
                cause: self.opt_expr(s.cause.as_deref())?,
            },
            S::Try(s) => self.try_stmt(s)?,
            S::Assert(s) => StmtKind::Assert {
                test: self.expr(&s.test)?,
                msg: self.opt_expr(s.msg.as_deref())?,
            },
            S::With(s) => {
                if s.is_async {
                    return Err(self.unsupported(s.range, "async", "'async with'"));
                }
                let mut items = Vec::with_capacity(s.items.len());
                for item in &s.items {
                    items.push(WithItem {
                        context: self.expr(&item.context_expr)?,
                        target: match item.optional_vars.as_deref() {
                            Some(t) => Some(self.target(t)?),
                            None => None,
                        },
                    });
                }
                StmtKind::With {
                    items,
                    body: self.stmts(&s.body)?,
                }
            }
            S::Match(s) => {
                return Err(self.unsupported(s.range, "match statement", "'match' statements"));
            }
            S::TypeAlias(s) => {
                return Err(self.unsupported(s.range, "type alias", "'type' aliases"));
            }
            S::IpyEscapeCommand(s) => {
                return Err(self.unsupported(s.range, "ipython", "IPython escape commands"));
            }
        })
    }

    fn if_stmt(&mut self, s: &ra::StmtIf) -> Result<StmtKind> {
        let test = self.expr(&s.test)?;
        let body = self.stmts(&s.body)?;
        // Build the elif chain from the last clause backwards, nesting each `elif` in the
        // `orelse` of the one before it, as CPython's AST does.
        let mut orelse: Vec<Stmt> = Vec::new();
        for clause in s.elif_else_clauses.iter().rev() {
            let clause_body = self.stmts(&clause.body)?;
            match &clause.test {
                None => orelse = clause_body,
                Some(test) => {
                    let span = self.span(TextRange::new(clause.range.start(), s.range.end()));
                    let test = self.expr(test)?;
                    orelse = vec![Stmt {
                        kind: StmtKind::If {
                            test,
                            body: clause_body,
                            orelse,
                        },
                        span,
                    }];
                }
            }
        }
        Ok(StmtKind::If { test, body, orelse })
    }

    fn try_stmt(&mut self, s: &ra::StmtTry) -> Result<StmtKind> {
        if s.is_star {
            return Err(self.unsupported(s.range, "except*", "'except*'"));
        }
        let body = self.stmts(&s.body)?;
        let mut handlers = Vec::with_capacity(s.handlers.len());
        for handler in &s.handlers {
            let ra::ExceptHandler::ExceptHandler(h) = handler;
            let typ = self.opt_expr(h.type_.as_deref())?;
            handlers.push(ExceptHandler {
                typ,
                name: h.name.as_ref().map(|n| self.ident(n)),
                body: self.stmts(&h.body)?,
                span: self.span(h.range),
            });
        }
        Ok(StmtKind::Try {
            body,
            handlers,
            orelse: self.stmts(&s.orelse)?,
            finalbody: self.stmts(&s.finalbody)?,
        })
    }

    fn alias(&self, a: &ra::Alias) -> ImportAlias {
        ImportAlias {
            name: self.ident(&a.name),
            asname: a.asname.as_ref().map(|n| self.ident(n)),
        }
    }

    fn import_from(&mut self, s: &ra::StmtImportFrom) -> Result<StmtKind> {
        if s.is_lazy {
            return Err(self.unsupported(s.range, "lazy-import", "'lazy import'"));
        }
        let module = match &s.module {
            Some(m) if s.level == 0 => self.ident(m),
            _ => return Err(self.unsupported(s.range, "relative-import", "relative imports")),
        };
        let mut names = Vec::with_capacity(s.names.len());
        for alias in &s.names {
            if alias.name.id.as_str() == "*" {
                return Err(self.unsupported(alias.range, "import-star", "'import *'"));
            }
            names.push(self.alias(alias));
        }
        Ok(StmtKind::ImportFrom { module, names })
    }

    fn decorators(&mut self, list: &[ra::Decorator]) -> Result<Vec<Expr>> {
        list.iter().map(|d| self.expr(&d.expression)).collect()
    }

    fn function_def(&mut self, s: &ra::StmtFunctionDef) -> Result<FunctionDef> {
        if s.is_async {
            return Err(self.unsupported(s.range, "async", "'async def'"));
        }
        if let Some(tp) = &s.type_params {
            return Err(self.unsupported(tp.range, "type-params", "type parameters"));
        }
        Ok(FunctionDef {
            decorators: self.decorators(&s.decorator_list)?,
            name: self.ident(&s.name),
            params: self.params(&s.parameters)?,
            returns: self.opt_expr(s.returns.as_deref())?,
            body: self.stmts(&s.body)?,
        })
    }

    fn params(&mut self, p: &ra::Parameters) -> Result<Params> {
        let mut args = Vec::with_capacity(p.posonlyargs.len() + p.args.len());
        for a in p.posonlyargs.iter().chain(&p.args) {
            args.push(self.param(a)?);
        }
        let kwonly = p
            .kwonlyargs
            .iter()
            .map(|a| self.param(a))
            .collect::<Result<Vec<_>>>()?;
        let (vararg, vararg_annotation) = self.star_param(p.vararg.as_deref())?;
        let (kwarg, kwarg_annotation) = self.star_param(p.kwarg.as_deref())?;
        Ok(Params {
            args,
            posonly: p.posonlyargs.len(),
            vararg,
            kwonly,
            kwarg,
            vararg_annotation,
            kwarg_annotation,
        })
    }

    /// A named parameter with its default and annotation.
    fn param(&mut self, a: &ra::ParameterWithDefault) -> Result<Param> {
        Ok(Param {
            name: self.ident(&a.parameter.name),
            default: self.opt_expr(a.default.as_deref())?,
            annotation: self.opt_expr(a.parameter.annotation.as_deref())?,
        })
    }

    /// The name and annotation of a `*args` or `**kwargs` parameter, if there is one.
    #[allow(clippy::type_complexity)]
    fn star_param(
        &mut self,
        p: Option<&ra::Parameter>,
    ) -> Result<(Option<Ident>, Option<Box<Expr>>)> {
        match p {
            None => Ok((None, None)),
            Some(p) => Ok((
                Some(self.ident(&p.name)),
                p.annotation.as_deref().map(|a| self.boxed(a)).transpose()?,
            )),
        }
    }

    fn class_def(&mut self, s: &ra::StmtClassDef) -> Result<ClassDef> {
        if let Some(tp) = &s.type_params {
            return Err(self.unsupported(tp.range, "type-params", "type parameters"));
        }
        let mut bases = Vec::new();
        if let Some(args) = &s.arguments {
            if let Some(k) = args.keywords.first() {
                return Err(self.unsupported(k.range, "class-keywords", "class keywords"));
            }
            if args.args.len() > 1 {
                return Err(self.unsupported(
                    args.range,
                    "multiple-inheritance",
                    "multiple inheritance",
                ));
            }
            for base in args.args.iter() {
                bases.push(self.expr(base)?);
            }
        }
        Ok(ClassDef {
            decorators: self.decorators(&s.decorator_list)?,
            name: self.ident(&s.name),
            bases,
            body: self.stmts(&s.body)?,
        })
    }

    /// An assignment, `for`, `del` or augmented-assignment target. The parser has already
    /// rejected targets that are not assignable; here only the subset is checked.
    fn target(&mut self, e: &ra::Expr) -> Result<Expr> {
        self.expr(e)
    }

    fn opt_expr(&mut self, e: Option<&ra::Expr>) -> Result<Option<Expr>> {
        e.map(|e| self.expr(e)).transpose()
    }

    fn boxed(&mut self, e: &ra::Expr) -> Result<Box<Expr>> {
        self.expr(e).map(Box::new)
    }

    fn exprs(&mut self, es: &[ra::Expr]) -> Result<Vec<Expr>> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    fn expr(&mut self, e: &ra::Expr) -> Result<Expr> {
        self.enter(e.range())?;
        let kind = stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || self.expr_kind(e));
        self.depth -= 1;
        Ok(Expr {
            kind: kind?,
            span: self.span(e.range()),
        })
    }

    fn expr_kind(&mut self, e: &ra::Expr) -> Result<ExprKind> {
        use ra::Expr as E;
        Ok(match e {
            E::Name(n) => ExprKind::Name(n.id.as_str().to_owned()),
            E::NumberLiteral(n) => match &n.value {
                ra::Number::Int(i) => match i.as_i64() {
                    Some(v) => ExprKind::Int(v),
                    None => {
                        return Err(self.unsupported(n.range, "bigint", "integers beyond 64 bits"));
                    }
                },
                ra::Number::Float(f) => ExprKind::Float(*f),
                ra::Number::Complex { .. } => {
                    return Err(self.unsupported(n.range, "complex literal", "complex numbers"));
                }
            },
            E::StringLiteral(s) => ExprKind::Str(s.value.to_str().to_owned()),
            E::BooleanLiteral(b) => ExprKind::Bool(b.value),
            E::NoneLiteral(_) => ExprKind::None,
            E::FString(f) => ExprKind::FString(self.fstring(f)?),
            E::BinOp(b) => ExprKind::BinOp {
                left: self.boxed(&b.left)?,
                op: self.bin_op(b.op, b.range)?,
                right: self.boxed(&b.right)?,
            },
            E::UnaryOp(u) => ExprKind::UnaryOp {
                op: match u.op {
                    ra::UnaryOp::USub => UnaryOp::Neg,
                    ra::UnaryOp::UAdd => UnaryOp::Pos,
                    ra::UnaryOp::Not => UnaryOp::Not,
                    ra::UnaryOp::Invert => UnaryOp::Invert,
                },
                operand: self.boxed(&u.operand)?,
            },
            E::BoolOp(b) => ExprKind::BoolOp {
                op: match b.op {
                    ra::BoolOp::And => BoolOp::And,
                    ra::BoolOp::Or => BoolOp::Or,
                },
                values: self.exprs(&b.values)?,
            },
            E::Compare(c) => ExprKind::Compare {
                left: self.boxed(&c.left)?,
                ops: c.ops.iter().map(|op| cmp_op(*op)).collect(),
                comparators: self.exprs(&c.comparators)?,
            },
            E::If(i) => ExprKind::IfExp {
                test: self.boxed(&i.test)?,
                body: self.boxed(&i.body)?,
                orelse: self.boxed(&i.orelse)?,
            },
            E::Lambda(l) => ExprKind::Lambda {
                params: Box::new(match &l.parameters {
                    Some(p) => self.params(p)?,
                    None => Params::default(),
                }),
                body: self.boxed(&l.body)?,
            },
            E::Call(c) => self.call(c)?,
            E::Attribute(a) => ExprKind::Attribute {
                value: self.boxed(&a.value)?,
                attr: self.ident(&a.attr),
            },
            E::Subscript(s) => ExprKind::Subscript {
                value: self.boxed(&s.value)?,
                index: Box::new(self.subscript_index(&s.slice)?),
            },
            E::List(l) => ExprKind::List(self.exprs(&l.elts)?),
            E::Tuple(t) => ExprKind::Tuple(self.exprs(&t.elts)?),
            E::Dict(d) => {
                let mut items = Vec::with_capacity(d.items.len());
                for item in &d.items {
                    match &item.key {
                        Some(k) => items.push((self.expr(k)?, self.expr(&item.value)?)),
                        None => {
                            return Err(self.unsupported(
                                item.value.range(),
                                "star-unpack",
                                "'**' in dict displays",
                            ));
                        }
                    }
                }
                ExprKind::Dict(items)
            }
            E::ListComp(c) => ExprKind::ListComp {
                elt: self.boxed(&c.elt)?,
                generators: self.comprehensions(&c.generators)?,
            },
            E::Named(n) => match &*n.target {
                ra::Expr::Name(t) => ExprKind::Named {
                    target: Ident {
                        name: t.id.as_str().to_owned(),
                        span: self.span(t.range),
                    },
                    value: self.boxed(&n.value)?,
                },
                // The parser only builds names here; kept total.
                other => {
                    return Err(self.unsupported(other.range(), "walrus", "':=' to a non-name"));
                }
            },
            E::Starred(s) => ExprKind::Starred(self.boxed(&s.value)?),
            E::Slice(s) => {
                // Only reachable outside a subscript, which the parser rejects; kept total.
                return Err(self.unsupported(s.range, "slice", "slices"));
            }
            E::DictComp(c) => ExprKind::DictComp {
                key: match c.key.as_deref() {
                    Some(k) => self.boxed(k)?,
                    None => {
                        return Err(self.unsupported(
                            c.value.range(),
                            "star-unpack",
                            "'**' in dict comprehensions",
                        ));
                    }
                },
                value: self.boxed(&c.value)?,
                generators: self.comprehensions(&c.generators)?,
            },
            E::Set(s) => ExprKind::Set(self.exprs(&s.elts)?),
            E::SetComp(c) => ExprKind::SetComp {
                elt: self.boxed(&c.elt)?,
                generators: self.comprehensions(&c.generators)?,
            },
            E::Generator(g) => ExprKind::GeneratorExp {
                elt: self.boxed(&g.elt)?,
                generators: self.comprehensions(&g.generators)?,
            },
            E::Yield(y) => ExprKind::Yield(match y.value.as_deref() {
                Some(v) => Some(self.boxed(v)?),
                None => None,
            }),
            E::YieldFrom(y) => {
                return Err(self.unsupported(y.range, "yield from", "'yield from'"));
            }
            E::Await(a) => return Err(self.unsupported(a.range, "async", "'await'")),
            E::BytesLiteral(b) => return Err(self.unsupported(b.range, "bytes literal", "bytes")),
            E::EllipsisLiteral(x) => return Err(self.unsupported(x.range, "ellipsis", "'...'")),
            E::TString(t) => return Err(self.unsupported(t.range, "t-string", "t-strings")),
            E::IpyEscapeCommand(x) => {
                return Err(self.unsupported(x.range, "ipython", "IPython escape commands"));
            }
        })
    }

    fn bin_op(&self, op: ra::Operator, range: TextRange) -> Result<BinOp> {
        Ok(match op {
            ra::Operator::Add => BinOp::Add,
            ra::Operator::Sub => BinOp::Sub,
            ra::Operator::Mult => BinOp::Mult,
            ra::Operator::Div => BinOp::Div,
            ra::Operator::FloorDiv => BinOp::FloorDiv,
            ra::Operator::Mod => BinOp::Mod,
            ra::Operator::Pow => BinOp::Pow,
            ra::Operator::LShift => BinOp::LShift,
            ra::Operator::RShift => BinOp::RShift,
            ra::Operator::BitOr => BinOp::BitOr,
            ra::Operator::BitXor => BinOp::BitXor,
            ra::Operator::BitAnd => BinOp::BitAnd,
            ra::Operator::MatMult => return Err(self.unsupported(range, "matmul", "'@'")),
        })
    }

    fn call(&mut self, c: &ra::ExprCall) -> Result<ExprKind> {
        let func = self.boxed(&c.func)?;
        let mut args = Vec::with_capacity(c.arguments.args.len());
        for a in c.arguments.args.iter() {
            if let ra::Expr::Starred(s) = a {
                let inner = self.boxed(&s.value)?;
                args.push(Expr {
                    kind: ExprKind::Starred(inner),
                    span: self.span(s.range),
                });
                continue;
            }
            args.push(self.expr(a)?);
        }
        let mut keywords = Vec::with_capacity(c.arguments.keywords.len());
        for k in &c.arguments.keywords {
            keywords.push(Keyword {
                name: k.arg.as_ref().map(|name| self.ident(name)),
                value: self.expr(&k.value)?,
            });
        }
        Ok(ExprKind::Call {
            func,
            args,
            keywords,
        })
    }

    /// The index of a subscript: an expression, or a slice `a[i:j:k]` (any part may be
    /// absent).
    fn subscript_index(&mut self, e: &ra::Expr) -> Result<Expr> {
        let ra::Expr::Slice(s) = e else {
            return self.expr(e);
        };
        self.enter(s.range)?;
        let parts = (|| {
            Ok::<_, SyntaxError>((
                s.lower.as_deref().map(|x| self.boxed(x)).transpose()?,
                s.upper.as_deref().map(|x| self.boxed(x)).transpose()?,
                s.step.as_deref().map(|x| self.boxed(x)).transpose()?,
            ))
        })();
        self.depth -= 1;
        let (lower, upper, step) = parts?;
        Ok(Expr {
            kind: ExprKind::Slice { lower, upper, step },
            span: self.span(s.range),
        })
    }

    fn comprehensions(&mut self, gens: &[ra::Comprehension]) -> Result<Vec<Comprehension>> {
        let mut out = Vec::with_capacity(gens.len());
        for g in gens {
            if g.is_async {
                return Err(self.unsupported(g.range, "async", "'async for'"));
            }
            out.push(Comprehension {
                target: self.target(&g.target)?,
                iter: self.expr(&g.iter)?,
                ifs: self.exprs(&g.ifs)?,
            });
        }
        Ok(out)
    }

    fn fstring(&mut self, f: &ra::ExprFString) -> Result<Vec<FStringPart>> {
        let mut parts: Vec<FStringPart> = Vec::new();
        for part in f.value.iter() {
            match part {
                ra::FStringPart::Literal(lit) => push_text(&mut parts, &lit.value),
                ra::FStringPart::FString(fs) => self.fstring_elements(&fs.elements, &mut parts)?,
            }
        }
        Ok(parts)
    }

    fn fstring_elements(
        &mut self,
        elements: &ra::InterpolatedStringElements,
        parts: &mut Vec<FStringPart>,
    ) -> Result<()> {
        for element in elements {
            match element {
                ra::InterpolatedStringElement::Literal(lit) => push_text(parts, &lit.value),
                ra::InterpolatedStringElement::Interpolation(field) => {
                    parts.push(self.fstring_field(field)?);
                }
            }
        }
        Ok(())
    }

    fn fstring_field(&mut self, field: &ra::InterpolatedElement) -> Result<FStringPart> {
        if field.debug_text.is_some() {
            return Err(self.unsupported(field.range, "fstring-conversion", "'=' in f-strings"));
        }
        let conversion = match field.conversion {
            ra::ConversionFlag::None => 0,
            ra::ConversionFlag::Str => b's',
            ra::ConversionFlag::Repr => b'r',
            ra::ConversionFlag::Ascii => b'a',
        };
        let value = self.boxed(&field.expression)?;
        let spec = match &field.format_spec {
            None => None,
            Some(spec) => {
                self.enter(spec.range)?;
                let mut spec_parts = Vec::new();
                let result = self.fstring_elements(&spec.elements, &mut spec_parts);
                self.depth -= 1;
                result?;
                Some(spec_parts)
            }
        };
        Ok(FStringPart::Field {
            value,
            conversion,
            spec,
            span: self.span(field.range),
        })
    }
}

/// Appends literal f-string text, merging it with a preceding literal.
fn push_text(parts: &mut Vec<FStringPart>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(FStringPart::Literal(last)) = parts.last_mut() {
        last.push_str(text);
    } else {
        parts.push(FStringPart::Literal(text.to_owned()));
    }
}

/// For an invalid-target error at `range`: CPython's name for the offending expression
/// (`_PyPegen_get_expr_name`) and whether CPython would add "here. Maybe you meant '==' instead
/// of '='?" (a lone `=` target that parses as a `bitwise_or`, CPython's `invalid_named_expression`).
pub(crate) fn invalid_target(module: &ra::ModModule, range: TextRange) -> (&'static str, bool) {
    let mut stmts: Vec<&ra::Stmt> = module.body.iter().collect();
    while let Some(stmt) = stmts.pop() {
        if !stmt.range().contains_range(range) {
            continue;
        }
        let (targets, lone_assign): (Vec<&ra::Expr>, bool) = match stmt {
            ra::Stmt::Assign(s) => (s.targets.iter().collect(), s.targets.len() == 1),
            ra::Stmt::AugAssign(s) => (vec![&*s.target], false),
            ra::Stmt::AnnAssign(s) => (vec![&*s.target], false),
            ra::Stmt::Delete(s) => (s.targets.iter().collect(), false),
            ra::Stmt::For(s) => (vec![&*s.target], false),
            ra::Stmt::With(s) => (
                s.items
                    .iter()
                    .filter_map(|i| i.optional_vars.as_deref())
                    .collect(),
                false,
            ),
            _ => (Vec::new(), false),
        };
        // Targets are short; nested tuples/lists are walked with a worklist.
        let mut work: Vec<(&ra::Expr, bool)> =
            targets.into_iter().map(|t| (t, lone_assign)).collect();
        while let Some((e, top)) = work.pop() {
            if e.range() == range {
                let hint =
                    top && !matches!(
                        e,
                        ra::Expr::Tuple(_)
                            | ra::Expr::List(_)
                            | ra::Expr::BooleanLiteral(_)
                            | ra::Expr::NoneLiteral(_)
                            | ra::Expr::Compare(_)
                            | ra::Expr::BoolOp(_)
                            | ra::Expr::Lambda(_)
                            | ra::Expr::If(_)
                            | ra::Expr::Named(_)
                            | ra::Expr::Starred(_)
                            | ra::Expr::Generator(_)
                            | ra::Expr::Yield(_)
                            | ra::Expr::YieldFrom(_)
                    ) && !matches!(e, ra::Expr::UnaryOp(u) if u.op == ra::UnaryOp::Not);
                return (expr_name(e), hint);
            }
            match e {
                ra::Expr::Tuple(t) => work.extend(t.elts.iter().map(|x| (x, false))),
                ra::Expr::List(l) => work.extend(l.elts.iter().map(|x| (x, false))),
                ra::Expr::Starred(s) => work.push((&s.value, false)),
                _ => {}
            }
        }
        // Statements nest only as deep as the (capped) indentation.
        match stmt {
            ra::Stmt::FunctionDef(s) => stmts.extend(s.body.iter()),
            ra::Stmt::ClassDef(s) => stmts.extend(s.body.iter()),
            ra::Stmt::For(s) => stmts.extend(s.body.iter().chain(s.orelse.iter())),
            ra::Stmt::While(s) => stmts.extend(s.body.iter().chain(s.orelse.iter())),
            ra::Stmt::If(s) => {
                stmts.extend(s.body.iter());
                for c in &s.elif_else_clauses {
                    stmts.extend(c.body.iter());
                }
            }
            ra::Stmt::With(s) => stmts.extend(s.body.iter()),
            ra::Stmt::Try(s) => {
                stmts.extend(
                    s.body
                        .iter()
                        .chain(s.orelse.iter())
                        .chain(s.finalbody.iter()),
                );
                for h in &s.handlers {
                    let ra::ExceptHandler::ExceptHandler(h) = h;
                    stmts.extend(h.body.iter());
                }
            }
            _ => {}
        }
    }
    ("expression", false)
}

/// CPython's `_PyPegen_get_expr_name`.
fn expr_name(e: &ra::Expr) -> &'static str {
    use ra::Expr as E;
    match e {
        E::Attribute(_) => "attribute",
        E::Subscript(_) => "subscript",
        E::Starred(_) => "starred",
        E::Name(_) => "name",
        E::List(_) => "list",
        E::Tuple(_) => "tuple",
        E::Lambda(_) => "lambda",
        E::Call(_) => "function call",
        E::BoolOp(_) | E::BinOp(_) | E::UnaryOp(_) => "expression",
        E::Generator(_) => "generator expression",
        E::Yield(_) | E::YieldFrom(_) => "yield expression",
        E::Await(_) => "await expression",
        E::ListComp(_) => "list comprehension",
        E::SetComp(_) => "set comprehension",
        E::DictComp(_) => "dict comprehension",
        E::Dict(_) => "dict literal",
        E::Set(_) => "set display",
        E::FString(_) | E::TString(_) => "f-string expression",
        E::NoneLiteral(_) => "None",
        E::BooleanLiteral(b) if b.value => "True",
        E::BooleanLiteral(_) => "False",
        E::EllipsisLiteral(_) => "ellipsis",
        E::NumberLiteral(_) | E::StringLiteral(_) | E::BytesLiteral(_) => "literal",
        E::Compare(_) => "comparison",
        E::If(_) => "conditional expression",
        E::Named(_) => "named expression",
        E::Slice(_) | E::IpyEscapeCommand(_) => "expression",
    }
}

fn cmp_op(op: ra::CmpOp) -> CmpOp {
    match op {
        ra::CmpOp::Eq => CmpOp::Eq,
        ra::CmpOp::NotEq => CmpOp::NotEq,
        ra::CmpOp::Lt => CmpOp::Lt,
        ra::CmpOp::LtE => CmpOp::LtE,
        ra::CmpOp::Gt => CmpOp::Gt,
        ra::CmpOp::GtE => CmpOp::GtE,
        ra::CmpOp::Is => CmpOp::Is,
        ra::CmpOp::IsNot => CmpOp::IsNot,
        ra::CmpOp::In => CmpOp::In,
        ra::CmpOp::NotIn => CmpOp::NotIn,
    }
}
