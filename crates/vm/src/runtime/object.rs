//! The payloads of Python objects: one Rust type per CPython layout that memory behaviour can
//! tell apart.
//!
//! Every Python value is a heap object ([`heap::AnyObj`]); its Rust payload type decides what
//! the cycle collector sees: atomic payloads (`int`, `float`, `str`, code, builtin functions)
//! are untracked and carry no GC links, containers are tracked, tuples and dicts may be
//! untracked by the collector as CPython 3.11 does. Each payload type has a [`tag`] so the
//! interpreter dispatches with one `match` on [`AnyObj::tag`].
//!
//! Where CPython's layout is visible, it is copied:
//! * an instance keeps its attributes inline ([`Attrs::Inline`], 3.11's managed dict) until
//!   `__dict__` is asked for, which materialises a real dict object — so a cycle of plain
//!   instances counts one object each in `gc.collect()`, and two once `__dict__` was touched;
//! * bound methods, cells, functions and their defaults are separate objects;
//! * small ints, `None`, `True`, `False` and `()` are immortal singletons (3.12+ semantics).

use std::cell::Cell;
use std::sync::Arc;

use heap::{AnyObj, Gil, GilCell, Obj, Object, Trace, Untrack};

use super::dict::Dict;
use super::set::SetTable;
use crate::compile::bytecode::Code;

/// The tags of [`Object::TAG`], one per payload type.
pub mod tag {
    /// `None`.
    pub const NONE: u32 = 1;
    /// `int`.
    pub const INT: u32 = 2;
    /// `bool`.
    pub const BOOL: u32 = 3;
    /// `float`.
    pub const FLOAT: u32 = 4;
    /// `str`.
    pub const STR: u32 = 5;
    /// `list`.
    pub const LIST: u32 = 6;
    /// `tuple`.
    pub const TUPLE: u32 = 7;
    /// `dict`.
    pub const DICT: u32 = 8;
    /// `range`.
    pub const RANGE: u32 = 9;
    /// `slice`.
    pub const SLICE: u32 = 10;
    /// A Python function.
    pub const FUNCTION: u32 = 11;
    /// A builtin function or method descriptor.
    pub const BUILTIN: u32 = 12;
    /// A bound method.
    pub const METHOD: u32 = 13;
    /// A cell.
    pub const CELL: u32 = 14;
    /// A code object.
    pub const CODE: u32 = 15;
    /// A class.
    pub const TYPE: u32 = 16;
    /// An instance of a Python class (exceptions included).
    pub const INSTANCE: u32 = 17;
    /// A module.
    pub const MODULE: u32 = 18;
    /// An iterator.
    pub const ITER: u32 = 19;
    /// A `super` object.
    pub const SUPER: u32 = 20;
    /// A builtin bound to its first argument (`[].append`).
    pub const BOUND_BUILTIN: u32 = 21;
    /// The NULL marker of the value stack.
    pub const NULL: u32 = 22;
    /// `classmethod` / `staticmethod` wrappers.
    pub const WRAPPER: u32 = 23;
    /// `NotImplemented`.
    pub const NOT_IMPLEMENTED: u32 = 24;
    /// A frame kept by a traceback.
    pub const FRAME: u32 = 25;
    /// `set` and `frozenset`.
    pub const SET: u32 = 26;
    /// `property`.
    pub const PROPERTY: u32 = 27;
    /// A generator.
    pub const GENERATOR: u32 = 28;
}

/// The heap free lists of `tuple`, `list`, `dict` and `float`, with CPython 3.11's capacities
/// (`PyTuple_MAXFREELIST` — there per size, here one list for tuples of every size —
/// `PyList_MAXFREELIST`, `PyDict_MAXFREELIST`, `PyFloat_MAXFREELIST`). As in CPython, an
/// object made from a list or put on one does not move `gc.get_count()`, and a full
/// collection empties them (see `heap::FreeList`).
pub mod free_lists {
    use heap::FreeList;

