//! Python's format-spec mini-language (`format(value, spec)`, f-string `{x:spec}`) for
//! `int`, `float` and `str`, with CPython 3.11's output and error messages.
//!
//! Grammar: `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`.
//!
//! Parsing ([`FormatSpec::parse`]) reports only the errors CPython reports while parsing;
//! the `format_*` functions report the per-type ones, in CPython's order (grouping with the
//! type, then the presentation type, then precision/sign/`z`/`#`/`=` restrictions).
//!
//! Known gaps: the `n` type uses the C locale (no grouping, `.` point), as CPython does
//! unless a program calls `locale.setlocale`; a huge width is not refused (CPython raises
//! `MemoryError` only when the allocation fails).
//!
//! ```
//! use vm::text::format_spec::{FormatSpec, format_float, format_int, format_str};
//! let spec = FormatSpec::parse("+010,.2f").unwrap();
//! assert_eq!(format_float(-1234.5, &spec).unwrap(), "-01,234.50");
//! assert_eq!(format_int(255, &FormatSpec::parse("#x").unwrap()).unwrap(), "0xff");
//! assert_eq!(format_str("ab", &FormatSpec::parse("*^6").unwrap()).unwrap(), "**ab**");
//! let err = FormatSpec::parse_for_type("d.", "int").unwrap_err();
//! assert_eq!(err.to_string(), "Invalid format specifier 'd.' for object of type 'int'");
//! ```

use std::fmt;

use super::float_repr::{positional, rounded_digits, scientific, shortest_digits};

/// Alignment of the value within the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// `<`: left.
    Left,
    /// `>`: right.
    Right,
    /// `^`: centred (the extra fill character goes right).
    Center,
    /// `=`: padding between the sign/prefix and the digits (numbers only).
    AfterSign,
}

/// The sign option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    /// `+`: a sign for positive numbers too.
    Plus,
    /// `-`: a sign for negative numbers only (the default).
    Minus,
    /// ` `: a space for positive numbers.
    Space,
}

/// A parsed format spec. Fields are `None`/`false` when the spec leaves them out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FormatSpec {
    /// The fill character, when given explicitly before an alignment.
    pub fill: Option<char>,
    /// The alignment, when given.
    pub align: Option<Align>,
    /// The sign option, when given.
    pub sign: Option<Sign>,
    /// `z`: coerce a negative zero (after rounding) to positive zero.
    pub no_neg_zero: bool,
    /// `#`: the alternate form.
    pub alternate: bool,
    /// The `0` flag without an explicit fill: fill with `0`, and for numbers without an
    /// explicit alignment, pad after the sign (`=`).
    pub zero_pad: bool,
    /// The minimum field width, in characters.
    pub width: Option<usize>,
    /// The thousands separator: `,` or `_`.
    pub grouping: Option<char>,
    /// The precision.
    pub precision: Option<usize>,
    /// The presentation type character.
    pub ty: Option<char>,
}

/// A formatting error: the exception CPython raises and its exact message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// `ValueError` with this message.
    Value(String),
    /// `OverflowError` with this message (`%c arg not in range(0x110000)`).
    Overflow(String),
    /// `ValueError: Invalid format specifier '<spec>' for object of type '<type>'`. The type
    /// name is unknown to [`FormatSpec::parse`]; fill it with [`FormatError::for_type`]
    /// (without it the message stops after the quoted spec).
    InvalidSpecifier {
        /// The whole format spec.
        spec: String,
        /// The type name of the formatted object.
        type_name: Option<String>,
    },
}

impl FormatError {
    /// The Python exception class name: `ValueError` or `OverflowError`.
    pub fn exception_name(&self) -> &'static str {
        match self {
            FormatError::Overflow(_) => "OverflowError",
            _ => "ValueError",
        }
    }

    /// Names the formatted object's type in an [`FormatError::InvalidSpecifier`] error
    /// (other errors are returned unchanged).
    pub fn for_type(self, type_name: &str) -> Self {
        match self {
            FormatError::InvalidSpecifier { spec, .. } => FormatError::InvalidSpecifier {
                spec,
                type_name: Some(type_name.to_string()),
            },
            other => other,
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Value(m) | FormatError::Overflow(m) => f.write_str(m),
            FormatError::InvalidSpecifier {
                spec,
                type_name: Some(t),
            } => {
                write!(
                    f,
                    "Invalid format specifier '{spec}' for object of type '{t}'"
                )
            }
            FormatError::InvalidSpecifier {
                spec,
                type_name: None,
            } => {
                write!(f, "Invalid format specifier '{spec}'")
            }
        }
    }
}

