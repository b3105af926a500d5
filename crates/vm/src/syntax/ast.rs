//! pymem's syntax tree for the PySub-0 subset.
//!
//! The shapes follow CPython's `ast` module (so `Lib/ast.py` and `Python/compile.c` can be read
//! side by side) with one simplification: load/store context is not recorded — the compiler
//! knows it from the position of an expression (a [`ExprKind::Starred`] is a `*` target or a
//! `*` item of a call or display by where it stands). `elif` chains are nested [`StmtKind::If`]s in `orelse`, as in
//! CPython. Every node carries a [`Span`] with CPython's line/column convention.

use super::location::Span;

/// A whole module: the statements of one source file.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    /// Top-level statements in source order (a docstring is the first, an expression statement).
    pub body: Vec<Stmt>,
}

/// One context manager of a `with` statement.
#[derive(Debug, Clone, PartialEq)]
pub struct WithItem {
    /// The expression giving the context manager.
    pub context: Expr,
    /// Where `__enter__`'s result is stored (`as target`), if anywhere.
    pub target: Option<Expr>,
}

/// One name of an `import` or `from ... import`: what is imported, and the name it is bound
/// to when that differs (`as`).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportAlias {
    /// The module or attribute imported.
    pub name: Ident,
    /// The `as` name, if any.
    pub asname: Option<Ident>,
}

impl ImportAlias {
    /// The name the import binds: the `as` name, else the imported one.
    pub fn bound(&self) -> &Ident {
        self.asname.as_ref().unwrap_or(&self.name)
    }
}

/// A name with its location (`def f`, `x.attr`, `global g`, parameters, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The identifier's text.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    /// What the statement is.
    pub kind: StmtKind,
    /// From its first token to its last (a compound statement includes its body).
    pub span: Span,
}

/// The kinds of statement in PySub-0.
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// An expression evaluated for its effect (or a docstring).
    Expr(Expr),
    /// `t1 = t2 = value`: every target gets the same value, left to right.
    Assign {
        /// The targets, left to right (names, attributes, subscripts, tuples/lists of targets).
        targets: Vec<Expr>,
        /// The assigned value.
        value: Expr,
    },
    /// `target: annotation [= value]` (PEP 526).
    AnnAssign {
        /// A name, attribute or subscript (a parenthesized name is not `simple`).
        target: Expr,
        /// The annotation expression (evaluated at module and class level only).
        annotation: Expr,
        /// The assigned value, if any.
        value: Option<Expr>,
        /// Whether the target is a bare name (not parenthesized): only then does the
        /// annotation go into `__annotations__`.
        simple: bool,
    },
    /// `target op= value`.
    AugAssign {
        /// A name, attribute or subscript.
        target: Expr,
        /// The operator (`+=` is [`BinOp::Add`]).
        op: BinOp,
        /// The right operand.
        value: Expr,
    },
    /// `del t1, t2`.
    Delete(Vec<Expr>),
    /// `pass`.
    Pass,
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `return [value]`.
    Return(Option<Expr>),
    /// `if test: body` with `elif`/`else` in `orelse` (an `elif` is a nested `If`).
    If {
        /// The condition.
        test: Expr,
        /// Statements run when the condition is true.
        body: Vec<Stmt>,
        /// The `elif`/`else` part (empty when there is none).
        orelse: Vec<Stmt>,
    },
    /// `while test: body [else: orelse]`.
    While {
        /// The condition, evaluated before each iteration.
        test: Expr,
        /// The loop body.
        body: Vec<Stmt>,
        /// Run when the condition turns false (not after a `break`); empty when absent.
        orelse: Vec<Stmt>,
    },
    /// `for target in iter: body [else: orelse]`.
    For {
        /// The loop target (may be a nested tuple/list of targets).
        target: Expr,
        /// The iterable.
        iter: Expr,
        /// The loop body.
        body: Vec<Stmt>,
        /// Run when the iterable is exhausted (not after a `break`); empty when absent.
        orelse: Vec<Stmt>,
    },
    /// `with a as x, b: body` (several items nest, the first outermost).
    With {
        /// The context managers, each with its optional `as` target.
        items: Vec<WithItem>,
        /// The body.
        body: Vec<Stmt>,
    },
    /// `def name(params): body`.
    FunctionDef(Box<FunctionDef>),
    /// `class name(bases): body`.
    ClassDef(Box<ClassDef>),
    /// `global a, b`.
    Global(Vec<Ident>),
    /// `nonlocal a, b`.
    Nonlocal(Vec<Ident>),
    /// `import a, b as c` (builtin modules only).
    Import(Vec<ImportAlias>),
    /// `from module import a, b as c`.
    ImportFrom {
        /// The module (absolute, no dots).
        module: Ident,
        /// The imported names.
        names: Vec<ImportAlias>,
    },
    /// `raise exc [from cause]`, or a bare `raise` (`exc: None`) that re-raises the
    /// exception being handled.
    Raise {
        /// The exception (a class or an instance), if any.
        exc: Option<Expr>,
        /// The `from` clause: the new exception's `__cause__`.
        cause: Option<Expr>,
    },
    /// `try: body` followed by `except Type [as name]:` handlers, an optional `else:` and an
    /// optional `finally:`.
    Try {
        /// The protected statements.
        body: Vec<Stmt>,
        /// The handlers, tried in order.
        handlers: Vec<ExceptHandler>,
        /// The `else:` body, run when `body` raised nothing (empty when absent).
        orelse: Vec<Stmt>,
        /// The `finally:` body, run on every way out (empty when absent).
        finalbody: Vec<Stmt>,
    },
    /// `assert test[, msg]`.
    Assert {
        /// The asserted condition.
        test: Expr,
        /// The message expression, evaluated only on failure.
        msg: Option<Expr>,
    },
}