    /// Dead tuples (2000).
    pub const TUPLE: FreeList = FreeList {
        slot: 0,
        capacity: 2000,
    };
    /// Dead lists (80).
    pub const LIST: FreeList = FreeList {
        slot: 1,
        capacity: 80,
    };
    /// Dead dicts (80).
    pub const DICT: FreeList = FreeList {
        slot: 2,
        capacity: 80,
    };
    /// Dead floats (100).
    pub const FLOAT: FreeList = FreeList {
        slot: 3,
        capacity: 100,
    };
}

macro_rules! atomic_object {
    ($ty:ty, $tag:expr, $name:expr) => {
        atomic_object!($ty, $tag, $name, None);
    };
    ($ty:ty, $tag:expr, $name:expr, $free_list:expr) => {
        impl Object for $ty {
            const TRACKED: bool = false;
            const WEAKREFABLE: bool = false;
            const TAG: u32 = $tag;
            const FREE_LIST: Option<heap::FreeList> = $free_list;
            fn type_name() -> &'static str {
                $name
            }
        }
    };
}

/// `None`.
#[derive(Trace)]
pub struct PyNone;
atomic_object!(PyNone, tag::NONE, "NoneType");

/// `NotImplemented`.
#[derive(Trace)]
pub struct PyNotImplemented;
atomic_object!(PyNotImplemented, tag::NOT_IMPLEMENTED, "NotImplementedType");

/// The marker `PushNull` leaves on the stack.
#[derive(Trace)]
pub struct PyNull;
atomic_object!(PyNull, tag::NULL, "NULL");

/// `int`, 64 bits.
#[derive(Trace)]
pub struct PyInt(pub i64);
atomic_object!(PyInt, tag::INT, "int");

/// `bool`.
#[derive(Trace)]
pub struct PyBool(pub bool);
atomic_object!(PyBool, tag::BOOL, "bool");

/// `float`.
#[derive(Trace, Clone, Copy)]
pub struct PyFloat(pub f64);
atomic_object!(PyFloat, tag::FLOAT, "float", Some(free_lists::FLOAT));

/// `str`: the text and its hash, computed on first use.
#[derive(Trace)]
pub struct PyStr {
    /// The text.
    pub s: Box<str>,
    /// The cached hash, `-1` until computed.
    pub hash: Cell<i64>,
    /// Length in characters, computed on creation (CPython strs know theirs).
    pub chars: usize,
}
atomic_object!(PyStr, tag::STR, "str");

impl PyStr {
    /// A str payload.
    pub fn new(s: impl Into<Box<str>>) -> PyStr {
        let s = s.into();
        let chars = if s.is_ascii() {
            s.len()
        } else {
            s.chars().count()
        };
        PyStr {
            s,
            hash: Cell::new(-1),
            chars,
        }
    }
}

/// `list`.
#[derive(Trace)]
pub struct PyList {
    /// The items.
    pub items: GilCell<Vec<AnyObj>>,
}

impl Drop for PyList {
    /// CPython's `list_dealloc` releases the items last to first.
    fn drop(&mut self) {
        let items = self.items.get_mut();
        while let Some(item) = items.pop() {
            drop(item);
        }
    }
}
impl Object for PyList {
    const TAG: u32 = tag::LIST;
    const WEAKREFABLE: bool = false;
    const FREE_LIST: Option<heap::FreeList> = Some(free_lists::LIST);
    fn type_name() -> &'static str {
        "list"
    }
}

/// `tuple`.
#[derive(Trace)]
pub struct PyTuple {
    /// The items.
    pub items: TupleItems,
}

impl Drop for PyTuple {
    /// CPython's `tupledealloc` releases the items last to first. (The items are taken out,
    /// leaving `Empty`, whose drop is nothing.)
    #[inline]
    fn drop(&mut self) {
        match std::mem::replace(&mut self.items, TupleItems::Empty) {
            TupleItems::Empty => {}
            TupleItems::One([a]) => drop(a),
            TupleItems::Two([a, b]) => {
                drop(b);
                drop(a);
            }
            TupleItems::Many(items) => {
                let mut items = items.into_vec();
                while let Some(item) = items.pop() {
                    drop(item);
                }
            }
        }
    }
}

