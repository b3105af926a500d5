//! The interpreter loop.
//!
//! Frames live on a `Vec`, not on the Rust stack: a Python call pushes the caller's frame
//! and continues the loop with the callee's, a return pops it, so deep Python recursion
//! costs heap memory and ends in `RecursionError` at `sys.getrecursionlimit()`, never in a
//! Rust stack overflow. Calls that start from Rust (a builtin calling `__eq__`, a type call
//! running `__init__`, a finalizer) enter the loop again; they count towards the same limit
//! and grow the Rust stack on demand.
//!
//! Frames are boxed and recycled: a finished frame goes back to a small pool in [`Vm`] with
//! its vectors emptied but allocated (its code and globals released, so a pooled frame
//! keeps nothing alive), and the next call takes it from there. A call or a return moves
//! one pointer, never a frame.
//!
//! The bytecode is CPython 3.11's shape and is never rewritten; the loop runs common runs
//! of it as one step instead, the way 3.11's superinstructions and specialised calls do:
//! a local or constant feeding the next operation, `f(x, 1)` and `o.m(x, 1)` building the
//! callee's frame straight from the caller's locals and constants
//! (`call_global_direct`, `call_method_direct`), `a, b = t` storing into the locals.
//! Each declines (and the plain instructions run) whenever its conditions do not hold, so
//! what a program can observe is the same. Rarely run instructions live out of line in
//! `step_cold`, which keeps the loop small enough for its registers.
//!
//! A generator's frame leaves the loop at `RETURN_GENERATOR` (moved into the generator
//! object, see [`super::generator`]) and runs, each time it is resumed, in a loop of its own
//! whose first frame it is: `YIELD_VALUE` hands it back from there.
//!
//! Exceptions unwind through each frame's block stack: the innermost handler block cuts the
//! value stack back, receives the saved handled-exception state and the exception, and runs
//! (CPython 3.11's `PUSH_EXC_INFO` shape); a frame without a handler returns the exception
//! to its caller, which appends itself to the traceback.

use heap::{AnyObj, Gil, GilCell, Obj, Trace, WeakKind, WeakRef};

use super::attr;
use super::dict::Dict;
use super::object::*;
use super::ops;
use super::types::{self, type_name};
use super::{PyErr, PyResult, Vm};
use crate::compile::bytecode::{Code, CodeKind, Instr};
use crate::syntax::ast::{BinOp, CmpOp};

/// An activation of a code object. A suspended generator's frame is a field of the
/// generator object, so the trace visits everything the frame holds.
#[derive(Trace)]
pub struct Frame {
    /// The code running; `None` only while the frame waits in the pool.
    code: Option<Obj<PyCode>>,
    /// The globals; `None` only while the frame waits in the pool.
    globals: Option<Obj<PyDict>>,
    /// The local namespace of module and class bodies.
    locals: Option<Obj<PyDict>>,
    fast: Vec<Option<AnyObj>>,
    cells: Vec<Obj<PyCell>>,
    stack: Vec<AnyObj>,
    blocks: Vec<(u32, u32)>,
    pc: usize,
    kwnames: Option<AnyObj>,
    /// For an `__init__` run by the loop on behalf of a class call: the new instance, which
    /// the call returns instead of `__init__`'s `None`. The class call's recursion level is
    /// held until the frame ends, as CPython's `tp_call` holds it around `__init__`.
    init_of: Option<AnyObj>,
}

enum Flow {
    Next,
    Call(Box<Frame>),
    Return(AnyObj),
    /// `YIELD_VALUE`: the generator frame (always the first of its loop, see
    /// [`resume_generator`]) stops, and the loop gives the frame and the value back.
    Yield(AnyObj),
}

impl Frame {
    /// The code being run.
    #[inline(always)]
    fn code(&self) -> &Obj<PyCode> {
        self.code
            .as_ref()
            .expect("a frame out of the pool has its code")
    }

    /// The frame's globals.
    #[inline(always)]
    fn globals(&self) -> &Obj<PyDict> {
        self.globals
            .as_ref()
            .expect("a frame out of the pool has its globals")
    }

    /// A frame for module or class body code running in namespace `locals`.
    pub fn for_namespace(
        gil: &Gil<'_>,
        vm: &Vm,
        code: Obj<PyCode>,
        globals: Obj<PyDict>,
        locals: Obj<PyDict>,
        closure: Option<&Obj<PyTuple>>,
    ) -> Box<Frame> {
        let mut f = new_frame(vm, code, globals, Some(locals));
        let c = &f.code().get(gil).code;
        let (nfast, ncells) = (c.varnames.len(), c.cellvars.len());
        f.fast.resize(nfast, None);
        add_cells(gil, &mut f.cells, ncells, closure);
        f
    }
}

/// Most finished frames [`Vm`] keeps for reuse.
const FRAME_POOL: usize = 32;

/// A frame for `code`, from the pool when it has one: no cells or stack yet, and its local
/// slots (if any) all empty, to be resized to the code's count.
#[inline(always)]
fn new_frame(
    vm: &Vm,
    code: Obj<PyCode>,
    globals: Obj<PyDict>,
    locals: Option<Obj<PyDict>>,
) -> Box<Frame> {
    let pooled = vm.frame_pool.borrow_mut().pop();
    match pooled {
        Some(mut f) => {
            // A pooled frame holds none of the three (see `recycle`): nothing to drop.
            debug_assert!(f.code.is_none() && f.globals.is_none() && f.locals.is_none());
            std::mem::forget(f.code.replace(code));
            std::mem::forget(f.globals.replace(globals));
            std::mem::forget(std::mem::replace(&mut f.locals, locals));
            f
        }
        None => Box::new(Frame {
            code: Some(code),
            globals: Some(globals),
            locals,
            fast: Vec::new(),
            cells: Vec::new(),
            stack: Vec::new(),
            blocks: Vec::new(),
            pc: 0,
            kwnames: None,
            init_of: None,
        }),
    }
}

/// Finishes with a frame: releases what it holds in declaration order (as dropping it
/// would; the locals first to last, as CPython clears a frame) and keeps the emptied frame,
/// vectors and all, for the next call.
fn recycle(gil: &Gil<'_>, vm: &Vm, done: Box<Frame>) {
    recycle_inline(gil, vm, done);
}

/// [`recycle`], inlined into the loop's return path (every Python call ends there).
#[inline(always)]
fn recycle_inline(gil: &Gil<'_>, vm: &Vm, mut done: Box<Frame>) {
    // Slots past the code's own locals are empty leftovers of an earlier call.
    let code = done.code.take().expect("a finished frame has its code");
    let nlocals = code.get(gil).code.varnames.len();
    code.into_any().release(gil);
    if let Some(g) = done.globals.take() {
        g.into_any().release(gil);
    }
    if let Some(l) = done.locals.take() {
        l.into_any().release(gil);
    }
    // The slots stay, emptied, for the next call through the pool (`frame_from_stack`
    // fills them in place; other frames resize them).
    for slot in done.fast.iter_mut().take(nlocals) {
        if let Some(v) = slot.take() {
            v.release(gil);
        }
    }
    done.cells.clear();
    done.stack.clear();
    done.blocks.clear();
    if let Some(k) = done.kwnames.take() {
        k.release(gil);
    }
    if let Some(i) = done.init_of.take() {
        i.release(gil);
    }
    done.pc = 0;
    if done.fast.capacity() <= 64 && done.stack.capacity() <= 64 {
        let mut pool = vm.frame_pool.borrow_mut();
        if pool.len() < FRAME_POOL {
            pool.push(done);
        }
    }
}

/// Appends a frame's `n` new cells, then the closure's cells.
#[inline]
fn add_cells(
    gil: &Gil<'_>,
    cells: &mut Vec<Obj<PyCell>>,
    n: usize,
    closure: Option<&Obj<PyTuple>>,
) {
    if n == 0 && closure.is_none() {
        return;
    }
    for _ in 0..n {
        cells.push(Obj::new(
            gil,
            PyCell {
                value: GilCell::new(None),
            },
        ));
    }
    if let Some(c) = closure {
        cells.extend(
            c.get(gil)
                .items
                .iter()
                .filter_map(|o| o.clone().downcast::<PyCell>().ok()),
        );
    }
}

/// Gives a function's frame its cells: new ones for the code's cell variables (parameters
/// among them moved in from their local slots), then the closure's.
#[inline]
fn set_up_cells(gil: &Gil<'_>, frame: &mut Frame, code: &Code, closure: Option<&Obj<PyTuple>>) {
    if code.cellvars.is_empty() && closure.is_none() {
        return;
    }
    add_cells(gil, &mut frame.cells, code.cellvars.len(), closure);
    fill_arg_cells(gil, frame, &code.cell2arg);
}

/// Moves the parameters that are also cells from their local slots into their cells.
#[inline]
fn fill_arg_cells(gil: &Gil<'_>, f: &mut Frame, cell2arg: &[Option<u32>]) {
    for (ci, arg) in cell2arg.iter().enumerate() {
        if let Some(a) = arg {
            let v = f.fast[*a as usize].take();
            f.cells[ci].get(gil).value.set(gil, v);
        }
    }
}

/// Runs `frame` to completion (and every frame it calls).
pub fn run(gil: &mut Gil<'_>, vm: &Vm, frame: Box<Frame>) -> PyResult<AnyObj> {
    stacker::maybe_grow(128 * 1024, 2 * 1024 * 1024, || {
        run_loop(gil, vm, frame, &mut None)
    })
}

/// Takes a recursion level for a Python frame.
#[inline(always)]
fn enter(gil: &mut Gil<'_>, vm: &Vm) -> PyResult<()> {
    let d = vm.depth.get() + 1;
    if d > vm.recursion_limit.get() {
        return Err(recursion_error(gil, vm));
    }
    vm.depth.set(d);
    Ok(())
}

#[cold]
fn recursion_error(gil: &mut Gil<'_>, vm: &Vm) -> PyErr {
    let t = vm.types.recursion_error.clone();
    vm.err(gil, &t, "maximum recursion depth exceeded")
}

#[inline(always)]
fn leave(vm: &Vm) {
    vm.depth.set(vm.depth.get().saturating_sub(1));
}

/// The interpreter loop. A `YIELD_VALUE` (only ever run by a generator frame that is the
/// loop's first, see [`resume_generator`]) puts the frame into `yielded` and returns the
/// value yielded.
fn run_loop(
    gil: &mut Gil<'_>,
    vm: &Vm,
    frame: Box<Frame>,
    yielded: &mut Option<Box<Frame>>,
) -> PyResult<AnyObj> {
    enter(gil, vm)?;
    let mut callers: Vec<Box<Frame>> = Vec::new();
    let mut f = frame;
    // One flat loop over instructions, whichever frame they belong to: a call or a return
    // swaps the frame and its code, and the next turn reads on. (A loop per frame inside a
    // loop over frames let the compiler hoist a dozen addresses out of the inner loop, to be
    // recomputed and spilled on every call and return.)
    let mut code_obj = f.code().clone_ref(gil);
    // The program counter lives in a register while the frame runs; `f.pc` is brought up
    // to date whenever the frame stops running (a call, an exception).
    let mut pc = f.pc;
    loop {
        let code = code_obj.get(gil);
        let instrs: &[Instr] = &code.instrs;
        let instr = instrs[pc];
        pc += 1;
        let err = match step(gil, vm, &mut f, code, instrs, &mut pc, instr) {
            Ok(Flow::Next) => continue,
            Ok(Flow::Call(callee)) => {
                f.pc = pc;
                match enter(gil, vm) {
                    Ok(()) => {
                        callers.push(std::mem::replace(&mut f, callee));
                        code_obj = f.code().clone_ref(gil);
                        pc = f.pc;
                        continue;
                    }
                    Err(e) => {
                        if callee.init_of.is_some() {
                            // The class call's level the never-started `__init__` held.
                            leave(vm);
                        }
                        recycle(gil, vm, callee);
                        e
                    }
                }
            }
            Ok(Flow::Return(v)) => {
                leave(vm);
                let init_of = f.init_of.take();
                if init_of.is_some() {
                    // The class call's level, held since the call (see `start_call`).
                    leave(vm);
                }
                match callers.pop() {
                    Some(caller) => {
                        let done = std::mem::replace(&mut f, caller);
                        recycle_inline(gil, vm, done);
                        code_obj = f.code().clone_ref(gil);
                        pc = f.pc;
                        match init_of {
                            None => {
                                f.stack.push(v);
                                continue;
                            }
                            Some(_) if v.tag() != tag::NONE => {
                                // Raised by the class call, in the caller.
                                init_returned(gil, vm, &v)
                            }
                            Some(inst) => {
                                f.stack.push(inst);
                                continue;
                            }
                        }
                    }
                    None => {
                        recycle(gil, vm, f);
                        return Ok(v);
                    }
                }
            }
            Ok(Flow::Yield(v)) => {
                debug_assert!(
                    callers.is_empty(),
                    "a generator frame runs first in its loop"
                );
                f.pc = pc;
                leave(vm);
                *yielded = Some(f);
                return Ok(v);
            }
            Err(e) => {
                f.pc = pc;
                e
            }
        };
        // An exception: find a handler in this frame or its callers. A `RERAISE` (the end of
        // a `finally` or an unmatched handler) passes on an exception whose traceback
        // already has this frame's line.
        let mut err = err;
        let reraised = f.pc > 0
            && matches!(
                f.code().get(gil).code.instrs.get(f.pc - 1),
                Some(Instr::Reraise)
            );
        let mut add_tb = !reraised;
        if !reraised {
            set_context(gil, vm, &err.exc);
        }
        loop {
            if add_tb {
                add_traceback_line(gil, vm, &f, &err.exc);
            }
            add_tb = true;
            err = match enter_handler(vm, &mut f, err) {
                Ok(()) => break,
                Err(err) => err,
            };
            leave(vm);
            if f.init_of.is_some() {
                leave(vm);
            }
            attach_frame_locals(gil, vm, &f, &err.exc);
            match callers.pop() {
                Some(caller) => {
                    let done = std::mem::replace(&mut f, caller);
                    recycle(gil, vm, done);
                }
                None => {
                    recycle(gil, vm, f);
                    return Err(err);
                }
            }
            err = PyErr { exc: err.exc };
        }
        code_obj = f.code().clone_ref(gil);
        pc = f.pc;
    }
}