/// A function definition (also the parameters and body of a `lambda`).
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDef {
    /// The decorators, top first (applied bottom first).
    pub decorators: Vec<Expr>,
    /// The function's name.
    pub name: Ident,
    /// Its parameters.
    pub params: Params,
    /// The return annotation (`-> expr`), if any.
    pub returns: Option<Expr>,
    /// Its body.
    pub body: Vec<Stmt>,
}

/// A parameter list: positional parameters (the first `posonly` of them before a `/`), then
/// `*args` or a bare `*`, then keyword-only parameters, then `**kwargs`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    /// Positional parameters in order, positional-only ones first; defaults are evaluated at
    /// definition time.
    pub args: Vec<Param>,
    /// How many of `args` are positional-only (written before `/`).
    pub posonly: usize,
    /// `*name`, if present.
    pub vararg: Option<Ident>,
    /// Keyword-only parameters (after `*` or `*args`), each with its own optional default.
    pub kwonly: Vec<Param>,
    /// `**name`, if present.
    pub kwarg: Option<Ident>,
    /// The annotation of `*name`, if any.
    pub vararg_annotation: Option<Box<Expr>>,
    /// The annotation of `**name`, if any.
    pub kwarg_annotation: Option<Box<Expr>>,
}

/// One named parameter (positional or keyword-only).
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The parameter's name.
    pub name: Ident,
    /// Its default value, if any.
    pub default: Option<Expr>,
    /// Its annotation (`name: expr`), if any.
    pub annotation: Option<Expr>,
}

/// A class definition.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassDef {
    /// The decorators, top first (applied bottom first).
    pub decorators: Vec<Expr>,
    /// The class's name.
    pub name: Ident,
    /// The base class expressions (at most one in PySub-0).
    pub bases: Vec<Expr>,
    /// The class body.
    pub body: Vec<Stmt>,
}

/// `except Type [as name]: body`, or a bare `except: body`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExceptHandler {
    /// The exception class expression (a class, or a tuple of classes: `except (A, B)`);
    /// `None` for a bare `except:`, which catches everything.
    pub typ: Option<Expr>,
    /// The name bound to the exception, if any.
    pub name: Option<Ident>,
    /// The handler body.
    pub body: Vec<Stmt>,
    /// From `except` to the end of the body.
    pub span: Span,
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Where it is written (parentheses around it are not included, as in CPython).
    pub span: Span,
}