/// A tuple's items. One or two are kept in the tuple object itself, so the pairs that
/// binary trees, `dict.items()` and `enumerate` make are one allocation each, as CPython's
/// tuples (whose items are always inline) are; more are a boxed slice. Reads go through
/// `Deref` to `[AnyObj]`.
#[derive(Trace, Default)]
pub enum TupleItems {
    /// The empty tuple.
    #[default]
    Empty,
    /// A 1-tuple.
    One([AnyObj; 1]),
    /// A pair.
    Two([AnyObj; 2]),
    /// Three and more.
    Many(Box<[AnyObj]>),
}

impl std::ops::Deref for TupleItems {
    type Target = [AnyObj];
    #[inline]
    fn deref(&self) -> &[AnyObj] {
        match self {
            TupleItems::Empty => &[],
            TupleItems::One(a) => a,
            TupleItems::Two(a) => a,
            TupleItems::Many(a) => a,
        }
    }
}

impl From<Vec<AnyObj>> for TupleItems {
    fn from(mut items: Vec<AnyObj>) -> TupleItems {
        match items.len() {
            0 => TupleItems::Empty,
            1 => TupleItems::One([items.remove(0)]),
            2 => {
                let b = items.remove(1);
                let a = items.remove(0);
                TupleItems::Two([a, b])
            }
            _ => TupleItems::Many(items.into_boxed_slice()),
        }
    }
}
impl Object for PyTuple {
    const TAG: u32 = tag::TUPLE;
    const WEAKREFABLE: bool = false;
    const FREE_LIST: Option<heap::FreeList> = Some(free_lists::TUPLE);
    const UNTRACK: Untrack = Untrack::Collections;
    fn type_name() -> &'static str {
        "tuple"
    }
}

/// `dict`.
#[derive(Trace)]
pub struct PyDict {
    /// The table.
    pub table: GilCell<Dict>,
}
impl Object for PyDict {
    const TAG: u32 = tag::DICT;
    const WEAKREFABLE: bool = false;
    const FREE_LIST: Option<heap::FreeList> = Some(free_lists::DICT);
    const UNTRACK: Untrack = Untrack::FullCollections;
    fn type_name() -> &'static str {
        "dict"
    }
}

/// `set` or `frozenset` (one payload type; [`PySet::frozen`] tells them apart). Always
/// tracked, as CPython 3.11's sets are, even when empty or holding only atoms.
#[derive(Trace)]
pub struct PySet {
    /// The table.
    pub table: GilCell<SetTable>,
    /// Whether this is a `frozenset`.
    pub frozen: bool,
    /// A frozenset's hash once computed (`-1` before).
    pub hash: Cell<i64>,
}
impl Object for PySet {
    const TAG: u32 = tag::SET;
    fn type_name() -> &'static str {
        "set"
    }
}

impl PySet {
    /// An empty set (`frozen`: an empty frozenset).
    pub fn new(frozen: bool) -> PySet {
        PySet {
            table: GilCell::new(SetTable::new()),
            frozen,
            hash: Cell::new(-1),
        }
    }
}

/// `range(start, stop, step)`.
#[derive(Trace)]
pub struct PyRange {
    /// First value.
    pub start: i64,
    /// End (exclusive).
    pub stop: i64,
    /// Step, never 0.
    pub step: i64,
}
atomic_object!(PyRange, tag::RANGE, "range");

impl PyRange {
    /// Number of values.
    pub fn len(&self) -> i64 {
        let (lo, hi, step) = (self.start as i128, self.stop as i128, self.step as i128);
        let n = if step > 0 && lo < hi {
            (hi - lo - 1) / step + 1
        } else if step < 0 && lo > hi {
            (lo - hi - 1) / (-step) + 1
        } else {
            0
        };
        n as i64
    }