#[inline(always)]
fn pop(f: &mut Frame) -> AnyObj {
    f.stack
        .pop()
        .expect("the compiler keeps the value stack balanced")
}

#[inline(always)]
fn top(f: &Frame) -> &AnyObj {
    f.stack
        .last()
        .expect("the compiler keeps the value stack balanced")
}

fn name_of(gil: &Gil<'_>, f: &Frame, i: u32) -> AnyObj {
    f.code().get(gil).names[i as usize].clone()
}

fn name_str(gil: &Gil<'_>, f: &Frame, i: u32) -> String {
    f.code().get(gil).code.names[i as usize].clone()
}

fn name_error(gil: &mut Gil<'_>, vm: &Vm, name: &str) -> PyErr {
    let t = vm.types.name_error.clone();
    vm.err(gil, &t, &format!("name '{name}' is not defined"))
}

/// `LOAD_GLOBAL`: the globals, then the builtins. The position found is cached in the code
/// object with the versions of both dicts; while they keep them, the entry at that position
/// is still the name's (its value may have changed, and is read afresh).
fn load_global(gil: &mut Gil<'_>, vm: &Vm, f: &Frame, i: u32) -> PyResult<AnyObj> {
    let slot = f.code().get(gil).global_cache[i as usize].get();
    let globals = &f.globals().get(gil).table;
    let in_globals = globals.with(gil, |d| {
        (d.version() == slot.globals_version).then(|| match slot.builtins_version {
            None => d.entry(slot.pos as usize).map(|e| e.value.clone()),
            Some(_) => None,
        })
    });
    match (in_globals, slot.builtins_version) {
        (Some(Some(v)), None) => return Ok(v),
        (Some(None), Some(bver)) => {
            let hit = vm.builtins.get(gil).table.with(gil, |d| {
                (d.version() == bver)
                    .then(|| d.entry(slot.pos as usize).map(|e| e.value.clone()))
                    .flatten()
            });
            if let Some(v) = hit {
                return Ok(v);
            }
        }
        _ => {}
    }
    let key = name_of(gil, f, i);
    let found = match types::dict_find_interned(gil, globals, &key) {
        Some((pos, v)) => Some((pos, None, v)),
        None => {
            let builtins = &vm.builtins.get(gil).table;
            types::dict_find_interned(gil, builtins, &key)
                .map(|(pos, v)| (pos, Some(builtins.with(gil, Dict::version)), v))
        }
    };
    match found {
        Some((pos, builtins_version, v)) => {
            // A lookup may run no code (interned str keys), so the versions are current.
            if let Ok(pos) = u32::try_from(pos) {
                f.code().get(gil).global_cache[i as usize].set(GlobalSlot {
                    globals_version: globals.with(gil, Dict::version),
                    builtins_version,
                    pos,
                });
            }
            Ok(v)
        }
        None => {
            let n = name_str(gil, f, i);
            Err(name_error(gil, vm, &n))
        }
    }
}

#[inline(always)]
fn step(
    gil: &mut Gil<'_>,
    vm: &Vm,
    f: &mut Frame,
    code: &PyCode,
    instrs: &[Instr],
    pc: &mut usize,
    instr: Instr,
) -> PyResult<Flow> {
    match instr {
        Instr::Nop => {}
        Instr::PopTop => pop(f).release(gil),
        Instr::Copy(n) => {
            // `c[i] op= v` reads the item with `COPY 2, COPY 2, BINARY_SUBSCR`: the three run
            // as one subscription that leaves `c` and `i` in place (no copies made).
            if n == 2
                && let [Instr::Copy(2), Instr::BinarySubscr, ..] = instrs[*pc..]
            {
                *pc += 2;
                let len = f.stack.len();
                let v = subscript(gil, vm, &f.stack[len - 2], &f.stack[len - 1])?;
                f.stack.push(v);
                return Ok(Flow::Next);
            }
            let v = f.stack[f.stack.len() - n as usize].clone_ref(gil);
            f.stack.push(v);
        }
        Instr::Swap(n) => {
            // ... and stores it back with `SWAP 3, SWAP 2, STORE_SUBSCR`: with `c, i, v` on
            // the stack, one store `c[i] = v`.
            if n == 3
                && let [Instr::Swap(2), Instr::StoreSubscr, ..] = instrs[*pc..]
            {
                *pc += 2;
                let v = pop(f);
                let k = pop(f);
                let c = pop(f);
                return store_subscript(gil, vm, c, k, v).map(|()| Flow::Next);
            }
            let len = f.stack.len();
            f.stack.swap(len - 1, len - n as usize);
        }
        // CPython 3.11's superinstructions (`LOAD_FAST__LOAD_FAST`, `LOAD_FAST__LOAD_CONST`,
        // `LOAD_CONST__LOAD_FAST`, `STORE_FAST__LOAD_FAST`): the pair runs in one dispatch.
        // The bytecode is unchanged; a jump to the second instruction still finds it.
        Instr::LoadConst(i) => {
            if let Some(flow) = const_into_next(gil, vm, f, code, instrs, pc, i) {
                return Ok(flow);
            }
            load_const(gil, code, f, i);
            if let Some(&Instr::LoadFast(j)) = instrs.get(*pc) {
                *pc += 1;
                if let Some(flow) = local_into_next(gil, vm, f, code, instrs, pc, j) {
                    return Ok(flow);
                }
                load_fast(gil, vm, f, j)?;
            }
        }
        Instr::LoadFast(i) => {
            if let Some(flow) = local_into_next(gil, vm, f, code, instrs, pc, i) {
                return Ok(flow);
            }
            if let Some(&Instr::UnpackSequence(n)) = instrs.get(*pc)
                && unpack_local(gil, f, instrs, pc, i, n)
            {
                return Ok(Flow::Next);
            }
            load_fast(gil, vm, f, i)?;
            match instrs.get(*pc) {
                Some(&Instr::LoadFast(j)) => {
                    *pc += 1;
                    if let Some(flow) = local_into_next(gil, vm, f, code, instrs, pc, j) {
                        return Ok(flow);
                    }
                    load_fast(gil, vm, f, j)?;
                }
                Some(&Instr::LoadConst(j)) => {
                    *pc += 1;
                    if let Some(flow) = const_into_next(gil, vm, f, code, instrs, pc, j) {
                        return Ok(flow);
                    }
                    load_const(gil, code, f, j);
                }
                _ => {}
            }
        }
        Instr::StoreFast(i) => {
            let v = pop(f);
            if let Some(old) = f.fast[i as usize].replace(v) {
                old.release(gil);
            }
            if let Some(&Instr::LoadFast(j)) = instrs.get(*pc) {
                *pc += 1;
                if let Some(flow) = local_into_next(gil, vm, f, code, instrs, pc, j) {
                    return Ok(flow);
                }
                load_fast(gil, vm, f, j)?;
            }
        }
        Instr::LoadDeref(i) => {
            load_deref(gil, vm, f, i)?;
        }
        Instr::StoreDeref(i) => {
            let v = pop(f);
            let old = f.cells[i as usize].get(gil).value.replace(gil, Some(v));
            drop(old);
        }
        Instr::DeleteDeref(i) => {
            let old = f.cells[i as usize].get(gil).value.replace(gil, None);
            if old.is_none() {
                return Err(deref_error(gil, vm, f, i));
            }
        }
        Instr::LoadGlobal(i) => load_global_quick(gil, vm, code, f, i)?,
        Instr::LoadAttr(i) => {
            // The hinted hit replaces the object with the attribute in its stack slot.
            let top = f
                .stack
                .last_mut()
                .expect("the compiler keeps the value stack balanced");
            if let Some(inst) = top.downcast_ref::<PyInstance>()
                && let Some(v) = hinted_attr(gil, code, inst, i)
            {
                std::mem::replace(top, v).release(gil);
                return Ok(Flow::Next);
            }
            let o = pop(f);
            let inst = o.downcast_ref::<PyInstance>();
            let hint = code.attr_hint[i as usize].get();
            let n = name_of(gil, f, i);
            let v = attr::getattr(gil, vm, &o, &n)?;
            if let Some(inst) = inst
                && hint != NOT_INLINE
            {
                let pos = attr::inline_pos(gil, inst, &n).unwrap_or(NOT_INLINE);
                code.attr_hint[i as usize].set(pos);
            }
            f.stack.push(v);
        }
        Instr::StoreAttr(i) => {
            let o = pop(f);
            let mut v = pop(f);
            if let Some(inst) = o.downcast_ref::<PyInstance>() {
                let n = &code.names[i as usize];
                match attr::store_quick(gil, vm, inst, n, v) {
                    Ok(()) => return Ok(Flow::Next),
                    Err(back) => v = back,
                }
            }
            let n = name_of(gil, f, i);
            attr::setattr(gil, vm, &o, &n, v)?;
        }
        Instr::LoadMethod(i) => {
            let o = pop(f);
            let n = name_of(gil, f, i);
            // `super().m(...)`: the function and the instance, no bound method in between.
            if o.tag() == tag::SUPER
                && let Some((func, receiver)) = attr::super_method(gil, vm, &o, &n)
            {
                f.stack.push(func);
                f.stack.push(receiver);
                return Ok(Flow::Next);
            }
            let site = &code.method_cache[i as usize];
            if let Some(inst) = o.downcast_ref::<PyInstance>()
                && let Some(m) = attr::instance_method_quick(gil, inst, &n, site)
            {
                match call_method_direct(gil, vm, f, code, instrs, *pc, (m, o)) {
                    Ok((frame, next)) => {
                        *pc = next;
                        return Ok(Flow::Call(frame));
                    }
                    Err((m, o)) => {
                        f.stack.push(m);
                        f.stack.push(o);
                    }
                }
                return Ok(Flow::Next);
            }
            match attr::lookup_method(gil, vm, &o, &n, site)? {
                Some(m) => {
                    f.stack.push(m);
                    f.stack.push(o);
                }
                None => {
                    let v = attr::getattr(gil, vm, &o, &n)?;
                    f.stack.push(vm.null.clone());
                    f.stack.push(v);
                }
            }
        }
        Instr::BinarySubscr => {
            let k = pop(f);
            let c = pop(f);
            let v = subscript(gil, vm, &c, &k)?;
            f.stack.push(v);
        }
        Instr::StoreSubscr => {
            let k = pop(f);
            let c = pop(f);
            let v = pop(f);
            store_subscript(gil, vm, c, k, v)?;
        }
        Instr::BinaryOp(op) | Instr::InplaceOp(op) => {
            // The result takes the left operand's slot (one pop, no push); the left operand
            // is released first, then the right, as CPython releases them.
            let b = pop(f);
            let a = f
                .stack
                .last_mut()
                .expect("the compiler keeps the value stack balanced");
            if let Some(r) = quick_result(gil, a, &b, op) {
                place_result(gil, vm, a, Some(b), r);
                return Ok(Flow::Next);
            }
            let a = top(f);
            let r = match ops::binary(gil, vm, a, &b, op, matches!(instr, Instr::InplaceOp(_))) {
                Ok(r) => r,
                Err(e) => {
                    pop(f).release(gil);
                    return Err(e);
                }
            };
            let slot = f
                .stack
                .last_mut()
                .expect("the compiler keeps the value stack balanced");
            std::mem::replace(slot, r).release(gil);
            b.release(gil);
        }
        Instr::UnaryNegative => {
            let a = pop(f);
            let r = ops::unary(gil, vm, &a, "-")?;
            f.stack.push(r);
        }
        Instr::UnaryNot => {
            let a = pop(f);
            let t = quick_truthy(gil, vm, &a)?;
            a.release(gil);
            f.stack.push(vm.bool(!t));
        }
        Instr::CompareOp(op) => {
            let b = pop(f);
            let a = pop(f);
            let r = match int_compare(gil, &a, &b, op) {
                // 3.11's `COMPARE_OP_INT_JUMP`: an int comparison and the jump on it.
                Some(t) => {
                    if fused_jump(instrs, pc, t) {
                        return Ok(Flow::Next);
                    }
                    vm.bool(t)
                }
                None => ops::compare(gil, vm, &a, &b, op)?,
            };
            f.stack.push(r);
        }
        Instr::IsOp(invert) => {
            let b = pop(f);
            let a = pop(f);
            let t = a.ptr_eq(&b) != invert;
            drop(b);
            drop(a);
            if !fused_jump(instrs, pc, t) {
                f.stack.push(vm.bool(t));
            }
        }
        Instr::ContainsOp(invert) => {
            let b = pop(f);
            let a = pop(f);
            let r = attr::contains(gil, vm, &b, &a)?;
            f.stack.push(vm.bool(r != invert));
        }
        Instr::BuildTuple(2) => {
            let b = pop(f);
            let a = pop(f);
            let t = vm.pair(gil, a, b);
            // `return (a, b)`: the pair is returned without a trip through the stack.
            if let Some(Instr::ReturnValue) = instrs.get(*pc) {
                *pc += 1;
                return Ok(Flow::Return(t));
            }
            f.stack.push(t);
        }
        Instr::BuildTuple(n) => {
            let items = f.stack.split_off(f.stack.len() - n as usize);
            let t = vm.tuple(gil, items);
            f.stack.push(t);
        }
        Instr::BuildList(n) => {
            let items = f.stack.split_off(f.stack.len() - n as usize);
            let l = vm.list(gil, items);
            f.stack.push(l);
        }
        Instr::ListAppend(n) => {
            let v = pop(f);
            let l = f.stack[f.stack.len() - n as usize].clone();
            if let Some(l) = l.downcast_ref::<PyList>() {
                l.get(gil).items.with_mut(gil, |items| items.push(v));
            }
        }
        Instr::Jump(t) => *pc = t as usize,
        Instr::PopJumpIfFalse(t) => {
            let v = pop(f);
            if !quick_truthy(gil, vm, &v)? {
                *pc = t as usize;
            }
        }
        Instr::PopJumpIfTrue(t) => {
            let v = pop(f);
            if quick_truthy(gil, vm, &v)? {
                *pc = t as usize;
            }
        }
        Instr::JumpIfFalseOrPop(t) => {
            if quick_truthy(gil, vm, top(f))? {
                pop(f).release(gil);
            } else {
                *pc = t as usize;
            }
        }
        Instr::JumpIfTrueOrPop(t) => {
            if quick_truthy(gil, vm, top(f))? {
                *pc = t as usize;
            } else {
                pop(f).release(gil);
            }
        }
        Instr::GetIter => {
            let o = pop(f);
            let it = ops::get_iter(gil, vm, &o)?;
            f.stack.push(it);
        }
        Instr::ForIter(t) => {
            let next = match ops::next_quick(gil, vm, top(f)) {
                Some(next) => next,
                None => {
                    let it = top(f).clone();
                    ops::next(gil, vm, &it)?
                }
            };
            match next {
                Some(v) => f.stack.push(v),
                None => {
                    pop(f).release(gil);
                    *pc = t as usize;
                }
            }
        }
        Instr::UnpackSequence(n) => {
            let seq = pop(f);
            // The common cases, a tuple or list of the right length: straight onto the stack.
            if let Some(t) = seq.downcast_ref::<PyTuple>() {
                let items = &t.get(gil).items;
                let n = n as usize;
                if items.len() == n {
                    // `a, b = t`: with a `STORE_FAST` for every item next, each item goes
                    // straight into its local, in the stores' order (the tuple cannot change
                    // if a released old value's finalizer runs).
                    if store_items(gil, f, instrs, pc, items) {
                        seq.release(gil);
                        if let Some(&Instr::LoadFast(j)) = instrs.get(*pc) {
                            *pc += 1;
                            if let Some(flow) = local_into_next(gil, vm, f, code, instrs, pc, j) {
                                return Ok(flow);
                            }
                            load_fast(gil, vm, f, j)?;
                        }
                        return Ok(Flow::Next);
                    }
                    f.stack.extend(items.iter().rev().cloned());
                    return Ok(Flow::Next);
                }
            } else if let Some(l) = seq.downcast_ref::<PyList>() {
                let stack = &mut f.stack;
                let done = l.get(gil).items.with(gil, |items| {
                    let fits = items.len() == n as usize;
                    if fits {
                        stack.extend(items.iter().rev().cloned());
                    }
                    fits
                });
                if done {
                    // `a, b = l` with a `STORE_FAST` for every item next: the stores run in
                    // this step, first item first, as they would one by one.
                    let n = n as usize;
                    if let Some(targets) = instrs.get(*pc..*pc + n)
                        && targets.iter().all(|i| matches!(i, Instr::StoreFast(_)))
                    {
                        for target in targets {
                            let v = pop(f);
                            if let Instr::StoreFast(k) = *target
                                && let Some(old) = f.fast[k as usize].replace(v)
                            {
                                old.release(gil);
                            }
                        }
                        *pc += n;
                    }
                    return Ok(Flow::Next);
                }
            }
            let items = match ops::seq_items(gil, &seq) {
                Some(v) => v,
                None => ops::iterate(gil, vm, &seq)?,
            };
            let n = n as usize;
            if items.len() != n {
                let msg = if items.len() > n {
                    format!("too many values to unpack (expected {n})")
                } else {
                    format!(
                        "not enough values to unpack (expected {n}, got {})",
                        items.len()
                    )
                };
                return Err(vm.value_error(gil, &msg));
            }
            f.stack.extend(items.into_iter().rev());
        }
        Instr::PushNull => {
            if let Some(&Instr::LoadGlobal(j)) = instrs.get(*pc)
                && let Some((frame, next)) = call_global_direct(gil, vm, f, code, instrs, *pc, j)
            {
                *pc = next;
                return Ok(Flow::Call(frame));
            }
            f.stack.push(vm.null.clone());
            // The call site's callable, most often a global (3.11 folds the two into
            // `LOAD_GLOBAL (NULL + name)`).
            if let Some(&Instr::LoadGlobal(j)) = instrs.get(*pc) {
                *pc += 1;
                load_global_quick(gil, vm, code, f, j)?;
            }
        }
        Instr::Call(n) if f.kwnames.is_none() => {
            if let Some(frame) = fast_call(gil, vm, f, n as usize) {
                return Ok(Flow::Call(frame));
            }
            if let Some(r) = builtin_call(gil, vm, f, n as usize) {
                r?;
                return Ok(Flow::Next);
            }
            if let Some(frame) = init_call(gil, vm, f, n as usize) {
                return Ok(Flow::Call(frame?));
            }
            if let Some(frame) = call_slow(gil, vm, f, n as usize)? {
                return Ok(Flow::Call(frame));
            }
        }
        Instr::ReturnValue => {
            let v = pop(f);
            return Ok(Flow::Return(v));
        }
        Instr::SetupExcept(t) => f.blocks.push((t, f.stack.len() as u32)),
        Instr::PopBlock => {
            f.blocks.pop();
        }
        _ => return step_cold(gil, vm, f, code, instr),
    }
    Ok(Flow::Next)
}

