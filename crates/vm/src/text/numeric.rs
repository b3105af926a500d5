//! Python `int`/`float` arithmetic on `i64`/`f64` with CPython 3.11's semantics and
//! exception messages: floor division and modulo signs, `**` special cases, `round()`,
//! exact mixed `int`/`float` comparison, and `hash()`.
//!
//! **pymem's ints are 64-bit.** CPython's ints are unbounded; until pymem has big integers,
//! every result outside `i64` is [`NumError::Overflow`] with [`INT_OVERFLOW`] instead of a
//! bigger int.
//!
//! ```
//! use vm::text::numeric::{int_floordiv, int_mod, float_mod, NumError};
//! assert_eq!(int_floordiv(-7, 2), Ok(-4));
//! assert_eq!(int_mod(-7, 2), Ok(1));
//! assert_eq!(float_mod(-1.0, 3.0), Ok(2.0));
//! assert_eq!(int_mod(1, 0), Err(NumError::ZeroDivision("integer modulo by zero")));
//! ```

use std::cmp::Ordering;
use std::fmt;

/// The message of [`NumError::Overflow`] for an int result outside `i64`.
pub const INT_OVERFLOW: &str = "integer overflow: pymem's ints are 64-bit";

/// An arithmetic error: the Python exception and its exact message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumError {
    /// `ZeroDivisionError`.
    ZeroDivision(&'static str),
    /// `OverflowError` (including pymem's 64-bit int limit, [`INT_OVERFLOW`]).
    Overflow(&'static str),
    /// `ValueError`.
    Value(String),
}

impl NumError {
    /// The Python exception class name.
    pub fn exception_name(&self) -> &'static str {
        match self {
            NumError::ZeroDivision(_) => "ZeroDivisionError",
            NumError::Overflow(_) => "OverflowError",
            NumError::Value(_) => "ValueError",
        }
    }
}

impl fmt::Display for NumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumError::ZeroDivision(m) | NumError::Overflow(m) => f.write_str(m),
            NumError::Value(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for NumError {}

/// The result of an operation that gives an `int` or a `float` depending on its operands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IntOrFloat {
    /// An `int`.
    Int(i64),
    /// A `float`.
    Float(f64),
}

fn overflow<T>() -> Result<T, NumError> {
    Err(NumError::Overflow(INT_OVERFLOW))
}

/// `a + b`.
pub fn int_add(a: i64, b: i64) -> Result<i64, NumError> {
    a.checked_add(b).map_or_else(overflow, Ok)
}

/// `a - b`.
pub fn int_sub(a: i64, b: i64) -> Result<i64, NumError> {
    a.checked_sub(b).map_or_else(overflow, Ok)
}

/// `a * b`.
pub fn int_mul(a: i64, b: i64) -> Result<i64, NumError> {
    a.checked_mul(b).map_or_else(overflow, Ok)
}

/// `-a`.
pub fn int_neg(a: i64) -> Result<i64, NumError> {
    a.checked_neg().map_or_else(overflow, Ok)
}

/// `abs(a)`.
pub fn int_abs(a: i64) -> Result<i64, NumError> {
    a.checked_abs().map_or_else(overflow, Ok)
}

/// `a // b`, rounding towards negative infinity.
pub fn int_floordiv(a: i64, b: i64) -> Result<i64, NumError> {
    Ok(int_divmod_inner(a, b, "integer division or modulo by zero")?.0)
}

/// `a % b`, with the sign of `b`.
pub fn int_mod(a: i64, b: i64) -> Result<i64, NumError> {
    if b == -1 {
        // Also i64::MIN % -1, whose quotient would overflow.
        return Ok(0);
    }
    Ok(int_divmod_inner(a, b, "integer modulo by zero")?.1)
}

/// `divmod(a, b)`.
pub fn int_divmod(a: i64, b: i64) -> Result<(i64, i64), NumError> {
    int_divmod_inner(a, b, "integer division or modulo by zero")
}

fn int_divmod_inner(a: i64, b: i64, msg: &'static str) -> Result<(i64, i64), NumError> {
    if b == 0 {
        return Err(NumError::ZeroDivision(msg));
    }
    // i64::MIN // -1 is the only overflowing quotient; its remainder is 0.
    let Some(mut q) = a.checked_div(b) else {
        return overflow();
    };
    let mut r = a.wrapping_rem(b);
    if r != 0 && ((r < 0) != (b < 0)) {
        q -= 1;
        r += b;
    }
    Ok((q, r))
}

