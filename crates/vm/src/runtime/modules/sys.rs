//! The `sys` module: reference counts, object sizes, the recursion limit, the switch
//! interval, `argv`, `exit`, `stdout`/`stderr` and a few constants.
//!
//! Also holds the small helpers the other builtin modules share ([`def`], [`int_arg`],
//! [`float_arg`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

use heap::{AnyObj, Gil, Obj};

use crate::runtime::builtins::{builtin, check_args, no_kwargs};
use crate::runtime::interp::call;
use crate::runtime::object::*;
use crate::runtime::ops::{self, str_payload};
use crate::runtime::types::{self, type_name};
use crate::runtime::{BuiltinFn, PyResult, Vm};

thread_local! {
    /// The original `sys.stdout` / `sys.stderr` objects (for `print(file=...)`).
    static STREAMS: RefCell<Option<(AnyObj, AnyObj)>> = const { RefCell::new(None) };
    /// CPython's allocated slot count of each list last seen by `getsizeof`, by address:
    /// (length then, allocated then).
    static LIST_ALLOC: RefCell<HashMap<usize, (usize, usize)>> = RefCell::new(HashMap::new());
}

/// Defines a builtin function `owner.name` in a module namespace.
pub fn def(
    gil: &mut Gil<'_>,
    vm: &Vm,
    ns: &Obj<PyDict>,
    owner: &'static str,
    name: &'static str,
    f: BuiltinFn,
) {
    let b = builtin(gil, name, owner, f, false);
    types::dict_set_str(gil, vm, &ns.get(gil).table, name, b);
}

/// Sets `name = value` in a module namespace.
pub fn set(gil: &mut Gil<'_>, vm: &Vm, ns: &Obj<PyDict>, name: &str, value: AnyObj) {
    types::dict_set_str(gil, vm, &ns.get(gil).table, name, value);
}

/// The name of `o`'s type.
pub fn tname(gil: &Gil<'_>, vm: &Vm, o: &AnyObj) -> String {
    let t = vm.type_of(gil, o);
    type_name(gil, &t)
}