/// The instructions a hot loop rarely runs (definitions, imports, handlers, `with`,
/// deletions, keyword calls, displays of maps and sets, f-strings), kept out of line so that
/// [`step`]'s hot arms get the registers.
#[inline(never)]
fn step_cold(
    gil: &mut Gil<'_>,
    vm: &Vm,
    f: &mut Frame,
    code: &PyCode,
    instr: Instr,
) -> PyResult<Flow> {
    match instr {
        Instr::DeleteFast(i) => {
            if f.fast[i as usize].take().is_none() {
                let n = f.code().get(gil).code.varnames[i as usize].clone();
                return Err(unbound_local(gil, vm, &n));
            }
        }
        Instr::LoadClosure(i) => {
            let c = f.cells[i as usize].clone().into_any();
            f.stack.push(c);
        }
        Instr::LoadClassDeref(i) => {
            let c = &f.code().get(gil).code;
            let ncell = c.cellvars.len();
            let name = if (i as usize) < ncell {
                c.cellvars[i as usize].clone()
            } else {
                c.freevars[i as usize - ncell].clone()
            };
            if let Some(ns) = &f.locals
                && let Some(v) = types::dict_get_str(gil, vm, &ns.get(gil).table, &name)
            {
                f.stack.push(v);
                return Ok(Flow::Next);
            }
            load_deref(gil, vm, f, i)?;
        }
        Instr::StoreGlobal(i) => {
            let v = pop(f);
            let k = name_of(gil, f, i);
            types::dict_set_key(gil, &f.globals().get(gil).table, k, v);
        }
        Instr::DeleteGlobal(i) => {
            let n = name_str(gil, f, i);
            if !types::dict_del_str(gil, vm, &f.globals().get(gil).table, &n) {
                return Err(name_error(gil, vm, &n));
            }
        }
        Instr::LoadName(i) => {
            let key = name_of(gil, f, i);
            if let Some(ns) = &f.locals
                && let Some(v) = types::dict_get_interned(gil, &ns.get(gil).table, &key)
            {
                f.stack.push(v);
                return Ok(Flow::Next);
            }
            let v = load_global(gil, vm, f, i)?;
            f.stack.push(v);
        }
        Instr::StoreName(i) => {
            let v = pop(f);
            let k = name_of(gil, f, i);
            let ns = f.locals.clone().unwrap_or_else(|| f.globals().clone());
            types::dict_set_key(gil, &ns.get(gil).table, k, v);
        }
        Instr::DeleteName(i) => {
            let n = name_str(gil, f, i);
            let ns = f.locals.clone().unwrap_or_else(|| f.globals().clone());
            if !types::dict_del_str(gil, vm, &ns.get(gil).table, &n) {
                return Err(name_error(gil, vm, &n));
            }
        }
        Instr::DeleteAttr(i) => {
            let o = pop(f);
            let n = name_of(gil, f, i);
            attr::delattr(gil, vm, &o, &n)?;
        }
        Instr::DeleteSubscr => {
            let k = pop(f);
            let c = pop(f);
            attr::delitem(gil, vm, &c, &k)?;
        }
        Instr::BuildSlice(n) => {
            let step = if n == 3 { pop(f) } else { vm.none.clone() };
            let stop = pop(f);
            let start = pop(f);
            let s = Obj::new(gil, PySlice { start, stop, step }).into_any();
            f.stack.push(s);
        }
        Instr::UnaryPositive => {
            let a = pop(f);
            let r = ops::unary(gil, vm, &a, "+")?;
            f.stack.push(r);
        }
        Instr::UnaryInvert => {
            let a = pop(f);
            let r = ops::unary(gil, vm, &a, "~")?;
            f.stack.push(r);
        }
        Instr::BuildMap(n) => {
            let items = f.stack.split_off(f.stack.len() - 2 * n as usize);
            let d = vm.dict(gil);
            let mut it = items.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                ops::dict_set(gil, vm, &d, k, v)?;
            }
            f.stack.push(d.into_any());
        }
        Instr::BuildSet(n) => {
            let items = f.stack.split_off(f.stack.len() - n as usize);
            let s = super::set_ops::new_set(gil, false);
            for item in items {
                super::set_ops::add(gil, vm, &s, item)?;
            }
            f.stack.push(s.into_any());
        }
        Instr::SetAdd(n) => {
            let v = pop(f);
            let target = f.stack[f.stack.len() - n as usize].clone();
            if let Some(s) = super::set_ops::as_set(&target) {
                super::set_ops::add(gil, vm, &s, v)?;
            }
        }
        Instr::SetUpdate(n) => {
            let it = pop(f);
            let target = f.stack[f.stack.len() - n as usize].clone();
            if let Some(s) = super::set_ops::as_set(&target) {
                super::set_ops::update(gil, vm, &s, &it)?;
            }
        }
        Instr::MapAdd(n) => {
            let value = pop(f);
            let key = pop(f);
            let dict_obj = f.stack[f.stack.len() - n as usize].clone();
            if let Some(dict_obj) = dict_obj.downcast_ref::<PyDict>() {
                super::ops::dict_set(gil, vm, dict_obj, key, value)?;
            }
        }
        Instr::FormatValue {
            has_spec,
            conversion,
        } => {
            let spec = if has_spec { Some(pop(f)) } else { None };
            let v = pop(f);
            let v = match conversion {
                b'r' => {
                    let s = ops::repr(gil, vm, &v)?;
                    vm.str(gil, &s)
                }
                b's' => {
                    let s = ops::str_of(gil, vm, &v)?;
                    vm.str(gil, &s)
                }
                _ => v,
            };
            let spec_s = spec
                .as_ref()
                .and_then(|s| ops::str_payload(gil, s).map(str::to_owned))
                .unwrap_or_default();
            let s = super::builtins::format_value(gil, vm, &v, &spec_s)?;
            f.stack.push(s);
        }
        Instr::BuildString(n) => {
            let parts = f.stack.split_off(f.stack.len() - n as usize);
            let mut s = String::new();
            for p in &parts {
                s.push_str(ops::str_payload(gil, p).unwrap_or(""));
            }
            let o = vm.str(gil, &s);
            f.stack.push(o);
        }
        Instr::MakeFunction(flags) => {
            let code = pop(f)
                .downcast::<PyCode>()
                .unwrap_or_else(|_| unreachable!("MakeFunction takes a code object"));
            let closure = if flags & 8 != 0 {
                pop(f).downcast::<PyTuple>().ok()
            } else {
                None
            };
            let annotations = if flags & 4 != 0 {
                pop(f).downcast::<PyTuple>().ok()
            } else {
                None
            };
            let kwdefaults = if flags & 2 != 0 {
                pop(f).downcast::<PyDict>().ok()
            } else {
                None
            };
            let defaults = if flags & 1 != 0 {
                pop(f).downcast::<PyTuple>().ok()
            } else {
                None
            };
            let defaults = FunctionDefaults {
                positional: defaults,
                keyword_only: kwdefaults,
            };
            let func = make_function(gil, vm, code, f.globals().clone(), defaults, closure);
            if let (Some(pairs), Some(fobj)) = (annotations, func.downcast_ref::<PyFunction>()) {
                super::annotations::set_initial(gil, vm, fobj, pairs);
            }
            f.stack.push(func);
        }
        Instr::ListExtend(n) => {
            let it = pop(f);
            let items = match ops::try_iterate(gil, vm, &it)? {
                Ok(items) => items,
                Err(_) => {
                    // CPython 3.11's LIST_EXTEND message (a call with a lone `*x` passes
                    // `x` to CallFunctionEx, whose message names the callee).
                    let t = vm.type_of(gil, &it);
                    return Err(vm.type_error(
                        gil,
                        &format!(
                            "Value after * must be an iterable, not {}",
                            type_name(gil, &t)
                        ),
                    ));
                }
            };
            let l = f.stack[f.stack.len() - n as usize].clone();
            if let Some(l) = l.downcast_ref::<PyList>() {
                l.get(gil).items.with_mut(gil, |v| v.extend(items));
            }
        }
        Instr::ListToTuple => {
            let l = pop(f);
            let items = l
                .downcast_ref::<PyList>()
                .map(|l| l.get(gil).items.with_mut(gil, std::mem::take))
                .unwrap_or_default();
            let t = vm.tuple(gil, items);
            f.stack.push(t);
        }
        Instr::DictMerge(n) => {
            let m = pop(f);
            let target = f.stack[f.stack.len() - n as usize].clone();
            let callee = f.stack[f.stack.len() - n as usize - 2].clone();
            merge_kwargs(gil, vm, &target, &m, &callee)?;
        }
        Instr::CallFunctionEx(has_kwargs) => {
            let kwargs = if has_kwargs {
                ops::dict_items(gil, &pop(f))
            } else {
                Vec::new()
            };
            let args = pop(f);
            let args = match super::unpack::star_args(gil, vm, &args)? {
                Ok(items) => items,
                Err(t) => {
                    let what = function_str(gil, vm, &top(f).clone());
                    let msg = format!("{what} argument after * must be an iterable, not {t}");
                    return Err(vm.type_error(gil, &msg));
                }
            };
            let callable = pop(f);
            pop(f).release(gil);
            match start_call(gil, vm, callable, args, kwargs)? {
                Started::Frame(frame) => return Ok(Flow::Call(frame)),
                Started::Done(r) => f.stack.push(r),
            }
        }
        Instr::KwNames(i) => f.kwnames = Some(code.consts[i as usize].clone()),
        Instr::Call(n) => {
            if let Some(frame) = call_slow(gil, vm, f, n as usize)? {
                return Ok(Flow::Call(frame));
            }
        }
        Instr::ImportName(i) => {
            let n = name_str(gil, f, i);
            let m = super::modules::import(gil, vm, &n)?;
            f.stack.push(m);
        }
        Instr::ImportFrom(i) => {
            let m = top(f).clone();
            let n = name_of(gil, f, i);
            match attr::getattr(gil, vm, &m, &n) {
                Ok(v) => f.stack.push(v),
                Err(_) => {
                    let name = name_str(gil, f, i);
                    let mname = m
                        .downcast_ref::<PyModule>()
                        .map_or("?", |m| m.get(gil).name);
                    let t = vm.types.import_error.clone();
                    return Err(vm.err(
                        gil,
                        &t,
                        &format!("cannot import name '{name}' from '{mname}' (unknown location)"),
                    ));
                }
            }
        }
        Instr::UnpackEx(counts) => {
            let seq = pop(f);
            super::unpack::unpack_ex(gil, vm, &seq, counts, &mut f.stack)?;
        }
        Instr::SetupAnnotations => {
            let ns = f.locals.clone().unwrap_or_else(|| f.globals().clone());
            super::annotations::setup(gil, vm, &ns);
        }
        Instr::LoadBuildClass => {
            let b = types::dict_get_str(gil, vm, &vm.builtins.get(gil).table, "__build_class__")
                .expect("__build_class__ is a builtin");
            f.stack.push(b);
        }
        Instr::RaiseVarargs(n) => {
            if n == 0 {
                let cur = vm.exc_info.borrow().clone();
                return match cur {
                    Some(e) => Err(PyErr { exc: e }),
                    None => Err(vm.runtime_error(gil, "No active exception to reraise")),
                };
            }
            let cause = if n == 2 { Some(pop(f)) } else { None };
            let e = pop(f);
            let err = make_raisable(gil, vm, e)?;
            if let Some(cause) = cause {
                set_cause(gil, vm, &err.exc, cause)?;
            }
            return Err(err);
        }
        Instr::SetupWith(t) => f.blocks.push((t, f.stack.len() as u32 - 1)),
        Instr::PopExcept => {
            let prev = pop(f);
            let prev = if prev.tag() == tag::NONE {
                None
            } else {
                Some(prev)
            };
            let old = std::mem::replace(&mut *vm.exc_info.borrow_mut(), prev);
            drop(old);
        }
        Instr::Reraise => {
            let e = pop(f);
            return Err(PyErr { exc: e });
        }
        Instr::CheckExcMatch => {
            let t = pop(f);
            let e = top(f).clone();
            let r = exc_match(gil, vm, &e, &t)?;
            f.stack.push(vm.bool(r));
        }
        Instr::LoadAssertionError => {
            let t = vm.types.assertion_error.clone().into_any();
            f.stack.push(t);
        }
        Instr::BeforeWith => {
            let manager = pop(f);
            let (enter, exit) = context_methods(gil, vm, &manager)?;
            f.stack.push(exit);
            let v = call(gil, vm, &enter, vec![manager], vec![])?;
            f.stack.push(v);
        }
        Instr::WithExceptStart => {
            let n = f.stack.len();
            let (exit, exc) = (f.stack[n - 3].clone(), f.stack[n - 1].clone());
            let t = vm.type_of(gil, &exc).into_any();
            let r = call(gil, vm, &exit, vec![t, exc, vm.none.clone()], vec![])?;
            f.stack.push(r);
        }
        Instr::ReturnGenerator => {
            let frame = detach_generator_frame(gil, f);
            let g = super::generator::new_generator(gil, vm, frame);
            return Ok(Flow::Return(g));
        }
        Instr::YieldValue => {
            let v = pop(f);
            return Ok(Flow::Yield(v));
        }
        _ => unreachable!("step runs the hot instructions"),
    }
    Ok(Flow::Next)
}

