//! The instruction set: CPython 3.11's, where the difference is visible in reference counts.
//!
//! A [`Code`] is what `compile()` makes of one scope (module, class body, function, lambda or
//! comprehension): a flat vector of [`Instr`]s, one source span per instruction, and the
//! tables the instructions index (names, constants, local variables, cells). Jumps hold
//! absolute instruction indices.
//!
//! The stack effects below are the contract between the compiler and the interpreter.
//! `TOS` is the top of the value stack, `TOS1` the item below it. "Pops a, b" lists items
//! bottom to top: `b` was on top.
//!
//! ## Where CPython 3.11's shape matters
//! * **Calls move references.** `Call` pops the callable and its arguments off the stack and
//!   moves them into the callee's frame: `f(o)` sees `o` counted by the caller's variable,
//!   the callee's parameter and `getrefcount`'s own argument (3), never a fourth stack copy.
//! * **Method calls build no bound method.** `LoadMethod` + `Call` call `obj.meth(...)` with
//!   `obj` as the first argument when `meth` is a plain function found on the type, so
//!   `o.meth()` sees the same 3 references as `f(o)`.
//! * **Comprehensions are functions.** `[x for x in it]` makes a function object from a nested
//!   code object and calls it with `iter(it)` (3.11; 3.12 inlined them).
//! * **Locals are slots, closures are cells.** A variable captured by an inner function lives
//!   in a cell object (a heap object, tracked, like CPython's).

use std::sync::Arc;

use crate::syntax::Span;
use crate::syntax::ast::{BinOp, CmpOp};