impl std::error::Error for FormatError {}

fn value_err(m: impl Into<String>) -> FormatError {
    FormatError::Value(m.into())
}

fn align_of(c: char) -> Option<Align> {
    match c {
        '<' => Some(Align::Left),
        '>' => Some(Align::Right),
        '^' => Some(Align::Center),
        '=' => Some(Align::AfterSign),
        _ => None,
    }
}

/// A type character as CPython quotes it in messages: itself when printable ASCII,
/// `\x..` (unpadded lowercase hex) otherwise.
fn quoted_type(c: char) -> String {
    if (c as u32) > 32 && (c as u32) < 128 {
        c.to_string()
    } else {
        format!("\\x{:x}", c as u32)
    }
}

fn unknown_code(c: char, type_name: &str) -> FormatError {
    value_err(format!(
        "Unknown format code '{}' for object of type '{type_name}'",
        quoted_type(c)
    ))
}

impl FormatSpec {
    /// Parses a format spec. The only error needing the object's type,
    /// [`FormatError::InvalidSpecifier`], is returned without it: see
    /// [`FormatSpec::parse_for_type`].
    ///
    /// ```
    /// use vm::text::format_spec::{Align, FormatSpec};
    /// let s = FormatSpec::parse("*<+#012_.3e").unwrap();
    /// assert_eq!((s.fill, s.align, s.width, s.grouping, s.precision, s.ty),
    ///            (Some('*'), Some(Align::Left), Some(12), Some('_'), Some(3), Some('e')));
    /// assert_eq!(FormatSpec::parse(",_").unwrap_err().to_string(),
    ///            "Cannot specify both ',' and '_'.");
    /// ```
    pub fn parse(spec: &str) -> Result<FormatSpec, FormatError> {
        let chars: Vec<char> = spec.chars().collect();
        let mut pos = 0;
        let mut out = FormatSpec::default();
        if chars.len() >= 2
            && let Some(a) = align_of(chars[1])
        {
            out.fill = Some(chars[0]);
            out.align = Some(a);
            pos = 2;
        } else if let Some(a) = chars.first().copied().and_then(align_of) {
            out.align = Some(a);
            pos = 1;
        }
        match chars.get(pos) {
            Some('+') => out.sign = Some(Sign::Plus),
            Some('-') => out.sign = Some(Sign::Minus),
            Some(' ') => out.sign = Some(Sign::Space),
            _ => {}
        }
        if out.sign.is_some() {
            pos += 1;
        }
        if chars.get(pos) == Some(&'z') {
            out.no_neg_zero = true;
            pos += 1;
        }
        if chars.get(pos) == Some(&'#') {
            out.alternate = true;
            pos += 1;
        }
        if out.fill.is_none() && chars.get(pos) == Some(&'0') {
            out.zero_pad = true;
            pos += 1;
        }
        out.width = read_number(&chars, &mut pos)?;
        if let Some(&c @ (',' | '_')) = chars.get(pos) {
            out.grouping = Some(c);
            pos += 1;
            match chars.get(pos) {
                Some(&d @ (',' | '_')) if d == c => {
                    return Err(value_err(format!("Cannot specify '{c}' with '{c}'.")));
                }
                Some(',' | '_') => {
                    return Err(value_err("Cannot specify both ',' and '_'."));
                }
                _ => {}
            }
        }
        if chars.get(pos) == Some(&'.') {
            pos += 1;
            out.precision = read_number(&chars, &mut pos)?;
            if out.precision.is_none() {
                return Err(value_err("Format specifier missing precision"));
            }
        }
        match chars.len() - pos {
            0 => {}
            1 => out.ty = Some(chars[pos]),
            _ => {
                return Err(FormatError::InvalidSpecifier {
                    spec: spec.to_string(),
                    type_name: None,
                });
            }
        }
        Ok(out)
    }

    /// [`FormatSpec::parse`] for an object of type `type_name` (`"int"`, `"float"`,
    /// `"str"`, ...), so that every error message is complete.
    pub fn parse_for_type(spec: &str, type_name: &str) -> Result<FormatSpec, FormatError> {
        FormatSpec::parse(spec).map_err(|e| e.for_type(type_name))
    }

