//! Generator objects: what calling a generator function (or evaluating a generator
//! expression) returns, CPython 3.11's `genobject.c` behaviour.
//!
//! The call runs the function's frame up to its first instruction, `RETURN_GENERATOR`,
//! which moves the frame (arguments bound, cells made) into a new [`PyGenerator`] and
//! returns that. Each `send()` (`next()` sends `None`) takes the frame out of the
//! generator, pushes the value sent and runs it in an interpreter loop of its own
//! (`interp::resume_generator`: the recursion limit applies, and the Rust stack grows on
//! demand) until `YIELD_VALUE` hands it back, or until it returns (`StopIteration` with
//! the value) or raises. While it runs the generator holds no frame and says it is
//! executing: resuming it from inside itself is `ValueError: generator already executing`.
//!
//! Memory: a generator is a tracked heap object whose trace visits its code, name,
//! qualified name, the suspended frame (code, globals, locals, cells, value stack) and the
//! saved handled-exception state, so the cycle collector sees cycles through a suspended
//! generator and `gc.get_referents(g)` lists what it keeps alive. A generator that dies
//! unfinished is closed by its finalizer (PEP 442, as CPython 3.11's `_PyGen_Finalize`):
//! suspended inside a `try` or `with` block, `GeneratorExit` is raised at the `yield`, so
//! `finally` bodies and `__exit__` run; otherwise there is nothing to run and the frame is
//! just cleared (what the `GeneratorExit` would do). Either way the frame's references go
//! in the finalizer, which is what breaks a cycle through a generator in CPython 3.11 (so
//! `gc.collect()` does not count such a cycle's objects, as there).

use std::cell::Cell;

use heap::{AnyObj, Gil, GilCell, Obj, Object, Trace};

use super::builtins::no_kwargs;
use super::callback::report_unraisable;
use super::interp::{self, Frame, Resume};
use super::methods::{arity, check_recv, method};
use super::object::*;
use super::{PyErr, PyResult, Vm, current_vm};

/// Not started yet (`gi_frame.f_lasti` before the first instruction).
const CREATED: u8 = 0;
/// Stopped at a `yield`.
const SUSPENDED: u8 = 1;
/// Running (its frame is in an interpreter loop).
const RUNNING: u8 = 2;
/// Finished: returned, raised, or closed. It holds no frame.
const CLOSED: u8 = 3;

/// A generator object.
#[derive(Trace)]
pub struct PyGenerator {
    /// The code of the generator function or expression (`gi_code`).
    pub code: Obj<PyCode>,
    /// `__name__`.
    pub name: AnyObj,
    /// `__qualname__`.
    pub qualname: AnyObj,
    /// The suspended frame; `None` while it runs and once it finished.
    pub frame: GilCell<Option<Box<Frame>>>,
    /// The exception the generator was handling when it yielded (restored when it resumes).
    pub exc_state: GilCell<Option<AnyObj>>,
    /// `CREATED`, `SUSPENDED`, `RUNNING` or `CLOSED`.
    state: Cell<u8>,
    /// Whether the suspended frame stopped inside a `try` or `with` block: only then does
    /// closing it (and so its finalizer) have code to run.
    in_block: Cell<bool>,
}

impl Object for PyGenerator {
    const TAG: u32 = tag::GENERATOR;
    const FINALIZER: Option<heap::Finalizer<Self>> = Some(finalize);
    const FINALIZER_WANTED: Option<heap::FinalizerWanted<Self>> = Some(wants_finalizer);
    fn type_name() -> &'static str {
        "generator"
    }
}

/// The generator a `RETURN_GENERATOR` makes of `frame`.
pub fn new_generator(gil: &mut Gil<'_>, vm: &Vm, frame: Box<Frame>) -> AnyObj {
    let code = frame_code(gil, &frame);
    let (name, qualname) = {
        let c = &code.get(gil).code;
        (c.name.clone(), c.qualname.clone())
    };
    let name = vm.str(gil, &name);
    let qualname = vm.str(gil, &qualname);
    Obj::new(
        gil,
        PyGenerator {
            code,
            name,
            qualname,
            frame: GilCell::new(Some(frame)),
            exc_state: GilCell::new(None),
            state: Cell::new(CREATED),
            in_block: Cell::new(false),
        },
    )
    .into_any()
}