/// One instruction. Operands index the [`Code`]'s tables: `names` for `*Name`, `*Global`,
/// `*Attr`, `LoadMethod` and imports; `varnames` for `*Fast`; `cells ++ freevars` for
/// `*Deref`/`LoadClosure`; `consts` for `LoadConst`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Instr {
    /// Does nothing.
    Nop,
    /// Pops TOS.
    PopTop,
    /// Pushes a new reference to the item `n` places down (`Copy(1)` duplicates TOS).
    Copy(u32),
    /// Swaps TOS with the item `n` places down (`Swap(2)` swaps TOS and TOS1).
    Swap(u32),

    /// Pushes `consts[i]`.
    LoadConst(u32),
    /// Pushes local `varnames[i]`; `UnboundLocalError` if unset: "cannot access local
    /// variable 'x' where it is not associated with a value".
    LoadFast(u32),
    /// Pops TOS into local `varnames[i]`.
    StoreFast(u32),
    /// Unsets local `varnames[i]` (`UnboundLocalError` as `LoadFast` if unset).
    DeleteFast(u32),
    /// Pushes the contents of cell `i` (`cellvars ++ freevars`); if empty, `UnboundLocalError`
    /// for a cellvar, `NameError` "cannot access free variable 'x' where it is not associated
    /// with a value in enclosing scope" for a freevar.
    LoadDeref(u32),
    /// Pops TOS into cell `i`.
    StoreDeref(u32),
    /// Empties cell `i`.
    DeleteDeref(u32),
    /// Pushes cell `i` itself (to build a closure tuple).
    LoadClosure(u32),
    /// In a class body: `names`-less lookup of a free variable: first the class namespace
    /// (by the freevar's name), then cell `i`.
    LoadClassDeref(u32),
    /// Pushes global `names[i]`, else builtin `names[i]`, else `NameError` "name 'x' is not
    /// defined".
    LoadGlobal(u32),
    /// Pops TOS into global `names[i]`.
    StoreGlobal(u32),
    /// Deletes global `names[i]` (`NameError` if absent).
    DeleteGlobal(u32),
    /// Module and class bodies: pushes `names[i]` from the local namespace, else globals,
    /// else builtins, else `NameError`.
    LoadName(u32),
    /// Pops TOS into the local namespace under `names[i]`.
    StoreName(u32),
    /// Deletes `names[i]` from the local namespace (`NameError` if absent).
    DeleteName(u32),

    /// Replaces TOS with `TOS.names[i]`.
    LoadAttr(u32),
    /// Pops `value, obj` (obj on top) and sets `obj.names[i] = value`.
    StoreAttr(u32),
    /// Pops obj and deletes `obj.names[i]`.
    DeleteAttr(u32),
    /// Pops obj; pushes `meth, obj` when `names[i]` is a plain function found on the type
    /// (not shadowed by the instance), else `NULL, attr`. Either way `Call(n)` follows.
    LoadMethod(u32),

    /// Pops `container, key`; pushes `container[key]`.
    BinarySubscr,
    /// Pops `value, container, key` (key on top); `container[key] = value`.
    StoreSubscr,
    /// Pops `container, key`; `del container[key]`.
    DeleteSubscr,
    /// Pops `lower, upper` (2) or `lower, upper, step` (3); pushes a slice object. Absent
    /// parts are `None` constants.
    BuildSlice(u32),

    /// Pops `a, b`; pushes `a op b`.
    BinaryOp(BinOp),
    /// Pops `a, b`; pushes `a op= b` (tries `__iadd__`-style in-place first, as `+=` does).
    InplaceOp(BinOp),
    /// Replaces TOS with `-TOS`.
    UnaryNegative,
    /// Replaces TOS with `+TOS`.
    UnaryPositive,
    /// Replaces TOS with `not TOS` (a bool).
    UnaryNot,
    /// Replaces TOS with `~TOS`.
    UnaryInvert,
    /// Pops `a, b`; pushes `a op b` for `<`, `<=`, `==`, `!=`, `>`, `>=` only.
    CompareOp(CmpOp),
    /// Pops `a, b`; pushes `a is b` (`IsOp(true)`: `is not`).
    IsOp(bool),
    /// Pops `a, b`; pushes `a in b` (`ContainsOp(true)`: `not in`).
    ContainsOp(bool),

    /// Pops `n` items; pushes a tuple of them (first pushed first).
    BuildTuple(u32),
    /// Pops `n` items; pushes a list of them.
    BuildList(u32),
    /// Pops `k1, v1, ..., kn, vn`; pushes a dict, inserting in that order.
    BuildMap(u32),
    /// Pops `n` items; pushes a set of them, added first pushed first (`TypeError:
    /// unhashable type` for an item without a hash).
    BuildSet(u32),
    /// Pops `v`; adds it to the set `n` places down after the pop (`SetAdd(2)` in a set
    /// comprehension whose stack is `set, iterator`).
    SetAdd(u32),
    /// Pops an iterable; adds its items to the set `n` places down after the pop (a set
    /// display of constants: `BuildSet(0)`, a frozenset constant, `SetUpdate(1)`).
    SetUpdate(u32),
    /// Pops `v`; appends it to the list `n` places down after the pop (`ListAppend(2)` in a
    /// comprehension whose stack is `list, iterator`).
    ListAppend(u32),
    /// Pops an iterable; extends the list `n` places down after the pop with its items
    /// (`f(a, *args)`, `[*a, *b]`; not iterable: `TypeError` "Value after * must be an
    /// iterable, not X").
    ListExtend(u32),
    /// Replaces the list on top with a tuple of its items.
    ListToTuple,
    /// Pops a mapping; adds its items to the dict `n` places down after the pop, a key
    /// already there being a `TypeError` (`f(**kwargs)`: "got multiple values for keyword
    /// argument").
    DictMerge(u32),
    /// Pops `key, value` (value on top); sets `dict[key] = value` in the dict `n` places down
    /// after the pops (`MapAdd(2)` in a dict comprehension whose stack is `dict, iterator`).
    MapAdd(u32),
    /// Pops `value`, or `value, spec` when `has_spec` (spec a str); pushes `format(value,
    /// spec)` (`str(value)` without a spec). `conversion`: 0 none, `b's'`, `b'r'`, `b'a'`
    /// applied before formatting.
    FormatValue {
        /// Whether a format spec string is on the stack above the value.
        has_spec: bool,
        /// `!s` / `!r` / `!a`, or 0.
        conversion: u8,
    },
    /// Pops `n` strs; pushes their concatenation.
    BuildString(u32),

    /// Jumps to instruction `t`.
    Jump(u32),
    /// Pops TOS; jumps to `t` if it is false.
    PopJumpIfFalse(u32),
    /// Pops TOS; jumps to `t` if it is true.
    PopJumpIfTrue(u32),
    /// If TOS is false jumps to `t` keeping it, else pops it (`and`).
    JumpIfFalseOrPop(u32),
    /// If TOS is true jumps to `t` keeping it, else pops it (`or`).
    JumpIfTrueOrPop(u32),

    /// Replaces TOS with `iter(TOS)`.
    GetIter,
    /// TOS is an iterator: pushes its next value; when exhausted pops the iterator and jumps
    /// to `t`.
    ForIter(u32),
    /// Pops a sequence; pushes its `n` items so that the first is on top (CPython's order,
    /// so that the following stores assign left to right). Wrong length: `ValueError`
    /// "too many values to unpack (expected n)" / "not enough values to unpack (expected n,
    /// got m)".
    UnpackSequence(u32),
    /// `a, *b, c = seq` (CPython's `UNPACK_EX`): the operand is `before | after << 8`, the
    /// number of targets before and after the starred one. Pops an iterable; pushes its
    /// last `after` items, a list of the middle ones, then its first `before` items, so that
    /// the first is on top. Too few items: `ValueError` "not enough values to unpack
    /// (expected at least n, got m)"; not iterable: `TypeError` "cannot unpack non-iterable
    /// X object".
    UnpackEx(u32),

    /// Pops, in this order from the bottom: `defaults` (a tuple, if `flags & 1`),
    /// `kwdefaults` (a dict of keyword-only defaults, if `flags & 2`), `closure` (a tuple of
    /// `annotations` (a tuple of parameter names and annotation values, alternating, if
    /// `flags & 4`), `closure` (a tuple of cells, if `flags & 8`), `code`; pushes a new
    /// function. (CPython 3.11's MAKE_FUNCTION flag values; the annotations tuple becomes
    /// the `__annotations__` dict when that is first read, as in 3.11.)
    MakeFunction(u32),
    /// Pops `callable_or_NULL, self_or_callable, arg1..argn`, `n` arguments with the
    /// keyword arguments last when a `KwNames` precedes. Pushes the result. The stack shape
    /// is CPython 3.11's: `LoadMethod` leaves `meth, self` (then `self` is the first
    /// argument) or `NULL, callable`; a plain call site pushes `PushNull` before the callable.
    Call(u32),
    /// Pops `NULL, callable, args` (a tuple, or any iterable from a lone `f(*x)`, made into
    /// a tuple: "f() argument after * must be an iterable, not X" otherwise) and, when the
    /// flag is set, a dict of keyword arguments on top; pushes the result
    /// (`f(*args, **kwargs)`).
    CallFunctionEx(bool),
    /// Pushes the NULL that marks a plain (non-method) call.
    PushNull,
    /// Sets the keyword names (`consts[i]`, a tuple of strs) for the next `Call`.
    KwNames(u32),
    /// Pops TOS and returns it to the caller.
    ReturnValue,
    /// The first instruction of a generator's code (CPython 3.11's `RETURN_GENERATOR`): the
    /// frame, arguments bound, becomes a new generator object, which the call returns. When
    /// the generator first runs, it continues after this instruction with the value sent
    /// (`None`) pushed, which the `PopTop` that follows discards.
    ReturnGenerator,
    /// Pops TOS and suspends the generator, giving TOS to whoever resumed it (CPython 3.11's
    /// `YIELD_VALUE`). When resumed, the value sent (`None` for `next()`) is pushed: the
    /// value of the `yield` expression.
    YieldValue,

    /// Pushes the module `names[i]` (builtin modules only).
    ImportName(u32),
    /// TOS is a module: pushes its attribute `names[i]` (`ImportError` "cannot import name
    /// 'x' from 'm' (unknown location)" if absent).
    ImportFrom(u32),
    /// Module and class bodies with variable annotations: creates the namespace's
    /// `__annotations__` dict unless there is one (CPython's `SETUP_ANNOTATIONS`).
    SetupAnnotations,
    /// Pushes the `__build_class__` builtin. A class statement compiles, as in CPython 3.11,
    /// to `PushNull, LoadBuildClass, <MakeFunction of the body>, LoadConst name, bases...,
    /// Call(2 + bases)`, then the store of the class name.
    LoadBuildClass,

    /// `raise` (0: re-raise the exception being handled, `RuntimeError` "No active exception
    /// to reraise" if none), `raise TOS` (1: pops the exception or exception class) or
    /// `raise TOS1 from TOS` (2: also pops the cause, an exception, a class or `None`).
    RaiseVarargs(u32),
    /// Pushes a handler block: if an exception escapes the instructions until the matching
    /// `PopBlock`, the stack is cut back to its depth at this point, the handled-exception
    /// state before the exception (the exception being handled, or `None`) is pushed, then
    /// the exception; the exception becomes the one being handled, and control jumps to `t`.
    SetupExcept(u32),
    /// `SetupExcept` for a `with` body, right after `BeforeWith`: the handler's stack depth
    /// leaves out `__enter__`'s result on top (CPython's `SETUP_WITH`), so an exception in
    /// the target store or the body finds `[exit, prev_exc_state, exc]`.
    SetupWith(u32),
    /// Pops the innermost handler block.
    PopBlock,
    /// Pops TOS (a saved handled-exception state) and restores it as the exception being
    /// handled.
    PopExcept,
    /// Pops TOS (an exception) and raises it again with its traceback unchanged.
    Reraise,
    /// Pops `type`, peeks `exc` below it; pushes whether `exc` is an instance of `type` (a
    /// class or a tuple of classes; `TypeError` "catching classes that do not inherit from
    /// BaseException is not allowed" otherwise).
    CheckExcMatch,
    /// Pushes `AssertionError` (the class).
    LoadAssertionError,
    /// `with`: pops the context manager; pushes its bound `__exit__`, then the result of
    /// calling its `__enter__` (CPython 3.11's `BEFORE_WITH`; `TypeError` "'X' object does not
    /// support the context manager protocol" when it has no `__enter__`, with "(missed
    /// __exit__ method)" when it has no `__exit__`).
    BeforeWith,
    /// In a `with` statement's handler, the stack `[exit, prev_exc_state, exc]`: pushes
    /// `exit(type(exc), exc, None)` (CPython's `WITH_EXCEPT_START`; pymem has no traceback
    /// objects, so the third argument is `None`).
    WithExceptStart,
}

