//! Exceptions: raising them from Rust, their `str`, and CPython's traceback format.

use heap::{AnyObj, Gil, Obj};

use super::object::*;
use super::{PyResult, Vm, ops};

/// A raised exception: an instance of a `BaseException` subclass.
#[derive(Debug)]
pub struct PyErr {
    /// The exception object.
    pub exc: AnyObj,
}

impl Vm {
    /// A new exception of class `ty` with `args`.
    pub fn new_exception(&self, gil: &mut Gil<'_>, ty: &Obj<PyType>, args: Vec<AnyObj>) -> AnyObj {
        let args = self.tuple(gil, args).downcast::<PyTuple>().ok();
        let exc = ExcData {
            args,
            ..ExcData::default()
        };
        super::builtins::new_instance(gil, ty, Some(exc), None).into_any()
    }

    /// An error of class `ty` with a message.
    pub fn err(&self, gil: &mut Gil<'_>, ty: &Obj<PyType>, msg: &str) -> PyErr {
        let m = self.str(gil, msg);
        PyErr {
            exc: self.new_exception(gil, ty, vec![m]),
        }
    }

    /// `TypeError(msg)`.
    pub fn type_error(&self, gil: &mut Gil<'_>, msg: &str) -> PyErr {
        let t = self.types.type_error.clone();
        self.err(gil, &t, msg)
    }

    /// `ValueError(msg)`.
    pub fn value_error(&self, gil: &mut Gil<'_>, msg: &str) -> PyErr {
        let t = self.types.value_error.clone();
        self.err(gil, &t, msg)
    }

    /// `IndexError(msg)`.
    pub fn index_error(&self, gil: &mut Gil<'_>, msg: &str) -> PyErr {
        let t = self.types.index_error.clone();
        self.err(gil, &t, msg)
    }

    /// `KeyError(key)`.
    pub fn key_error(&self, gil: &mut Gil<'_>, key: AnyObj) -> PyErr {
        let t = self.types.key_error.clone();
        PyErr {
            exc: self.new_exception(gil, &t, vec![key]),
        }
    }

    /// `AttributeError(msg)`.
    pub fn attribute_error(&self, gil: &mut Gil<'_>, msg: &str) -> PyErr {
        let t = self.types.attribute_error.clone();
        self.err(gil, &t, msg)
    }

    /// `OverflowError(msg)`.
    pub fn overflow_error(&self, gil: &mut Gil<'_>, msg: &str) -> PyErr {
        let t = self.types.overflow_error.clone();
        self.err(gil, &t, msg)
    }

    /// `ZeroDivisionError(msg)`.
    pub fn zero_division(&self, gil: &mut Gil<'_>, msg: &str) -> PyErr {
        let t = self.types.zero_division_error.clone();
        self.err(gil, &t, msg)
    }

    /// `RuntimeError(msg)`.
    pub fn runtime_error(&self, gil: &mut Gil<'_>, msg: &str) -> PyErr {
        let t = self.types.runtime_error.clone();
        self.err(gil, &t, msg)
    }

    /// `MemoryError()`.
    pub fn memory_error(&self, gil: &mut Gil<'_>) -> PyErr {
        let t = self.types.memory_error.clone();
        PyErr {
            exc: self.new_exception(gil, &t, vec![]),
        }
    }

    /// The exception class of `err`.
    pub fn exc_class(&self, gil: &Gil<'_>, exc: &AnyObj) -> Obj<PyType> {
        self.type_of(gil, exc)
    }

    /// Whether `exc` is an instance of `ty`.
    pub fn exc_matches(&self, gil: &Gil<'_>, exc: &AnyObj, ty: &Obj<PyType>) -> bool {
        let cls = self.type_of(gil, exc);
        types::is_subtype(gil, &cls, ty)
    }

    /// Appends a traceback entry (a frame the exception passes through, innermost first).
    pub fn add_traceback(&self, gil: &mut Gil<'_>, exc: &AnyObj, code: &Obj<PyCode>, line: u32) {
        if let Some(inst) = exc.downcast_ref::<PyInstance>()
            && let Some(data) = &inst.get(gil).exc
        {
            let code = code.clone();
            data.with_mut(gil, |d| d.traceback.push((code, line, None)));
        }
    }

    /// Keeps the variables of a frame the exception is leaving alive from its newest
    /// traceback entry.
    pub fn attach_frame(
        &self,
        gil: &mut Gil<'_>,
        exc: &AnyObj,
        code: &Obj<PyCode>,
        locals: Vec<AnyObj>,
    ) {
        let Some(inst) = exc.downcast_ref::<PyInstance>() else {
            return;
        };
        let Some(data) = &inst.get(gil).exc else {
            return;
        };
        let frame = Obj::new(
            gil,
            PyFrame {
                code: code.clone(),
                locals,
            },
        );
        let old = data.with_mut(gil, |d| {
            d.traceback.last_mut().and_then(|e| e.2.replace(frame))
        });
        drop(old);
    }