    /// Whether the range is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `slice(start, stop, step)`.
#[derive(Trace)]
pub struct PySlice {
    /// Start (`None` when absent).
    pub start: AnyObj,
    /// Stop.
    pub stop: AnyObj,
    /// Step.
    pub step: AnyObj,
}
impl Object for PySlice {
    const TAG: u32 = tag::SLICE;
    const TRACKED: bool = false;
    const WEAKREFABLE: bool = false;
    fn type_name() -> &'static str {
        "slice"
    }
}

/// A code object: compiled code plus its constants and names as objects.
#[derive(Trace)]
pub struct PyCode {
    /// The compiled code (instructions, tables).
    #[trace(skip)]
    pub code: Arc<Code>,
    /// `code.instrs` again, held in the object itself so the interpreter reaches the next
    /// instruction in one load from the code object rather than two.
    #[trace(skip)]
    pub instrs: Box<[crate::compile::bytecode::Instr]>,
    /// `co_consts` as objects.
    pub consts: Box<[AnyObj]>,
    /// `co_names` as str objects.
    pub names: Box<[AnyObj]>,
    /// `co_varnames` as str objects (keyword argument matching).
    pub varnames: Box<[AnyObj]>,
    /// The deepest the value stack gets (frames allocate it once).
    pub stacksize: usize,
    /// `LOAD_GLOBAL`'s cache, one slot per name: where the name was found last time.
    #[trace(skip)]
    pub global_cache: Box<[Cell<GlobalSlot>]>,
    /// `LOAD_ATTR`'s hints, one per name: the position the name had in the last instance's
    /// inline attributes (`u32::MAX`: the site reads something else; 0 to start).
    #[trace(skip)]
    pub attr_hint: Box<[Cell<u32>]>,
    /// `LOAD_METHOD`'s class-lookup entries, one per name (see
    /// [`super::types::lookup_through`]).
    #[trace(skip)]
    pub method_cache: Box<[Cell<super::types::LookupSlot>]>,
}
atomic_object!(PyCode, tag::CODE, "code");

/// Where `LOAD_GLOBAL` found a name, valid while the dicts keep the versions it saw
/// (CPython 3.11's `LOAD_GLOBAL_MODULE` / `LOAD_GLOBAL_BUILTIN` specialisations).
#[derive(Clone, Copy, Debug)]
pub struct GlobalSlot {
    /// The globals' version when the name was found.
    pub globals_version: u64,
    /// The builtins' version, if the name was found in the builtins.
    pub builtins_version: Option<u64>,
    /// The entry's position in the dict it was found in.
    pub pos: u32,
}

impl GlobalSlot {
    /// A slot that matches no dict.
    pub const EMPTY: GlobalSlot = GlobalSlot {
        globals_version: u64::MAX,
        builtins_version: None,
        pos: 0,
    };

    /// Empty slots for `n` names.
    pub fn slots(n: usize) -> Box<[Cell<GlobalSlot>]> {
        (0..n).map(|_| Cell::new(GlobalSlot::EMPTY)).collect()
    }
}

/// A Python function.
#[derive(Trace)]
pub struct PyFunction {
    /// Its code.
    pub code: Obj<PyCode>,
    /// The module namespace it runs in.
    pub globals: Obj<PyDict>,
    /// Default values of the last positional parameters.
    pub defaults: GilCell<Option<Obj<PyTuple>>>,
    /// `__kwdefaults__`: default values of keyword-only parameters, by name.
    pub kwdefaults: GilCell<Option<Obj<PyDict>>>,
    /// The cells of its free variables.
    pub closure: Option<Obj<PyTuple>>,
    /// `__name__`.
    pub name: GilCell<AnyObj>,
    /// `__qualname__`.
    pub qualname: GilCell<AnyObj>,
    /// `__dict__` attributes and `__doc__`, `__module__`.
    pub attrs: GilCell<Dict>,
    /// What the call fast path needs, copied from the code so a call reads it here.
    #[trace(skip)]
    pub shape: CallShape,
}
impl Object for PyFunction {
    const TAG: u32 = tag::FUNCTION;
    const CALL: Option<heap::CallSlot<Self>> = Some(super::callback::call_function_slot);
    fn type_name() -> &'static str {
        "function"
    }
}

