//! `repr(str)`, `int(str)`, `float(str)` and `str` methods whose rules are subtle, as
//! CPython 3.11 has them.
//!
//! Approximations (documented where they apply): Python's `str.isprintable` and
//! case tables come from its own Unicode 14 database; here they come from Rust's `char`
//! methods plus short hand-written lists, so unassigned code points (Python: not
//! printable) count as printable, and a few title-case special cases are missing. Only
//! ASCII digits are accepted by [`parse_int`] and [`parse_float`] (CPython also accepts
//! other Unicode decimal digits).

use super::numeric::{INT_OVERFLOW, NumError};

/// Python's `str.isspace()` for one character (`str.split()`/`strip()` whitespace):
/// Unicode White_Space plus the ASCII separators `\x1c`..`\x1f`.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// The whitespace `int()` and `float()` skip around a number: ASCII `" \t\n\v\f\r"`
/// (not `\x1c`..`\x1f`, unlike `str.strip()`), and any non-ASCII [`is_space`] character.
pub fn is_number_space(c: char) -> bool {
    if c.is_ascii() {
        matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
    } else {
        is_space(c)
    }
}

/// Python's `str.isprintable()` for one character: not a control, format, private-use,
/// surrogate or unassigned character, nor a separator other than the ASCII space.
///
/// Approximation: separators, controls and the format, private-use and noncharacter
/// ranges are listed; other unassigned code points are taken as printable.
pub fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        // Cc, Zs, Zl, Zp.
        return false;
    }
    let u = c as u32;
    let format = matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
        | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x13438 | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F);
    let private = matches!(u, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD);
    let nonchar = (u & 0xFFFE) == 0xFFFE || (0xFDD0..=0xFDEF).contains(&u);
    !(format || private || nonchar)
}

/// Python's `repr(s)`: single quotes unless `s` has a `'` and no `"`; `\\`, `\t`, `\n`,
/// `\r` and the quote escaped; other non-printable characters as `\xhh`, `\uhhhh` or
/// `\Uhhhhhhhh`; printable non-ASCII characters kept.
///
/// ```
/// use vm::text::strings::str_repr;
/// assert_eq!(str_repr("it's"), r#""it's""#);
/// assert_eq!(str_repr("a\n\x00é\u{200b}"), r"'a\n\x00é\u200b'");
/// ```
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

/// `int(s, base)` with pymem's 64-bit limit, the error as a [`NumError`]:
/// `ValueError` for a bad literal or base, `OverflowError` ([`INT_OVERFLOW`]) for a
/// value outside `i64`.
///
/// Rules: surrounding whitespace, one sign, `_` only between digits or after a base
/// prefix, prefixes `0x`/`0o`/`0b` allowed for their base and for base 0, and base 0
/// refuses leading zeros on a non-zero number (as Python literals do).
pub fn parse_int_checked(s: &str, base: u32) -> Result<i64, NumError> {
    if base == 1 || base > 36 {
        return Err(NumError::Value(
            "int() base must be >= 2 and <= 36, or 0".into(),
        ));
    }
    let invalid = || {
        NumError::Value(format!(
            "invalid literal for int() with base {base}: {}",
            str_repr(s)
        ))
    };
    let t = s.trim_matches(is_number_space);
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let lower2 = t.get(..2).map(|p| p.to_ascii_lowercase());
    let prefixed = |b: u32| match lower2.as_deref() {
        Some("0x") => b == 16,
        Some("0o") => b == 8,
        Some("0b") => b == 2,
        _ => false,
    };
    let mut base = base;
    let mut body = t;
    let mut after_prefix = false;
    if base == 0 {
        base = match lower2.as_deref() {
            Some("0x") => 16,
            Some("0o") => 8,
            Some("0b") => 2,
            _ => 10,
        };
        if base != 10 {
            body = &t[2..];
            after_prefix = true;
        } else if t.starts_with('0') && t.bytes().any(|b| b != b'0' && b != b'_') {
            // "010" is not a base-0 literal; "0_0" and "000" are.
            return Err(invalid());
        }
    } else if prefixed(base) {
        body = &t[2..];
        after_prefix = true;
    }
    let bytes = body.as_bytes();
    if bytes.is_empty() {
        return Err(invalid());
    }
    let mut value: i128 = 0;
    let mut prev_underscore = after_prefix; // an underscore may follow the prefix
    let mut big = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            if (i == 0 && !prev_underscore) || (i > 0 && prev_underscore) {
                return Err(invalid());
            }
            prev_underscore = true;
            continue;
        }
        let d = (b as char).to_digit(base).ok_or_else(invalid)?;
        prev_underscore = false;
        value = value * base as i128 + d as i128;
        if value > 1 << 64 {
            big = true;
            value = 1 << 64;
        }
    }
    if prev_underscore {
        return Err(invalid());
    }
    let v = if negative { -value } else { value };
    if big {
        return Err(NumError::Overflow(INT_OVERFLOW));
    }
    i64::try_from(v).map_err(|_| NumError::Overflow(INT_OVERFLOW))
}

