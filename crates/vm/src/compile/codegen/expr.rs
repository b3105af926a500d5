//! Expressions, conditions, and assignment/deletion targets.

use super::{Compiler, NameOp, RED_ZONE, SEGMENT};
use crate::compile::bytecode::{CodeKind, Const, Instr};
use crate::syntax::Span;
use crate::syntax::SyntaxError;
use crate::syntax::ast::{
    BinOp, BoolOp, CmpOp, Comprehension, Expr, ExprKind, FStringPart, Keyword, Params, UnaryOp,
};

type Res = Result<(), SyntaxError>;

/// The instruction for one comparison operator.
fn compare_instr(op: CmpOp) -> Instr {
    match op {
        CmpOp::Is => Instr::IsOp(false),
        CmpOp::IsNot => Instr::IsOp(true),
        CmpOp::In => Instr::ContainsOp(false),
        CmpOp::NotIn => Instr::ContainsOp(true),
        other => Instr::CompareOp(other),
    }
}

/// The value of an expression CPython's AST optimizer turns into a constant: literals,
/// negated number literals, and tuples of those (nested tuples included). Works through a
/// worklist, so a deeply nested tuple display costs no Rust recursion.
fn const_of(e: &Expr) -> Option<Const> {
    let leaf = |e: &Expr| -> Option<Const> {
        Some(match &e.kind {
            ExprKind::Int(i) => Const::Int(*i),
            ExprKind::Float(f) => Const::Float(*f),
            ExprKind::Str(s) => Const::Str(s.clone()),
            ExprKind::Bool(b) => Const::Bool(*b),
            ExprKind::None => Const::None,
            ExprKind::UnaryOp {
                op: UnaryOp::Neg,
                operand,
            } => match operand.kind {
                ExprKind::Int(i) => Const::Int(i.checked_neg()?),
                ExprKind::Float(f) => Const::Float(-f),
                _ => return None,
            },
            _ => return None,
        })
    };
    // Post-order over the tuple displays: each finished tuple's items are the last `n`
    // values built.
    enum Step<'a> {
        Visit(&'a Expr),
        Build(usize),
    }
    let mut work = vec![Step::Visit(e)];
    let mut built: Vec<Const> = Vec::new();
    while let Some(step) = work.pop() {
        match step {
            Step::Visit(x) => match &x.kind {
                ExprKind::Tuple(items) => {
                    work.push(Step::Build(items.len()));
                    work.extend(items.iter().rev().map(Step::Visit));
                }
                _ => built.push(leaf(x)?),
            },
            Step::Build(n) => {
                let items = built.split_off(built.len() - n);
                built.push(Const::Tuple(items));
            }
        }
    }
    built.pop()
}

/// Whether a display or target list has a `*item`.
fn has_starred(items: &[Expr]) -> bool {
    items.iter().any(|x| matches!(x.kind, ExprKind::Starred(_)))
}

/// Which display a [`Compiler::star_unpack`] builds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Display {
    List,
    Tuple,
    Set,
}

