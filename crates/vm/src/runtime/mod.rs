//! The runtime: Python objects on pymem's heap, the interpreter loop, builtins and modules.
//!
//! ```text
//!  Interpreter::run_source ─► compile ─► PyCode ─► interp::run (frames on a Vec, no Rust
//!                                                   recursion per Python call)
//!        objects: object.rs (payloads) · dict.rs (CPython's compact table) · set.rs and
//!        set_ops.rs (CPython's set table, the set protocol) · types.rs (classes,
//!        attribute lookup, the builtin type objects) · ops.rs (operators, repr, hash, eq)
//!        builtins.rs (len, print, ...) · methods.rs (str/list/dict/tuple methods)
//!        modules/ (sys, gc, weakref, math, time) · callback.rs (heap slots: __del__,
//!        weakref callbacks) · error.rs (exceptions, tracebacks)
//! ```
//!
//! One [`Vm`] per thread holds the singletons, the builtin types and the modules; the heap's
//! finalizer and callback slots find it through a thread-local, since they are called by
//! the heap with nothing but the object and the GIL token.

pub mod annotations;
pub mod attr;
mod binding;
pub mod builtins;
pub mod callback;
pub mod dict;
pub mod error;
pub mod functions;
pub mod generator;
pub mod interp;
pub mod methods;
pub mod modules;
pub mod object;
pub mod ops;
pub mod property;
pub mod run;
pub mod set;
pub mod set_ops;
pub mod types;
pub mod unpack;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;

use heap::{AnyObj, Gil, GilCell, Obj};

pub use error::PyErr;
use object::*;
use types::Types;

/// Result of anything that can raise.
pub type PyResult<T> = Result<T, PyErr>;

/// A builtin function: receives the positional arguments (the receiver first for methods)
/// and the keyword arguments as (name, value) pairs.
pub type BuiltinFn =
    for<'py> fn(&mut Gil<'py>, &Vm, &[AnyObj], &[(AnyObj, AnyObj)]) -> PyResult<AnyObj>;

/// The interpreter state of one thread.
pub struct Vm {
    /// `None`.
    pub none: AnyObj,
    /// `True`.
    pub true_: AnyObj,
    /// `False`.
    pub false_: AnyObj,
    /// The value-stack NULL.
    pub null: AnyObj,
    /// `()`.
    pub empty_tuple: AnyObj,
    /// `""`.
    pub empty_str: AnyObj,
    small_ints: Vec<AnyObj>,
    /// The builtin type objects.
    pub types: Types,
    /// The `builtins` namespace.
    pub builtins: Obj<PyDict>,
    /// Imported (builtin) modules by name.
    pub modules: RefCell<HashMap<&'static str, AnyObj>>,
    /// `sys.getrecursionlimit()`.
    pub recursion_limit: Cell<usize>,
    /// Python frames active now.
    pub depth: Cell<usize>,
    /// The exception being handled (`sys.exc_info()`), if any.
    pub exc_info: RefCell<Option<AnyObj>>,
    /// Source text by file name, for tracebacks.
    pub sources: RefCell<HashMap<String, Rc<str>>>,
    /// `sys.argv`.
    pub argv: RefCell<Vec<String>>,
    /// Buffered standard output.
    pub stdout: RefCell<std::io::BufWriter<std::io::Stdout>>,
    /// `gc.garbage` mirrored as a Python list.
    pub gc_garbage: AnyObj,
    /// `gc.callbacks` as a Python list.
    pub gc_callbacks: AnyObj,
    /// Interned strs for names used by the runtime itself.
    interned: RefCell<rustc_hash::FxHashMap<Box<str>, AnyObj>>,
    /// The special-method names the hot paths look up, interned once.
    pub(crate) names: Names,
    /// `sys.exit` code requested, if any.
    pub exit_code: Cell<Option<i32>>,
    /// `NotImplemented`.
    pub not_implemented_obj: AnyObj,
    /// Objects whose `repr` is being computed (recursive containers print `[...]`).
    repr_active: RefCell<Vec<usize>>,
    /// Finished frames, emptied, reused by new calls (see [`interp`]).
    #[allow(
        clippy::vec_box,
        reason = "frames move between the pool and the loop by pointer"
    )]
    pub(crate) frame_pool: RefCell<Vec<Box<interp::Frame>>>,
}

/// Special-method names looked up on every attribute store, instance creation, truth test or
/// call of an instance, interned when the VM starts (a lookup by `&str` would intern each
/// time).
pub(crate) struct Names {
    pub(crate) setattr: AnyObj,
    pub(crate) init: AnyObj,
    pub(crate) call: AnyObj,
    pub(crate) class: AnyObj,
    pub(crate) bool_: AnyObj,
    pub(crate) len: AnyObj,
}