fn frame_code(gil: &Gil<'_>, frame: &Frame) -> Obj<PyCode> {
    interp::frame_code(frame).clone_ref(gil)
}

/// How a resumption ended.
pub enum Outcome {
    /// The generator yielded this value.
    Yielded(AnyObj),
    /// It returned this value (or had already finished: `None`).
    Returned(AnyObj),
}

/// Resumes `g` with `input` (CPython's `gen_send_ex`): `ValueError` if it is running, the
/// just-started `TypeError` for a value other than `None` sent to a new generator; an
/// exception escaping it ends it (`StopIteration` becomes `RuntimeError: generator raised
/// StopIteration`).
pub(crate) fn send_ex(
    gil: &mut Gil<'_>,
    vm: &Vm,
    g: &Obj<PyGenerator>,
    input: Resume,
) -> PyResult<Outcome> {
    let gp = g.get(gil);
    match gp.state.get() {
        RUNNING => return Err(vm.value_error(gil, "generator already executing")),
        CLOSED => {
            return match input {
                Resume::Send(_) => Ok(Outcome::Returned(vm.none.clone())),
                Resume::Throw(e) => Err(e),
            };
        }
        CREATED => {
            if let Resume::Send(v) = &input
                && v.tag() != tag::NONE
            {
                return Err(
                    vm.type_error(gil, "can't send non-None value to a just-started generator")
                );
            }
        }
        _ => {}
    }
    let Some(frame) = gp.frame.replace(gil, None) else {
        gp.state.set(CLOSED);
        return Ok(Outcome::Returned(vm.none.clone()));
    };
    gp.state.set(RUNNING);
    // The generator's own handled exception, if it yielded inside a handler; otherwise it
    // sees its caller's, as CPython chains the two.
    let outer = vm.exc_info.borrow().clone();
    let saved = gp.exc_state.replace(gil, None);
    if saved.is_some() {
        let old = vm.exc_info.replace(saved);
        drop(old);
    }
    let (result, back) = interp::resume_generator(gil, vm, frame, input);
    let current = vm.exc_info.replace(outer.clone());
    let gp = g.get(gil);
    match back {
        Some(frame) => {
            let keep = match (current, &outer) {
                (Some(c), Some(o)) if c.ptr_eq(o) => None,
                (c, _) => c,
            };
            gp.in_block.set(interp::frame_in_block(&frame));
            gp.exc_state.set(gil, keep);
            gp.frame.set(gil, Some(frame));
            gp.state.set(SUSPENDED);
            result.map(Outcome::Yielded)
        }
        None => {
            drop(current);
            gp.state.set(CLOSED);
            gp.in_block.set(false);
            match result {
                Ok(v) => Ok(Outcome::Returned(v)),
                Err(e) if vm.exc_matches(gil, &e.exc, &vm.types.stop_iteration.clone()) => {
                    let t = vm.types.runtime_error.clone();
                    let err = vm.err(gil, &t, "generator raised StopIteration");
                    set_cause(gil, &err.exc, e.exc);
                    Err(err)
                }
                Err(e) => Err(e),
            }
        }
    }
}

/// `raise new from cause` done from Rust (`_PyErr_FormatFromCause`).
fn set_cause(gil: &mut Gil<'_>, new: &AnyObj, cause: AnyObj) {
    if let Some(data) = new
        .downcast_ref::<PyInstance>()
        .and_then(|i| i.get(gil).exc.as_deref())
    {
        let old = data.with_mut(gil, |d| {
            d.suppress_context = true;
            let c = d.context.replace(cause.clone());
            (c, d.cause.replace(cause))
        });
        drop(old);
    }
}

/// `StopIteration(value)` (no arguments for `None`, as CPython raises it).
fn stop_iteration(gil: &mut Gil<'_>, vm: &Vm, value: AnyObj) -> PyErr {
    let t = vm.types.stop_iteration.clone();
    let args = if value.tag() == tag::NONE {
        vec![]
    } else {
        vec![value]
    };
    PyErr {
        exc: vm.new_exception(gil, &t, args),
    }
}