/// The kinds of expression in PySub-0.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A name: a local, global, builtin, or free variable.
    Name(String),
    /// `*iterable`: among a call's positional arguments, in a list, tuple or set display, or
    /// as one assignment target of a tuple or list of targets (`a, *b = x`).
    Starred(Box<Expr>),
    /// An integer literal that fits in 64 bits.
    Int(i64),
    /// A float literal.
    Float(f64),
    /// A string literal (implicitly concatenated parts already joined, escapes processed).
    Str(String),
    /// `True` or `False`.
    Bool(bool),
    /// `None`.
    None,
    /// An f-string: literal text and `{expr!c:spec}` fields, in order.
    FString(Vec<FStringPart>),
    /// `left op right`.
    BinOp {
        /// Left operand.
        left: Box<Expr>,
        /// The operator.
        op: BinOp,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `op operand`.
    UnaryOp {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// `a and b and c` / `a or b`: evaluates to the deciding operand.
    BoolOp {
        /// `and` or `or`.
        op: BoolOp,
        /// Two or more operands.
        values: Vec<Expr>,
    },
    /// `a < b <= c`: a chained comparison.
    Compare {
        /// The first operand.
        left: Box<Expr>,
        /// The operators, one per following operand.
        ops: Vec<CmpOp>,
        /// The following operands.
        comparators: Vec<Expr>,
    },
    /// `body if test else orelse`.
    IfExp {
        /// The condition.
        test: Box<Expr>,
        /// The value when true.
        body: Box<Expr>,
        /// The value when false.
        orelse: Box<Expr>,
    },
    /// `(target := value)`: assigns and evaluates to the value (in a comprehension the
    /// target binds in the enclosing function or module).
    Named {
        /// The name bound.
        target: Ident,
        /// The value.
        value: Box<Expr>,
    },
    /// `lambda params: body`.
    Lambda {
        /// The parameters.
        params: Box<Params>,
        /// The returned expression.
        body: Box<Expr>,
    },
    /// `func(args, name=value)`.
    Call {
        /// The called expression.
        func: Box<Expr>,
        /// Positional arguments.
        args: Vec<Expr>,
        /// Keyword arguments, in order.
        keywords: Vec<Keyword>,
    },
    /// `value.attr`.
    Attribute {
        /// The object.
        value: Box<Expr>,
        /// The attribute name.
        attr: Ident,
    },
    /// `value[index]`; `index` is an [`ExprKind::Slice`] for `value[lower:upper:step]`.
    Subscript {
        /// The container.
        value: Box<Expr>,
        /// The key, index or slice.
        index: Box<Expr>,
    },
    /// `lower:upper:step` inside a subscript (any part may be absent).
    Slice {
        /// Start, if given.
        lower: Option<Box<Expr>>,
        /// Stop, if given.
        upper: Option<Box<Expr>>,
        /// Step, if given.
        step: Option<Box<Expr>>,
    },
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `(a, b)` or `a, b`.
    Tuple(Vec<Expr>),
    /// `{k: v, ...}` in source order.
    Dict(Vec<(Expr, Expr)>),
    /// `{a, b}` (never empty: `{}` is a dict).
    Set(Vec<Expr>),
    /// `[elt for target in iter if cond ...]`.
    ListComp {
        /// The produced element.
        elt: Box<Expr>,
        /// The `for` clauses, outermost first.
        generators: Vec<Comprehension>,
    },
    /// `{elt for target in iter if cond ...}`.
    SetComp {
        /// The produced element.
        elt: Box<Expr>,
        /// The `for` clauses, outermost first.
        generators: Vec<Comprehension>,
    },
    /// `{key: value for target in iter if cond ...}`.
    DictComp {
        /// The produced key (evaluated first).
        key: Box<Expr>,
        /// The produced value.
        value: Box<Expr>,
        /// The `for` clauses, outermost first.
        generators: Vec<Comprehension>,
    },
    /// `(elt for target in iter if cond ...)`.
    GeneratorExp {
        /// The produced element.
        elt: Box<Expr>,
        /// The `for` clauses, outermost first.
        generators: Vec<Comprehension>,
    },
    /// `yield` or `yield value` (its value is what `send()` passes in).
    Yield(Option<Box<Expr>>),
}

/// A piece of an f-string.
#[derive(Clone, Debug, PartialEq)]
pub enum FStringPart {
    /// Literal text (with `{{`/`}}` already unescaped).
    Literal(String),
    /// A `{expr}`, `{expr!r}`, `{expr:>10}` or `{expr:{width}}` field.
    Field {
        /// The formatted expression.
        value: Box<Expr>,
        /// The conversion: 0 for none, `b's'`, `b'r'` or `b'a'`.
        conversion: u8,
        /// The format spec after `:`, if any: literal text and nested fields, built into a
        /// string at run time.
        spec: Option<Vec<FStringPart>>,
        /// Where the field is written, braces included.
        span: Span,
    },
}

/// A keyword argument `name=value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Keyword {
    /// The keyword; `None` for `**mapping`.
    pub name: Option<Ident>,
    /// Its value.
    pub value: Expr,
}

/// One `for target in iter if cond...` clause of a comprehension.
#[derive(Clone, Debug, PartialEq)]
pub struct Comprehension {
    /// The loop target.
    pub target: Expr,
    /// The iterable.
    pub iter: Expr,
    /// The `if` filters, in order.
    pub ifs: Vec<Expr>,
}

/// Binary (and augmented-assignment) operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mult,
    /// `/`
    Div,
    /// `//`
    FloorDiv,
    /// `%`
    Mod,
    /// `**`
    Pow,
    /// `<<`
    LShift,
    /// `>>`
    RShift,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
    /// `&`
    BitAnd,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Pos,
    /// `not x`
    Not,
    /// `~x`
    Invert,
}

/// `and` / `or`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BoolOp {
    /// `and`
    And,
    /// `or`
    Or,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtE,
    /// `>`
    Gt,
    /// `>=`
    GtE,
    /// `is`
    Is,
    /// `is not`
    IsNot,
    /// `in`
    In,
    /// `not in`
    NotIn,
}