    /// CPython's check of the thousands separator against the presentation type (or the
    /// object's default type), done before anything else when formatting.
    fn check_grouping(&self, default_ty: Option<char>) -> Result<(), FormatError> {
        let Some(g) = self.grouping else {
            return Ok(());
        };
        let ty = self.ty.or(default_ty);
        let ok = match ty {
            None | Some('d' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F') => true,
            Some('b' | 'o' | 'x' | 'X') => g == '_',
            _ => false,
        };
        if ok {
            return Ok(());
        }
        let t = ty.map(quoted_type).unwrap_or_default();
        Err(value_err(format!("Cannot specify '{g}' with '{t}'.")))
    }
}

/// Reads a decimal number at `pos`; `None` when there are no digits.
fn read_number(chars: &[char], pos: &mut usize) -> Result<Option<usize>, FormatError> {
    let start = *pos;
    let mut n: usize = 0;
    while let Some(d) = chars.get(*pos).and_then(|c| c.to_digit(10)) {
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(d as usize))
            .filter(|n| *n <= isize::MAX as usize)
            .ok_or_else(|| value_err("Too many decimal digits in format string"))?;
        *pos += 1;
    }
    Ok((*pos > start).then_some(n))
}

/// A number laid out in parts before padding.
struct NumberParts {
    /// `-`, `+`, ` ` or empty.
    sign: &'static str,
    /// `0x` and the like.
    prefix: &'static str,
    /// The leading run of ASCII digits (grouped, and zero-filled for `0=` padding).
    digits: String,
    /// Everything after the digits: fraction, exponent, `%`, or `inf`/`nan`.
    rest: String,
}

/// Groups `digits` with `sep` every `every` digits from the right, filling with leading
/// zeros until at least `min_width` characters (never starting with a separator).
fn group_digits(digits: &str, sep: Option<char>, every: usize, min_width: usize) -> String {
    let src = digits.as_bytes();
    let mut rev: Vec<char> = Vec::with_capacity(min_width.max(src.len() * 2));
    let mut i = src.len();
    let mut in_group = 0;
    loop {
        if i == 0 && rev.len() >= min_width {
            break;
        }
        if in_group == every {
            if let Some(s) = sep {
                rev.push(s);
            }
            in_group = 0;
        }
        if i > 0 {
            i -= 1;
            rev.push(src[i] as char);
        } else {
            rev.push('0');
        }
        in_group += 1;
    }
    rev.iter().rev().collect()
}

/// Pads `s` (of `len` characters) to `width` with `fill` per `align`.
fn pad(s: &str, len: usize, width: Option<usize>, fill: char, align: Align) -> String {
    let total = width.unwrap_or(0).max(len);
    let n = total - len;
    let (left, right) = match align {
        Align::Left => (0, n),
        Align::Center => (n / 2, n - n / 2),
        Align::Right | Align::AfterSign => (n, 0),
    };
    let mut out = String::with_capacity(s.len() + n);
    out.extend(std::iter::repeat_n(fill, left));
    out.push_str(s);
    out.extend(std::iter::repeat_n(fill, right));
    out
}

/// Assembles sign, prefix, grouped digits and the rest, then pads to the width.
fn finish_number(parts: NumberParts, spec: &FormatSpec, every: usize) -> String {
    let fill = spec.fill.unwrap_or(if spec.zero_pad { '0' } else { ' ' });
    let align = spec.align.unwrap_or(if spec.zero_pad {
        Align::AfterSign
    } else {
        Align::Right
    });
    let sep = if spec.ty == Some('n') {
        None
    } else {
        spec.grouping
    };
    let fixed = parts.sign.len() + parts.prefix.len() + parts.rest.chars().count();
    let digits = if parts.digits.is_empty() {
        String::new()
    } else {
        let min = if fill == '0' && align == Align::AfterSign {
            spec.width.unwrap_or(0).saturating_sub(fixed)
        } else {
            0
        };
        group_digits(&parts.digits, sep, every, min)
    };
    let len = fixed + digits.len();
    if align == Align::AfterSign {
        let head = format!("{}{}", parts.sign, parts.prefix);
        let body = format!("{digits}{}", parts.rest);
        let n = spec.width.unwrap_or(0).saturating_sub(len);
        let mut out = head;
        out.extend(std::iter::repeat_n(fill, n));
        out.push_str(&body);
        out
    } else {
        let s = format!("{}{}{digits}{}", parts.sign, parts.prefix, parts.rest);
        pad(&s, len, spec.width, fill, align)
    }
}

fn sign_str(negative: bool, sign: Option<Sign>) -> &'static str {
    match (negative, sign) {
        (true, _) => "-",
        (false, Some(Sign::Plus)) => "+",
        (false, Some(Sign::Space)) => " ",
        (false, _) => "",
    }
}