/// A constant in [`Code::consts`].
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    /// `None`.
    None,
    /// `True`/`False`.
    Bool(bool),
    /// An int.
    Int(i64),
    /// A float.
    Float(f64),
    /// A str.
    Str(String),
    /// A tuple of constants (keyword names of a `KwNames`).
    Tuple(Vec<Const>),
    /// A frozenset of constants, in source order (duplicates are merged when the object is
    /// made): the elements of a constant set display.
    FrozenSet(Vec<Const>),
    /// A nested scope's code.
    Code(Arc<Code>),
}

/// What kind of scope a [`Code`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeKind {
    /// A module's top level (`<module>`): names are `LoadName`/`StoreName`, globals == locals.
    Module,
    /// A class body: names are `LoadName`/`StoreName` into the class namespace; it returns the
    /// `__class__` cell if one was made, else `None`.
    Class,
    /// A `def` or `lambda`.
    Function,
    /// A list, set or dict comprehension's or a generator expression's function (3.11),
    /// with one parameter `.0`, the iterator.
    Comprehension,
}

/// One compiled scope.
#[derive(Clone, Debug, PartialEq)]
pub struct Code {
    /// What scope this is.
    pub kind: CodeKind,
    /// `co_name`: the function or class name, `<module>`, `<lambda>`, `<listcomp>`,
    /// `<setcomp>`, `<dictcomp>`, `<genexpr>`.
    pub name: String,
    /// `co_qualname`: `C.method`, `f.<locals>.g`, `f.<locals>.<lambda>`.
    pub qualname: String,
    /// The file name the code came from (tracebacks).
    pub filename: Arc<str>,
    /// The line of the `def`/`class` (1 for a module).
    pub first_line: u32,
    /// `co_argcount`: positional parameters (positional-only ones included):
    /// `varnames[..argcount]`.
    pub argcount: u32,
    /// `co_posonlyargcount`: how many of the positional parameters are positional-only.
    pub posonlyargcount: u32,
    /// `co_kwonlyargcount`: keyword-only parameters, `varnames[argcount..argcount +
    /// kwonlyargcount]`.
    pub kwonlyargcount: u32,
    /// Whether `varnames[argcount + kwonlyargcount]` is a `*args` parameter.
    pub has_varargs: bool,
    /// Whether the next varname is a `**kwargs` parameter.
    pub has_varkw: bool,
    /// Local variable names; parameters first, in order: positional, keyword-only, `*args`,
    /// `**kwargs`.
    pub varnames: Vec<String>,
    /// Variables of this scope captured by inner scopes. A cellvar that is also a parameter
    /// is copied from its local slot into a new cell when the frame starts (`cell2arg`).
    pub cellvars: Vec<String>,
    /// For each cellvar, the index of the parameter it starts from, if it is one.
    pub cell2arg: Vec<Option<u32>>,
    /// Variables of enclosing scopes this scope uses (cells passed in the closure tuple).
    pub freevars: Vec<String>,
    /// Global, attribute and namespace names used by instructions.
    pub names: Vec<String>,
    /// Constants; a function's docstring is `consts[0]` when it has one (else `None` is
    /// not required to be there).
    pub consts: Vec<Const>,
    /// The instructions.
    pub instrs: Vec<Instr>,
    /// The source span each instruction came from (`spans.len() == instrs.len()`).
    pub spans: Vec<Span>,
    /// The docstring, if the body starts with a string literal (functions and classes).
    pub docstring: Option<String>,
    /// A generator function's or generator expression's code (CPython's `CO_GENERATOR`): it
    /// starts with `ReturnGenerator`.
    pub is_generator: bool,
}

impl Code {
    /// The line an instruction came from.
    pub fn line_of(&self, pc: usize) -> u32 {
        self.spans.get(pc).map_or(self.first_line, |s| s.start.line)
    }
}