/// `a / b` for ints: the correctly rounded quotient, as CPython computes it (not
/// `a as f64 / b as f64`, which rounds twice for operands beyond 2**53).
///
/// ```
/// use vm::text::numeric::int_truediv;
/// assert_eq!(int_truediv(1, 3), Ok(1.0 / 3.0));
/// assert_eq!(int_truediv(9007199254740993, 1), Ok(9007199254740992.0));
/// assert_eq!(int_truediv(i64::MAX, i64::MAX - 1), Ok(1.0));
/// ```
pub fn int_truediv(a: i64, b: i64) -> Result<f64, NumError> {
    if b == 0 {
        return Err(NumError::ZeroDivision("division by zero"));
    }
    let negative = (a < 0) != (b < 0);
    let n = a.unsigned_abs();
    let d = b.unsigned_abs();
    if n == 0 {
        return Ok(if negative { -0.0 } else { 0.0 });
    }
    const EXACT: u64 = 1 << 53;
    let magnitude = if n <= EXACT && d <= EXACT {
        // Both operands are exact doubles: IEEE division rounds once.
        n as f64 / d as f64
    } else {
        // Scale the numerator so the integer quotient has at least 55 bits, fold a
        // non-zero remainder into a sticky bit, round once to 53 bits, and scale back
        // (exactly, by a power of two).
        let bits = |x: u64| 64 - x.leading_zeros() as i32;
        let k = (56 + bits(d) - bits(n)).max(0) as u32;
        let num = (n as u128) << k;
        let mut q = num / d as u128;
        if !num.is_multiple_of(d as u128) {
            q |= 1;
        }
        q as f64 * 2f64.powi(-(k as i32))
    };
    Ok(if negative { -magnitude } else { magnitude })
}

/// `base ** exp` for ints: an int for `exp >= 0`, a float for a negative exponent
/// (`0 ** -1` raises ZeroDivisionError, as in CPython).
///
/// ```
/// use vm::text::numeric::{int_pow, IntOrFloat, NumError, INT_OVERFLOW};
/// assert_eq!(int_pow(2, 10), Ok(IntOrFloat::Int(1024)));
/// assert_eq!(int_pow(2, -1), Ok(IntOrFloat::Float(0.5)));
/// assert_eq!(int_pow(2, 64), Err(NumError::Overflow(INT_OVERFLOW)));
/// ```
pub fn int_pow(base: i64, exp: i64) -> Result<IntOrFloat, NumError> {
    if exp < 0 {
        return float_pow(base as f64, exp as f64).map(IntOrFloat::Float);
    }
    match base {
        0 => return Ok(IntOrFloat::Int(if exp == 0 { 1 } else { 0 })),
        1 => return Ok(IntOrFloat::Int(1)),
        -1 => return Ok(IntOrFloat::Int(if exp % 2 == 0 { 1 } else { -1 })),
        _ => {}
    }
    let Ok(e) = u32::try_from(exp) else {
        return overflow();
    };
    base.checked_pow(e)
        .map(IntOrFloat::Int)
        .map_or_else(overflow, Ok)
}

/// `a << n`.
pub fn int_lshift(a: i64, n: i64) -> Result<i64, NumError> {
    if n < 0 {
        return Err(NumError::Value("negative shift count".into()));
    }
    if a == 0 {
        return Ok(0);
    }
    if n >= 64 {
        return overflow();
    }
    let r = a << n;
    if r >> n == a { Ok(r) } else { overflow() }
}

/// `a >> n` (arithmetic: rounds towards negative infinity).
pub fn int_rshift(a: i64, n: i64) -> Result<i64, NumError> {
    if n < 0 {
        return Err(NumError::Value("negative shift count".into()));
    }
    Ok(if n >= 64 {
        if a < 0 { -1 } else { 0 }
    } else {
        a >> n
    })
}

/// `a / b` for floats.
pub fn float_truediv(a: f64, b: f64) -> Result<f64, NumError> {
    if b == 0.0 {
        return Err(NumError::ZeroDivision("float division by zero"));
    }
    Ok(a / b)
}