/// `RETURN_GENERATOR`: moves what the frame holds (arguments bound, cells made) into a new
/// frame for the generator, resuming after this instruction; `f` keeps its code and
/// globals only (and an `__init__`'s instance), and returns the generator as a plain frame
/// would return a value.
fn detach_generator_frame(gil: &Gil<'_>, f: &mut Frame) -> Box<Frame> {
    let code = f.code().clone_ref(gil);
    let pc = code
        .get(gil)
        .instrs
        .iter()
        .position(|i| *i == Instr::ReturnGenerator)
        .map_or(0, |at| at + 1);
    let nlocals = code.get(gil).code.varnames.len();
    let mut fast = std::mem::take(&mut f.fast);
    fast.truncate(nlocals);
    Box::new(Frame {
        code: Some(code),
        globals: Some(f.globals().clone_ref(gil)),
        locals: f.locals.take(),
        fast,
        cells: std::mem::take(&mut f.cells),
        stack: std::mem::take(&mut f.stack),
        blocks: std::mem::take(&mut f.blocks),
        pc,
        kwnames: None,
        init_of: None,
    })
}

/// The code a frame runs.
pub(crate) fn frame_code(frame: &Frame) -> &Obj<PyCode> {
    frame.code()
}

/// What a generator's frame is resumed with.
pub(crate) enum Resume {
    /// `send(v)` (`next()` sends `None`): `v` becomes the value of the `yield` expression.
    Send(AnyObj),
    /// `throw(exc)` / `close()`: the exception is raised at the `yield`.
    Throw(PyErr),
}

/// Runs a suspended generator frame from where it stopped, in a loop of its own (so the
/// recursion limit applies and the Rust stack grows on demand). Gives the value yielded
/// and the frame back when the frame yields again; the value returned, or the exception
/// that ended it, and no frame when it finished.
pub(crate) fn resume_generator(
    gil: &mut Gil<'_>,
    vm: &Vm,
    mut frame: Box<Frame>,
    input: Resume,
) -> (PyResult<AnyObj>, Option<Box<Frame>>) {
    match input {
        Resume::Send(v) => frame.stack.push(v),
        Resume::Throw(err) => {
            if let Err(e) = throw_into(gil, vm, &mut frame, err) {
                let done = frame;
                recycle(gil, vm, done);
                return (Err(e), None);
            }
        }
    }
    let mut yielded = None;
    let r = stacker::maybe_grow(128 * 1024, 2 * 1024 * 1024, || {
        run_loop(gil, vm, frame, &mut yielded)
    });
    (r, yielded)
}

/// Raises `err` in a suspended frame at the instruction it stopped after (a `yield`): the
/// frame's innermost handler gets it, as if the instruction had raised it; a frame with no
/// handler adds itself to the traceback and gives the exception back. (As CPython 3.11's
/// `gen_throw`, the exception being handled does not become its `__context__`.)
fn throw_into(gil: &mut Gil<'_>, vm: &Vm, f: &mut Frame, err: PyErr) -> Result<(), PyErr> {
    add_traceback_line(gil, vm, f, &err.exc);
    enter_handler(vm, f, err).inspect_err(|err| attach_frame_locals(gil, vm, f, &err.exc))
}

/// Adds the frame's current line to the exception's traceback.
#[cold]
#[inline(never)]
fn add_traceback_line(gil: &mut Gil<'_>, vm: &Vm, f: &Frame, exc: &AnyObj) {
    let line = f.code().get(gil).code.line_of(f.pc.saturating_sub(1));
    let c = f.code().clone();
    vm.add_traceback(gil, exc, &c, line);
}

