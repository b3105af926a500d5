//! Statements: control flow, definitions, `try`/`except`, and the unwinding that `break`,
//! `continue` and `return` do when they leave loops and handlers.

use super::{Block, Compiler, NameOp, RED_ZONE, SEGMENT};
use crate::compile::bytecode::{Code, CodeKind, Const, Instr};
use crate::syntax::Span;
use crate::syntax::SyntaxError;
use crate::syntax::ast::{
    ClassDef, ExceptHandler, Expr, ExprKind, FunctionDef, Params, Stmt, StmtKind, WithItem,
};

type Res = Result<(), SyntaxError>;

/// The docstring, if `s` is a string-literal expression statement.
pub(super) fn docstring(s: &Stmt) -> Option<&str> {
    match &s.kind {
        StmtKind::Expr(Expr {
            kind: ExprKind::Str(doc),
            ..
        }) => Some(doc),
        _ => None,
    }
}

/// Whether a module or class body has a variable annotation (`x: int`) outside nested
/// definitions (CPython's `find_ann`): then it starts with `SetupAnnotations`.
pub(super) fn has_annotations(body: &[Stmt]) -> bool {
    body.iter().any(|s| match &s.kind {
        StmtKind::AnnAssign { .. } => true,
        StmtKind::For { body, orelse, .. }
        | StmtKind::While { body, orelse, .. }
        | StmtKind::If { body, orelse, .. } => has_annotations(body) || has_annotations(orelse),
        StmtKind::With { body, .. } => has_annotations(body),
        StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => {
            has_annotations(body)
                || handlers.iter().any(|h| has_annotations(&h.body))
                || has_annotations(orelse)
                || has_annotations(finalbody)
        }
        _ => false,
    })
}