    /// The exception's `args`.
    pub fn exc_args(&self, gil: &mut Gil<'_>, exc: &AnyObj) -> Vec<AnyObj> {
        match exc.downcast_ref::<PyInstance>() {
            Some(inst) => match &inst.get(gil).exc {
                Some(data) => data.with(gil, |d| d.args.as_ref().map(|t| t.clone().into_any())),
                None => None,
            }
            .and_then(|t| t.downcast::<PyTuple>().ok())
            .map(|t| t.get(gil).items.to_vec())
            .unwrap_or_default(),
            None => Vec::new(),
        }
    }

    /// `str(exc)`: `""`, `str(arg)`, or `repr(args)`; `KeyError` shows `repr(key)`.
    pub fn exc_str(&self, gil: &mut Gil<'_>, exc: &AnyObj) -> PyResult<String> {
        let args = self.exc_args(gil, exc);
        let key_error = self.exc_matches(gil, exc, &self.types.key_error.clone());
        match args.len() {
            0 => Ok(String::new()),
            1 if key_error => ops::repr(gil, self, &args[0]),
            1 => ops::str_of(gil, self, &args[0]),
            _ => {
                let t = self.tuple(gil, args);
                ops::repr(gil, self, &t)
            }
        }
    }

    /// CPython's traceback report of an uncaught exception, with its chain: the `__cause__`
    /// (or the `__context__`, unless a `from` clause suppressed it) is reported first, then
    /// the line that links it to the next one. A chain is walked with a worklist and each
    /// exception reported once, so long or cyclic chains are safe.
    pub fn format_exception(&self, gil: &mut Gil<'_>, exc: &AnyObj) -> String {
        const CAUSE: &str =
            "\nThe above exception was the direct cause of the following exception:\n\n";
        const CONTEXT: &str =
            "\nDuring handling of the above exception, another exception occurred:\n\n";
        // Newest first: (exception, the line printed after it).
        let mut chain: Vec<(AnyObj, &str)> = Vec::new();
        let mut seen = rustc_hash::FxHashSet::default();
        let mut next = Some((exc.clone(), ""));
        while let Some((e, link)) = next.take() {
            if !seen.insert(e.addr()) {
                break;
            }
            let data = e
                .downcast_ref::<PyInstance>()
                .and_then(|i| i.get(gil).exc.as_deref())
                .map(|d| {
                    d.with(gil, |d| {
                        (d.cause.clone(), d.context.clone(), d.suppress_context)
                    })
                });
            next = match data {
                Some((Some(cause), _, _)) => Some((cause, CAUSE)),
                Some((None, Some(context), false)) => Some((context, CONTEXT)),
                _ => None,
            };
            chain.push((e, link));
        }
        let mut out = String::new();
        for (e, link) in chain.iter().rev() {
            out.push_str(&self.format_one_exception(gil, e));
            out.push_str(link);
        }
        out
    }

    /// The report of one exception: its traceback and its `Type: message` line.
    fn format_one_exception(&self, gil: &mut Gil<'_>, exc: &AnyObj) -> String {
        let mut out = String::new();
        let entries: Vec<(Obj<PyCode>, u32)> = match exc.downcast_ref::<PyInstance>() {
            Some(inst) => match &inst.get(gil).exc {
                Some(data) => data.with(gil, |d| {
                    d.traceback
                        .iter()
                        .map(|(c, l, _)| (c.clone(), *l))
                        .collect()
                }),
                None => Vec::new(),
            },
            None => Vec::new(),
        };
        if !entries.is_empty() {
            out.push_str("Traceback (most recent call last):\n");
            for (code, line) in entries.iter().rev() {
                let c = &code.get(gil).code;
                out.push_str(&format!(
                    "  File \"{}\", line {}, in {}\n",
                    c.filename, line, c.name
                ));
                if let Some(src) = self.sources.borrow().get(&*c.filename)
                    && let Some(text) = src.lines().nth(*line as usize - 1)
                    && !text.trim().is_empty()
                {
                    out.push_str(&format!("    {}\n", text.trim()));
                }
            }
        }
        let cls = self.type_of(gil, exc);
        let name = types::type_name(gil, &cls);
        let qual = match types::module_of(gil, &cls) {
            Some(m) if m != "builtins" && m != "__main__" => format!("{m}.{name}"),
            _ => name,
        };
        match self.exc_str(gil, exc) {
            Ok(s) if s.is_empty() => out.push_str(&format!("{qual}\n")),
            Ok(s) => out.push_str(&format!("{qual}: {s}\n")),
            Err(_) => out.push_str(&format!("{qual}: <exception str() failed>\n")),
        }
        out
    }
}

use super::types;