/// `int(s, base)`: the value, or the `ValueError` message
/// (`invalid literal for int() with base 10: 'x'`). A valid literal outside `i64` gives
/// pymem's [`INT_OVERFLOW`] message (an `OverflowError` for the VM: use
/// [`parse_int_checked`] to tell them apart).
///
/// ```
/// use vm::text::strings::parse_int;
/// assert_eq!(parse_int(" -1_000 ", 10), Ok(-1000));
/// assert_eq!(parse_int("0x_ff", 0), Ok(255));
/// assert_eq!(parse_int("1__0", 10), Err("invalid literal for int() with base 10: '1__0'".into()));
/// ```
pub fn parse_int(s: &str, base: u32) -> Result<i64, String> {
    parse_int_checked(s, base).map_err(|e| e.to_string())
}

/// `float(s)`: the value, or the `ValueError` message
/// (`could not convert string to float: 'x'`). Accepts surrounding whitespace, a sign,
/// `inf`/`infinity`/`nan` in any case, and `_` between digits.
///
/// ```
/// use vm::text::strings::parse_float;
/// assert_eq!(parse_float(" 1_000.5e-1 "), Ok(100.05));
/// assert_eq!(parse_float("-Infinity"), Ok(f64::NEG_INFINITY));
/// assert_eq!(parse_float("1_"), Err("could not convert string to float: '1_'".into()));
/// ```
pub fn parse_float(s: &str) -> Result<f64, String> {
    let invalid = || format!("could not convert string to float: {}", str_repr(s));
    let t = s.trim_matches(is_number_space);
    let (sign, body) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, &t[1..]),
        Some(b'+') => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Ok(sign * f64::INFINITY);
    }
    if lower == "nan" {
        return Ok(f64::NAN.copysign(sign));
    }
    // digits: [0-9](_?[0-9])*; number: digits? (. digits?)? ([eE][+-]?digits)?
    let b = body.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| -> Result<bool, String> {
        let start = *i;
        while *i < b.len() {
            let underscore_between_digits = b[*i] == b'_'
                && *i > start
                && b[*i - 1].is_ascii_digit()
                && b.get(*i + 1).is_some_and(u8::is_ascii_digit);
            if b[*i].is_ascii_digit() || underscore_between_digits {
                *i += 1;
            } else {
                break;
            }
        }
        Ok(*i > start)
    };
    let int_part = digits(&mut i)?;
    let mut frac_part = false;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_part = digits(&mut i)?;
    }
    if !int_part && !frac_part {
        return Err(invalid());
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i)? {
            return Err(invalid());
        }
    }
    if i != b.len() {
        return Err(invalid());
    }
    let clean: String = body.chars().filter(|c| *c != '_').collect();
    let v: f64 = clean.parse().map_err(|_| invalid())?;
    Ok(sign * v)
}

