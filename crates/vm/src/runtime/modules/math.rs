//! The `math` module: constants and the common functions, with CPython's domain and range
//! errors (`ValueError: math domain error`, `OverflowError: math range error`).

use heap::{AnyObj, Gil, Obj};

use super::sys::{def, float_arg, int_arg, set};
use crate::runtime::builtins::{check_args, no_kwargs};
use crate::runtime::object::*;
use crate::runtime::ops;
use crate::runtime::{PyResult, Vm};

/// Fills the module namespace.
pub fn fill(gil: &mut Gil<'_>, vm: &Vm, ns: &Obj<PyDict>) {
    for (name, v) in [
        ("pi", std::f64::consts::PI),
        ("e", std::f64::consts::E),
        ("tau", std::f64::consts::TAU),
        ("inf", f64::INFINITY),
        ("nan", f64::NAN),
    ] {
        let f = vm.float(gil, v);
        set(gil, vm, ns, name, f);
    }
    let o = "math";
    def(gil, vm, ns, o, "sqrt", sqrt);
    def(gil, vm, ns, o, "sin", sin);
    def(gil, vm, ns, o, "cos", cos);
    def(gil, vm, ns, o, "tan", tan);
    def(gil, vm, ns, o, "asin", asin);
    def(gil, vm, ns, o, "acos", acos);
    def(gil, vm, ns, o, "atan", atan);
    def(gil, vm, ns, o, "sinh", sinh);
    def(gil, vm, ns, o, "cosh", cosh);
    def(gil, vm, ns, o, "tanh", tanh);
    def(gil, vm, ns, o, "exp", exp);
    def(gil, vm, ns, o, "log2", log2);
    def(gil, vm, ns, o, "log10", log10);
    def(gil, vm, ns, o, "fabs", fabs);
    def(gil, vm, ns, o, "degrees", degrees);
    def(gil, vm, ns, o, "radians", radians);
    def(gil, vm, ns, o, "atan2", atan2);
    def(gil, vm, ns, o, "pow", pow);
    def(gil, vm, ns, o, "fmod", fmod);
    def(gil, vm, ns, o, "copysign", copysign);
    def(gil, vm, ns, o, "log", log);
    def(gil, vm, ns, o, "floor", floor);
    def(gil, vm, ns, o, "ceil", ceil);
    def(gil, vm, ns, o, "trunc", trunc);
    def(gil, vm, ns, o, "isnan", isnan);
    def(gil, vm, ns, o, "isinf", isinf);
    def(gil, vm, ns, o, "isfinite", isfinite);
    def(gil, vm, ns, o, "hypot", hypot);
    def(gil, vm, ns, o, "fsum", fsum);
    def(gil, vm, ns, o, "gcd", gcd);
    def(gil, vm, ns, o, "factorial", factorial);
    def(gil, vm, ns, o, "isclose", isclose);
}

fn domain(gil: &mut Gil<'_>, vm: &Vm) -> crate::runtime::PyErr {
    vm.value_error(gil, "math domain error")
}

/// Applies `f` with CPython's `math_1` error rules: NaN out of a non-NaN input is a domain
/// error; an infinite result from a finite input is a range error (or a domain error when
/// `can_overflow` is false).
fn math_1(
    gil: &mut Gil<'_>,
    vm: &Vm,
    name: &str,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
    f: fn(f64) -> f64,
    can_overflow: bool,
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, name, kwargs)?;
    if args.len() != 1 {
        return Err(vm.type_error(
            gil,
            &format!(
                "math.{name}() takes exactly one argument ({} given)",
                args.len()
            ),
        ));
    }
    let x = float_arg(gil, vm, &args[0])?;
    let r = f(x);
    if r.is_nan() && !x.is_nan() {
        return Err(domain(gil, vm));
    }
    if r.is_infinite() && x.is_finite() {
        return Err(if can_overflow {
            vm.overflow_error(gil, "math range error")
        } else {
            domain(gil, vm)
        });
    }
    Ok(vm.float(gil, r))
}

macro_rules! unary {
    ($($name:ident => $f:expr, $ovf:expr;)*) => {$(
        fn $name(
            gil: &mut Gil<'_>,
            vm: &Vm,
            args: &[AnyObj],
            kwargs: &[(AnyObj, AnyObj)],
        ) -> PyResult<AnyObj> {
            math_1(gil, vm, stringify!($name), args, kwargs, $f, $ovf)
        }
    )*};
}

unary! {
    sqrt => f64::sqrt, false;
    sin => f64::sin, false;
    cos => f64::cos, false;
    tan => f64::tan, false;
    asin => f64::asin, false;
    acos => f64::acos, false;
    atan => f64::atan, false;
    sinh => f64::sinh, true;
    cosh => f64::cosh, true;
    tanh => f64::tanh, false;
    exp => f64::exp, true;
    fabs => f64::abs, false;
    degrees => f64::to_degrees, true;
    radians => f64::to_radians, false;
}

