//! `repr(float)`: the shortest decimal string that reads back as the same `f64`, laid out
//! the way CPython 3.11 lays it out.
//!
//! Rust's `{:e}` formatting of an `f64` already yields the shortest round-trip digits; this
//! module only re-arranges them: positional notation while the decimal exponent is in
//! `-4..16`, scientific notation (`1e+16`, `1e-05`, at least two exponent digits) outside it,
//! and a `.0` suffix for integral values in positional notation.

/// The shortest round-trip significant digits of a finite, non-negative `x`, and the
/// decimal exponent of the first digit (`x = d.ddd × 10^exp`). Zero gives `("0", 0)`.
///
/// ```
/// assert_eq!(vm::text::float_repr::shortest_digits(1234.5), ("12345".to_string(), 3));
/// assert_eq!(vm::text::float_repr::shortest_digits(0.001), ("1".to_string(), -3));
/// ```
pub fn shortest_digits(x: f64) -> (String, i32) {
    let x = x.abs();
    let shortest = split_sci(&format!("{x:e}"));
    // When two shortest candidates are equally short, CPython takes the one nearest the
    // exact value (ties to even); Rust may take the other. The correctly rounded string of
    // the same length is the nearest; use it when it reads back as `x`.
    let n = shortest.0.len();
    if n > 1 {
        let nearest = format!("{:.*e}", n - 1, x);
        if nearest.parse::<f64>() == Ok(x) {
            return split_sci(&nearest);
        }
    }
    shortest
}

/// `sig` correctly rounded significant digits of a finite `|x|` (ties to even on the exact
/// binary value), and the decimal exponent of the first digit after rounding. `sig` must be
/// at least 1.
///
/// ```
/// assert_eq!(vm::text::float_repr::rounded_digits(9.5, 1), ("1".to_string(), 1));
/// assert_eq!(vm::text::float_repr::rounded_digits(0.0, 3), ("000".to_string(), 0));
/// ```
pub fn rounded_digits(x: f64, sig: usize) -> (String, i32) {
    split_sci(&format!("{:.*e}", sig.max(1) - 1, x.abs()))
}

/// Splits Rust's scientific notation (`d.ddde-5`) into digits and exponent.
fn split_sci(s: &str) -> (String, i32) {
    let (mantissa, exp) = s
        .split_once('e')
        .expect("Rust's {:e} always has an exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    (digits, exp.parse().expect("Rust's exponent is an integer"))
}

/// Formats a decimal exponent the way CPython does: a sign and at least two digits
/// (`e+05`, `e-324`). `e` is the exponent letter (`e` or `E`).
pub(crate) fn push_exponent(out: &mut String, e: char, exp: i32) {
    out.push(e);
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
}

/// Lays out significant `digits` whose first digit has decimal exponent `exp` in positional
/// notation (no sign): `("125", -1)` gives `0.125`, `("1", 2)` gives `100`. Trailing zeros
/// in `digits` are kept; no decimal point is added when the value is integral.
pub(crate) fn positional(digits: &str, exp: i32) -> String {
    let mut out = String::new();
    if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

/// Lays out `digits` (first digit at exponent `exp`) in scientific notation (no sign):
/// `d.ddde+XX`, or `de+XX` for a single digit unless `force_point` (then `d.e+XX`).
pub(crate) fn scientific(digits: &str, exp: i32, e: char, force_point: bool) -> String {
    let mut out = String::with_capacity(digits.len() + 6);
    out.push_str(&digits[..1]);
    if digits.len() > 1 || force_point {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    push_exponent(&mut out, e, exp);
    out
}

/// Python's `repr(x)` (and `str(x)`) of a float.
///
/// ```
/// use vm::text::float_repr::float_repr;
/// assert_eq!(float_repr(1.0), "1.0");
/// assert_eq!(float_repr(1e16), "1e+16");
/// assert_eq!(float_repr(1e15), "1000000000000000.0");
/// assert_eq!(float_repr(0.0001), "0.0001");
/// assert_eq!(float_repr(0.00001), "1e-05");
/// assert_eq!(float_repr(-0.0), "-0.0");
/// assert_eq!(float_repr(f64::NAN), "nan");
/// assert_eq!(float_repr(f64::NEG_INFINITY), "-inf");
/// assert_eq!(float_repr(5e-324), "5e-324");
/// ```
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x.is_infinite() {
        return format!("{sign}inf");
    }
    let (digits, exp) = shortest_digits(x);
    let body = if (-4..16).contains(&exp) {
        let mut s = positional(&digits, exp);
        if !s.contains('.') {
            s.push_str(".0");
        }
        s
    } else {
        scientific(&digits, exp, 'e', false)
    };
    format!("{sign}{body}")
}