/// `s.split(maxsplit=maxsplit)` (no separator): runs of whitespace separate, leading and
/// trailing whitespace give no empty strings; after `maxsplit` splits (`None`: no limit,
/// as Python's `-1`), the rest is one item with its leading whitespace removed.
///
/// ```
/// use vm::text::strings::split_whitespace;
/// assert_eq!(split_whitespace("  a  b  c  ", Some(1)), vec!["a", "b  c  "]);
/// ```
pub fn split_whitespace(s: &str, maxsplit: Option<usize>) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s.trim_start_matches(is_space);
    while !rest.is_empty() {
        if maxsplit.is_some_and(|m| out.len() >= m) {
            out.push(rest);
            break;
        }
        match rest.find(is_space) {
            Some(end) => {
                out.push(&rest[..end]);
                rest = rest[end..].trim_start_matches(is_space);
            }
            None => {
                out.push(rest);
                break;
            }
        }
    }
    out
}

/// `s.split(sep, maxsplit)` with a separator (`None` maxsplit: no limit). An empty
/// separator is `ValueError: empty separator`.
///
/// ```
/// use vm::text::strings::split_sep;
/// assert_eq!(split_sep("a,,b", ",", None), Ok(vec!["a", "", "b"]));
/// assert_eq!(split_sep("a,b,c", ",", Some(1)), Ok(vec!["a", "b,c"]));
/// ```
pub fn split_sep<'a>(
    s: &'a str,
    sep: &str,
    maxsplit: Option<usize>,
) -> Result<Vec<&'a str>, String> {
    if sep.is_empty() {
        return Err("empty separator".into());
    }
    Ok(match maxsplit {
        Some(m) => s.splitn(m.saturating_add(1), sep).collect(),
        None => s.split(sep).collect(),
    })
}

/// `s.rsplit(sep, maxsplit)` with a separator: splits from the right; the list is in
/// left-to-right order.
///
/// ```
/// use vm::text::strings::rsplit_sep;
/// assert_eq!(rsplit_sep("a,b,c", ",", Some(1)), Ok(vec!["a,b", "c"]));
/// ```
pub fn rsplit_sep<'a>(
    s: &'a str,
    sep: &str,
    maxsplit: Option<usize>,
) -> Result<Vec<&'a str>, String> {
    if sep.is_empty() {
        return Err("empty separator".into());
    }
    let mut v: Vec<&str> = match maxsplit {
        Some(m) => s.rsplitn(m.saturating_add(1), sep).collect(),
        None => s.rsplit(sep).collect(),
    };
    v.reverse();
    Ok(v)
}

/// Which ends [`strip_chars`] strips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StripSide {
    /// `lstrip`.
    Left,
    /// `rstrip`.
    Right,
    /// `strip`.
    Both,
}

/// `s.strip(chars)`, `s.lstrip(chars)`, `s.rstrip(chars)`: `chars` `None` strips
/// whitespace ([`is_space`]); otherwise any character of `chars` (a set, not a prefix).
///
/// ```
/// use vm::text::strings::{strip_chars, StripSide};
/// assert_eq!(strip_chars("xxhixyx", Some("xy"), StripSide::Both), "hi");
/// assert_eq!(strip_chars("\x1f a \n", None, StripSide::Left), "a \n");
/// ```
pub fn strip_chars<'a>(s: &'a str, chars: Option<&str>, side: StripSide) -> &'a str {
    let pred = |c: char| match chars {
        None => is_space(c),
        Some(set) => set.contains(c),
    };
    match side {
        StripSide::Left => s.trim_start_matches(pred),
        StripSide::Right => s.trim_end_matches(pred),
        StripSide::Both => s.trim_matches(pred),
    }
}

/// Python's "cased" characters (Lu, Ll, Lt and the Other_Lowercase/Uppercase ones).
fn is_cased(c: char) -> bool {
    c.is_lowercase() || c.is_uppercase() || is_titlecase_letter(c)
}

/// The titlecase letters (category Lt), which are neither upper- nor lowercase.
fn is_titlecase_letter(c: char) -> bool {
    matches!(c as u32,
        0x1C5 | 0x1C8 | 0x1CB | 0x1F2 | 0x1F88..=0x1F8F | 0x1F98..=0x1F9F | 0x1FA8..=0x1FAF
        | 0x1FBC | 0x1FCC | 0x1FFC)
}