fn two(
    gil: &mut Gil<'_>,
    vm: &Vm,
    name: &str,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<(f64, f64)> {
    no_kwargs(gil, vm, name, kwargs)?;
    check_args(gil, vm, name, args, 2, 2)?;
    let a = float_arg(gil, vm, &args[0])?;
    let b = float_arg(gil, vm, &args[1])?;
    Ok((a, b))
}

fn atan2(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    let (y, x) = two(gil, vm, "atan2", args, kwargs)?;
    Ok(vm.float(gil, y.atan2(x)))
}

fn copysign(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    let (x, y) = two(gil, vm, "copysign", args, kwargs)?;
    Ok(vm.float(gil, x.copysign(y)))
}

fn fmod(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    let (x, y) = two(gil, vm, "fmod", args, kwargs)?;
    if y.is_nan() || x.is_nan() {
        return Ok(vm.float(gil, f64::NAN));
    }
    if x.is_infinite() || y == 0.0 {
        return Err(domain(gil, vm));
    }
    Ok(vm.float(gil, x % y))
}

fn pow(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    let (x, y) = two(gil, vm, "pow", args, kwargs)?;
    if x == 1.0 || y == 0.0 {
        return Ok(vm.float(gil, 1.0));
    }
    if x == 0.0 && y < 0.0 && y.is_finite() {
        return Err(domain(gil, vm));
    }
    let r = x.powf(y);
    if r.is_nan() && !x.is_nan() && !y.is_nan() {
        return Err(domain(gil, vm));
    }
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(vm.overflow_error(gil, "math range error"));
    }
    Ok(vm.float(gil, r))
}

/// The natural log of an int or float argument (ints too large for a float keep working in
/// CPython; pymem's ints are 64-bit, so `as f64` is enough).
fn ln_arg(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj) -> PyResult<f64> {
    let x = float_arg(gil, vm, o)?;
    if x.is_nan() {
        return Ok(x);
    }
    if x <= 0.0 {
        return Err(domain(gil, vm));
    }
    Ok(x.ln())
}

fn log(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "log", kwargs)?;
    check_args(gil, vm, "log", args, 1, 2)?;
    let num = ln_arg(gil, vm, &args[0])?;
    let r = match args.get(1) {
        None => num,
        Some(b) => {
            let den = ln_arg(gil, vm, b)?;
            if den == 0.0 {
                return Err(vm.zero_division(gil, "float division by zero"));
            }
            num / den
        }
    };
    Ok(vm.float(gil, r))
}

fn log_n(
    gil: &mut Gil<'_>,
    vm: &Vm,
    name: &str,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
    f: fn(f64) -> f64,
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, name, kwargs)?;
    if args.len() != 1 {
        return Err(vm.type_error(
            gil,
            &format!(
                "math.{name}() takes exactly one argument ({} given)",
                args.len()
            ),
        ));
    }
    let x = float_arg(gil, vm, &args[0])?;
    if !x.is_nan() && x <= 0.0 {
        return Err(domain(gil, vm));
    }
    Ok(vm.float(gil, f(x)))
}

fn log2(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    log_n(gil, vm, "log2", args, kwargs, f64::log2)
}

fn log10(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    log_n(gil, vm, "log10", args, kwargs, f64::log10)
}

fn to_int(
    gil: &mut Gil<'_>,
    vm: &Vm,
    name: &str,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
    f: fn(f64) -> f64,
    special: &str,
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, name, kwargs)?;
    if args.len() != 1 {
        return Err(vm.type_error(
            gil,
            &format!(
                "math.{name}() takes exactly one argument ({} given)",
                args.len()
            ),
        ));
    }
    let a = &args[0];
    if let Some(i) = ops::int_payload(gil, a) {
        return Ok(vm.int(gil, i));
    }
    if a.tag() == tag::INSTANCE
        && let Some(r) = ops::call_special(gil, vm, a, special, vec![])?
    {
        return Ok(r);
    }
    let x = float_arg(gil, vm, a)?;
    if x.is_nan() {
        return Err(vm.value_error(gil, "cannot convert float NaN to integer"));
    }
    if x.is_infinite() {
        return Err(vm.overflow_error(gil, "cannot convert float infinity to integer"));
    }
    let r = f(x);
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2**63
    if !(-LIMIT..LIMIT).contains(&r) {
        return Err(vm.overflow_error(gil, "int too large for pymem's 64-bit ints"));
    }
    Ok(vm.int(gil, r as i64))
}

fn floor(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    to_int(gil, vm, "floor", args, kwargs, f64::floor, "__floor__")
}

fn ceil(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    to_int(gil, vm, "ceil", args, kwargs, f64::ceil, "__ceil__")
}