/// `format(v, spec)` for an `int` (also used for `bool` with a non-empty spec).
/// The float presentation types (`e E f F g G %`) format `v` as a float, as CPython does.
///
/// ```
/// use vm::text::format_spec::{FormatSpec, format_int};
/// let f = |v, s| format_int(v, &FormatSpec::parse(s).unwrap()).map_err(|e| e.to_string());
/// assert_eq!(f(1234, "08,").unwrap(), "0,001,234");
/// assert_eq!(f(255, "#010_x").unwrap(), "0x000_00ff");
/// assert_eq!(f(3, "f").unwrap(), "3.000000");
/// assert_eq!(f(3, ".2").unwrap_err(), "Precision not allowed in integer format specifier");
/// ```
pub fn format_int(v: i64, spec: &FormatSpec) -> Result<String, FormatError> {
    spec.check_grouping(Some('d'))?;
    let ty = match spec.ty {
        None => 'd',
        Some(t @ ('b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n')) => t,
        Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%') => return format_float(v as f64, spec),
        Some(t) => return Err(unknown_code(t, "int")),
    };
    if spec.precision.is_some() {
        return Err(value_err(
            "Precision not allowed in integer format specifier",
        ));
    }
    if spec.no_neg_zero {
        return Err(value_err(
            "Negative zero coercion (z) not allowed in integer format specifier",
        ));
    }
    if ty == 'c' {
        if spec.sign.is_some() {
            return Err(value_err(
                "Sign not allowed with integer format specifier 'c'",
            ));
        }
        if spec.alternate {
            return Err(value_err(
                "Alternate form (#) not allowed with integer format specifier 'c'",
            ));
        }
        let c = u32::try_from(v)
            .ok()
            .filter(|c| *c < 0x110000)
            .ok_or_else(|| FormatError::Overflow("%c arg not in range(0x110000)".into()))?;
        // Lone surrogates cannot be a Rust char; pymem's str has no surrogates either.
        let ch = char::from_u32(c).unwrap_or('\u{FFFD}');
        let parts = NumberParts {
            sign: "",
            prefix: "",
            digits: String::new(),
            rest: ch.to_string(),
        };
        return Ok(finish_number(parts, spec, 3));
    }
    let a = v.unsigned_abs();
    let (digits, prefix, every) = match ty {
        'b' => (format!("{a:b}"), "0b", 4),
        'o' => (format!("{a:o}"), "0o", 4),
        'x' => (format!("{a:x}"), "0x", 4),
        'X' => (format!("{a:X}"), "0X", 4),
        _ => (a.to_string(), "", 3),
    };
    let parts = NumberParts {
        sign: sign_str(v < 0, spec.sign),
        prefix: if spec.alternate { prefix } else { "" },
        digits,
        rest: String::new(),
    };
    Ok(finish_number(parts, spec, every))
}

/// The body (no sign) of a finite non-negative float in presentation type `ty`
/// (`e E f F g G %`, `n` as `g`, or `None` for the spec without a type).
fn float_body(x: f64, ty: Option<char>, precision: Option<usize>, alt: bool) -> String {
    match ty {
        Some('f' | 'F') => {
            let mut s = format!("{:.*}", precision.unwrap_or(6), x);
            if alt && x.is_finite() && !s.contains('.') {
                s.push('.');
            }
            s
        }
        Some('%') => {
            let mut s = float_body(x * 100.0, Some('f'), precision, alt);
            s.push('%');
            s
        }
        Some(e @ ('e' | 'E')) => {
            let p = precision.unwrap_or(6);
            let (digits, exp) = rounded_digits(x, p + 1);
            scientific(&digits, exp, e, alt)
        }
        None if precision.is_none() => {
            // repr-style: shortest digits, positional within -4..16.
            let (digits, exp) = shortest_digits(x);
            if (-4..16).contains(&exp) {
                let mut s = positional(&digits, exp);
                if !s.contains('.') {
                    s.push_str(".0");
                }
                s
            } else {
                scientific(&digits, exp, 'e', alt)
            }
        }
        _ => {
            // g, G, n, and no type with a precision.
            let upper = ty == Some('G');
            let p = precision.unwrap_or(6).max(1);
            let (digits, exp) = rounded_digits(x, p);
            // Without a type the switch to scientific notation comes one digit earlier,
            // and positional results always show a fractional digit.
            let limit = if ty.is_none() { p as i32 - 1 } else { p as i32 };
            let (mut mantissa, exponent) = if exp < -4 || exp >= limit {
                let m = &digits[..1];
                let f = &digits[1..];
                (format!("{m}.{f}"), Some(exp))
            } else {
                let s = positional(&digits, exp);
                (if s.contains('.') { s } else { format!("{s}.") }, None)
            };
            if !alt {
                let trimmed = mantissa.trim_end_matches('0').trim_end_matches('.');
                mantissa.truncate(trimmed.len());
                if ty.is_none() && exponent.is_none() && !mantissa.contains('.') {
                    mantissa.push_str(".0");
                }
            }
            if let Some(exp) = exponent {
                super::float_repr::push_exponent(&mut mantissa, if upper { 'E' } else { 'e' }, exp);
            }
            mantissa
        }
    }
}