impl Compiler<'_> {
    /// A list, tuple or set display with `*iterable` items, CPython 3.11's
    /// `starunpack_helper`: the items before the first `*` are built into the list (set)
    /// at once, each later plain item appended (added), each `*` item extended (updated)
    /// with; a tuple is built as a list and converted at the end.
    fn star_unpack(&mut self, items: &[Expr], kind: Display, span: Span) -> Res {
        let (build, add, extend): (fn(u32) -> Instr, Instr, Instr) = match kind {
            Display::Set => (Instr::BuildSet, Instr::SetAdd(1), Instr::SetUpdate(1)),
            _ => (Instr::BuildList, Instr::ListAppend(1), Instr::ListExtend(1)),
        };
        let mut built = false;
        for (i, item) in items.iter().enumerate() {
            match &item.kind {
                ExprKind::Starred(inner) => {
                    if !built {
                        self.emit(build(i as u32), span);
                        built = true;
                    }
                    self.expr(inner)?;
                    self.emit(extend, item.span);
                }
                _ => {
                    self.expr(item)?;
                    if built {
                        self.emit(add, item.span);
                    }
                }
            }
        }
        if kind == Display::Tuple {
            self.emit(Instr::ListToTuple, span);
        }
        Ok(())
    }

    pub(super) fn expr(&mut self, e: &Expr) -> Res {
        stacker::maybe_grow(RED_ZONE, SEGMENT, || self.expr_inner(e))
    }

    pub(super) fn load_const(&mut self, c: Const, span: Span) {
        let k = self.add_const(c);
        self.emit(Instr::LoadConst(k), span);
    }

    fn expr_inner(&mut self, e: &Expr) -> Res {
        let span = e.span;
        match &e.kind {
            ExprKind::Name(n) => self.name_op(n, NameOp::Load, span),
            ExprKind::Starred(_) => {
                return Err(self.error("can't use starred expression here", span));
            }
            ExprKind::Int(i) => self.load_const(Const::Int(*i), span),
            ExprKind::Float(f) => self.load_const(Const::Float(*f), span),
            ExprKind::Str(s) => self.load_const(Const::Str(s.clone()), span),
            ExprKind::Bool(b) => self.load_const(Const::Bool(*b), span),
            ExprKind::None => self.load_const(Const::None, span),
            ExprKind::FString(parts) => self.fstring(parts, span)?,
            ExprKind::BinOp { left, op, right } => {
                self.expr(left)?;
                self.expr(right)?;
                self.emit(Instr::BinaryOp(*op), span);
            }
            ExprKind::UnaryOp { op, operand } => {
                // `-1` and `-2.5` are constants, as CPython's AST optimizer makes them.
                match (op, &operand.kind) {
                    (UnaryOp::Neg, ExprKind::Int(i)) if i.checked_neg().is_some() => {
                        self.load_const(Const::Int(-i), span);
                        return Ok(());
                    }
                    (UnaryOp::Neg, ExprKind::Float(f)) => {
                        self.load_const(Const::Float(-f), span);
                        return Ok(());
                    }
                    _ => {}
                }
                self.expr(operand)?;
                let instr = match op {
                    UnaryOp::Neg => Instr::UnaryNegative,
                    UnaryOp::Pos => Instr::UnaryPositive,
                    UnaryOp::Not => Instr::UnaryNot,
                    UnaryOp::Invert => Instr::UnaryInvert,
                };
                self.emit(instr, span);
            }
            ExprKind::BoolOp { op, values } => {
                let mut jumps = Vec::new();
                for (i, v) in values.iter().enumerate() {
                    self.expr(v)?;
                    if i + 1 < values.len() {
                        let instr = match op {
                            BoolOp::And => Instr::JumpIfFalseOrPop(0),
                            BoolOp::Or => Instr::JumpIfTrueOrPop(0),
                        };
                        jumps.push(self.emit(instr, span));
                    }
                }
                jumps.into_iter().for_each(|j| self.patch_here(j));
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => self.compare(left, ops, comparators, span)?,
            ExprKind::IfExp { test, body, orelse } => {
                let to_else = self.jump_if(test, false)?;
                self.expr(body)?;
                let to_end = self.emit(Instr::Jump(0), span);
                to_else.into_iter().for_each(|j| self.patch_here(j));
                self.expr(orelse)?;
                self.patch_here(to_end);
            }
            ExprKind::Named { target, value } => {
                self.expr(value)?;
                self.emit(Instr::Copy(1), span);
                self.name_op(&target.name, NameOp::Store, target.span);
            }
            ExprKind::Lambda { params, body } => self.lambda(params, body, span)?,
            ExprKind::Call {
                func,
                args,
                keywords,
            } => self.call(func, args, keywords, span)?,
            ExprKind::Attribute { value, attr } => {
                self.expr(value)?;
                let i = self.add_name(&attr.name);
                self.emit(Instr::LoadAttr(i), span);
            }
            ExprKind::Subscript { value, index } => {
                self.expr(value)?;
                self.expr(index)?;
                self.emit(Instr::BinarySubscr, span);
            }
            ExprKind::Slice { lower, upper, step } => {
                let parts = if step.is_some() { 3 } else { 2 };
                for part in [lower, upper, step].into_iter().take(parts) {
                    match part {
                        Some(x) => self.expr(x)?,
                        None => self.load_const(Const::None, span),
                    }
                }
                self.emit(Instr::BuildSlice(parts as u32), span);
            }
            ExprKind::List(items) if has_starred(items) => {
                self.star_unpack(items, Display::List, span)?
            }
            ExprKind::Tuple(items) if has_starred(items) => {
                self.star_unpack(items, Display::Tuple, span)?
            }
            ExprKind::Set(items) if has_starred(items) => {
                self.star_unpack(items, Display::Set, span)?
            }
            ExprKind::List(items) => {
                items.iter().try_for_each(|x| self.expr(x))?;
                self.emit(Instr::BuildList(items.len() as u32), span);
            }
            ExprKind::Tuple(items) => {
                // A tuple of constants is itself a constant, built once (CPython's AST
                // optimizer folds it too: `(None, None)` is the same object every time).
                if let Some(c) = const_of(e) {
                    self.load_const(c, span);
                    return Ok(());
                }
                items.iter().try_for_each(|x| self.expr(x))?;
                self.emit(Instr::BuildTuple(items.len() as u32), span);
            }
            ExprKind::Dict(pairs) => {
                for (k, v) in pairs {
                    self.expr(k)?;
                    self.expr(v)?;
                }
                self.emit(Instr::BuildMap(pairs.len() as u32), span);
            }
            ExprKind::Set(items) => self.set_display(items, span)?,
            ExprKind::ListComp { elt, generators } => {
                self.comprehension("<listcomp>", &[elt], generators, span)?
            }
            ExprKind::SetComp { elt, generators } => {
                self.comprehension("<setcomp>", &[elt], generators, span)?
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => self.comprehension("<dictcomp>", &[key, value], generators, span)?,
            ExprKind::GeneratorExp { elt, generators } => {
                self.comprehension("<genexpr>", &[elt], generators, span)?
            }
            ExprKind::Yield(value) => {
                match value {
                    Some(v) => self.expr(v)?,
                    None => self.load_const(Const::None, span),
                }
                self.emit(Instr::YieldValue, span);
            }
        }
        Ok(())
    }

    /// An f-string (or a format spec with nested fields): each part pushes a str, then
    /// `BuildString` joins them. A field's spec is built the same way at run time.
    fn fstring(&mut self, parts: &[FStringPart], span: Span) -> Res {
        for part in parts {
            match part {
                FStringPart::Literal(s) => self.load_const(Const::Str(s.clone()), span),
                FStringPart::Field {
                    value,
                    conversion,
                    spec,
                    span: fspan,
                } => {
                    self.expr(value)?;
                    if let Some(spec) = spec {
                        self.fstring(spec, *fspan)?;
                    }
                    // `!a` is compiled as `!r`: pymem's `repr` does not escape non-ASCII
                    // characters the way `ascii()` does, so the two agree on ASCII text only.
                    let conversion = if *conversion == b'a' {
                        b'r'
                    } else {
                        *conversion
                    };
                    self.emit(
                        Instr::FormatValue {
                            has_spec: spec.is_some(),
                            conversion,
                        },
                        *fspan,
                    );
                }
            }
        }
        match parts.len() {
            0 => self.load_const(Const::Str(String::new()), span),
            1 => {}
            n => {
                self.emit(Instr::BuildString(n as u32), span);
            }
        }
        Ok(())
    }

    /// `a < b < c`: each middle operand is kept (`Swap`, `Copy`) for the next comparison;
    /// a false link jumps to a cleanup that drops it.
    fn compare(&mut self, left: &Expr, ops: &[CmpOp], rest: &[Expr], span: Span) -> Res {
        self.expr(left)?;
        let n = ops.len().min(rest.len());
        if n == 0 {
            return Ok(());
        }
        let mut cleanups = Vec::new();
        for i in 0..n - 1 {
            self.expr(&rest[i])?;
            self.emit(Instr::Swap(2), span);
            self.emit(Instr::Copy(2), span);
            self.emit(compare_instr(ops[i]), span);
            cleanups.push(self.emit(Instr::JumpIfFalseOrPop(0), span));
        }
        self.expr(&rest[n - 1])?;
        self.emit(compare_instr(ops[n - 1]), span);
        if !cleanups.is_empty() {
            let to_end = self.emit(Instr::Jump(0), span);
            cleanups.into_iter().for_each(|j| self.patch_here(j));
            self.emit(Instr::Swap(2), span);
            self.emit(Instr::PopTop, span);
            self.patch_here(to_end);
        }
        Ok(())
    }

    /// Compiles `test` as a condition: the returned jumps (to be patched to the target) are
    /// taken when its truth equals `when`; otherwise control falls through. `not`, `and` and
    /// `or` become jumps instead of values.
    pub(super) fn jump_if(&mut self, test: &Expr, when: bool) -> Result<Vec<usize>, SyntaxError> {
        stacker::maybe_grow(RED_ZONE, SEGMENT, || self.jump_if_inner(test, when))
    }

    fn jump_if_inner(&mut self, test: &Expr, when: bool) -> Result<Vec<usize>, SyntaxError> {
        match &test.kind {
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => self.jump_if(operand, !when),
            ExprKind::BoolOp { op, values } if !values.is_empty() => {
                // `and` jumps away on the first false operand, `or` on the first true one.
                let short = *op == BoolOp::Or;
                let (last, init) = values.split_last().expect("non-empty");
                let mut out = Vec::new();
                let mut skips = Vec::new();
                for v in init {
                    let js = self.jump_if(v, short)?;
                    if short == when {
                        out.extend(js);
                    } else {
                        skips.extend(js);
                    }
                }
                out.extend(self.jump_if(last, when)?);
                skips.into_iter().for_each(|j| self.patch_here(j));
                Ok(out)
            }
            _ => {
                self.expr(test)?;
                let instr = if when {
                    Instr::PopJumpIfTrue(0)
                } else {
                    Instr::PopJumpIfFalse(0)
                };
                Ok(vec![self.emit(instr, test.span)])
            }
        }
    }

    fn call(&mut self, func: &Expr, args: &[Expr], keywords: &[Keyword], span: Span) -> Res {
        let spread = args.iter().any(|a| matches!(a.kind, ExprKind::Starred(_)))
            || keywords.iter().any(|k| k.name.is_none());
        if spread {
            return self.call_spread(func, args, keywords, span);
        }
        if let ExprKind::Attribute { value, attr } = &func.kind {
            self.expr(value)?;
            let i = self.add_name(&attr.name);
            self.emit(Instr::LoadMethod(i), func.span);
        } else {
            self.emit(Instr::PushNull, span);
            self.expr(func)?;
        }
        args.iter().try_for_each(|a| self.expr(a))?;
        keywords.iter().try_for_each(|k| self.expr(&k.value))?;
        if !keywords.is_empty() {
            let names = keywords
                .iter()
                .filter_map(|k| k.name.as_ref().map(|n| Const::Str(n.name.clone())))
                .collect();
            let k = self.add_const(Const::Tuple(names));
            self.emit(Instr::KwNames(k), span);
        }
        self.emit(Instr::Call((args.len() + keywords.len()) as u32), span);
        Ok(())
    }

    /// A call with `*iterable` or `**mapping` arguments, CPython 3.11's shape: the
    /// positional arguments gathered into a list (appended one by one, extended by each
    /// `*`), turned into a tuple; the keywords into a dict (`**` merged, a repeated name
    /// is a `TypeError`); then `CallFunctionEx`.
    fn call_spread(&mut self, func: &Expr, args: &[Expr], keywords: &[Keyword], span: Span) -> Res {
        self.emit(Instr::PushNull, span);
        self.expr(func)?;
        match args {
            // A lone `*x` is passed as it is; CallFunctionEx makes the tuple.
            [
                Expr {
                    kind: ExprKind::Starred(inner),
                    ..
                },
            ] => self.expr(inner)?,
            _ if has_starred(args) => self.star_unpack(args, Display::Tuple, span)?,
            _ => {
                args.iter().try_for_each(|a| self.expr(a))?;
                self.emit(Instr::BuildTuple(args.len() as u32), span);
            }
        }
        if !keywords.is_empty() {
            self.emit(Instr::BuildMap(0), span);
            for k in keywords {
                match &k.name {
                    Some(name) => {
                        self.load_const(Const::Str(name.name.clone()), k.value.span);
                        self.expr(&k.value)?;
                        self.emit(Instr::BuildMap(1), k.value.span);
                    }
                    None => self.expr(&k.value)?,
                }
                self.emit(Instr::DictMerge(1), k.value.span);
            }
        }
        self.emit(Instr::CallFunctionEx(!keywords.is_empty()), span);
        Ok(())
    }

    fn lambda(&mut self, params: &Params, body: &Expr, span: Span) -> Res {
        let default_flags = self.defaults(params, span)?;
        self.open_function("<lambda>", CodeKind::Function, params, span);
        let code = self.lambda_body(body)?;
        self.make_function(code, default_flags, span);
        Ok(())
    }

    /// `{a, b, c}` as CPython 3.11 compiles it: `BuildSet(n)` over the elements, except
    /// that three or more constants become `BuildSet(0)`, a frozenset constant and
    /// `SetUpdate(1)` (so the set is filled in the frozenset's order).
    fn set_display(&mut self, items: &[Expr], span: Span) -> Res {
        if items.len() > 2
            && let Some(consts) = items.iter().map(const_of).collect::<Option<Vec<_>>>()
        {
            self.emit(Instr::BuildSet(0), span);
            self.load_const(Const::FrozenSet(consts), span);
            self.emit(Instr::SetUpdate(1), span);
            return Ok(());
        }
        items.iter().try_for_each(|x| self.expr(x))?;
        self.emit(Instr::BuildSet(items.len() as u32), span);
        Ok(())
    }

    /// A list or set (`elts == [elt]`, told apart by `name`) or dict (`elts == [key,
    /// value]`) comprehension: a nested function called with `iter(outermost iterable)`.
    fn comprehension(
        &mut self,
        name: &str,
        elts: &[&Expr],
        generators: &[Comprehension],
        span: Span,
    ) -> Res {
        let Some(first) = generators.first() else {
            return elts.iter().try_for_each(|x| self.expr(x));
        };
        let scope = self.child_scope(span);
        let qualname = self.qualname(name);
        self.push_unit(scope, CodeKind::Comprehension, qualname, span.start.line);
        self.unit().code.argcount = 1;
        let result = self.comprehension_body(name, elts, generators, span);
        let code = self.pop_unit();
        result?;
        self.make_function(code, 0, span);
        self.expr(&first.iter)?;
        self.emit(Instr::GetIter, span);
        self.emit(Instr::Call(0), span);
        Ok(())
    }

    fn comprehension_body(
        &mut self,
        name: &str,
        elts: &[&Expr],
        generators: &[Comprehension],
        span: Span,
    ) -> Res {
        let is_dict = elts.len() == 2;
        let is_set = name == "<setcomp>";
        // A generator expression yields each element and builds nothing.
        let is_gen = name == "<genexpr>";
        if is_dict {
            self.emit(Instr::BuildMap(0), span);
        } else if is_set {
            self.emit(Instr::BuildSet(0), span);
        } else if !is_gen {
            self.emit(Instr::BuildList(0), span);
        }
        let mut loops = Vec::new();
        for (i, g) in generators.iter().enumerate() {
            if i == 0 {
                let dot0 = self.add_varname(".0");
                self.emit(Instr::LoadFast(dot0), g.iter.span);
            } else {
                self.expr(&g.iter)?;
                self.emit(Instr::GetIter, g.iter.span);
            }
            let start = self.here();
            let exit = self.emit(Instr::ForIter(0), span);
            self.store(&g.target)?;
            for cond in &g.ifs {
                for j in self.jump_if(cond, false)? {
                    self.patch(j, start);
                }
            }
            loops.push((start, exit));
        }
        elts.iter().try_for_each(|x| self.expr(x))?;
        let depth = 1 + generators.len() as u32;
        if is_gen {
            self.emit(Instr::YieldValue, span);
            self.emit(Instr::PopTop, span);
        } else if is_dict {
            self.emit(Instr::MapAdd(depth), span);
        } else if is_set {
            self.emit(Instr::SetAdd(depth), span);
        } else {
            self.emit(Instr::ListAppend(depth), span);
        }
        for (start, exit) in loops.into_iter().rev() {
            self.emit(Instr::Jump(start), span);
            self.patch_here(exit);
        }
        if is_gen {
            self.load_const(Const::None, span);
        }
        self.emit(Instr::ReturnValue, span);
        Ok(())
    }

    /// `a, b = x, y`, compiled as CPython 3.11 compiles it: no tuple is built for a tuple
    /// display unpacked into as many targets. Its peephole pass turns `BUILD_TUPLE n,
    /// UNPACK_SEQUENCE n` into nothing for one item and into `SWAP n` for two or three; and
    /// where the targets are distinct fast locals on one line, it drops the `SWAP` and stores
    /// them last first instead (`apply_static_swaps`). The difference is visible: the old
    /// values are released in that order. Returns whether it compiled the assignment (a
    /// constant tuple, other lengths and other shapes take the general path).
    pub(super) fn assign_display(
        &mut self,
        target: &Expr,
        value: &Expr,
    ) -> Result<bool, SyntaxError> {
        let (ExprKind::Tuple(targets) | ExprKind::List(targets)) = &target.kind else {
            return Ok(false);
        };
        let ExprKind::Tuple(items) = &value.kind else {
            return Ok(false);
        };
        let n = items.len();
        if n != targets.len()
            || !(1..=3).contains(&n)
            || const_of(value).is_some()
            || has_starred(items)
            || has_starred(targets)
        {
            return Ok(false);
        }
        items.iter().try_for_each(|x| self.expr(x))?;
        if n > 1 && self.stores_reorder(targets) {
            targets.iter().rev().try_for_each(|t| self.store(t))?;
        } else {
            if n > 1 {
                self.emit(Instr::Swap(n as u32), target.span);
            }
            targets.iter().try_for_each(|t| self.store(t))?;
        }
        Ok(true)
    }

    /// Whether stores into `targets` may run in any order (CPython's static swap): all are
    /// distinct names of fast locals, on one line.
    fn stores_reorder(&self, targets: &[Expr]) -> bool {
        let line = targets[0].span.start.line;
        let mut names: Vec<&str> = Vec::with_capacity(targets.len());
        targets.iter().all(|t| match &t.kind {
            ExprKind::Name(n) if t.span.start.line == line && self.is_fast_local(n) => {
                let fresh = !names.contains(&n.as_str());
                names.push(n);
                fresh
            }
            _ => false,
        })
    }

    /// Stores TOS into an assignment target.
    pub(super) fn store(&mut self, target: &Expr) -> Res {
        stacker::maybe_grow(RED_ZONE, SEGMENT, || self.store_inner(target))
    }

    fn store_inner(&mut self, target: &Expr) -> Res {
        let span = target.span;
        match &target.kind {
            ExprKind::Name(n) => self.name_op(n, NameOp::Store, span),
            ExprKind::Attribute { value, attr } => {
                self.expr(value)?;
                let i = self.add_name(&attr.name);
                self.emit(Instr::StoreAttr(i), span);
            }
            ExprKind::Subscript { value, index } => {
                self.expr(value)?;
                self.expr(index)?;
                self.emit(Instr::StoreSubscr, span);
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                match items
                    .iter()
                    .position(|t| matches!(t.kind, ExprKind::Starred(_)))
                {
                    None => {
                        self.emit(Instr::UnpackSequence(items.len() as u32), span);
                    }
                    Some(i) => {
                        // CPython's `unpack_helper`: one `*` target, UNPACK_EX with the
                        // counts before and after it.
                        if has_starred(&items[i + 1..]) {
                            return Err(
                                self.error("multiple starred expressions in assignment", span)
                            );
                        }
                        let after = items.len() - i - 1;
                        if i >= 1 << 8 || after >= 1 << 23 {
                            return Err(self
                                .error("too many expressions in star-unpacking assignment", span));
                        }
                        self.emit(Instr::UnpackEx(i as u32 | (after as u32) << 8), span);
                    }
                }
                for t in items {
                    match &t.kind {
                        ExprKind::Starred(inner) => self.store(inner)?,
                        _ => self.store(t)?,
                    }
                }
            }
            ExprKind::Starred(_) => {
                return Err(
                    self.error("starred assignment target must be in a list or tuple", span)
                );
            }
            _ => return Err(self.error("cannot assign to expression", span)),
        }
        Ok(())
    }

    /// `del target`.
    pub(super) fn delete(&mut self, target: &Expr) -> Res {
        stacker::maybe_grow(RED_ZONE, SEGMENT, || self.delete_inner(target))
    }

    fn delete_inner(&mut self, target: &Expr) -> Res {
        let span = target.span;
        match &target.kind {
            ExprKind::Name(n) => self.name_op(n, NameOp::Delete, span),
            ExprKind::Attribute { value, attr } => {
                self.expr(value)?;
                let i = self.add_name(&attr.name);
                self.emit(Instr::DeleteAttr(i), span);
            }
            ExprKind::Subscript { value, index } => {
                self.expr(value)?;
                self.expr(index)?;
                self.emit(Instr::DeleteSubscr, span);
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                items.iter().try_for_each(|t| self.delete(t))?;
            }
            _ => return Err(self.error("cannot delete expression", span)),
        }
        Ok(())
    }

    /// `target op= value`, CPython 3.11's sequences.
    pub(super) fn aug_assign(&mut self, target: &Expr, op: BinOp, value: &Expr, span: Span) -> Res {
        match &target.kind {
            ExprKind::Name(n) => {
                self.name_op(n, NameOp::Load, target.span);
                self.expr(value)?;
                self.emit(Instr::InplaceOp(op), span);
                self.name_op(n, NameOp::Store, target.span);
            }
            ExprKind::Attribute { value: obj, attr } => {
                self.expr(obj)?;
                let i = self.add_name(&attr.name);
                self.emit(Instr::Copy(1), target.span);
                self.emit(Instr::LoadAttr(i), target.span);
                self.expr(value)?;
                self.emit(Instr::InplaceOp(op), span);
                self.emit(Instr::Swap(2), span);
                self.emit(Instr::StoreAttr(i), target.span);
            }
            ExprKind::Subscript { value: obj, index } => {
                self.expr(obj)?;
                self.expr(index)?;
                self.emit(Instr::Copy(2), target.span);
                self.emit(Instr::Copy(2), target.span);
                self.emit(Instr::BinarySubscr, target.span);
                self.expr(value)?;
                self.emit(Instr::InplaceOp(op), span);
                self.emit(Instr::Swap(3), span);
                self.emit(Instr::Swap(2), span);
                self.emit(Instr::StoreSubscr, target.span);
            }
            _ => {
                return Err(self.error(
                    "'expression' is an illegal expression for augmented assignment",
                    target.span,
                ));
            }
        }
        Ok(())
    }
}