impl Names {
    fn new(gil: &Gil<'_>, interned: &mut rustc_hash::FxHashMap<Box<str>, AnyObj>) -> Names {
        let mut intern = |s: &str| {
            let o = Obj::new_immortal(gil, PyStr::new(s)).into_any();
            interned.insert(s.into(), o.clone());
            o
        };
        Names {
            setattr: intern("__setattr__"),
            init: intern("__init__"),
            call: intern("__call__"),
            class: intern("__class__"),
            bool_: intern("__bool__"),
            len: intern("__len__"),
        }
    }
}

/// One level of [`Vm::enter_recursion`].
pub struct DepthGuard<'a> {
    vm: &'a Vm,
}

impl DepthGuard<'_> {
    /// Keeps the level past this guard: whoever holds it now gives it back with the
    /// interpreter's frame bookkeeping (an `__init__` frame run by the loop for a class call).
    pub(crate) fn hold(self) {
        std::mem::forget(self);
    }
}

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.vm.depth.set(self.vm.depth.get().saturating_sub(1));
    }
}

/// Marks an object's `repr` as in progress until dropped.
pub struct ReprGuard<'a> {
    vm: &'a Vm,
    addr: usize,
}

impl Drop for ReprGuard<'_> {
    fn drop(&mut self) {
        let mut v = self.vm.repr_active.borrow_mut();
        if let Some(i) = v.iter().rposition(|&a| a == self.addr) {
            v.remove(i);
        }
        self.vm.depth.set(self.vm.depth.get().saturating_sub(1));
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Vm>>> = const { RefCell::new(None) };
}

/// The thread's VM, if one is installed (the heap's slots use it).
pub fn current_vm() -> Option<Rc<Vm>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Installs `vm` as the thread's VM.
pub fn install(vm: Option<Rc<Vm>>) {
    CURRENT.with(|c| *c.borrow_mut() = vm);
}

impl Vm {
    /// Builds the singletons, the builtin types and the builtins namespace.
    pub fn new(gil: &mut Gil<'_>) -> Rc<Vm> {
        let none = Obj::new_immortal(gil, PyNone).into_any();
        let true_ = Obj::new_immortal(gil, PyBool(true)).into_any();
        let false_ = Obj::new_immortal(gil, PyBool(false)).into_any();
        let null = Obj::new_immortal(gil, PyNull).into_any();
        let empty_tuple = Obj::new_immortal(
            gil,
            PyTuple {
                items: TupleItems::default(),
            },
        )
        .into_any();
        empty_tuple.untrack(gil);
        let empty_str = Obj::new_immortal(gil, PyStr::new("")).into_any();
        let small_ints = (-5..=256)
            .map(|i| Obj::new_immortal(gil, PyInt(i)).into_any())
            .collect();
        let types = Types::new(gil);
        let mut interned = rustc_hash::FxHashMap::default();
        interned.insert(Box::<str>::from(""), empty_str.clone());
        let names = Names::new(gil, &mut interned);
        let builtins = Obj::new(
            gil,
            PyDict {
                table: GilCell::new(dict::Dict::new()),
            },
        );
        let gc_garbage = Obj::new(
            gil,
            PyList {
                items: GilCell::new(Vec::new()),
            },
        )
        .into_any();
        let gc_callbacks = Obj::new(
            gil,
            PyList {
                items: GilCell::new(Vec::new()),
            },
        )
        .into_any();
        let vm = Rc::new(Vm {
            none,
            true_,
            false_,
            null,
            empty_tuple,
            empty_str,
            small_ints,
            types,
            builtins,
            modules: RefCell::new(HashMap::new()),
            recursion_limit: Cell::new(1000),
            depth: Cell::new(0),
            exc_info: RefCell::new(None),
            sources: RefCell::new(HashMap::new()),
            argv: RefCell::new(Vec::new()),
            stdout: RefCell::new(std::io::BufWriter::new(std::io::stdout())),
            gc_garbage,
            gc_callbacks,
            interned: RefCell::new(interned),
            names,
            exit_code: Cell::new(None),
            not_implemented_obj: Obj::new_immortal(gil, object::PyNotImplemented).into_any(),
            repr_active: RefCell::new(Vec::new()),
            frame_pool: RefCell::new(Vec::new()),
        });
        types::fill(gil, &vm);
        builtins::install(gil, &vm);
        vm
    }

    /// An int object (small ints are shared immortal singletons).
    #[inline]
    pub fn int(&self, gil: &Gil<'_>, v: i64) -> AnyObj {
        if (-5..=256).contains(&v) {
            self.small_ints[(v + 5) as usize].clone()
        } else {
            Obj::new(gil, PyInt(v)).into_any()
        }
    }

    /// A float object.
    #[inline(always)]
    pub fn float(&self, gil: &Gil<'_>, v: f64) -> AnyObj {
        Obj::new(gil, PyFloat(v)).into_any()
    }

    /// `True` or `False`.
    #[inline]
    pub fn bool(&self, v: bool) -> AnyObj {
        if v {
            self.true_.clone()
        } else {
            self.false_.clone()
        }
    }