/// The facts about a function's code a call tests first (the code never changes).
#[derive(Clone, Copy, Debug)]
pub struct CallShape {
    /// The positional parameter count when that is all the code takes (no `*args`,
    /// keyword-only parameters or `**kwargs`); `u32::MAX` otherwise.
    pub exact_args: u32,
    /// `co_nlocals`: the local slots a frame has.
    pub nlocals: u32,
    /// Whether a frame needs cells (the code has cell variables or the function a closure).
    pub needs_cells: bool,
}

/// A builtin: a Rust function (`len`, `list.append`, `gc.collect`).
#[derive(Trace)]
pub struct PyBuiltin {
    /// `__name__`.
    pub name: &'static str,
    /// The owner's name for `__qualname__` and messages (`list`, `gc`), or "".
    pub owner: &'static str,
    /// The function.
    #[trace(skip)]
    pub func: super::BuiltinFn,
    /// Whether it is a method descriptor (found on a type, called with `self` first).
    pub is_method: bool,
}
impl Object for PyBuiltin {
    const TAG: u32 = tag::BUILTIN;
    const TRACKED: bool = false;
    const CALL: Option<heap::CallSlot<Self>> = Some(super::callback::call_builtin_slot);
    fn type_name() -> &'static str {
        "builtin_function_or_method"
    }
}

/// A builtin method bound to its receiver (`[].append`).
#[derive(Trace)]
pub struct PyBoundBuiltin {
    /// The builtin.
    pub func: Obj<PyBuiltin>,
    /// Its receiver.
    pub receiver: AnyObj,
}
impl Object for PyBoundBuiltin {
    const TAG: u32 = tag::BOUND_BUILTIN;
    const WEAKREFABLE: bool = false;
    fn type_name() -> &'static str {
        "builtin_function_or_method"
    }
}

/// A bound method: a function and the instance it was read from.
#[derive(Trace)]
pub struct PyMethod {
    /// The function.
    pub func: AnyObj,
    /// `__self__`.
    pub receiver: AnyObj,
}
impl Object for PyMethod {
    const TAG: u32 = tag::METHOD;
    const CALL: Option<heap::CallSlot<Self>> = Some(super::callback::call_method_slot);
    fn type_name() -> &'static str {
        "method"
    }
}

/// `property(fget, fset, fdel, doc)`: an attribute of a class whose reads, stores and
/// deletions on instances call these functions (see `runtime::property`).
#[derive(Trace)]
pub struct PyProperty {
    /// Called with the instance on a read.
    pub fget: Option<AnyObj>,
    /// Called with the instance and the value on a store.
    pub fset: Option<AnyObj>,
    /// Called with the instance on `del`.
    pub fdel: Option<AnyObj>,
    /// `__doc__`.
    pub doc: Option<AnyObj>,
    /// The name it was given in a class body (CPython's `__set_name__`), for messages.
    pub name: GilCell<Option<AnyObj>>,
}
impl Object for PyProperty {
    const TAG: u32 = tag::PROPERTY;
    fn type_name() -> &'static str {
        "property"
    }
}

/// `classmethod(f)` or `staticmethod(f)`.
#[derive(Trace)]
pub struct PyWrapper {
    /// The wrapped callable.
    pub func: AnyObj,
    /// `true` for classmethod.
    pub class_method: bool,
}
impl Object for PyWrapper {
    const TAG: u32 = tag::WRAPPER;
    fn type_name() -> &'static str {
        "classmethod"
    }
}

/// A cell holding a variable captured by an inner function.
#[derive(Trace)]
pub struct PyCell {
    /// The value, or empty.
    pub value: GilCell<Option<AnyObj>>,
}
impl Object for PyCell {
    const TAG: u32 = tag::CELL;
    const WEAKREFABLE: bool = false;
    fn type_name() -> &'static str {
        "cell"
    }
}