/// CPython's float divmod: the remainder has the sign of `b` (a zero remainder too), the
/// quotient is `(a - r) / b` floored, nudged up when that division came out just below an
/// integer.
fn float_divmod_inner(a: f64, b: f64) -> (f64, f64) {
    let mut r = a % b; // C's fmod: exact, sign of a.
    let mut q = (a - r) / b;
    if r != 0.0 {
        if (b < 0.0) != (r < 0.0) {
            r += b;
            q -= 1.0;
        }
    } else {
        r = 0f64.copysign(b);
    }
    let floor = if q != 0.0 {
        let f = q.floor();
        if q - f > 0.5 { f + 1.0 } else { f }
    } else {
        0f64.copysign(a / b)
    };
    (floor, r)
}

/// `a // b` for floats.
pub fn float_floordiv(a: f64, b: f64) -> Result<f64, NumError> {
    if b == 0.0 {
        return Err(NumError::ZeroDivision("float floor division by zero"));
    }
    Ok(float_divmod_inner(a, b).0)
}

/// `a % b` for floats (the result has the sign of `b`).
pub fn float_mod(a: f64, b: f64) -> Result<f64, NumError> {
    if b == 0.0 {
        return Err(NumError::ZeroDivision("float modulo"));
    }
    Ok(float_divmod_inner(a, b).1)
}

/// `divmod(a, b)` for floats.
pub fn float_divmod(a: f64, b: f64) -> Result<(f64, f64), NumError> {
    if b == 0.0 {
        return Err(NumError::ZeroDivision("float divmod()"));
    }
    Ok(float_divmod_inner(a, b))
}

/// The message for a negative float raised to a non-integer power: CPython returns a
/// complex number, pymem has no complex type yet.
pub const NO_COMPLEX: &str = "pymem does not support complex numbers yet";

/// `x ** y` for floats. C's `pow` already follows CPython for the special values (`1 ** nan`,
/// `(-1) ** inf`, `x ** 0`); the errors are CPython's: `0.0 ** -1` ZeroDivisionError,
/// overflow `OverflowError: (34, 'Numerical result out of range')`, and a negative finite
/// base with a non-integer exponent, which CPython answers with a complex number, is
/// `ValueError` ([`NO_COMPLEX`]).
///
/// ```
/// use vm::text::numeric::{float_pow, NumError};
/// assert_eq!(float_pow(2.0, 0.5), Ok(2f64.sqrt()));
/// assert_eq!(float_pow(0.0, -1.0),
///            Err(NumError::ZeroDivision("0.0 cannot be raised to a negative power")));
/// assert!(matches!(float_pow(-8.0, 1.0 / 3.0), Err(NumError::Value(_))));
/// ```
pub fn float_pow(x: f64, y: f64) -> Result<f64, NumError> {
    if y == 0.0 {
        return Ok(1.0);
    }
    if x == 0.0 && y < 0.0 && y.is_finite() {
        return Err(NumError::ZeroDivision(
            "0.0 cannot be raised to a negative power",
        ));
    }
    if x.is_finite() && x < 0.0 && y.is_finite() && y.fract() != 0.0 {
        return Err(NumError::Value(NO_COMPLEX.into()));
    }
    let r = x.powf(y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(NumError::Overflow("(34, 'Numerical result out of range')"));
    }
    Ok(r)
}

/// `float.is_integer()`.
pub fn float_is_integer(x: f64) -> bool {
    x.is_finite() && x.trunc() == x
}

/// `int(x)` for a float: truncation towards zero.
///
/// ```
/// use vm::text::numeric::{float_to_int, NumError};
/// assert_eq!(float_to_int(-2.7), Ok(-2));
/// assert_eq!(float_to_int(f64::INFINITY),
///            Err(NumError::Overflow("cannot convert float infinity to integer")));
/// ```
pub fn float_to_int(x: f64) -> Result<i64, NumError> {
    if x.is_nan() {
        return Err(NumError::Value(
            "cannot convert float NaN to integer".into(),
        ));
    }
    if x.is_infinite() {
        return Err(NumError::Overflow(
            "cannot convert float infinity to integer",
        ));
    }
    let t = x.trunc();
    // [-2**63, 2**63) is exactly the range of i64.
    if (-9223372036854775808.0..9223372036854775808.0).contains(&t) {
        Ok(t as i64)
    } else {
        overflow()
    }
}