/// The frame's innermost handler block takes the exception: the value stack is cut back to
/// the block's depth, the saved handled-exception state and the exception are pushed
/// (CPython 3.11's `PUSH_EXC_INFO` shape), and the frame goes on at the handler. Gives the
/// exception back when the frame has no handler.
#[cold]
#[inline(never)]
fn enter_handler(vm: &Vm, f: &mut Frame, err: PyErr) -> Result<(), PyErr> {
    let Some((handler, depth)) = f.blocks.pop() else {
        return Err(err);
    };
    let dropped: Vec<AnyObj> = f.stack.drain(depth as usize..).collect();
    drop(dropped);
    let prev = vm.exc_info.borrow_mut().replace(err.exc.clone());
    f.stack.push(prev.unwrap_or_else(|| vm.none.clone()));
    f.stack.push(err.exc);
    f.pc = handler as usize;
    Ok(())
}

/// Keeps the variables of a frame the exception leaves alive with its traceback, as
/// CPython's traceback keeps the frame object.
#[cold]
#[inline(never)]
fn attach_frame_locals(gil: &mut Gil<'_>, vm: &Vm, f: &Frame, exc: &AnyObj) {
    let locals: Vec<AnyObj> = f
        .fast
        .iter()
        .flatten()
        .cloned()
        .chain(f.cells.iter().map(|c| c.clone().into_any()))
        .collect();
    let code = f.code().clone();
    vm.attach_frame(gil, exc, &code, locals);
}

/// Whether a suspended generator frame stopped inside a `try` or `with` block (so closing
/// it has a handler to run; elsewhere `GeneratorExit` would only unwind it).
pub(crate) fn frame_in_block(frame: &Frame) -> bool {
    !frame.blocks.is_empty()
}

/// A context manager's `__enter__` (the class's function, to call with the manager) and
/// its `__exit__` bound to it, or CPython 3.11's `TypeError`.
fn context_methods(gil: &mut Gil<'_>, vm: &Vm, manager: &AnyObj) -> PyResult<(AnyObj, AnyObj)> {
    let enter = ops::special(gil, vm, manager, "__enter__");
    let exit = ops::special(gil, vm, manager, "__exit__");
    match (enter, exit) {
        (Some(enter), Some(exit)) => {
            let bound = Obj::new(
                gil,
                PyMethod {
                    func: exit,
                    receiver: manager.clone(),
                },
            );
            Ok((enter, bound.into_any()))
        }
        (enter, _) => {
            let t = vm.type_of(gil, manager);
            let missed = if enter.is_some() {
                " (missed __exit__ method)"
            } else {
                ""
            };
            let msg = format!(
                "'{}' object does not support the context manager protocol{missed}",
                types::type_name(gil, &t)
            );
            Err(vm.type_error(gil, &msg))
        }
    }
}

/// `LOAD_FAST`.
#[inline(always)]
fn load_fast(gil: &mut Gil<'_>, vm: &Vm, f: &mut Frame, i: u32) -> PyResult<()> {
    match &f.fast[i as usize] {
        Some(v) => {
            let v = v.clone_ref(gil);
            f.stack.push(v);
            Ok(())
        }
        None => {
            let n = f.code().get(gil).code.varnames[i as usize].clone();
            Err(unbound_local(gil, vm, &n))
        }
    }
}

/// The `UnboundLocalError` for local (or cell) variable `name` read or deleted unbound.
#[cold]
fn unbound_local(gil: &mut Gil<'_>, vm: &Vm, name: &str) -> PyErr {
    let t = vm.types.unbound_local_error.clone();
    vm.err(
        gil,
        &t,
        &format!("cannot access local variable '{name}' where it is not associated with a value"),
    )
}

/// CPython 3.11's `LOAD_ATTR_INSTANCE_VALUE`, as a hint: the position name `i` had in the
/// last instance's inline attributes at this site, checked by key identity.
#[inline(always)]
fn hinted_attr(gil: &mut Gil<'_>, code: &PyCode, inst: &Obj<PyInstance>, i: u32) -> Option<AnyObj> {
    let hint = code.attr_hint[i as usize].get();
    if hint == NOT_INLINE {
        return None;
    }
    attr::inline_at(gil, inst, &code.names[i as usize], hint)
}

/// `LOAD_FAST i` run together with the instruction after it, when that one consumes the
/// local at once and its quick path applies: the local is used where it lies, with no
/// push, pop or count change. Returns how the step ends if the next instruction ran (and
/// `pc` moved past it); `None` if nothing happened and the two run one by one.
///
/// Besides what [`operand_into_next`] takes: `LOAD_ATTR` of an instance attribute found by
/// the site's hint, `LOAD_METHOD` of a plain method of an instance that keeps pairs,
/// `STORE_ATTR` on an instance by [`attr::store_quick`].
#[inline(always)]
fn local_into_next(
    gil: &mut Gil<'_>,
    vm: &Vm,
    f: &mut Frame,
    code: &PyCode,
    instrs: &[Instr],
    pc: &mut usize,
    i: u32,
) -> Option<Flow> {
    let next = match instrs.get(*pc) {
        Some(
            next @ (Instr::BinaryOp(_)
            | Instr::InplaceOp(_)
            | Instr::CompareOp(_)
            | Instr::IsOp(_)
            | Instr::ReturnValue
            | Instr::LoadAttr(_)
            | Instr::LoadMethod(_)
            | Instr::StoreAttr(_)),
        ) => *next,
        Some(&Instr::LoadConst(j))
            if matches!(
                instrs.get(*pc + 1),
                Some(Instr::IsOp(_) | Instr::CompareOp(_))
            ) =>
        {
            Instr::LoadConst(j)
        }
        _ => return None,
    };
    let local = f.fast[i as usize].as_ref()?;
    match next {
        Instr::LoadConst(j) => {
            // `if x is None:`, `while n > 0:`: a local tested against a constant and the
            // jump on the answer (3.11's `COMPARE_OP_INT_JUMP`), with neither on the stack.
            let c = &code.consts[j as usize];
            let t = match instrs[*pc + 1] {
                Instr::IsOp(invert) => local.ptr_eq(c) != invert,
                Instr::CompareOp(op) => int_compare(gil, local, c, op)?,
                _ => return None,
            };
            let mut at = *pc + 2;
            if !fused_jump(instrs, &mut at, t) {
                return None;
            }
            *pc = at;
            return Some(Flow::Next);
        }
        Instr::LoadAttr(j) => {
            let inst = local.downcast_ref::<PyInstance>()?;
            let v = hinted_attr(gil, code, inst, j)?;
            f.stack.push(v);
        }
        Instr::LoadMethod(j) => {
            let inst = local.downcast_ref::<PyInstance>()?;
            let (n, site) = (&code.names[j as usize], &code.method_cache[j as usize]);
            let m = attr::instance_method_quick(gil, inst, n, site)?;
            let o = local.clone_ref(gil);
            match call_method_direct(gil, vm, f, code, instrs, *pc + 1, (m, o)) {
                Ok((frame, next)) => {
                    *pc = next;
                    return Some(Flow::Call(frame));
                }
                Err((m, o)) => {
                    f.stack.push(m);
                    f.stack.push(o);
                }
            }
        }
        Instr::StoreAttr(j) => {
            let inst = local.downcast_ref::<PyInstance>()?;
            let v = f.stack.pop()?;
            if let Err(v) = attr::store_quick(gil, vm, inst, &code.names[j as usize], v) {
                f.stack.push(v);
                return None;
            }
        }
        _ => return operand_into_next(gil, vm, &mut f.stack, instrs, pc, next, local),
    }
    *pc += 1;
    Some(Flow::Next)
}

/// `LOAD_CONST i` run together with the instruction after it (see [`operand_into_next`]).
#[inline(always)]
fn const_into_next(
    gil: &mut Gil<'_>,
    vm: &Vm,
    f: &mut Frame,
    code: &PyCode,
    instrs: &[Instr],
    pc: &mut usize,
    i: u32,
) -> Option<Flow> {
    let next = match instrs.get(*pc) {
        Some(
            next @ (Instr::BinaryOp(_)
            | Instr::InplaceOp(_)
            | Instr::CompareOp(_)
            | Instr::IsOp(_)
            | Instr::ReturnValue),
        ) => *next,
        _ => return None,
    };
    operand_into_next(
        gil,
        vm,
        &mut f.stack,
        instrs,
        pc,
        next,
        &code.consts[i as usize],
    )
}

/// Instruction `next` run with `b` (a local or a constant, not pushed) as its right (or
/// only) operand, where a quick path applies: `BINARY_OP` on ints and floats, an int
/// `COMPARE_OP` and `IS_OP` (each with the jump after it, if any), `RETURN_VALUE`.
/// `None` if it does not apply; nothing has changed then.
#[inline(always)]
fn operand_into_next(
    gil: &mut Gil<'_>,
    vm: &Vm,
    stack: &mut Vec<AnyObj>,
    instrs: &[Instr],
    pc: &mut usize,
    next: Instr,
    b: &AnyObj,
) -> Option<Flow> {
    match next {
        Instr::BinaryOp(op) | Instr::InplaceOp(op) => {
            let a = stack.last_mut()?;
            let r = quick_result(gil, a, b, op)?;
            *pc += 1;
            place_result(gil, vm, a, None, r);
        }
        Instr::CompareOp(op) => {
            let t = int_compare(gil, stack.last()?, b, op)?;
            *pc += 1;
            truth_to_jump(gil, vm, stack, instrs, pc, t);
        }
        Instr::IsOp(invert) => {
            let t = stack.last()?.ptr_eq(b) != invert;
            *pc += 1;
            truth_to_jump(gil, vm, stack, instrs, pc, t);
        }
        Instr::ReturnValue => {
            *pc += 1;
            return Some(Flow::Return(b.clone_ref(gil)));
        }
        _ => return None,
    }
    Some(Flow::Next)
}

/// `LOAD_FAST i, UNPACK_SEQUENCE n, STORE_FAST × n` (`a, b = t` for a local tuple `t` of
/// `n` items) as one step, the tuple never on the stack; `pc` is at the `UNPACK_SEQUENCE`.
/// False (nothing done) for anything else, which the plain instructions then run.
#[inline(always)]
fn unpack_local(
    gil: &Gil<'_>,
    f: &mut Frame,
    instrs: &[Instr],
    pc: &mut usize,
    i: u32,
    n: u32,
) -> bool {
    let Some(t) = f.fast[i as usize]
        .as_ref()
        .and_then(|v| v.downcast_ref::<PyTuple>())
        .filter(|t| t.get(gil).items.len() == n as usize)
        .map(|t| t.clone_ref(gil))
    else {
        return false;
    };
    // The tuple is held (a store may release the local's own reference).
    let mut at = *pc + 1;
    let done = store_items(gil, f, instrs, &mut at, &t.get(gil).items);
    if done {
        *pc = at;
    }
    t.into_any().release(gil);
    done
}

/// `UNPACK_SEQUENCE n` of a tuple's `items` followed by a `STORE_FAST` for each: the items
/// go straight into their locals, in the stores' order, and `pc` moves past the stores.
/// False (nothing done) if the `n` instructions at `pc` are not all `STORE_FAST`. The caller
/// keeps the tuple alive, so a released old value's finalizer cannot change the items.
#[inline(always)]
fn store_items(
    gil: &Gil<'_>,
    f: &mut Frame,
    instrs: &[Instr],
    pc: &mut usize,
    items: &[AnyObj],
) -> bool {
    let Some(targets) = instrs.get(*pc..*pc + items.len()) else {
        return false;
    };
    if !targets.iter().all(|i| matches!(i, Instr::StoreFast(_))) {
        return false;
    }
    for (item, target) in items.iter().zip(targets) {
        if let Instr::StoreFast(k) = *target
            && let Some(old) = f.fast[k as usize].replace(item.clone_ref(gil))
        {
            old.release(gil);
        }
    }
    *pc += items.len();
    true
}

/// The end of a fused comparison: its left operand (on top of the stack) is released, and
/// the jump after it taken on `t`, or `t` pushed if no jump follows.
#[inline(always)]
fn truth_to_jump(
    gil: &Gil<'_>,
    vm: &Vm,
    stack: &mut Vec<AnyObj>,
    instrs: &[Instr],
    pc: &mut usize,
    t: bool,
) {
    if let Some(a) = stack.pop() {
        a.release(gil);
    }
    if !fused_jump(instrs, pc, t) {
        stack.push(vm.bool(t));
    }
}

/// An int comparison of two exact ints (3.11's `COMPARE_OP_INT_JUMP`); `None` for other
/// operands or operators.
#[inline(always)]
fn int_compare(gil: &Gil<'_>, a: &AnyObj, b: &AnyObj, op: CmpOp) -> Option<bool> {
    let (x, y) = int_pair(gil, a, b)?;
    match op {
        CmpOp::Eq => Some(x == y),
        CmpOp::NotEq => Some(x != y),
        CmpOp::Lt => Some(x < y),
        CmpOp::LtE => Some(x <= y),
        CmpOp::Gt => Some(x > y),
        CmpOp::GtE => Some(x >= y),
        _ => None,
    }
}

