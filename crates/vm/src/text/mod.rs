//! Python's text conversions of numbers and strings, reproducing CPython 3.11's exact output,
//! rounding and error messages for the interpreter's `repr`, `str`, `format`, `int(str)`,
//! `float(str)`, arithmetic and hashing of `int` and `float`, and the string methods with
//! subtle rules.
//!
//! - [`float_repr`]: `repr(float)`, the shortest round-trip digits.
//! - [`format_spec`]: the format-spec mini-language for `int`, `float` and `str`.
//! - [`numeric`]: `int`/`float` arithmetic, rounding, comparison and hashing on `i64`/`f64`,
//!   with CPython's exceptions as [`numeric::NumError`].
//! - [`strings`]: `repr(str)`, `int(str)`, `float(str)` and `str` method helpers.
//!
//! Pure functions, no objects: the VM maps the error values onto Python exceptions.

pub mod float_repr;
pub mod format_spec;
pub mod numeric;
pub mod strings;