/// The iteration protocol's step (`FOR_ITER`, `list()`, ...): the next value, `None` when
/// the generator finished (the value returned is dropped, as `for` drops it).
pub fn next(gil: &mut Gil<'_>, vm: &Vm, g: &AnyObj) -> PyResult<Option<AnyObj>> {
    let Some(g) = g.downcast_ref::<PyGenerator>() else {
        return Ok(None);
    };
    match send_ex(gil, vm, g, Resume::Send(vm.none.clone()))? {
        Outcome::Yielded(v) => Ok(Some(v)),
        Outcome::Returned(_) => Ok(None),
    }
}

/// `next(g)` / `g.__next__()`: the next value, or `StopIteration` with the value returned.
pub fn next_or_stop(gil: &mut Gil<'_>, vm: &Vm, g: &Obj<PyGenerator>) -> PyResult<AnyObj> {
    resume_or_stop(gil, vm, g, Resume::Send(vm.none.clone()))
}

/// Resumes the generator as `how` says: the value it yields next, or `StopIteration` with
/// the value it returns (`__next__`, `send`, `throw`).
fn resume_or_stop(
    gil: &mut Gil<'_>,
    vm: &Vm,
    g: &Obj<PyGenerator>,
    how: Resume,
) -> PyResult<AnyObj> {
    match send_ex(gil, vm, g, how)? {
        Outcome::Yielded(v) => Ok(v),
        Outcome::Returned(v) => Err(stop_iteration(gil, vm, v)),
    }
}

/// `g.close()` (CPython 3.11's `gen_close`): a generator that has not started, or that is
/// suspended outside any `try`/`with` block, just finishes; otherwise `GeneratorExit` is
/// raised at its `yield`. Yielding again is `RuntimeError: generator ignored GeneratorExit`.
pub fn close(gil: &mut Gil<'_>, vm: &Vm, g: &Obj<PyGenerator>) -> PyResult<()> {
    let gp = g.get(gil);
    match gp.state.get() {
        RUNNING => return Err(vm.value_error(gil, "generator already executing")),
        CLOSED => return Ok(()),
        _ => {}
    }
    if gp.state.get() == CREATED || !gp.in_block.get() {
        gp.state.set(CLOSED);
        let frame = gp.frame.replace(gil, None);
        let exc = gp.exc_state.replace(gil, None);
        drop(frame);
        drop(exc);
        return Ok(());
    }
    let t = vm.types.generator_exit.clone();
    let exit = vm.new_exception(gil, &t, vec![]);
    match send_ex(gil, vm, g, Resume::Throw(PyErr { exc: exit })) {
        Ok(Outcome::Yielded(_)) => Err(vm.runtime_error(gil, "generator ignored GeneratorExit")),
        Ok(Outcome::Returned(_)) => Ok(()),
        Err(e) if vm.exc_matches(gil, &e.exc, &t) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether a dying generator has a finalizer to run: it has not finished (CPython 3.11's
/// `_PyGen_Finalize` closes every such generator, which clears its frame; so a cycle
/// through one falls apart in the finalizer, and `gc.collect()` does not count it).
fn wants_finalizer(this: &Obj<PyGenerator>, gil: &Gil<'_>) -> bool {
    matches!(this.get(gil).state.get(), CREATED | SUSPENDED)
}

/// The finalizer: closes the generator; an error is reported as unraisable.
fn finalize(this: &Obj<PyGenerator>, gil: &mut Gil<'_>) {
    let Some(vm) = current_vm() else { return };
    let saved = vm.exc_info.borrow_mut().take();
    if let Err(e) = close(gil, &vm, this) {
        let me = this.clone().into_any();
        report_unraisable(gil, &vm, &me, e);
    }
    let old = vm.exc_info.replace(saved);
    drop(old);
}

/// `repr(g)`: `<generator object f at 0x...>`.
pub fn repr(gil: &Gil<'_>, g: &AnyObj) -> String {
    let q = g
        .downcast_ref::<PyGenerator>()
        .and_then(|p| super::ops::str_payload(gil, &p.get(gil).qualname).map(str::to_owned))
        .unwrap_or_default();
    format!("<generator object {q} at {:#x}>", g.addr())
}

/// The generator's own attributes (`__name__`, `__qualname__`, `gi_code`, `gi_running`,
/// `gi_suspended`); `None` for the others, looked up on the class.
pub fn attribute(gil: &Gil<'_>, vm: &Vm, g: &AnyObj, name: &str) -> Option<AnyObj> {
    let gp = g.downcast_ref::<PyGenerator>()?.get(gil);
    Some(match name {
        "__name__" => gp.name.clone(),
        "__qualname__" => gp.qualname.clone(),
        "gi_code" => gp.code.clone().into_any(),
        "gi_running" => vm.bool(gp.state.get() == RUNNING),
        "gi_suspended" => vm.bool(gp.state.get() == SUSPENDED),
        _ => return None,
    })
}

fn receiver(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], name: &str) -> PyResult<Obj<PyGenerator>> {
    let t = vm.types.generator.clone();
    check_recv(gil, vm, args, &t, "generator", name)?;
    args[0]
        .clone()
        .downcast::<PyGenerator>()
        .map_err(|_| vm.type_error(gil, "expected a generator"))
}

fn gen_next(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "__next__", kw)?;
    let g = receiver(gil, vm, args, "__next__")?;
    arity(gil, vm, "generator", "__next__", &args[1..], 0, 0)?;
    next_or_stop(gil, vm, &g)
}

fn gen_iter(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "__iter__", kw)?;
    let g = receiver(gil, vm, args, "__iter__")?;
    arity(gil, vm, "generator", "__iter__", &args[1..], 0, 0)?;
    Ok(g.into_any())
}