/// `format(v, spec)` for a `float`.
///
/// ```
/// use vm::text::format_spec::{FormatSpec, format_float};
/// let f = |v, s| format_float(v, &FormatSpec::parse(s).unwrap()).unwrap();
/// assert_eq!(f(2.675, ".2f"), "2.67");
/// assert_eq!(f(1234567.0, "g"), "1.23457e+06");
/// assert_eq!(f(100.0, ".3"), "1e+02");
/// assert_eq!(f(0.5, ".0%"), "50%");
/// assert_eq!(f(-0.0001, "z.2f"), "0.00");
/// ```
pub fn format_float(v: f64, spec: &FormatSpec) -> Result<String, FormatError> {
    spec.check_grouping(None)?;
    match spec.ty {
        None | Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%') => {}
        Some(t) => return Err(unknown_code(t, "float")),
    }
    if spec.precision.is_some_and(|p| p > i32::MAX as usize) {
        return Err(value_err("precision too big"));
    }
    let upper = matches!(spec.ty, Some('E' | 'F' | 'G'));
    let (negative, rest, digits) = if v.is_finite() {
        let mut body = float_body(v.abs(), spec.ty, spec.precision, spec.alternate);
        let mut negative = v.is_sign_negative();
        if negative && spec.no_neg_zero {
            let mantissa = body.split(['e', 'E']).next().unwrap_or("");
            if !mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
                negative = false;
            }
        }
        if upper {
            body = body.to_uppercase();
        }
        let n = body.bytes().take_while(u8::is_ascii_digit).count();
        let rest = body.split_off(n);
        (negative, rest, body)
    } else {
        let mut s = if v.is_nan() { "nan" } else { "inf" }.to_string();
        if upper {
            s = s.to_uppercase();
        }
        if spec.ty == Some('%') {
            s.push('%');
        }
        (v.is_sign_negative() && v.is_infinite(), s, String::new())
    };
    let parts = NumberParts {
        sign: sign_str(negative, spec.sign),
        prefix: "",
        digits,
        rest,
    };
    Ok(finish_number(parts, spec, 3))
}

/// `format(v, spec)` for a `str`: precision truncates, width pads (left-aligned by
/// default); lengths count characters.
///
/// ```
/// use vm::text::format_spec::{FormatSpec, format_str};
/// let f = |s| format_str("héllo", &FormatSpec::parse(s).unwrap()).map_err(|e| e.to_string());
/// assert_eq!(f(">8").unwrap(), "   héllo");
/// assert_eq!(f("7.2").unwrap(), "hé     ");
/// assert_eq!(f("+").unwrap_err(), "Sign not allowed in string format specifier");
/// ```
pub fn format_str(v: &str, spec: &FormatSpec) -> Result<String, FormatError> {
    spec.check_grouping(Some('s'))?;
    match spec.ty {
        None | Some('s') => {}
        Some(t) => return Err(unknown_code(t, "str")),
    }
    match spec.sign {
        Some(Sign::Space) => {
            return Err(value_err("Space not allowed in string format specifier"));
        }
        Some(_) => return Err(value_err("Sign not allowed in string format specifier")),
        None => {}
    }
    if spec.no_neg_zero {
        return Err(value_err(
            "Negative zero coercion (z) not allowed in string format specifier",
        ));
    }
    if spec.alternate {
        return Err(value_err(
            "Alternate form (#) not allowed in string format specifier",
        ));
    }
    if spec.align == Some(Align::AfterSign) {
        return Err(value_err(
            "'=' alignment not allowed in string format specifier",
        ));
    }
    let s: String = match spec.precision {
        Some(p) => v.chars().take(p).collect(),
        None => v.to_string(),
    };
    let len = s.chars().count();
    let fill = spec.fill.unwrap_or(if spec.zero_pad { '0' } else { ' ' });
    Ok(pad(
        &s,
        len,
        spec.width,
        fill,
        spec.align.unwrap_or(Align::Left),
    ))
}