impl Compiler<'_> {
    pub(super) fn stmts(&mut self, body: &[Stmt]) -> Res {
        body.iter().try_for_each(|s| self.stmt(s))
    }

    fn stmt(&mut self, s: &Stmt) -> Res {
        stacker::maybe_grow(RED_ZONE, SEGMENT, || self.stmt_inner(s))
    }

    fn stmt_inner(&mut self, s: &Stmt) -> Res {
        let span = s.span;
        match &s.kind {
            StmtKind::Expr(e) => {
                self.expr(e)?;
                self.emit(Instr::PopTop, span);
            }
            StmtKind::Assign { targets, value } => {
                if let [target] = targets.as_slice()
                    && self.assign_display(target, value)?
                {
                    return Ok(());
                }
                self.expr(value)?;
                for (i, t) in targets.iter().enumerate() {
                    if i + 1 < targets.len() {
                        self.emit(Instr::Copy(1), span);
                    }
                    self.store(t)?;
                }
            }
            StmtKind::AugAssign { target, op, value } => {
                self.aug_assign(target, *op, value, span)?
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => self.ann_assign(target, annotation, value.as_ref(), *simple, span)?,
            StmtKind::Delete(targets) => targets.iter().try_for_each(|t| self.delete(t))?,
            StmtKind::Pass | StmtKind::Global(_) | StmtKind::Nonlocal(_) => {}
            StmtKind::Break => self.break_or_continue(true, span)?,
            StmtKind::Continue => self.break_or_continue(false, span)?,
            StmtKind::Return(value) => self.return_stmt(value.as_ref(), span)?,
            StmtKind::If { test, body, orelse } => {
                let to_else = self.jump_if(test, false)?;
                self.stmts(body)?;
                if orelse.is_empty() {
                    to_else.into_iter().for_each(|j| self.patch_here(j));
                } else {
                    let to_end = self.emit(Instr::Jump(0), span);
                    to_else.into_iter().for_each(|j| self.patch_here(j));
                    self.stmts(orelse)?;
                    self.patch_here(to_end);
                }
            }
            StmtKind::While { test, body, orelse } => {
                let start = self.here();
                let exits = self.jump_if(test, false)?;
                let breaks = self.loop_body(start, false, body, span)?;
                exits.into_iter().for_each(|j| self.patch_here(j));
                self.stmts(orelse)?;
                breaks.into_iter().for_each(|j| self.patch_here(j));
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                self.expr(iter)?;
                self.emit(Instr::GetIter, span);
                let start = self.here();
                let exit = self.emit(Instr::ForIter(0), span);
                self.store(target)?;
                let breaks = self.loop_body(start, true, body, span)?;
                self.patch_here(exit);
                self.stmts(orelse)?;
                breaks.into_iter().for_each(|j| self.patch_here(j));
            }
            StmtKind::With { items, body } => self.with_stmt(items, body, span)?,
            StmtKind::FunctionDef(f) => self.function_def(f, span)?,
            StmtKind::ClassDef(c) => self.class_def(c, span)?,
            StmtKind::Import(names) => {
                for n in names {
                    let i = self.add_name(&n.name.name);
                    self.emit(Instr::ImportName(i), span);
                    self.store_name(&n.bound().name, span);
                }
            }
            StmtKind::ImportFrom { module, names } => {
                let m = self.add_name(&module.name);
                self.emit(Instr::ImportName(m), span);
                for n in names {
                    let i = self.add_name(&n.name.name);
                    self.emit(Instr::ImportFrom(i), span);
                    self.store_name(&n.bound().name, span);
                }
                self.emit(Instr::PopTop, span);
            }
            StmtKind::Raise {
                exc: Some(e),
                cause,
            } => {
                self.expr(e)?;
                match cause {
                    Some(c) => {
                        self.expr(c)?;
                        self.emit(Instr::RaiseVarargs(2), span);
                    }
                    None => {
                        self.emit(Instr::RaiseVarargs(1), span);
                    }
                }
            }
            // `raise from x` without an exception is a syntax error the parser reports.
            StmtKind::Raise { exc: None, .. } => {
                self.emit(Instr::RaiseVarargs(0), span);
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => self.try_stmt(body, handlers, orelse, finalbody, span)?,
            StmtKind::Assert { test, msg } => {
                let to_end = self.jump_if(test, true)?;
                if let Some(msg) = msg {
                    self.emit(Instr::PushNull, span);
                    self.emit(Instr::LoadAssertionError, span);
                    self.expr(msg)?;
                    self.emit(Instr::Call(1), span);
                } else {
                    self.emit(Instr::LoadAssertionError, span);
                }
                self.emit(Instr::RaiseVarargs(1), span);
                to_end.into_iter().for_each(|j| self.patch_here(j));
            }
        }
        Ok(())
    }

    /// Compiles a loop body inside a `Loop` block: `continue` goes to `start` and the body
    /// ends with a jump back. Returns the `break` jumps, for the caller to patch past the
    /// loop's `else` part.
    fn loop_body(
        &mut self,
        start: u32,
        iter: bool,
        body: &[Stmt],
        span: Span,
    ) -> Result<Vec<usize>, SyntaxError> {
        self.unit().blocks.push(Block::Loop {
            start,
            breaks: Vec::new(),
            iter,
        });
        let result = self.stmts(body);
        let block = self.unit().blocks.pop();
        result?;
        self.emit(Instr::Jump(start), span);
        match block {
            Some(Block::Loop { breaks, .. }) => Ok(breaks),
            _ => Ok(Vec::new()),
        }
    }

    fn break_or_continue(&mut self, is_break: bool, span: Span) -> Res {
        let Some(depth) = self
            .unit_ref()
            .blocks
            .iter()
            .rposition(|b| matches!(b, Block::Loop { .. }))
        else {
            let msg = if is_break {
                "'break' outside loop"
            } else {
                "'continue' not properly in loop"
            };
            return Err(self.error(msg, span));
        };
        self.unwind(depth + 1, false, span)?;
        let Block::Loop { start, iter, .. } = self.unit_ref().blocks[depth].clone() else {
            unreachable!("found as a loop");
        };
        if is_break {
            if iter {
                self.emit(Instr::PopTop, span);
            }
            let j = self.emit(Instr::Jump(0), span);
            if let Block::Loop { breaks, .. } = &mut self.unit().blocks[depth] {
                breaks.push(j);
            }
        } else {
            self.emit(Instr::Jump(start), span);
        }
        Ok(())
    }

    fn return_stmt(&mut self, value: Option<&Expr>, span: Span) -> Res {
        if !self.scope_kind().is_function() {
            return Err(self.error("'return' outside function", span));
        }
        match value {
            Some(v) => self.expr(v)?,
            None => {
                let k = self.add_const(Const::None);
                self.emit(Instr::LoadConst(k), span);
            }
        }
        // The return value stays on top while the blocks below it are left.
        self.unwind(0, true, span)?;
        self.emit(Instr::ReturnValue, span);
        Ok(())
    }

    /// Emits what leaving the blocks `blocks[upto..]` takes, innermost first (CPython's
    /// `compiler_unwind_fblock_stack`). Each block is taken off the block stack while its
    /// exit code is compiled, so a `finally` body copied here sees only the blocks around
    /// its `try`; the stack is restored afterwards. `preserve_tos`: a return value is on top.
    fn unwind(&mut self, upto: usize, preserve_tos: bool, span: Span) -> Res {
        let mut taken = Vec::new();
        let mut result = Ok(());
        while self.unit_ref().blocks.len() > upto {
            let Some(block) = self.unit().blocks.pop() else {
                break;
            };
            result = self.unwind_block(&block, preserve_tos, span);
            taken.push(block);
            if result.is_err() {
                break;
            }
        }
        self.unit().blocks.extend(taken.into_iter().rev());
        result
    }

    fn unwind_block(&mut self, block: &Block, preserve_tos: bool, span: Span) -> Res {
        match block {
            Block::Loop { iter: true, .. } | Block::PopValue => {
                if preserve_tos {
                    self.emit(Instr::Swap(2), span);
                }
                self.emit(Instr::PopTop, span);
            }
            Block::Loop { .. } => {}
            Block::TryBody => {
                self.emit(Instr::PopBlock, span);
            }
            Block::Handler { name } => {
                self.emit(Instr::PopBlock, span);
                if preserve_tos {
                    self.emit(Instr::Swap(2), span);
                }
                self.emit(Instr::PopExcept, span);
                self.clear_handler_name(name.as_deref(), span);
            }
            Block::FinallyTry { body } => {
                self.emit(Instr::PopBlock, span);
                if preserve_tos {
                    self.unit().blocks.push(Block::PopValue);
                }
                let result = self.stmts(body);
                if preserve_tos {
                    self.unit().blocks.pop();
                }
                result?;
            }
            Block::With => {
                // [exit(, value)]
                self.emit(Instr::PopBlock, span);
                if preserve_tos {
                    self.emit(Instr::Swap(2), span);
                }
                self.call_exit_with_nones(span);
            }
            Block::FinallyEnd => {
                // [prev_exc_state, exc(, value)]
                self.emit(Instr::PopBlock, span);
                if preserve_tos {
                    self.emit(Instr::Swap(2), span);
                }
                self.emit(Instr::PopTop, span);
                if preserve_tos {
                    self.emit(Instr::Swap(2), span);
                }
                self.emit(Instr::PopExcept, span);
            }
        }
        Ok(())
    }

    /// `with` items and body: each item wraps the rest, the first outermost. On the normal
    /// way out `__exit__(None, None, None)` runs; if an exception escapes, `__exit__` gets it
    /// and a true result swallows it (CPython 3.11's sequence, with pymem's handler blocks).
    fn with_stmt(&mut self, items: &[WithItem], body: &[Stmt], span: Span) -> Res {
        let Some((item, rest)) = items.split_first() else {
            return self.stmts(body);
        };
        self.expr(&item.context)?;
        self.emit(Instr::BeforeWith, span);
        // [exit, value]
        let setup = self.emit(Instr::SetupWith(0), span);
        self.unit().blocks.push(Block::With);
        let result = match &item.target {
            Some(t) => self.store(t),
            None => {
                self.emit(Instr::PopTop, span);
                Ok(())
            }
        }
        .and_then(|()| self.with_stmt(rest, body, span));
        self.unit().blocks.pop();
        result?;
        self.emit(Instr::PopBlock, span);
        self.call_exit_with_nones(span);
        let to_end = self.emit(Instr::Jump(0), span);
        // The exception path: [exit, prev_exc_state, exc].
        self.patch_here(setup);
        let cleanup = self.emit(Instr::SetupExcept(0), span);
        self.emit(Instr::WithExceptStart, span);
        let swallow = self.emit(Instr::PopJumpIfTrue(0), span);
        // Not swallowed: restore the previous state and raise it again.
        self.emit(Instr::PopBlock, span);
        self.emit(Instr::Swap(2), span);
        self.emit(Instr::PopExcept, span);
        self.emit(Instr::Reraise, span);
        self.patch_here(swallow);
        self.emit(Instr::PopBlock, span);
        self.emit(Instr::PopTop, span);
        self.emit(Instr::PopExcept, span);
        self.emit(Instr::PopTop, span);
        let to_end_swallowed = self.emit(Instr::Jump(0), span);
        // An exception inside `__exit__`: [exit, prev, exc, exc_state, new_exc]; restore
        // `prev` and raise the new one (the unwinder drops the rest).
        self.patch_here(cleanup);
        self.emit(Instr::Copy(4), span);
        self.emit(Instr::PopExcept, span);
        self.emit(Instr::Reraise, span);
        self.patch_here(to_end);
        self.patch_here(to_end_swallowed);
        Ok(())
    }

    /// `[exit] -> []`: calls `exit(None, None, None)` and drops its result (the exit and
    /// the first `None` are a callable and its first argument in the method-call layout).
    fn call_exit_with_nones(&mut self, span: Span) {
        let k = self.add_const(Const::None);
        for _ in 0..3 {
            self.emit(Instr::LoadConst(k), span);
        }
        self.emit(Instr::Call(2), span);
        self.emit(Instr::PopTop, span);
    }

    /// `name = None; del name` after a handler that bound the exception to `name`.
    fn clear_handler_name(&mut self, name: Option<&str>, span: Span) {
        if let Some(name) = name {
            let k = self.add_const(Const::None);
            self.emit(Instr::LoadConst(k), span);
            self.name_op(name, NameOp::Store, span);
            self.name_op(name, NameOp::Delete, span);
        }
    }

    fn try_stmt(
        &mut self,
        body: &[Stmt],
        handlers: &[ExceptHandler],
        orelse: &[Stmt],
        finalbody: &[Stmt],
        span: Span,
    ) -> Res {
        if finalbody.is_empty() {
            return self.try_except(body, handlers, orelse, span);
        }
        // CPython 3.11: the `finally` body is compiled twice, once on the normal way out
        // and once in a handler that runs it and re-raises; `return`/`break`/`continue`
        // out of the protected part copy it once more (see `unwind`).
        let setup = self.emit(Instr::SetupExcept(0), span);
        self.unit().blocks.push(Block::FinallyTry {
            body: finalbody.to_vec(),
        });
        let result = if handlers.is_empty() {
            self.stmts(body).and_then(|()| self.stmts(orelse))
        } else {
            self.try_except(body, handlers, orelse, span)
        };
        self.unit().blocks.pop();
        result?;
        let fspan = finalbody.first().map_or(span, |s| s.span);
        self.emit(Instr::PopBlock, fspan);
        self.stmts(finalbody)?;
        let to_end = self.emit(Instr::Jump(0), fspan);
        // The exception path: [prev_exc_state, exc].
        self.patch_here(setup);
        let cleanup = self.emit(Instr::SetupExcept(0), fspan);
        self.unit().blocks.push(Block::FinallyEnd);
        let result = self.stmts(finalbody);
        self.unit().blocks.pop();
        result?;
        let last = finalbody.last().map_or(span, |s| s.span);
        self.emit(Instr::PopBlock, last);
        self.emit(Instr::Swap(2), last);
        self.emit(Instr::PopExcept, last);
        self.emit(Instr::Reraise, last);
        // An exception inside that `finally` body: [prev, exc, exc_state, new_exc]; restore
        // `prev` as the handled exception and raise the new one (CPython's `COPY 3,
        // POP_EXCEPT, RERAISE`; the unwinder drops what is left of the stack).
        self.patch_here(cleanup);
        self.emit(Instr::Copy(4), last);
        self.emit(Instr::PopExcept, last);
        self.emit(Instr::Reraise, last);
        self.patch_here(to_end);
        Ok(())
    }

    fn try_except(
        &mut self,
        body: &[Stmt],
        handlers: &[ExceptHandler],
        orelse: &[Stmt],
        span: Span,
    ) -> Res {
        let setup = self.emit(Instr::SetupExcept(0), span);
        self.unit().blocks.push(Block::TryBody);
        let result = self.stmts(body);
        self.unit().blocks.pop();
        result?;
        self.emit(Instr::PopBlock, span);
        self.stmts(orelse)?;
        let mut to_end = vec![self.emit(Instr::Jump(0), span)];
        // Handler entry: [prev_exc_state, exc].
        self.patch_here(setup);
        for (i, h) in handlers.iter().enumerate() {
            let hspan = h.span;
            // A bare `except:` matches without a check, and must be the last handler.
            let next = match &h.typ {
                Some(typ) => {
                    self.expr(typ)?;
                    self.emit(Instr::CheckExcMatch, typ.span);
                    Some(self.emit(Instr::PopJumpIfFalse(0), typ.span))
                }
                None if i + 1 < handlers.len() => {
                    return Err(self.error("default 'except:' must be last", hspan));
                }
                None => None,
            };
            match &h.name {
                Some(n) => self.name_op(&n.name, NameOp::Store, n.span),
                None => {
                    self.emit(Instr::PopTop, hspan);
                }
            }
            let name = h.name.as_ref().map(|n| n.name.clone());
            let cleanup = self.emit(Instr::SetupExcept(0), hspan);
            self.unit()
                .blocks
                .push(Block::Handler { name: name.clone() });
            let result = self.stmts(&h.body);
            self.unit().blocks.pop();
            result?;
            self.emit(Instr::PopBlock, hspan);
            self.emit(Instr::PopExcept, hspan);
            self.clear_handler_name(name.as_deref(), hspan);
            to_end.push(self.emit(Instr::Jump(0), hspan));
            // An exception inside the handler body: [prev, prev2, new_exc].
            self.patch_here(cleanup);
            self.clear_handler_name(name.as_deref(), hspan);
            self.emit(Instr::Swap(2), hspan);
            self.emit(Instr::PopExcept, hspan);
            self.emit(Instr::Swap(2), hspan);
            self.emit(Instr::PopExcept, hspan);
            self.emit(Instr::Reraise, hspan);
            if let Some(next) = next {
                self.patch_here(next);
            }
        }
        // No handler matched: [prev, exc] (never, after a bare `except:`).
        if handlers.last().is_none_or(|h| h.typ.is_some()) {
            let last = handlers.last().map_or(span, |h| h.span);
            self.emit(Instr::Swap(2), last);
            self.emit(Instr::PopExcept, last);
            self.emit(Instr::Reraise, last);
        }
        to_end.into_iter().for_each(|j| self.patch_here(j));
        Ok(())
    }

    /// Pushes the default values of `params`, as CPython 3.11 does: the positional ones as a
    /// tuple, then the keyword-only ones as a dict from name to value, each only if there
    /// are any. Returns the `MakeFunction` flags for what it pushed (1 and 2).
    pub(super) fn defaults(&mut self, params: &Params, span: Span) -> Result<u32, SyntaxError> {
        let defaults: Vec<&Expr> = params
            .args
            .iter()
            .filter_map(|p| p.default.as_ref())
            .collect();
        for d in &defaults {
            self.expr(d)?;
        }
        let mut flags = 0;
        if !defaults.is_empty() {
            self.emit(Instr::BuildTuple(defaults.len() as u32), span);
            flags |= 1;
        }
        let mut kw_count = 0;
        for p in &params.kwonly {
            if let Some(d) = &p.default {
                self.load_const(Const::Str(p.name.name.clone()), span);
                self.expr(d)?;
                kw_count += 1;
            }
        }
        if kw_count > 0 {
            self.emit(Instr::BuildMap(kw_count), span);
            flags |= 2;
        }
        Ok(flags)
    }

    /// Pushes the annotations of a `def` as CPython 3.11 does: a tuple of parameter names
    /// and annotation values, alternating (positional parameters, then positional-only ones,
    /// then `*args`, keyword-only ones, `**kwargs` and `return`: 3.11's order). Returns
    /// whether there were any (the `MakeFunction` flag 4).
    fn param_annotations(
        &mut self,
        params: &Params,
        returns: Option<&Expr>,
        span: Span,
    ) -> Result<bool, SyntaxError> {
        let (posonly, args) = params.args.split_at(params.posonly.min(params.args.len()));
        let named = |ps: &[crate::syntax::ast::Param]| -> Vec<(String, Expr)> {
            ps.iter()
                .filter_map(|p| Some((p.name.name.clone(), p.annotation.clone()?)))
                .collect()
        };
        let mut all = named(args);
        all.extend(named(posonly));
        if let (Some(v), Some(a)) = (&params.vararg, &params.vararg_annotation) {
            all.push((v.name.clone(), (**a).clone()));
        }
        all.extend(named(&params.kwonly));
        if let (Some(k), Some(a)) = (&params.kwarg, &params.kwarg_annotation) {
            all.push((k.name.clone(), (**a).clone()));
        }
        if let Some(r) = returns {
            all.push(("return".to_owned(), r.clone()));
        }
        if all.is_empty() {
            return Ok(false);
        }
        for (name, ann) in &all {
            self.load_const(Const::Str(name.clone()), ann.span);
            self.expr(ann)?;
        }
        self.emit(Instr::BuildTuple(2 * all.len() as u32), span);
        Ok(true)
    }

    /// `target: annotation [= value]`, CPython 3.11's `compiler_annassign`: the assignment
    /// first; then, for a simple name at module or class level, `__annotations__[name] =
    /// annotation`; for an attribute or subscript without a value, its object (and index)
    /// evaluated and dropped; a non-simple target's annotation is evaluated and dropped at
    /// module or class level. Function bodies never evaluate annotations.
    pub(super) fn ann_assign(
        &mut self,
        target: &Expr,
        annotation: &Expr,
        value: Option<&Expr>,
        simple: bool,
        span: Span,
    ) -> Res {
        if let Some(v) = value {
            self.expr(v)?;
            self.store(target)?;
        }
        let namespace = !self.scope_kind().is_function();
        match &target.kind {
            ExprKind::Name(n) => {
                if simple && namespace {
                    self.expr(annotation)?;
                    let i = self.add_name("__annotations__");
                    self.emit(Instr::LoadName(i), span);
                    self.load_const(Const::Str(n.clone()), span);
                    self.emit(Instr::StoreSubscr, span);
                }
            }
            ExprKind::Attribute { value: obj, .. } => {
                if value.is_none() {
                    self.expr(obj)?;
                    self.emit(Instr::PopTop, span);
                }
            }
            ExprKind::Subscript { value: obj, index } => {
                if value.is_none() {
                    self.expr(obj)?;
                    self.emit(Instr::PopTop, span);
                    self.ann_subscript(index, span)?;
                }
            }
            _ => return Err(self.error("illegal target for annotation", target.span)),
        }
        if !simple && namespace {
            self.expr(annotation)?;
            self.emit(Instr::PopTop, span);
        }
        Ok(())
    }

    /// The index of an annotated subscript without a value, evaluated and dropped part by
    /// part (CPython's `check_ann_subscr`).
    fn ann_subscript(&mut self, index: &Expr, span: Span) -> Res {
        match &index.kind {
            ExprKind::Slice { lower, upper, step } => {
                for part in [lower, upper, step].into_iter().flatten() {
                    self.expr(part)?;
                    self.emit(Instr::PopTop, span);
                }
            }
            ExprKind::Tuple(items) => {
                for item in items {
                    self.ann_subscript(item, span)?;
                }
            }
            _ => {
                self.expr(index)?;
                self.emit(Instr::PopTop, span);
            }
        }
        Ok(())
    }

    /// Opens the unit of a function-like scope starting at `span` and sets its signature.
    pub(super) fn open_function(
        &mut self,
        name: &str,
        kind: CodeKind,
        params: &Params,
        span: Span,
    ) {
        let scope = self.child_scope(span);
        let qualname = self.qualname(name);
        self.push_unit(scope, kind, qualname, span.start.line);
        let code = &mut self.unit().code;
        code.argcount = params.args.len() as u32;
        code.posonlyargcount = params.posonly as u32;
        code.kwonlyargcount = params.kwonly.len() as u32;
        code.has_varargs = params.vararg.is_some();
        code.has_varkw = params.kwarg.is_some();
    }

    /// The symbol-table scope opened by the node starting where `span` starts.
    pub(super) fn child_scope(&self, span: Span) -> usize {
        self.table.scope_at(span.start).expect(
            "the symbol table opened a scope for every def, class, lambda and comprehension",
        )
    }

    fn function_def(&mut self, f: &FunctionDef, span: Span) -> Res {
        self.decorators(&f.decorators)?;
        let mut default_flags = self.defaults(&f.params, span)?;
        if self.param_annotations(&f.params, f.returns.as_ref(), span)? {
            default_flags |= 4;
        }
        self.open_function(&f.name.name, CodeKind::Function, &f.params, span);
        let mut body = &f.body[..];
        if let Some(doc) = f.body.first().and_then(docstring) {
            self.add_const(Const::Str(doc.to_owned()));
            self.unit().code.docstring = Some(doc.to_owned());
            body = &f.body[1..];
        }
        let result = self.stmts(body);
        let code = self.finish_function(result, f.body.last().map(|s| (s.span, &s.kind)), span)?;
        self.make_function(code, default_flags, span);
        self.apply_decorators(&f.decorators);
        self.store_name(&f.name.name, span);
        Ok(())
    }

    /// Pushes the decorators' values, top first (before anything else of the definition is
    /// evaluated, as CPython does).
    fn decorators(&mut self, decorators: &[Expr]) -> Res {
        decorators.iter().try_for_each(|d| self.expr(d))
    }

    /// Calls each decorator on what is below it, bottom first: a decorator and the value
    /// above it are a callable and its one argument in the method-call layout (`CALL 0`),
    /// CPython 3.11's sequence.
    fn apply_decorators(&mut self, decorators: &[Expr]) {
        for d in decorators.iter().rev() {
            self.emit(Instr::Call(0), d.span);
        }
    }

    /// Closes the current function unit, adding the implicit `return None` unless the body
    /// ends with a `return`.
    fn finish_function(
        &mut self,
        result: Res,
        last: Option<(Span, &StmtKind)>,
        span: Span,
    ) -> Result<Code, SyntaxError> {
        if let Err(e) = result {
            self.pop_unit();
            return Err(e);
        }
        if !matches!(last, Some((_, StmtKind::Return(_)))) {
            let at = last.map_or(span, |(s, _)| s);
            let k = self.add_const(Const::None);
            self.emit(Instr::LoadConst(k), at);
            self.emit(Instr::ReturnValue, at);
        }
        Ok(self.pop_unit())
    }

    fn class_def(&mut self, c: &ClassDef, span: Span) -> Res {
        self.decorators(&c.decorators)?;
        self.emit(Instr::PushNull, span);
        self.emit(Instr::LoadBuildClass, span);
        let scope = self.child_scope(span);
        let qualname = self.qualname(&c.name.name);
        self.push_unit(scope, CodeKind::Class, qualname.clone(), span.start.line);
        let result = self.class_body(c, &qualname, span);
        if let Err(e) = result {
            self.pop_unit();
            return Err(e);
        }
        let code = self.pop_unit();
        self.make_function(code, 0, span);
        let k = self.add_const(Const::Str(c.name.name.clone()));
        self.emit(Instr::LoadConst(k), span);
        for b in &c.bases {
            self.expr(b)?;
        }
        self.emit(Instr::Call(2 + c.bases.len() as u32), span);
        self.apply_decorators(&c.decorators);
        self.store_name(&c.name.name, span);
        Ok(())
    }

    fn class_body(&mut self, c: &ClassDef, qualname: &str, span: Span) -> Res {
        self.name_op("__name__", NameOp::Load, span);
        self.store_name("__module__", span);
        let k = self.add_const(Const::Str(qualname.to_owned()));
        self.emit(Instr::LoadConst(k), span);
        self.store_name("__qualname__", span);
        if has_annotations(&c.body) {
            self.emit(Instr::SetupAnnotations, span);
        }
        let mut body = &c.body[..];
        if let Some(first) = c.body.first()
            && let Some(doc) = docstring(first)
        {
            let k = self.add_const(Const::Str(doc.to_owned()));
            self.unit().code.docstring = Some(doc.to_owned());
            self.emit(Instr::LoadConst(k), first.span);
            self.store_name("__doc__", first.span);
            body = &c.body[1..];
        }
        self.stmts(body)?;
        let end = c.body.last().map_or(span, |s| s.span);
        if self
            .unit_ref()
            .code
            .cellvars
            .iter()
            .any(|c| c == "__class__")
        {
            let i = self.cell_index("__class__").unwrap_or(0);
            self.emit(Instr::LoadClosure(i), end);
            self.emit(Instr::Copy(1), end);
            self.store_name("__classcell__", end);
        } else {
            let k = self.add_const(Const::None);
            self.emit(Instr::LoadConst(k), end);
        }
        self.emit(Instr::ReturnValue, end);
        Ok(())
    }

    /// Compiles a lambda's body (its one expression, returned).
    pub(super) fn lambda_body(&mut self, body: &Expr) -> Result<Code, SyntaxError> {
        let result = self.expr(body);
        if let Err(e) = result {
            self.pop_unit();
            return Err(e);
        }
        self.emit(Instr::ReturnValue, body.span);
        Ok(self.pop_unit())
    }
}