/// How an instance keeps its attributes.
#[derive(Trace)]
pub enum Attrs {
    /// A few `(name, value)` pairs in insertion order, names interned: what most instances
    /// need (3.11 keeps a values array beside the class's shared keys; pymem spends the 8
    /// bytes of the name per attribute instead, and needs no table per class). Names are
    /// found by identity; see `attr.rs`.
    Pairs(Vec<(AnyObj, AnyObj)>),
    /// An ordered table, for many attributes or names that are not interned; as 3.11's
    /// managed dict before anyone asks for `__dict__`.
    Inline(Box<Dict>),
    /// A real dict object, after `__dict__` was read.
    Dict(Obj<PyDict>),
}

/// Exception state of an instance of an exception class.
#[derive(Trace, Default)]
pub struct ExcData {
    /// `args`.
    pub args: Option<Obj<PyTuple>>,
    /// Traceback entries, innermost first: (code, line, the frame's variables when the
    /// exception left that frame). Like CPython's traceback objects holding frames, they
    /// keep a failed frame's locals alive while the exception lives.
    pub traceback: Vec<(Obj<PyCode>, u32, Option<Obj<PyFrame>>)>,
    /// `__context__`: the exception being handled when this one was raised.
    pub context: Option<AnyObj>,
    /// `__cause__`: the `from` clause's exception.
    pub cause: Option<AnyObj>,
    /// `__suppress_context__`: set by `raise ... from` (the report shows the cause only).
    pub suppress_context: bool,
}

/// An instance of a Python class.
#[derive(Trace)]
pub struct PyInstance {
    /// `__class__`.
    pub class: GilCell<Obj<PyType>>,
    /// The attributes.
    pub attrs: GilCell<Attrs>,
    /// Exception state, for instances of `BaseException` subclasses (boxed, like `list`:
    /// most instances have neither, and pay one pointer each for them).
    pub exc: Option<Box<GilCell<ExcData>>>,
    /// The list of a `list` subclass instance.
    pub list: Option<Box<GilCell<Vec<AnyObj>>>>,
}
impl Object for PyInstance {
    const TAG: u32 = tag::INSTANCE;
    const FINALIZER: Option<heap::Finalizer<Self>> = Some(super::callback::instance_finalizer);
    const FINALIZER_WANTED: Option<heap::FinalizerWanted<Self>> =
        Some(super::callback::instance_has_del);
    fn type_name() -> &'static str {
        "object"
    }
}

/// What builtin payload a class's instances have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// A builtin type whose instances cannot be made by subclassing (int, str, ...).
    Builtin,
    /// Plain Python instances ([`PyInstance`]) — `object` and its Python subclasses.
    Instance,
    /// Exceptions: [`PyInstance`] with [`ExcData`].
    Exception,
    /// `list` subclasses: [`PyInstance`] with a list.
    List,
}

/// A class: builtin or defined by a `class` statement.
#[derive(Trace)]
pub struct PyType {
    /// `__name__`.
    pub name: GilCell<AnyObj>,
    /// `__qualname__`.
    pub qualname: GilCell<AnyObj>,
    /// `__base__` (`None` only for `object`).
    pub base: Option<Obj<PyType>>,
    /// `__mro__` without the type itself: its bases, nearest first.
    pub mro: Box<[Obj<PyType>]>,
    /// The class namespace.
    pub dict: GilCell<Dict>,
    /// Instances' layout.
    #[trace(skip)]
    pub layout: Layout,
    /// The builtin payload tag this type describes (0 for Python classes).
    pub builtin_tag: u32,
    /// Whether the class (or a base) defines `__del__`; kept current by attribute stores.
    pub has_del: Cell<bool>,
    /// Whether the class (or a base) defines `__call__`.
    pub has_call: Cell<bool>,
    /// The type-cache epoch at which the class and its bases were seen to have no
    /// `__setattr__` (0: not known); valid while the epoch stays (see
    /// [`super::types::lacks_setattr`]).
    pub no_setattr_epoch: Cell<u64>,
    /// The same for `__bool__` and `__len__` (see [`super::types::lacks_truth_methods`]).
    pub no_truth_epoch: Cell<u64>,
    /// The same for `property` attributes (see [`super::types::lacks_properties`]).
    pub no_property_epoch: Cell<u64>,
    /// Whether it was defined by a `class` statement.
    pub heap_type: bool,
}
impl Drop for PyType {
    fn drop(&mut self) {
        // Another class may be allocated at this address: cached lookups keyed by it go.
        super::types::invalidate_type_cache();
    }
}
impl Object for PyType {
    const TAG: u32 = tag::TYPE;
    fn type_name() -> &'static str {
        "type"
    }
}