/// `LOAD_CONST`.
#[inline(always)]
fn load_const(gil: &Gil<'_>, code: &PyCode, f: &mut Frame, i: u32) {
    let v = code.consts[i as usize].clone_ref(gil);
    f.stack.push(v);
}

/// Global `i` through its cache entry alone, if the entry is for the globals as they are
/// (a name found among the builtins is left to [`load_global`]).
#[inline(always)]
fn cached_global(gil: &mut Gil<'_>, f: &Frame, code: &PyCode, i: u32) -> Option<AnyObj> {
    let slot = code.global_cache[i as usize].get();
    if slot.builtins_version.is_some() {
        return None;
    }
    f.globals().get(gil).table.with(gil, |d| {
        (d.version() == slot.globals_version)
            .then(|| d.entry(slot.pos as usize).map(|e| e.value.clone()))
            .flatten()
    })
}

/// `LOAD_GLOBAL`: a name cached as found in the globals is read here (3.11's
/// `LOAD_GLOBAL_MODULE`); the builtins and misses take [`load_global`].
#[inline(always)]
fn load_global_quick(
    gil: &mut Gil<'_>,
    vm: &Vm,
    code: &PyCode,
    f: &mut Frame,
    i: u32,
) -> PyResult<()> {
    let v = match cached_global(gil, f, code, i) {
        Some(v) => v,
        None => load_global(gil, vm, f, i)?,
    };
    f.stack.push(v);
    Ok(())
}

/// A condition's jump taken at once when the next instruction is `POP_JUMP_IF_FALSE/TRUE`
/// (3.11's `COMPARE_OP_*_JUMP`): moves the program counter past it or to its target and
/// says so; otherwise leaves it for the caller to push the condition.
#[inline(always)]
fn fused_jump(instrs: &[Instr], pc: &mut usize, truth: bool) -> bool {
    match instrs.get(*pc) {
        Some(&Instr::PopJumpIfFalse(t)) => {
            *pc = if truth { *pc + 1 } else { t as usize };
            true
        }
        Some(&Instr::PopJumpIfTrue(t)) => {
            *pc = if truth { t as usize } else { *pc + 1 };
            true
        }
        _ => false,
    }
}

/// `c[k]`, with CPython 3.11's quick paths for a list or tuple and an int index in range
/// (`BINARY_SUBSCR_LIST_INT`, `BINARY_SUBSCR_TUPLE_INT`).
#[inline(always)]
fn subscript(gil: &mut Gil<'_>, vm: &Vm, c: &AnyObj, k: &AnyObj) -> PyResult<AnyObj> {
    let quick = match k.downcast_ref::<PyInt>() {
        Some(i) => {
            let i = i.get(gil).0;
            if let Some(l) = c.downcast_ref::<PyList>() {
                let items = &l.get(gil).items;
                let j = if i < 0 { i + items.len(gil) as i64 } else { i };
                usize::try_from(j).ok().and_then(|j| items.get_at(gil, j))
            } else if let Some(t) = c.downcast_ref::<PyTuple>() {
                seq_index(&t.get(gil).items, i).cloned()
            } else {
                None
            }
        }
        None => None,
    };
    match quick {
        Some(v) => Ok(v),
        None => attr::getitem(gil, vm, c, k),
    }
}

/// `c[k] = v`, with 3.11's quick path for a list and an int index in range
/// (`STORE_SUBSCR_LIST_INT`). The value, then the container and the index, are released
/// as CPython releases them.
#[inline(always)]
fn store_subscript(gil: &mut Gil<'_>, vm: &Vm, c: AnyObj, k: AnyObj, v: AnyObj) -> PyResult<()> {
    if let (Some(l), Some(i)) = (c.downcast_ref::<PyList>(), k.downcast_ref::<PyInt>()) {
        let i = i.get(gil).0;
        let old = l.get(gil).items.with_mut(gil, |items| {
            let len = items.len() as i64;
            let j = if i < 0 { i + len } else { i };
            if (0..len).contains(&j) {
                Ok(std::mem::replace(&mut items[j as usize], v))
            } else {
                Err(v)
            }
        });
        match old {
            // The old item is released after the list is no longer borrowed.
            Ok(old) => {
                old.release(gil);
                c.release(gil);
                k.release(gil);
                Ok(())
            }
            Err(v) => attr::setitem(gil, vm, &c, k, v),
        }
    } else {
        attr::setitem(gil, vm, &c, k, v)
    }
}

/// `items[i]` with Python's negative indices, if in range.
#[inline(always)]
fn seq_index(items: &[AnyObj], i: i64) -> Option<&AnyObj> {
    let j = if i < 0 { i + items.len() as i64 } else { i };
    usize::try_from(j).ok().and_then(|j| items.get(j))
}

/// An attribute hint meaning "this site found a non-instance attribute": it stops looking.
const NOT_INLINE: u32 = u32::MAX;

/// Both operands as ints, if both are exactly `int` (not `bool`).
#[inline(always)]
fn int_pair(gil: &Gil<'_>, a: &AnyObj, b: &AnyObj) -> Option<(i64, i64)> {
    Some((
        a.downcast_ref::<PyInt>()?.get(gil).0,
        b.downcast_ref::<PyInt>()?.get(gil).0,
    ))
}

/// The arithmetic CPython 3.11 specialises (`BINARY_OP_ADD_INT`, `..._FLOAT`, ...): int
/// `+ - *` without overflow and float `+ - * /` and `**`, answered here as a value (see
/// [`place_result`]); anything else (and overflow or division by zero, which raise) goes to
/// [`ops::binary`].
#[inline(always)]
fn quick_result(gil: &Gil<'_>, a: &AnyObj, b: &AnyObj, op: BinOp) -> Option<Quick> {
    if let Some((x, y)) = int_pair(gil, a, b) {
        return Some(Quick::Int(match op {
            BinOp::Add => x.checked_add(y)?,
            BinOp::Sub => x.checked_sub(y)?,
            BinOp::Mult => x.checked_mul(y)?,
            _ => return None,
        }));
    }
    let x = a.downcast_ref::<PyFloat>()?.get(gil).0;
    let y = b.downcast_ref::<PyFloat>()?.get(gil).0;
    Some(Quick::Float(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mult => x * y,
        // Division by zero raises: the general path has the message.
        BinOp::Div if y != 0.0 => x / y,
        // A positive finite base and a finite exponent: C's `pow`, as `float_pow` calls it
        // once its special cases are out of the way; an overflow takes the general path.
        BinOp::Pow if x > 0.0 && x.is_finite() && y.is_finite() => {
            let r = x.powf(y);
            if !r.is_finite() {
                return None;
            }
            r
        }
        _ => return None,
    }))
}

/// A quick result of [`quick_result`], before it becomes an object.
#[derive(Clone, Copy)]
enum Quick {
    Int(i64),
    Float(f64),
}

/// Puts the quick result `r` of `left op right` in the left operand's stack slot `slot` and
/// releases the operands, left first, as CPython does; `spare` is the right operand when the
/// caller owns it (popped off the stack), `None` when it is borrowed (a local, a constant).
///
/// A float result is written into an operand that would die here anyway: the left one if
/// the slot holds its only reference, else the spare right one if that is its only
/// reference. CPython 3.12+ reuses operands the same way; 3.11 frees one and allocates
/// another, which its float free list hands back at once, so no program can tell the two
/// apart (floats are neither tracked nor weakly referenced).
#[inline(always)]
fn place_result(gil: &Gil<'_>, vm: &Vm, slot: &mut AnyObj, spare: Option<AnyObj>, r: Quick) {
    let (new, spare) = match r {
        Quick::Int(x) => (vm.int(gil, x), spare),
        Quick::Float(x) => {
            let left = slot
                .downcast_mut::<PyFloat>()
                .expect("a float result has float operands");
            if left.set_unique(gil, PyFloat(x)).is_ok() {
                if let Some(b) = spare {
                    b.release(gil);
                }
                return;
            }
            match spare {
                Some(mut b) => match b
                    .downcast_mut::<PyFloat>()
                    .expect("a float result has float operands")
                    .set_unique(gil, PyFloat(x))
                {
                    Ok(()) => (b, None),
                    Err(_) => (vm.float(gil, x), Some(b)),
                },
                None => (vm.float(gil, x), None),
            }
        }
    };
    std::mem::replace(slot, new).release(gil);
    if let Some(b) = spare {
        b.release(gil);
    }
}

/// Truthiness with the booleans, None and ints answered without a call.
#[inline(always)]
fn quick_truthy(gil: &mut Gil<'_>, vm: &Vm, v: &AnyObj) -> PyResult<bool> {
    if v.ptr_eq(&vm.true_) {
        Ok(true)
    } else if v.ptr_eq(&vm.false_) || v.ptr_eq(&vm.none) {
        Ok(false)
    } else if let Some(i) = v.downcast_ref::<PyInt>() {
        Ok(i.get(gil).0 != 0)
    } else {
        ops::truthy(gil, vm, v)
    }
}

fn call_slow(gil: &mut Gil<'_>, vm: &Vm, f: &mut Frame, n: usize) -> PyResult<Option<Box<Frame>>> {
    {
        {
            let kwnames = f.kwnames.take();
            let mut args = f.stack.split_off(f.stack.len() - n);
            let second = pop(f);
            let first = pop(f);
            let callable = if first.tag() == tag::NULL {
                second
            } else {
                args.insert(0, second);
                first
            };
            let kwargs = split_kwargs(gil, &mut args, kwnames);
            if args.is_empty() && callable.ptr_eq(vm.types.super_.as_any()) {
                args = zero_arg_super(gil, vm, f)?;
            }
            match start_call(gil, vm, callable, args, kwargs)? {
                Started::Frame(frame) => return Ok(Some(frame)),
                Started::Done(r) => f.stack.push(r),
            }
        }
    }
    Ok(None)
}

/// The class call's error when `__init__` returned something else than `None`.
fn init_returned(gil: &mut Gil<'_>, vm: &Vm, v: &AnyObj) -> PyErr {
    let t = vm.type_of(gil, v);
    vm.type_error(
        gil,
        &format!(
            "__init__() should return None, not '{}'",
            type_name(gil, &t)
        ),
    )
}

/// What a call made by the loop becomes.
enum Started {
    /// A Python function (or a bound method of one): its frame, to run in this loop.
    Frame(Box<Frame>),
    /// Any other callable, already called: its result.
    Done(AnyObj),
}

/// Starts a call from the loop: binds a Python function's arguments into a frame (a bound
/// method's receiver first), or calls anything else right away.
fn start_call(
    gil: &mut Gil<'_>,
    vm: &Vm,
    callable: AnyObj,
    args: Vec<AnyObj>,
    kwargs: Vec<(AnyObj, AnyObj)>,
) -> PyResult<Started> {
    // A Python class with a Python `__init__`: the instance is made here and `__init__` runs
    // in this loop (no nested run), the class call's recursion level held until it returns.
    if let Some(t) = callable.downcast_ref::<PyType>()
        && let Some(init) = super::builtins::python_init(gil, vm, t)
    {
        let inst = super::builtins::new_instance(gil, t, None, None).into_any();
        let level = vm.enter_recursion(gil, " while calling a Python object")?;
        let mut a = Vec::with_capacity(args.len() + 1);
        a.push(inst.clone());
        a.extend(args);
        let mut frame = bind(gil, vm, &init, a, kwargs)?;
        frame.init_of = Some(inst);
        level.hold();
        return Ok(Started::Frame(frame));
    }
    let (callable, args) = match callable.downcast_ref::<PyMethod>() {
        Some(m) => {
            let m = m.get(gil);
            let mut a = Vec::with_capacity(args.len() + 1);
            a.push(m.receiver.clone());
            a.extend(args);
            (m.func.clone(), a)
        }
        None => (callable, args),
    };
    if let Some(func) = callable.downcast_ref::<PyFunction>() {
        return Ok(Started::Frame(bind(gil, vm, func, args, kwargs)?));
    }
    Ok(Started::Done(call(gil, vm, &callable, args, kwargs)?))
}