/// `round(x)` (`ndigits` `None`: an int, ties to even) and `round(x, n)` (a float: the
/// exact binary value rounded to `n` decimal places, ties to even, as CPython's
/// correctly rounded implementation does; `n` may be negative).
///
/// ```
/// use vm::text::numeric::{float_round, IntOrFloat};
/// assert_eq!(float_round(2.5, None), Ok(IntOrFloat::Int(2)));
/// assert_eq!(float_round(0.125, Some(2)), Ok(IntOrFloat::Float(0.12)));
/// assert_eq!(float_round(2.675, Some(2)), Ok(IntOrFloat::Float(2.67)));
/// assert_eq!(float_round(15.0, Some(-1)), Ok(IntOrFloat::Float(20.0)));
/// ```
pub fn float_round(x: f64, ndigits: Option<i64>) -> Result<IntOrFloat, NumError> {
    let Some(n) = ndigits else {
        return float_to_int(x.round_ties_even()).map(IntOrFloat::Int);
    };
    if !x.is_finite() || x == 0.0 {
        return Ok(IntOrFloat::Float(x));
    }
    // Beyond these, every double is already a multiple of 10**-n, or rounds to zero.
    if n > 323 {
        return Ok(IntOrFloat::Float(x));
    }
    if n < -308 {
        return Ok(IntOrFloat::Float(0.0 * x));
    }
    let r = if n >= 0 {
        format!("{:.*}", n as usize, x)
            .parse::<f64>()
            .expect("Rust's fixed notation parses")
    } else {
        round_to_tens(x, (-n) as usize)
    };
    if r.is_infinite() {
        return Err(NumError::Overflow("rounded value too large to represent"));
    }
    Ok(IntOrFloat::Float(r))
}