    /// A new str object.
    pub fn str(&self, gil: &Gil<'_>, s: &str) -> AnyObj {
        if s.is_empty() {
            return self.empty_str.clone();
        }
        Obj::new(gil, PyStr::new(s)).into_any()
    }

    /// The one immortal str with text `s` (names in code, attribute names, ...).
    ///
    /// Every immortal str is the interned one for its text, so two immortal strs with the
    /// same text are the same object: an immortal name missing from a table by identity is
    /// missing (instance attributes rely on this; see `attr.rs`).
    pub fn intern(&self, gil: &Gil<'_>, s: &str) -> AnyObj {
        if let Some(o) = self.interned.borrow().get(s) {
            return o.clone();
        }
        let o = Obj::new_immortal(gil, PyStr::new(s)).into_any();
        self.interned.borrow_mut().insert(s.into(), o.clone());
        o
    }

    /// Makes the immortal str `name` the interned one for its text, unless another is
    /// already; returns the interned one.
    pub(crate) fn adopt_interned(&self, gil: &Gil<'_>, name: &AnyObj) -> AnyObj {
        let Some(text) = ops::str_payload(gil, name) else {
            return name.clone();
        };
        let mut table = self.interned.borrow_mut();
        table
            .entry(text.into())
            .or_insert_with(|| name.clone())
            .clone()
    }

    /// A new list.
    pub fn list(&self, gil: &Gil<'_>, items: Vec<AnyObj>) -> AnyObj {
        Obj::new(
            gil,
            PyList {
                items: GilCell::new(items),
            },
        )
        .into_any()
    }

    /// A new tuple (`()` is shared).
    pub fn tuple(&self, gil: &Gil<'_>, items: Vec<AnyObj>) -> AnyObj {
        if items.is_empty() {
            return self.empty_tuple.clone();
        }
        Self::tuple_of(gil, items.into())
    }

    /// A new pair `(a, b)`, with no vector in between.
    pub fn pair(&self, gil: &Gil<'_>, a: AnyObj, b: AnyObj) -> AnyObj {
        Self::tuple_of(gil, TupleItems::Two([a, b]))
    }

    fn tuple_of(gil: &Gil<'_>, items: TupleItems) -> AnyObj {
        Obj::new(gil, PyTuple { items }).into_any()
    }

    /// A new, empty dict (untracked until it holds a container, as CPython 3.11's).
    pub fn dict(&self, gil: &Gil<'_>) -> Obj<PyDict> {
        let d = Obj::new(
            gil,
            PyDict {
                table: GilCell::new(dict::Dict::new()),
            },
        );
        d.as_any().untrack(gil);
        d
    }

    /// `NotImplemented`.
    pub fn not_implemented(&self, _gil: &Gil<'_>) -> AnyObj {
        self.not_implemented_obj.clone()
    }

    /// Starts the `repr` of a container: `None` if it is already being printed (a cycle),
    /// `RecursionError` past the recursion limit.
    pub fn enter_repr(&self, gil: &mut Gil<'_>, o: &AnyObj) -> PyResult<Option<ReprGuard<'_>>> {
        if self.repr_active.borrow().contains(&o.addr()) {
            return Ok(None);
        }
        if self.depth.get() + 1 > self.recursion_limit.get() {
            let t = self.types.recursion_error.clone();
            return Err(self.err(
                gil,
                &t,
                "maximum recursion depth exceeded while getting the repr of an object",
            ));
        }
        self.depth.set(self.depth.get() + 1);
        self.repr_active.borrow_mut().push(o.addr());
        Ok(Some(ReprGuard {
            vm: self,
            addr: o.addr(),
        }))
    }

    /// Counts one level of Rust-side recursion (comparisons, hashing of nested containers)
    /// against the recursion limit: `RecursionError: maximum recursion depth exceeded{what}`
    /// past it. The level ends when the guard drops.
    pub fn enter_recursion(&self, gil: &mut Gil<'_>, what: &str) -> PyResult<DepthGuard<'_>> {
        if self.depth.get() + 1 > self.recursion_limit.get() {
            let t = self.types.recursion_error.clone();
            return Err(self.err(gil, &t, &format!("maximum recursion depth exceeded{what}")));
        }
        self.depth.set(self.depth.get() + 1);
        Ok(DepthGuard { vm: self })
    }

    /// Writes to standard output (buffered).
    pub fn write_stdout(&self, s: &str) {
        let _ = self.stdout.borrow_mut().write_all(s.as_bytes());
    }

    /// Flushes standard output.
    pub fn flush_stdout(&self) {
        let _ = self.stdout.borrow_mut().flush();
    }

    /// Writes to standard error, after flushing standard output so the two interleave as
    /// written.
    pub fn write_stderr(&self, s: &str) {
        self.flush_stdout();
        let _ = std::io::stderr().write_all(s.as_bytes());
    }
}