/// The common call: a plain Python function (or a bound method of one) called with exactly
/// its positional parameters and no keywords. The arguments move from the caller's stack
/// straight into the callee's locals, with no intermediate vectors.
fn fast_call(gil: &mut Gil<'_>, vm: &Vm, f: &mut Frame, n: usize) -> Option<Box<Frame>> {
    let base = f.stack.len() - n - 2;
    let null_first = f.stack[base].tag() == tag::NULL;
    let (func, receiver) = {
        let callable = &f.stack[base + usize::from(null_first)];
        if let Some(func) = callable.downcast_ref::<PyFunction>() {
            (func.clone(), None)
        } else if null_first && let Some(m) = callable.downcast_ref::<PyMethod>() {
            let m = m.get(gil);
            (
                m.func.downcast_ref::<PyFunction>()?.clone(),
                Some(m.receiver.clone()),
            )
        } else {
            return None;
        }
    };
    let nargs = n + usize::from(!null_first) + usize::from(receiver.is_some());
    if !takes_exactly(gil, &func, nargs) {
        return None;
    }
    Some(frame_from_stack(gil, vm, f, base, &func, receiver))
}

/// Whether `func` takes exactly `nargs` positional arguments and nothing else.
#[inline]
fn takes_exactly(gil: &Gil<'_>, func: &Obj<PyFunction>, nargs: usize) -> bool {
    func.get(gil).shape.exact_args as usize == nargs
}

/// A frame for a call of `fobj`: its code and globals, and at least `co_nlocals` empty
/// local slots (a pooled frame keeps its emptied slots, see `recycle`: grown if too few,
/// never shortened).
#[inline(always)]
fn function_frame(gil: &Gil<'_>, vm: &Vm, fobj: &PyFunction) -> Box<Frame> {
    let mut frame = new_frame(
        vm,
        fobj.code.clone_ref(gil),
        fobj.globals.clone_ref(gil),
        None,
    );
    let nlocals = fobj.shape.nlocals as usize;
    if frame.fast.len() < nlocals {
        frame.fast.resize(nlocals, None);
    }
    frame
}

/// Gives a function frame whose arguments are in place its cells, if the function needs any.
#[inline(always)]
fn function_cells(gil: &Gil<'_>, frame: &mut Frame, fobj: &PyFunction) {
    if fobj.shape.needs_cells {
        let code = &fobj.code.get(gil).code;
        set_up_cells(gil, frame, code, fobj.closure.as_ref());
    }
}

/// The frame of a call whose callable (or `NULL` and callable) and arguments are the
/// caller's stack from `base` on: `receiver` (if any), then the arguments, become the
/// callee's first locals. Leaves the caller's stack below `base`.
#[inline(always)]
fn frame_from_stack(
    gil: &Gil<'_>,
    vm: &Vm,
    f: &mut Frame,
    base: usize,
    func: &Obj<PyFunction>,
    receiver: Option<AnyObj>,
) -> Box<Frame> {
    let fobj = func.get(gil);
    let mut frame = function_frame(gil, vm, fobj);
    // The arguments are popped (last first) straight into their slots (no `Drain` iterator:
    // moving one through memory cost a store-forwarding stall per call).
    let self_arg = f.stack[base].tag() != tag::NULL;
    let start = base + 1 + usize::from(!self_arg);
    let first = usize::from(receiver.is_some());
    if let Some(r) = receiver {
        frame.fast[0] = Some(r);
    }
    for k in (first..first + f.stack.len() - start).rev() {
        frame.fast[k] = f.stack.pop();
    }
    // The `NULL` and the callable, or (for a method call) the callable alone.
    for _ in 0..1 + usize::from(!self_arg) {
        if let Some(v) = f.stack.pop() {
            v.release(gil);
        }
    }
    debug_assert_eq!(f.stack.len(), base, "a call takes its whole stack section");
    function_cells(gil, &mut frame, fobj);
    frame
}

/// Most arguments a direct call ([`call_global_direct`], [`call_method_direct`]) passes.
const DIRECT_ARGS: usize = 3;

/// The argument count of a direct call whose loaders start at `at`: up to [`DIRECT_ARGS`]
/// `LOAD_FAST` (of bound locals) and `LOAD_CONST` instructions, then `CALL` with their
/// number (so no `KW_NAMES` either). `None` if the instructions are anything else.
#[inline(always)]
fn direct_loaders(f: &Frame, instrs: &[Instr], at: usize) -> Option<usize> {
    let mut n = 0;
    loop {
        match instrs.get(at + n)? {
            Instr::LoadFast(i) if n < DIRECT_ARGS => {
                f.fast[*i as usize].as_ref()?;
                n += 1;
            }
            Instr::LoadConst(_) if n < DIRECT_ARGS => n += 1,
            Instr::Call(c) if *c as usize == n => return Some(n),
            _ => return None,
        }
    }
}

/// The frame of a direct call of `func` (which takes exactly the arguments): `receiver`
/// (for a method) and then the values `loaders` would push become the callee's first
/// locals, each one more reference, none of them through the value stack.
#[inline(always)]
fn direct_frame(
    gil: &Gil<'_>,
    vm: &Vm,
    f: &Frame,
    code: &PyCode,
    fobj: &PyFunction,
    receiver: Option<AnyObj>,
    loaders: &[Instr],
) -> Box<Frame> {
    let mut frame = function_frame(gil, vm, fobj);
    let first = usize::from(receiver.is_some());
    if let Some(r) = receiver {
        frame.fast[0] = Some(r);
    }
    for (slot, loader) in frame.fast[first..].iter_mut().zip(loaders) {
        *slot = match *loader {
            Instr::LoadFast(i) => f.fast[i as usize].as_ref().map(|v| v.clone_ref(gil)),
            Instr::LoadConst(i) => Some(code.consts[i as usize].clone_ref(gil)),
            _ => unreachable!("direct_loaders counts loaders only"),
        };
    }
    function_cells(gil, &mut frame, fobj);
    frame
}

/// `PUSH_NULL, LOAD_GLOBAL g, (LOAD_FAST | LOAD_CONST) × n, CALL n` (`f(x, 1)`, the
/// commonest call there is) run as one step when `g` is a plain Python function taking
/// exactly `n` positional parameters and found through the instruction's cache: the
/// callee's frame takes its arguments straight from the caller's locals and constants, and
/// nothing passes through the value stack. `at` is the `LOAD_GLOBAL`'s index. Gives the frame
/// and the index after the `CALL`, or `None` (nothing done) when any of that does not hold;
/// an unbound local among the arguments also declines, so that `LOAD_FAST` raises.
///
/// What is observable is the same as running the four steps: the arguments gain one
/// reference each (the callee's locals), the function none once the frame exists, and the
/// caller's `pc` is the one after the `CALL`.
#[inline(always)]
fn call_global_direct(
    gil: &mut Gil<'_>,
    vm: &Vm,
    f: &mut Frame,
    code: &PyCode,
    instrs: &[Instr],
    at: usize,
    g: u32,
) -> Option<(Box<Frame>, usize)> {
    let n = direct_loaders(f, instrs, at + 1)?;
    let callable = cached_global(gil, f, code, g)?;
    let frame = match callable.downcast_ref::<PyFunction>() {
        Some(func) if func.get(gil).shape.exact_args as usize == n => {
            let loaders = &instrs[at + 1..at + 1 + n];
            direct_frame(gil, vm, f, code, func.get(gil), None, loaders)
        }
        _ => {
            callable.release(gil);
            return None;
        }
    };
    callable.release(gil);
    Some((frame, at + n + 2))
}

/// `LOAD_METHOD`'s quick result `method` (a function found on the class of `receiver`) and
/// the call after it, `(LOAD_FAST | LOAD_CONST) × n, CALL n`, run as one step the way
/// [`call_global_direct`] runs a global's: when the function takes exactly the receiver and
/// the `n` arguments, gives the frame and the index after the `CALL` (`at`: the first
/// loader's index). Otherwise gives the method and the receiver back, untouched.
#[inline(always)]
fn call_method_direct(
    gil: &Gil<'_>,
    vm: &Vm,
    f: &Frame,
    code: &PyCode,
    instrs: &[Instr],
    at: usize,
    (method, receiver): (AnyObj, AnyObj),
) -> Result<(Box<Frame>, usize), (AnyObj, AnyObj)> {
    let Some(n) = direct_loaders(f, instrs, at) else {
        return Err((method, receiver));
    };
    let frame = match method.downcast_ref::<PyFunction>() {
        Some(func) if func.get(gil).shape.exact_args as usize == n + 1 => {
            let loaders = &instrs[at..at + n];
            direct_frame(gil, vm, f, code, func.get(gil), Some(receiver), loaders)
        }
        _ => return Err((method, receiver)),
    };
    method.release(gil);
    Ok((frame, at + n + 1))
}

/// A builtin function or method descriptor called with positional arguments only: it reads
/// them where they lie on the caller's stack, as CPython's vectorcall does, with no vector
/// in between. The arguments are released first, then the callable (CPython's order).
fn builtin_call(gil: &mut Gil<'_>, vm: &Vm, f: &mut Frame, n: usize) -> Option<PyResult<()>> {
    let base = f.stack.len() - n - 2;
    let null_first = f.stack[base].tag() == tag::NULL;
    let func = f.stack[base + usize::from(null_first)]
        .downcast_ref::<PyBuiltin>()?
        .get(gil)
        .func;
    let start = base + 1 + usize::from(null_first);
    let r = match vm.enter_recursion(gil, " while calling a Python object") {
        Ok(_level) => func(gil, vm, &f.stack[start..], &[]),
        Err(e) => Err(e),
    };
    drop(f.stack.drain(start..));
    drop(f.stack.drain(base..));
    Some(r.map(|v| f.stack.push(v)))
}

/// A class call `C(args)` with positional arguments only, for a plain Python class whose
/// `__init__` is a Python function taking exactly them: the instance is made, and
/// `__init__`'s frame takes its arguments straight from the caller's stack (see
/// [`start_call`] for the recursion level held until `__init__` returns).
fn init_call(gil: &mut Gil<'_>, vm: &Vm, f: &mut Frame, n: usize) -> Option<PyResult<Box<Frame>>> {
    let base = f.stack.len() - n - 2;
    if f.stack[base].tag() != tag::NULL {
        return None;
    }
    let t = f.stack[base + 1].downcast_ref::<PyType>()?.clone();
    let init = super::builtins::python_init(gil, vm, &t)?;
    if !takes_exactly(gil, &init, n + 1) {
        return None;
    }
    let inst = super::builtins::new_instance(gil, &t, None, None).into_any();
    let level = match vm.enter_recursion(gil, " while calling a Python object") {
        Ok(level) => level,
        Err(e) => return Some(Err(e)),
    };
    let mut frame = frame_from_stack(gil, vm, f, base, &init, Some(inst.clone()));
    frame.init_of = Some(inst);
    level.hold();
    Some(Ok(frame))
}

/// The implicit arguments of `super()`: the `__class__` cell and the first argument.
fn zero_arg_super(gil: &mut Gil<'_>, vm: &Vm, f: &Frame) -> PyResult<Vec<AnyObj>> {
    let c = &f.code().get(gil).code;
    let ncell = c.cellvars.len();
    let class = c
        .freevars
        .iter()
        .position(|n| n == "__class__")
        .and_then(|i| f.cells[ncell + i].get(gil).value.cloned(gil));
    let first = if c.argcount == 0 {
        None
    } else {
        match c.cell2arg.iter().position(|a| *a == Some(0)) {
            Some(ci) => f.cells[ci].get(gil).value.cloned(gil),
            None => f.fast[0].clone(),
        }
    };
    match (class, first) {
        (Some(cls), Some(obj)) => Ok(vec![cls, obj]),
        (None, _) => Err(vm.runtime_error(gil, "super(): __class__ cell not found")),
        (_, None) => Err(vm.runtime_error(gil, "super(): no arguments")),
    }
}

/// `LOAD_DEREF i`: cell `i`'s value onto the stack, or the unbound-variable error.
#[inline]
fn load_deref(gil: &mut Gil<'_>, vm: &Vm, f: &mut Frame, i: u32) -> PyResult<()> {
    let v = f.cells[i as usize].get(gil).value.cloned(gil);
    match v {
        Some(v) => {
            f.stack.push(v);
            Ok(())
        }
        None => Err(deref_error(gil, vm, f, i)),
    }
}

fn deref_error(gil: &mut Gil<'_>, vm: &Vm, f: &Frame, i: u32) -> PyErr {
    let c = &f.code().get(gil).code;
    let ncell = c.cellvars.len();
    if (i as usize) < ncell {
        let n = c.cellvars[i as usize].clone();
        unbound_local(gil, vm, &n)
    } else {
        let n = c.freevars[i as usize - ncell].clone();
        let t = vm.types.name_error.clone();
        vm.err(
            gil,
            &t,
            &format!("cannot access free variable '{n}' where it is not associated with a value in enclosing scope"),
        )
    }
}