/// A module.
#[derive(Trace)]
pub struct PyModule {
    /// `__name__`.
    pub name: &'static str,
    /// Its namespace.
    pub dict: Obj<PyDict>,
}
impl Object for PyModule {
    const TAG: u32 = tag::MODULE;
    fn type_name() -> &'static str {
        "module"
    }
}

/// What an iterator walks.
#[derive(Trace)]
pub enum IterState {
    /// A list (index of the next item).
    List(AnyObj, Cell<usize>),
    /// A tuple.
    Tuple(Obj<PyTuple>, Cell<usize>),
    /// A range: next value, values left, step.
    Range(Cell<i64>, Cell<i64>, i64),
    /// A dict's keys / values / items (dict, position, size at the start, kind 0/1/2,
    /// items yielded so far).
    Dict(Obj<PyDict>, Cell<usize>, usize, u8, Cell<usize>),
    /// A str's characters (byte position).
    Str(Obj<PyStr>, Cell<usize>),
    /// Exhausted.
    Done,
    /// An object with `__next__` (user iterator) — called each step.
    Object(AnyObj),
    /// Reverse over a list.
    ListRev(AnyObj, Cell<usize>),
    /// Values computed eagerly (zip, enumerate, map... over finite inputs).
    Items(Vec<AnyObj>, Cell<usize>),
    /// A set's elements: the set, the next slot, and its size when iteration started
    /// (`usize::MAX` once a change of size was reported, so the error repeats).
    Set(Obj<PySet>, Cell<usize>, Cell<usize>),
}

/// An iterator object.
#[derive(Trace)]
pub struct PyIter {
    /// What it walks.
    pub state: GilCell<IterState>,
    /// The type name shown by `type(it).__name__`.
    #[trace(skip)]
    pub kind: &'static str,
}
impl Object for PyIter {
    const TAG: u32 = tag::ITER;
    const WEAKREFABLE: bool = false;
    fn type_name() -> &'static str {
        "iterator"
    }
}

/// `super(cls, obj)`.
#[derive(Trace)]
pub struct PySuper {
    /// The class whose successors are searched.
    pub class: Obj<PyType>,
    /// The instance (or class).
    pub obj: AnyObj,
}
impl Object for PySuper {
    const TAG: u32 = tag::SUPER;
    const WEAKREFABLE: bool = false;
    fn type_name() -> &'static str {
        "super"
    }
}

/// The variables of a frame an exception left: what CPython's frame object (reachable from
/// the traceback) keeps alive.
#[derive(Trace)]
pub struct PyFrame {
    /// The frame's code.
    pub code: Obj<PyCode>,
    /// Its locals and cells at the time.
    pub locals: Vec<AnyObj>,
}
impl Object for PyFrame {
    const TAG: u32 = tag::FRAME;
    fn type_name() -> &'static str {
        "frame"
    }
}

/// A typed view helper: the payload of `obj` as `T` if it is one.
#[inline]
pub fn payload<'a, 'py: 'a, T: Object>(obj: &'a AnyObj, gil: &Gil<'py>) -> Option<&'a T> {
    obj.downcast_ref::<T>().map(|o| o.get(gil))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instance_payload_stays_small() {
        // With the 32 bytes of header and collector links, an instance takes an 80-byte
        // block (CPython 3.11: 48 bytes plus its values array); exception and list state
        // and a big attribute table are boxed because most instances have none.
        let size = std::mem::size_of::<PyInstance>();
        assert!(size <= 48, "PyInstance grew to {size} bytes");
        assert_eq!(std::mem::size_of::<Attrs>(), 24);
    }
}