/// The title-case mapping of one character.
///
/// Approximation: Unicode's titlecase mapping is the uppercase one except for the
/// DŽ/LJ/NJ/DZ digraphs, the Greek letters with iota subscript, and characters whose
/// uppercase is several characters (`ß` → `Ss`, `ﬁ` → `Fi`), which take the first
/// uppercase character followed by the lowercase of the rest; `ŉ` → `ʼN` is special.
pub fn to_title(c: char) -> String {
    let u = c as u32;
    let single = match u {
        0x1C4..=0x1C6 => Some(0x1C5),
        0x1C7..=0x1C9 => Some(0x1C8),
        0x1CA..=0x1CC => Some(0x1CB),
        0x1F1..=0x1F3 => Some(0x1F2),
        0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => Some(u + 8),
        0x1F88..=0x1F8F | 0x1F98..=0x1F9F | 0x1FA8..=0x1FAF | 0x1FBC | 0x1FCC | 0x1FFC => Some(u),
        0x1FB3 => Some(0x1FBC),
        0x1FC3 => Some(0x1FCC),
        0x1FF3 => Some(0x1FFC),
        _ => None,
    };
    if let Some(t) = single.and_then(char::from_u32) {
        return t.to_string();
    }
    if c == 'ŉ' {
        return "ʼN".to_string();
    }
    let mut up = c.to_uppercase();
    let first = up.next().unwrap_or(c);
    let mut out = first.to_string();
    for r in up {
        out.extend(r.to_lowercase());
    }
    out
}

/// Walks `s` with its whole-string lowercase (so a final `Σ` becomes `ς` as in CPython):
/// calls `f(c, lowercase_of_c_in_context)` for each character.
fn with_lowercase(s: &str, mut f: impl FnMut(char, &str)) {
    let lower = s.to_lowercase();
    let mut at = 0;
    for c in s.chars() {
        // Each character lowercases to the same length alone as in context (σ and ς are
        // both two bytes), so the whole-string lowercase can be sliced per character.
        let n: usize = c.to_lowercase().map(char::len_utf8).sum();
        f(c, &lower[at..at + n]);
        at += n;
    }
}

/// `s.title()`: a character after a cased character is lowercased, any other is
/// title-cased. See [`to_title`] for the approximation.
///
/// ```
/// use vm::text::strings::str_title;
/// assert_eq!(str_title("hello wORLD 3rd o'neil"), "Hello World 3Rd O'Neil");
/// ```
pub fn str_title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_cased = false;
    with_lowercase(s, |c, lower| {
        if prev_cased {
            out.push_str(lower);
        } else {
            out.push_str(&to_title(c));
        }
        prev_cased = is_cased(c);
    });
    out
}

/// `s.capitalize()`: the first character title-cased (CPython 3.8+), the rest lowercased.
///
/// ```
/// use vm::text::strings::str_capitalize;
/// assert_eq!(str_capitalize("hELLO World"), "Hello world");
/// assert_eq!(str_capitalize("ǆemal"), "ǅemal");
/// ```
pub fn str_capitalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut first = true;
    with_lowercase(s, |c, lower| {
        if first {
            out.push_str(&to_title(c));
            first = false;
        } else {
            out.push_str(lower);
        }
    });
    out
}

/// `s.expandtabs(tabsize)`: each tab becomes spaces up to the next multiple of `tabsize`
/// columns (none when `tabsize <= 0`); `\n` and `\r` reset the column; columns count
/// characters.
///
/// ```
/// use vm::text::strings::expand_tabs;
/// assert_eq!(expand_tabs("a\tbc\td\n\te", 4), "a   bc  d\n    e");
/// ```
pub fn expand_tabs(s: &str, tabsize: i64) -> String {
    let mut out = String::with_capacity(s.len());
    let mut col: i64 = 0;
    for c in s.chars() {
        match c {
            '\t' => {
                if tabsize > 0 {
                    let n = tabsize - col % tabsize;
                    out.extend(std::iter::repeat_n(' ', n as usize));
                    col += n;
                }
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            _ => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}