/// An index-like argument (`int` or `bool`); CPython's `'X' object cannot be interpreted as
/// an integer` otherwise.
pub fn int_arg(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<i64> {
    match ops::int_payload(gil, o) {
        Some(i) => Ok(i),
        None => {
            let n = tname(gil, vm, o);
            Err(vm.type_error(
                gil,
                &format!("'{n}' object cannot be interpreted as an integer"),
            ))
        }
    }
}

/// A real-number argument (`int`, `bool`, `float`, or an object with `__float__`).
pub fn float_arg(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<f64> {
    if let Some(f) = ops::as_f64(gil, o) {
        return Ok(f);
    }
    if o.tag() == tag::INSTANCE
        && let Some(r) = ops::call_special(gil, vm, o, "__float__", vec![])?
        && let Some(f) = ops::as_f64(gil, &r)
    {
        return Ok(f);
    }
    let n = tname(gil, vm, o);
    Err(vm.type_error(gil, &format!("must be real number, not {n}")))
}

/// Fills the module namespace.
pub fn fill(gil: &mut Gil<'_>, vm: &Vm, ns: &Obj<PyDict>) {
    let o = "sys";
    def(gil, vm, ns, o, "getrefcount", getrefcount);
    def(gil, vm, ns, o, "getsizeof", getsizeof);
    def(gil, vm, ns, o, "getallocatedblocks", getallocatedblocks);
    def(gil, vm, ns, o, "_debugmallocstats", debugmallocstats);
    def(gil, vm, ns, o, "getrecursionlimit", getrecursionlimit);
    def(gil, vm, ns, o, "setrecursionlimit", setrecursionlimit);
    def(gil, vm, ns, o, "getswitchinterval", getswitchinterval);
    def(gil, vm, ns, o, "setswitchinterval", setswitchinterval);
    def(gil, vm, ns, o, "exit", exit);
    def(gil, vm, ns, o, "exc_info", exc_info);
    let argv: Vec<AnyObj> = vm
        .argv
        .borrow()
        .clone()
        .iter()
        .map(|a| vm.str(gil, a))
        .collect();
    let argv = vm.list(gil, argv);
    set(gil, vm, ns, "argv", argv);
    let v = vm.int(gil, i64::MAX);
    set(gil, vm, ns, "maxsize", v);
    let p = vm.str(gil, "linux");
    set(gil, vm, ns, "platform", p);
    let bo = vm.str(gil, "little");
    set(gil, vm, ns, "byteorder", bo);
    let parts = vec![
        vm.int(gil, 3),
        vm.int(gil, 11),
        vm.int(gil, 7),
        vm.str(gil, "final"),
        vm.int(gil, 0),
    ];
    let vi = vm.tuple(gil, parts);
    set(gil, vm, ns, "version_info", vi);
    let ver = vm.str(gil, "3.11.7 (pymem)");
    set(gil, vm, ns, "version", ver);
    let (out, err) = streams(gil, vm);
    set(gil, vm, ns, "stdout", out.clone());
    set(gil, vm, ns, "stderr", err.clone());
    set(gil, vm, ns, "__stdout__", out);
    set(gil, vm, ns, "__stderr__", err);
}

/// The `sys.stdout` and `sys.stderr` objects, made once per thread: small modules with
/// `write` and `flush`.
fn streams(gil: &mut Gil<'_>, vm: &Vm) -> (AnyObj, AnyObj) {
    if let Some(s) = STREAMS.with(|s| s.borrow().clone()) {
        return s;
    }
    let out = super::new_module(gil, vm, "sys.stdout", |gil, vm, ns| {
        def(gil, vm, ns, "stdout", "write", stdout_write);
        def(gil, vm, ns, "stdout", "flush", stdout_flush);
    });
    let err = super::new_module(gil, vm, "sys.stderr", |gil, vm, ns| {
        def(gil, vm, ns, "stderr", "write", stderr_write);
        def(gil, vm, ns, "stderr", "flush", stdout_flush);
    });
    STREAMS.with(|s| *s.borrow_mut() = Some((out.clone(), err.clone())));
    (out, err)
}

fn write_arg(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<String> {
    no_kwargs(gil, vm, "write", kwargs)?;
    if args.len() != 1 {
        return Err(vm.type_error(
            gil,
            &format!(
                "TextIOWrapper.write() takes exactly one argument ({} given)",
                args.len()
            ),
        ));
    }
    match str_payload(gil, &args[0]) {
        Some(s) => Ok(s.to_owned()),
        None => {
            let n = tname(gil, vm, &args[0]);
            Err(vm.type_error(gil, &format!("write() argument must be str, not {n}")))
        }
    }
}

fn stdout_write(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    let s = write_arg(gil, vm, args, kwargs)?;
    vm.write_stdout(&s);
    Ok(vm.int(gil, s.chars().count() as i64))
}

fn stderr_write(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    let s = write_arg(gil, vm, args, kwargs)?;
    vm.write_stderr(&s);
    Ok(vm.int(gil, s.chars().count() as i64))
}

fn stdout_flush(
    gil: &mut Gil<'_>,
    vm: &Vm,
    _args: &[AnyObj],
    _kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    let _ = gil;
    vm.flush_stdout();
    Ok(vm.none.clone())
}

/// Whether `o` is `sys.stderr`.
pub fn is_stderr(gil: &Gil<'_>, vm: &Vm, o: &AnyObj) -> bool {
    let _ = (gil, vm);
    STREAMS.with(|s| s.borrow().as_ref().is_some_and(|(_, err)| err.ptr_eq(o)))
}

fn one_arg(
    gil: &mut Gil<'_>,
    vm: &Vm,
    qual: &str,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<()> {
    let short = qual.rsplit('.').next().unwrap_or(qual);
    no_kwargs(gil, vm, short, kwargs)?;
    if args.len() != 1 {
        return Err(vm.type_error(
            gil,
            &format!("{qual}() takes exactly one argument ({} given)", args.len()),
        ));
    }
    Ok(())
}

fn no_args(
    gil: &mut Gil<'_>,
    vm: &Vm,
    qual: &str,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<()> {
    let short = qual.rsplit('.').next().unwrap_or(qual);
    no_kwargs(gil, vm, short, kwargs)?;
    if !args.is_empty() {
        return Err(vm.type_error(
            gil,
            &format!("{qual}() takes no arguments ({} given)", args.len()),
        ));
    }
    Ok(())
}

/// Checks a builtin taking exactly one positional argument (`gc.is_tracked(obj)` style).
pub fn check_one(
    gil: &mut Gil<'_>,
    vm: &Vm,
    qual: &str,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<()> {
    one_arg(gil, vm, qual, args, kwargs)
}

/// Checks a builtin taking no arguments (`gc.enable()` style).
pub fn check_none(
    gil: &mut Gil<'_>,
    vm: &Vm,
    qual: &str,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<()> {
    no_args(gil, vm, qual, args, kwargs)
}

fn getrefcount(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    one_arg(gil, vm, "sys.getrefcount", args, kwargs)?;
    let o = &args[0];
    let n = if o.is_immortal(gil) {
        // CPython 3.11 has no immortal objects: report a large count, as 3.12 does.
        4294967295
    } else {
        o.refcount(gil) as i64
    };
    Ok(vm.int(gil, n))
}

fn getallocatedblocks(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_args(gil, vm, "sys.getallocatedblocks", args, kwargs)?;
    // Blocks pymalloc has handed out and not taken back (0 under PYTHONMALLOC=malloc).
    let n = heap::allocated_blocks(gil) as i64;
    Ok(vm.int(gil, n))
}

fn debugmallocstats(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_args(gil, vm, "sys._debugmallocstats", args, kwargs)?;
    // CPython 3.11: `_PyObject_DebugMallocStats(stderr)`, then a blank line if it printed
    // anything (nothing when pymalloc is not in use, as under PYTHONMALLOC=malloc).
    if let Some(stats) = heap::malloc_stats(gil) {
        vm.write_stderr(&format!("{stats}\n"));
    }
    // Then, in every allocator mode, the free lists (`_PyObject_DebugTypeStats`). CPython
    // keeps a tuple list per size, 1 to 20; pymem's tuples are all one block size, so one list
    // and one line.
    let lists = [
        (
            "PyDictObject",
            free_lists::DICT,
            heap::block_size::<PyDict>(),
        ),
        (
            "PyFloatObject",
            free_lists::FLOAT,
            heap::block_size::<PyFloat>(),
        ),
        (
            "PyListObject",
            free_lists::LIST,
            heap::block_size::<PyList>(),
        ),
        (
            "PyTupleObject",
            free_lists::TUPLE,
            heap::block_size::<PyTuple>(),
        ),
    ];
    let report: String = lists
        .iter()
        .map(|&(name, list, size)| {
            let n = heap::free_list_len(gil, list.slot);
            obmalloc::free_list_line(name, n, size)
        })
        .collect();
    vm.write_stderr(&report);
    Ok(vm.none.clone())
}

fn getrecursionlimit(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_args(gil, vm, "sys.getrecursionlimit", args, kwargs)?;
    Ok(vm.int(gil, vm.recursion_limit.get() as i64))
}

fn setrecursionlimit(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    one_arg(gil, vm, "sys.setrecursionlimit", args, kwargs)?;
    if args[0].tag() == tag::FLOAT {
        return Err(vm.type_error(gil, "'float' object cannot be interpreted as an integer"));
    }
    let n = int_arg(gil, vm, &args[0])?;
    if n < 1 {
        return Err(vm.value_error(gil, "recursion limit must be greater or equal than 1"));
    }
    if n > i32::MAX as i64 {
        return Err(vm.overflow_error(gil, "Python int too large to convert to C int"));
    }
    // CPython 3.11 counts the C call of setrecursionlimit itself (the builtin call path
    // entered a level for it).
    let depth = vm.depth.get() as i64;
    if depth >= n {
        let t = vm.types.recursion_error.clone();
        return Err(vm.err(
            gil,
            &t,
            &format!(
                "cannot set the recursion limit to {n} at the recursion depth {depth}: the limit is too low"
            ),
        ));
    }
    vm.recursion_limit.set(n as usize);
    Ok(vm.none.clone())
}

fn getswitchinterval(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_args(gil, vm, "sys.getswitchinterval", args, kwargs)?;
    let micros = heap::gil::switch_interval().as_micros() as f64;
    Ok(vm.float(gil, 1e-6 * micros))
}

fn setswitchinterval(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    one_arg(gil, vm, "sys.setswitchinterval", args, kwargs)?;
    let x = float_arg(gil, vm, &args[0])?;
    if x.is_nan() || x <= 0.0 {
        return Err(vm.value_error(gil, "switch interval must be strictly positive"));
    }
    // CPython: (unsigned long)(1e6 * interval), at least 1.
    let micros = ((1e6 * x) as u64).max(1);
    heap::gil::set_switch_interval(Duration::from_micros(micros))
        .map_err(|e| vm.value_error(gil, &e.to_string()))?;
    Ok(vm.none.clone())
}

fn exit(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "exit", kwargs)?;
    check_args(gil, vm, "exit", args, 0, 1)?;
    let t = vm.types.system_exit.clone();
    let exc = vm.new_exception(gil, &t, args.to_vec());
    Err(crate::runtime::PyErr { exc })
}

fn exc_info(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_args(gil, vm, "sys.exc_info", args, kwargs)?;
    let cur = vm.exc_info.borrow().clone();
    let items = match cur {
        Some(e) if e.tag() != tag::NONE => {
            let t = vm.type_of(gil, &e).into_any();
            vec![t, e, vm.none.clone()]
        }
        _ => vec![vm.none.clone(), vm.none.clone(), vm.none.clone()],
    };
    Ok(vm.tuple(gil, items))
}

// ---------------------------------------------------------------------------------------
// getsizeof

/// The 16-byte `PyGC_Head` CPython puts before objects of GC types.
const GC_HEAD: i64 = 16;
/// 3.11's pre-header for instances with a managed dict (dict and values pointers).
const MANAGED_DICT: i64 = 16;

fn getsizeof(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    let mut obj = args.first().cloned();
    let mut default = args.get(1).cloned();
    if args.len() > 2 {
        return Err(vm.type_error(
            gil,
            &format!(
                "getsizeof() takes at most 2 arguments ({} given)",
                args.len() + kwargs.len()
            ),
        ));
    }
    for (k, v) in kwargs {
        match str_payload(gil, k) {
            Some("object") if obj.is_none() => obj = Some(v.clone()),
            Some("default") if default.is_none() => default = Some(v.clone()),
            Some(n @ ("object" | "default")) => {
                let pos = if n == "object" { 1 } else { 2 };
                return Err(vm.type_error(
                    gil,
                    &format!("argument for getsizeof() given by name ('{n}') and position ({pos})"),
                ));
            }
            Some(n) => {
                let n = n.to_owned();
                return Err(vm.type_error(
                    gil,
                    &format!("getsizeof() got an unexpected keyword argument '{n}'"),
                ));
            }
            None => return Err(vm.type_error(gil, "keywords must be strings")),
        }
    }
    let Some(obj) = obj else {
        return Err(vm.type_error(
            gil,
            "getsizeof() missing required argument 'object' (pos 1)",
        ));
    };
    let r = sizeof(gil, vm, &obj);
    match r {
        Ok(n) => Ok(vm.int(gil, n)),
        Err(e) => match default {
            Some(d) if vm.exc_matches(gil, &e.exc, &vm.types.type_error.clone()) => Ok(d),
            _ => Err(e),
        },
    }
}

fn sizeof(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<i64> {
    if o.tag() == tag::INSTANCE {
        let cls = vm.type_of(gil, o);
        if cls.ptr_eq(&vm.types.object) {
            return Ok(16); // object(): not a GC type, no dict
        }
        let layout = cls.get(gil).layout;
        let base = match types::lookup(gil, vm, &cls, "__sizeof__") {
            Some(f) => {
                let r = call(gil, vm, &f, vec![o.clone()], vec![])?;
                let n = match ops::int_payload(gil, &r) {
                    Some(n) => n,
                    None => {
                        let n = tname(gil, vm, &r);
                        return Err(vm.type_error(
                            gil,
                            &format!("'{n}' object cannot be interpreted as an integer"),
                        ));
                    }
                };
                if n < 0 {
                    return Err(vm.value_error(gil, "__sizeof__() should return >= 0"));
                }
                n
            }
            None => match layout {
                Layout::Exception => 72,
                Layout::List => {
                    let n = ops::instance_list(gil, o)
                        .map(|l| l.with(gil, |v| v.len()))
                        .unwrap_or(0);
                    40 + 8 * n as i64 + 16
                }
                _ => 24,
            },
        };
        let pre = match layout {
            Layout::Exception => 0,
            _ => MANAGED_DICT,
        };
        return Ok(base + GC_HEAD + pre);
    }
    Ok(builtin_size(gil, vm, o))
}

fn str_size(s: &str, chars: usize) -> i64 {
    let max = s.chars().map(|c| c as u32).max().unwrap_or(0);
    let n = chars as i64;
    if max < 0x80 {
        49 + n
    } else if max < 0x100 {
        73 + n
    } else if max < 0x10000 {
        74 + 2 * n
    } else {
        76 + 4 * n
    }
}

/// CPython 3.11's size of a dict (PyDictObject + keys object), without the GC header.
fn dict_size(gil: &mut Gil<'_>, d: &Obj<PyDict>) -> i64 {
    d.get(gil).table.with(gil, |t| {
        let size = t.table_size();
        if t.is_empty() && t.entries_len() == 0 {
            return 48;
        }
        let ib = if size <= 0xff {
            1
        } else if size <= 0xffff {
            2
        } else if size <= 0xffff_ffff {
            4
        } else {
            8
        };
        let all_str = t.iter().all(|e| e.key.tag() == tag::STR);
        let entry = if all_str { 16 } else { 24 };
        (48 + 32 + size * ib + crate::runtime::dict::usable(size) * entry) as i64
    })
}

/// CPython's list over-allocation (`list_resize` in 3.11).
fn list_resize(allocated: usize, size: usize, newsize: usize) -> usize {
    if allocated >= newsize && newsize >= (allocated >> 1) {
        return allocated;
    }
    if newsize == 0 {
        return 0;
    }
    let mut new_alloc = (newsize + (newsize >> 3) + 6) & !3;
    if newsize - size.min(newsize) > new_alloc - newsize {
        new_alloc = (newsize + 3) & !3;
    }
    new_alloc
}

/// CPython's allocated slots of a list: replayed one append/pop at a time from the state
/// last seen by `getsizeof` (exact while the list is watched as it changes); for a list
/// seen the first time, as CPython builds it: appended item by item when pymem's `Vec` grew
/// by pushes (capacity above the length), else allocated exactly (a display or `[x] * n`;
/// CPython 3.11 rounds an odd-length display built from constants up to even).
fn list_alloc(addr: usize, len: usize, cap: usize) -> usize {
    LIST_ALLOC.with(|m| {
        let mut m = m.borrow_mut();
        let alloc = match m.get(&addr) {
            Some(&(old_len, old_alloc)) => {
                let mut a = old_alloc;
                let mut n = old_len;
                if len == 0 && old_len > 0 {
                    a = 0; // clear() frees the array
                } else {
                    while n < len {
                        a = list_resize(a, n, n + 1);
                        n += 1;
                    }
                    while n > len {
                        a = list_resize(a, n, n - 1);
                        n -= 1;
                    }
                }
                a
            }
            None if cap > len => {
                let mut a = 0;
                for n in 0..len {
                    a = list_resize(a, n, n + 1);
                }
                a
            }
            None if len >= 3 && len % 2 == 1 => len + 1,
            None => len,
        };
        m.insert(addr, (len, alloc));
        alloc
    })
}

fn builtin_size(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> i64 {
    match o.tag() {
        tag::INT => {
            let v = ops::int_payload(gil, o).unwrap_or(0).unsigned_abs();
            if v == 0 {
                24
            } else if v < 1 << 30 {
                28
            } else if v < 1 << 60 {
                32
            } else {
                36
            }
        }
        tag::BOOL => {
            if o.ptr_eq(&vm.true_) {
                28
            } else {
                24
            }
        }
        tag::FLOAT => 24,
        tag::STR => match o.downcast_ref::<PyStr>() {
            Some(s) => {
                let s = s.get(gil);
                str_size(&s.s, s.chars)
            }
            None => 49,
        },
        tag::LIST => {
            let (len, cap) = o
                .downcast_ref::<PyList>()
                .map(|l| l.get(gil).items.with(gil, |v| (v.len(), v.capacity())))
                .unwrap_or((0, 0));
            40 + 8 * list_alloc(o.addr(), len, cap) as i64 + GC_HEAD
        }
        tag::TUPLE => {
            let n = o
                .downcast_ref::<PyTuple>()
                .map(|t| t.get(gil).items.len())
                .unwrap_or(0);
            24 + 8 * n as i64 + GC_HEAD
        }
        tag::DICT => match o.downcast_ref::<PyDict>() {
            Some(d) => dict_size(gil, d) + GC_HEAD,
            None => 64,
        },
        tag::SET => match o.downcast_ref::<PySet>() {
            Some(s) => s.get(gil).table.with(gil, |t| t.sizeof()) as i64 + GC_HEAD,
            None => 216,
        },
        tag::NONE | tag::NOT_IMPLEMENTED | tag::NULL => 16,
        tag::RANGE => 48,
        tag::SLICE => 56,
        tag::FUNCTION => 152,
        tag::BUILTIN | tag::BOUND_BUILTIN => 72,
        tag::METHOD => 48,
        tag::CELL => 40,
        tag::CODE => 192,
        tag::TYPE => match o.downcast_ref::<PyType>() {
            Some(t) if t.get(gil).heap_type => 1688,
            _ => 424,
        },
        tag::MODULE => 72,
        tag::ITER => 48,
        tag::SUPER => 56,
        tag::WRAPPER => 48,
        _ if o.is::<heap::WeakRef>() => 80,
        _ => 16,
    }
}