fn gen_send(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "send", kw)?;
    let g = receiver(gil, vm, args, "send")?;
    arity(gil, vm, "generator", "send", &args[1..], 1, 1)?;
    resume_or_stop(gil, vm, &g, Resume::Send(args[1].clone()))
}

fn gen_throw(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "throw", kw)?;
    let g = receiver(gil, vm, args, "throw")?;
    arity(gil, vm, "generator", "throw", &args[1..], 1, 2)?;
    let typ = args[1].clone();
    let is_class = typ.downcast_ref::<PyType>().is_some();
    let err = match args.get(2) {
        // `throw(type, value)`: the class called with the value (unless it is an instance).
        Some(value) if is_class && value.tag() != tag::NONE => {
            let cls = vm.type_of(gil, value);
            if typ
                .downcast_ref::<PyType>()
                .is_some_and(|t| super::types::is_subtype(gil, &cls, t))
            {
                PyErr { exc: value.clone() }
            } else {
                let exc = interp::call(gil, vm, &typ, vec![value.clone()], vec![])?;
                interp::make_raisable(gil, vm, exc)?
            }
        }
        Some(value) if !is_class && value.tag() != tag::NONE => {
            return Err(vm.type_error(gil, "instance exception may not have a separate value"));
        }
        _ => match interp::make_raisable(gil, vm, typ.clone()) {
            Ok(e) => e,
            Err(_) => {
                let n = super::functions::tname(gil, vm, &typ);
                return Err(vm.type_error(
                    gil,
                    &format!(
                        "exceptions must be classes or instances deriving from BaseException, not {n}"
                    ),
                ));
            }
        },
    };
    resume_or_stop(gil, vm, &g, Resume::Throw(err))
}

fn gen_close(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "close", kw)?;
    let g = receiver(gil, vm, args, "close")?;
    arity(gil, vm, "generator", "close", &args[1..], 0, 0)?;
    close(gil, vm, &g)?;
    Ok(vm.none.clone())
}

/// Installs the generator type's methods.
pub fn install(gil: &mut Gil<'_>, vm: &Vm) {
    let t = vm.types.generator.clone();
    method(gil, vm, &t, "generator", "__next__", gen_next);
    method(gil, vm, &t, "generator", "__iter__", gen_iter);
    method(gil, vm, &t, "generator", "send", gen_send);
    method(gil, vm, &t, "generator", "throw", gen_throw);
    method(gil, vm, &t, "generator", "close", gen_close);
}