/// Rounds `x` to a multiple of `10**places`, ties to even, from its exact decimal digits.
fn round_to_tens(x: f64, places: usize) -> f64 {
    let t = x.abs().trunc();
    let has_fraction = t != x.abs();
    let int_digits = format!("{t:.0}"); // exact: t is an integer
    let sign = if x < 0.0 { "-" } else { "" };
    if int_digits.len() < places {
        // |x| < 10**(places-1) < half a unit: rounds to zero.
        return format!("{sign}0").parse().expect("zero parses");
    }
    let split = int_digits.len() - places;
    let (head, tail) = int_digits.split_at(split);
    let tail = tail.as_bytes();
    // Compare the dropped part with half a unit.
    let first = tail[0];
    let rest_nonzero = tail[1..].iter().any(|&c| c != b'0') || has_fraction;
    let last_head_odd = head.bytes().last().is_some_and(|c| (c - b'0') % 2 == 1);
    let up = first > b'5' || (first == b'5' && (rest_nonzero || last_head_odd));
    let mut digits: Vec<u8> = if head.is_empty() {
        vec![b'0']
    } else {
        head.as_bytes().to_vec()
    };
    if up {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let s = format!(
        "{sign}{}e{places}",
        String::from_utf8(digits).expect("ASCII digits")
    );
    s.parse().expect("decimal digits parse")
}

/// `round(i, ndigits)` for an int: unchanged unless `ndigits` is negative, then rounded to
/// a multiple of `10**-ndigits`, ties to even.
///
/// ```
/// use vm::text::numeric::int_round;
/// assert_eq!(int_round(25, Some(-1)), Ok(20));
/// assert_eq!(int_round(35, Some(-1)), Ok(40));
/// assert_eq!(int_round(-1250, Some(-2)), Ok(-1200));
/// ```
pub fn int_round(i: i64, ndigits: Option<i64>) -> Result<i64, NumError> {
    let n = match ndigits {
        Some(n) if n < 0 => n.unsigned_abs(),
        _ => return Ok(i),
    };
    if n > 19 {
        return Ok(0);
    }
    let p = 10i128.pow(n as u32);
    let v = i as i128;
    let mut q = v.div_euclid(p);
    let r = v.rem_euclid(p);
    if 2 * r > p || (2 * r == p && q % 2 != 0) {
        q += 1;
    }
    i64::try_from(q * p).map_or_else(|_| overflow(), Ok)
}

/// Compares an int with a float exactly (CPython compares the mathematical values, so
/// `2**53 + 1 > 2.0**53` although `(2**53 + 1) as f64 == 2.0**53`). `None` for NaN.
///
/// ```
/// use std::cmp::Ordering;
/// use vm::text::numeric::cmp_int_float;
/// assert_eq!(cmp_int_float(9007199254740993, 9007199254740992.0), Some(Ordering::Greater));
/// assert_eq!(cmp_int_float(1, f64::NAN), None);
/// ```
pub fn cmp_int_float(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f >= 9223372036854775808.0 {
        return Some(Ordering::Less);
    }
    if f < -9223372036854775808.0 {
        return Some(Ordering::Greater);
    }
    let t = f.trunc();
    match i.cmp(&(t as i64)) {
        Ordering::Equal => 0.0f64.partial_cmp(&(f - t)),
        other => Some(other),
    }
}

/// The modulus of CPython's numeric hash, `2**61 - 1`.
pub const HASH_MODULUS: u64 = (1 << 61) - 1;

/// `hash(x)` of an infinity (negated for `-inf`).
pub const HASH_INF: i64 = 314159;

/// `hash(i)`: `i` modulo `2**61 - 1` with the sign of `i`, and `-1` (the C API's error
/// value) mapped to `-2`.
///
/// ```
/// use vm::text::numeric::hash_int;
/// assert_eq!(hash_int(-1), -2);
/// assert_eq!(hash_int(2305843009213693951), 0);
/// ```
pub fn hash_int(i: i64) -> i64 {
    let h = (i.unsigned_abs() % HASH_MODULUS) as i64;
    let h = if i < 0 { -h } else { h };
    if h == -1 { -2 } else { h }
}

/// `hash(x)` of a float: the hash of the exact rational value modulo `2**61 - 1`, so an
/// integral float hashes like the equal int; `±inf` is `±314159`; a NaN hashes by object
/// identity in CPython 3.11 (`identity` is the object's address, rotated as CPython
/// rotates pointers).
///
/// ```
/// use vm::text::numeric::{hash_float, hash_int};
/// assert_eq!(hash_float(3.0, 0), hash_int(3));
/// assert_eq!(hash_float(0.5, 0), 1152921504606846976);
/// ```
pub fn hash_float(x: f64, identity: usize) -> i64 {
    if x.is_nan() {
        let h = identity.rotate_right(4) as i64;
        return if h == -1 { -2 } else { h };
    }
    if x.is_infinite() {
        return if x > 0.0 { HASH_INF } else { -HASH_INF };
    }
    if x == 0.0 {
        return 0;
    }
    // |x| = m * 2**e with an integer m < 2**53; since 2**61 ≡ 1 (mod 2**61 - 1),
    // 2**e ≡ 2**(e mod 61).
    let bits = x.abs().to_bits();
    let biased = (bits >> 52) as i64;
    let frac = bits & ((1 << 52) - 1);
    let (m, e) = if biased == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), biased - 1075)
    };
    let k = e.rem_euclid(61) as u32;
    let h = ((m as u128) << k) % HASH_MODULUS as u128;
    let h = if x < 0.0 { -(h as i64) } else { h as i64 };
    if h == -1 { -2 } else { h }
}

/// `hash(t)` of a tuple, from the hashes of its items (CPython 3.11's xxHash-based
/// combination).
///
/// ```
/// use vm::text::numeric::hash_tuple;
/// assert_eq!(hash_tuple(&[]), 5740354900026072187);
/// assert_eq!(hash_tuple(&[1, 2, 3]), 529344067295497451);
/// ```
pub fn hash_tuple(item_hashes: &[i64]) -> i64 {
    const P1: u64 = 11400714785074694791;
    const P2: u64 = 14029467366897019727;
    const P5: u64 = 2870177450012600261;
    let mut acc = P5;
    for &h in item_hashes {
        acc = acc.wrapping_add((h as u64).wrapping_mul(P2));
        acc = acc.rotate_left(31);
        acc = acc.wrapping_mul(P1);
    }
    acc = acc.wrapping_add(item_hashes.len() as u64 ^ (P5 ^ 3527539));
    if acc == u64::MAX {
        return 1546275796;
    }
    acc as i64
}