fn exc_match(gil: &mut Gil<'_>, vm: &Vm, exc: &AnyObj, t: &AnyObj) -> PyResult<bool> {
    if let Some(items) = t.downcast_ref::<PyTuple>() {
        let items = items.get(gil).items.to_vec();
        for i in &items {
            if exc_match(gil, vm, exc, i)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    match t.downcast_ref::<PyType>() {
        Some(ty) if types::is_subtype(gil, ty, &vm.types.base_exception) => {
            Ok(vm.exc_matches(gil, exc, ty))
        }
        _ => Err(vm.type_error(
            gil,
            "catching classes that do not inherit from BaseException is not allowed",
        )),
    }
}

/// How CPython names a callable in call errors (`_PyObject_FunctionStr`): `__main__.f()`,
/// `print()`, `__main__.C.m()`, else `T object`.
fn function_str(gil: &mut Gil<'_>, vm: &Vm, callable: &AnyObj) -> String {
    if let Some(func) = callable.downcast_ref::<PyFunction>() {
        let q = qualname_of(gil, func);
        let module = types::dict_get_str(gil, vm, &func.get(gil).attrs, "__module__");
        return match module.as_ref().and_then(|m| ops::str_payload(gil, m)) {
            Some(m) if m != "builtins" => format!("{m}.{q}()"),
            _ => format!("{q}()"),
        };
    }
    if let Some(m) = callable.downcast_ref::<PyMethod>() {
        let func = m.get(gil).func.clone();
        return function_str(gil, vm, &func);
    }
    if let Some(b) = callable.downcast_ref::<PyBuiltin>() {
        return format!("{}()", b.get(gil).name);
    }
    if let Some(t) = callable.downcast_ref::<PyType>() {
        return format!("{}()", type_name(gil, t));
    }
    let t = vm.type_of(gil, callable);
    format!("{} object", type_name(gil, &t))
}

/// `f(**m)`: adds the items of mapping `m` to the keyword dict `target`, with CPython's
/// errors for a non-mapping, a key that is not a str, and a name given twice.
fn merge_kwargs(
    gil: &mut Gil<'_>,
    vm: &Vm,
    target: &AnyObj,
    m: &AnyObj,
    callee: &AnyObj,
) -> PyResult<()> {
    let Some(d) = target.downcast_ref::<PyDict>() else {
        return Ok(());
    };
    if m.tag() != tag::DICT {
        let what = function_str(gil, vm, callee);
        let t = vm.type_of(gil, m);
        return Err(vm.type_error(
            gil,
            &format!(
                "{what} argument after ** must be a mapping, not {}",
                type_name(gil, &t)
            ),
        ));
    }
    for (k, v) in ops::dict_items(gil, m) {
        let Some(name) = ops::str_payload(gil, &k).map(str::to_owned) else {
            return Err(vm.type_error(gil, "keywords must be strings"));
        };
        if ops::dict_get(gil, vm, target, &k)?.is_some() {
            let what = function_str(gil, vm, callee);
            return Err(vm.type_error(
                gil,
                &format!("{what} got multiple values for keyword argument '{name}'"),
            ));
        }
        ops::dict_set(gil, vm, d, k, v)?;
    }
    Ok(())
}

/// `raise exc from cause`: `cause` (an exception, an exception class, or `None`) becomes
/// `exc.__cause__`, and the report will leave out `__context__`.
fn set_cause(gil: &mut Gil<'_>, vm: &Vm, exc: &AnyObj, cause: AnyObj) -> PyResult<()> {
    let cause = if cause.tag() == tag::NONE {
        None
    } else {
        match make_raisable(gil, vm, cause) {
            Ok(c) => Some(c.exc),
            Err(_) => {
                return Err(vm.type_error(gil, "exception causes must derive from BaseException"));
            }
        }
    };
    if let Some(data) = exc
        .downcast_ref::<PyInstance>()
        .and_then(|i| i.get(gil).exc.as_deref())
    {
        let old = data.with_mut(gil, |d| {
            d.suppress_context = true;
            std::mem::replace(&mut d.cause, cause)
        });
        drop(old);
    }
    Ok(())
}

/// Records the exception being handled, if any, as a fresh exception's `__context__`
/// (CPython does it when the exception is raised; pymem when it first leaves an
/// instruction, which is the same moment seen from Python).
fn set_context(gil: &mut Gil<'_>, vm: &Vm, exc: &AnyObj) {
    let handled = vm.exc_info.borrow().clone();
    let Some(handled) = handled else {
        return;
    };
    if handled.ptr_eq(exc) {
        return;
    }
    if let Some(data) = exc
        .downcast_ref::<PyInstance>()
        .and_then(|i| i.get(gil).exc.as_deref())
    {
        let old = data.with_mut(gil, |d| {
            if d.context.is_none() && d.traceback.is_empty() {
                d.context = Some(handled);
                None
            } else {
                Some(handled)
            }
        });
        drop(old);
    }
}

/// Turns the operand of `raise` into an exception instance.
pub fn make_raisable(gil: &mut Gil<'_>, vm: &Vm, e: AnyObj) -> PyResult<PyErr> {
    if let Some(t) = e.downcast_ref::<PyType>()
        && types::is_subtype(gil, t, &vm.types.base_exception)
    {
        let inst = call(gil, vm, &e, vec![], vec![])?;
        return Ok(PyErr { exc: inst });
    }
    let cls = vm.type_of(gil, &e);
    if types::is_subtype(gil, &cls, &vm.types.base_exception) {
        return Ok(PyErr { exc: e });
    }
    Err(vm.type_error(gil, "exceptions must derive from BaseException"))
}

fn split_kwargs(
    gil: &Gil<'_>,
    args: &mut Vec<AnyObj>,
    kwnames: Option<AnyObj>,
) -> Vec<(AnyObj, AnyObj)> {
    let Some(names) = kwnames else {
        return Vec::new();
    };
    let names = names
        .downcast_ref::<PyTuple>()
        .map(|t| t.get(gil).items.to_vec())
        .unwrap_or_default();
    let vals = args.split_off(args.len() - names.len());
    names.into_iter().zip(vals).collect()
}

/// The default values a new function holds: `__defaults__` and `__kwdefaults__`.
#[derive(Default)]
pub struct FunctionDefaults {
    /// Defaults of the last positional parameters.
    pub positional: Option<Obj<PyTuple>>,
    /// Defaults of keyword-only parameters, by name.
    pub keyword_only: Option<Obj<PyDict>>,
}

/// Makes a function object.
pub fn make_function(
    gil: &mut Gil<'_>,
    vm: &Vm,
    code: Obj<PyCode>,
    globals: Obj<PyDict>,
    defaults: FunctionDefaults,
    closure: Option<Obj<PyTuple>>,
) -> AnyObj {
    let (name, qualname, doc, shape) = {
        let c = &code.get(gil).code;
        let shape = CallShape {
            exact_args: if c.has_varargs || c.has_varkw || c.kwonlyargcount > 0 {
                u32::MAX
            } else {
                c.argcount
            },
            nlocals: u32::try_from(c.varnames.len()).unwrap_or(u32::MAX),
            needs_cells: !c.cellvars.is_empty() || closure.is_some(),
        };
        (
            c.name.clone(),
            c.qualname.clone(),
            c.docstring.clone(),
            shape,
        )
    };
    let name = vm.str(gil, &name);
    let qualname = vm.str(gil, &qualname);
    let func = Obj::new(
        gil,
        PyFunction {
            code,
            globals: globals.clone(),
            defaults: GilCell::new(defaults.positional),
            kwdefaults: GilCell::new(defaults.keyword_only),
            closure,
            name: GilCell::new(name),
            qualname: GilCell::new(qualname),
            attrs: GilCell::new(Dict::new()),
            shape,
        },
    );
    let doc = match doc {
        Some(d) => vm.str(gil, &d),
        None => vm.none.clone(),
    };
    types::dict_set_str(gil, vm, &func.get(gil).attrs, "__doc__", doc);
    if let Some(m) = types::dict_get_str(gil, vm, &globals.get(gil).table, "__name__") {
        types::dict_set_str(gil, vm, &func.get(gil).attrs, "__module__", m);
    }
    func.into_any()
}

fn qualname_of(gil: &Gil<'_>, func: &Obj<PyFunction>) -> String {
    let q = func.get(gil).qualname.cloned(gil);
    ops::str_payload(gil, &q).unwrap_or("?").to_owned()
}

/// Binds arguments to a new frame for `func` (CPython's argument rules and messages; see
/// the `binding` module).
pub fn bind(
    gil: &mut Gil<'_>,
    vm: &Vm,
    func: &Obj<PyFunction>,
    args: Vec<AnyObj>,
    kwargs: Vec<(AnyObj, AnyObj)>,
) -> PyResult<Box<Frame>> {
    let fobj = func.get(gil);
    let code_obj = fobj.code.clone();
    let code = &code_obj.get(gil).code;
    let mut frame = new_frame(vm, code_obj.clone(), fobj.globals.clone(), None);
    frame.fast.resize(code.varnames.len(), None);
    super::binding::bind_args(gil, vm, func, code, &mut frame.fast, args, kwargs)?;
    let locals = if code.kind == CodeKind::Class {
        Some(vm.dict(gil))
    } else {
        None
    };
    let stacksize = code_obj.get(gil).stacksize;
    frame.locals = locals;
    frame.stack.reserve(stacksize);
    set_up_cells(gil, &mut frame, code, fobj.closure.as_ref());
    Ok(frame)
}

/// Calls any callable from Rust.
pub fn call(
    gil: &mut Gil<'_>,
    vm: &Vm,
    callable: &AnyObj,
    mut args: Vec<AnyObj>,
    kwargs: Vec<(AnyObj, AnyObj)>,
) -> PyResult<AnyObj> {
    match callable.tag() {
        tag::FUNCTION => {
            let func = callable.downcast_ref::<PyFunction>().unwrap();
            let frame = bind(gil, vm, func, args, kwargs)?;
            run(gil, vm, frame)
        }
        // Builtins and classes take a recursion level, as CPython's C calls do.
        tag::BUILTIN => {
            let f = callable.downcast_ref::<PyBuiltin>().unwrap().get(gil).func;
            let _level = vm.enter_recursion(gil, " while calling a Python object")?;
            f(gil, vm, &args, &kwargs)
        }
        tag::BOUND_BUILTIN => {
            let b = callable.downcast_ref::<PyBoundBuiltin>().unwrap().get(gil);
            let f = b.func.get(gil).func;
            args.insert(0, b.receiver.clone());
            let _level = vm.enter_recursion(gil, " while calling a Python object")?;
            f(gil, vm, &args, &kwargs)
        }
        tag::METHOD => {
            let m = callable.downcast_ref::<PyMethod>().unwrap().get(gil);
            let func = m.func.clone();
            args.insert(0, m.receiver.clone());
            call(gil, vm, &func, args, kwargs)
        }
        tag::TYPE => {
            let t = callable.clone().downcast::<PyType>().ok().unwrap();
            // `str` has a vectorcall entry in CPython 3.11, which takes no level; other
            // classes go through `tp_call`, which does.
            let _level = if t.ptr_eq(&vm.types.str_) {
                None
            } else {
                Some(vm.enter_recursion(gil, " while calling a Python object")?)
            };
            super::builtins::call_type(gil, vm, &t, args, kwargs)
        }
        tag::INSTANCE => {
            let cls = vm.type_of(gil, callable);
            match types::lookup_interned(gil, &cls, &vm.names.call) {
                Some(f) => {
                    args.insert(0, callable.clone());
                    call(gil, vm, &f, args, kwargs)
                }
                None => not_callable(gil, vm, callable),
            }
        }
        _ => {
            if let Some(w) = callable.downcast_ref::<WeakRef>() {
                let target = WeakRef::upgrade(w, gil);
                if w.get(gil).kind() == WeakKind::Ref {
                    if !args.is_empty() || !kwargs.is_empty() {
                        return Err(vm.type_error(gil, "weakref() takes no arguments"));
                    }
                    return Ok(target.unwrap_or_else(|| vm.none.clone()));
                }
                return match target {
                    Some(t) => call(gil, vm, &t, args, kwargs),
                    None => Err(super::modules::weakref::dead_proxy(gil, vm)),
                };
            }
            not_callable(gil, vm, callable)
        }
    }
}

fn not_callable(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<AnyObj> {
    let t = vm.type_of(gil, o);
    Err(vm.type_error(
        gil,
        &format!("'{}' object is not callable", type_name(gil, &t)),
    ))
}

/// Runs a module's code in `globals`.
pub fn run_module(
    gil: &mut Gil<'_>,
    vm: &Vm,
    code: Obj<PyCode>,
    globals: Obj<PyDict>,
) -> PyResult<AnyObj> {
    let frame = Frame::for_namespace(gil, vm, code, globals.clone(), globals, None);
    run(gil, vm, frame)
}