fn trunc(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    to_int(gil, vm, "trunc", args, kwargs, f64::trunc, "__trunc__")
}

fn predicate(
    gil: &mut Gil<'_>,
    vm: &Vm,
    name: &str,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
    f: fn(f64) -> bool,
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, name, kwargs)?;
    if args.len() != 1 {
        return Err(vm.type_error(
            gil,
            &format!(
                "math.{name}() takes exactly one argument ({} given)",
                args.len()
            ),
        ));
    }
    let x = float_arg(gil, vm, &args[0])?;
    Ok(vm.bool(f(x)))
}

fn isnan(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    predicate(gil, vm, "isnan", args, kwargs, f64::is_nan)
}

fn isinf(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    predicate(gil, vm, "isinf", args, kwargs, f64::is_infinite)
}

fn isfinite(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    predicate(gil, vm, "isfinite", args, kwargs, f64::is_finite)
}

fn hypot(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "hypot", kwargs)?;
    let mut acc = 0.0f64;
    let mut any_inf = false;
    let mut any_nan = false;
    for a in args {
        let x = float_arg(gil, vm, a)?;
        any_inf |= x.is_infinite();
        any_nan |= x.is_nan();
        acc = acc.hypot(x);
    }
    let r = if any_inf {
        f64::INFINITY
    } else if any_nan {
        f64::NAN
    } else {
        acc
    };
    Ok(vm.float(gil, r))
}

fn fsum(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "fsum", kwargs)?;
    if args.len() != 1 {
        return Err(vm.type_error(
            gil,
            &format!(
                "math.fsum() takes exactly one argument ({} given)",
                args.len()
            ),
        ));
    }
    let items = ops::iterate(gil, vm, &args[0])?;
    // Shewchuk's exact partial sums, as CPython's msum.
    let mut partials: Vec<f64> = Vec::new();
    let mut special = 0.0f64;
    for it in &items {
        let mut x = float_arg(gil, vm, it)?;
        if !x.is_finite() {
            special += x;
            continue;
        }
        let mut i = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        partials.truncate(i);
        partials.push(x);
    }
    if special != 0.0 || special.is_nan() {
        if special.is_nan() && !items.is_empty() {
            return Err(vm.value_error(gil, "-inf + inf in fsum"));
        }
        return Ok(vm.float(gil, special));
    }
    let mut hi = 0.0;
    if let Some(mut n) = partials.len().checked_sub(1) {
        hi = partials[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = partials[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
    }
    Ok(vm.float(gil, hi))
}

fn gcd(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "gcd", kwargs)?;
    let mut g: u64 = 0;
    for a in args {
        let v = int_arg(gil, vm, a)?.unsigned_abs();
        let (mut x, mut y) = (g, v);
        while y != 0 {
            (x, y) = (y, x % y);
        }
        g = x;
    }
    Ok(vm.int(gil, g as i64))
}

fn factorial(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "factorial", kwargs)?;
    if args.len() != 1 {
        return Err(vm.type_error(
            gil,
            &format!(
                "math.factorial() takes exactly one argument ({} given)",
                args.len()
            ),
        ));
    }
    if args[0].tag() == tag::FLOAT {
        return Err(vm.type_error(gil, "'float' object cannot be interpreted as an integer"));
    }
    let n = int_arg(gil, vm, &args[0])?;
    if n < 0 {
        return Err(vm.value_error(gil, "factorial() not defined for negative values"));
    }
    let mut acc: i64 = 1;
    for i in 2..=n {
        acc = match acc.checked_mul(i) {
            Some(v) => v,
            None => {
                return Err(
                    vm.overflow_error(gil, "factorial() result too large for pymem's 64-bit ints")
                );
            }
        };
    }
    Ok(vm.int(gil, acc))
}

fn isclose(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_args(gil, vm, "isclose", args, 2, 2)?;
    let a = float_arg(gil, vm, &args[0])?;
    let b = float_arg(gil, vm, &args[1])?;
    let mut rel = 1e-9;
    let mut abs = 0.0;
    for (k, v) in kwargs {
        match ops::str_payload(gil, k) {
            Some("rel_tol") => rel = float_arg(gil, vm, v)?,
            Some("abs_tol") => abs = float_arg(gil, vm, v)?,
            _ => return Err(vm.type_error(gil, "isclose() got an unexpected keyword argument")),
        }
    }
    if rel < 0.0 || abs < 0.0 {
        return Err(vm.value_error(gil, "tolerances must be non-negative"));
    }
    if a == b {
        return Ok(vm.true_.clone());
    }
    if a.is_infinite() || b.is_infinite() {
        return Ok(vm.false_.clone());
    }
    let diff = (b - a).abs();
    Ok(vm.bool(diff <= (rel * b).abs() || diff <= (rel * a).abs() || diff <= abs))
}
