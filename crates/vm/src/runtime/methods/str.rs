//! `str` methods.

use heap::{AnyObj, Gil};

use super::{Kw, arity, check_recv, method, span};
use crate::runtime::builtins::{format_value, kwarg, no_kwargs};
use crate::runtime::functions::{only_kwargs, tname};
use crate::runtime::object::*;
use crate::runtime::ops::{self, str_payload};
use crate::runtime::{PyResult, Vm, attr};
use crate::text::strings::{self, StripSide};

/// Installs the `str` methods.
pub fn install(gil: &mut Gil<'_>, vm: &Vm) {
    let t = vm.types.str_.clone();
    let ms: &[(&'static str, crate::runtime::BuiltinFn)] = &[
        ("join", join),
        ("split", split),
        ("rsplit", rsplit),
        ("strip", strip),
        ("lstrip", lstrip),
        ("rstrip", rstrip),
        ("startswith", startswith),
        ("endswith", endswith),
        ("find", find),
        ("rfind", rfind),
        ("index", index),
        ("rindex", rindex),
        ("count", count),
        ("replace", replace),
        ("upper", upper),
        ("lower", lower),
        ("swapcase", swapcase),
        ("title", title),
        ("capitalize", capitalize),
        ("isdigit", isdigit),
        ("isdecimal", isdigit),
        ("isnumeric", isnumeric),
        ("isalpha", isalpha),
        ("isalnum", isalnum),
        ("isspace", isspace),
        ("isupper", isupper),
        ("islower", islower),
        ("isascii", isascii),
        ("zfill", zfill),
        ("ljust", ljust),
        ("rjust", rjust),
        ("center", center),
        ("format", format),
        ("splitlines", splitlines),
        ("partition", partition),
        ("rpartition", rpartition),
        ("removeprefix", removeprefix),
        ("removesuffix", removesuffix),
        ("expandtabs", expandtabs),
    ];
    for &(name, f) in ms {
        method(gil, vm, &t, "str", name, f);
    }
}

/// The receiver's text, after checking it is a str.
fn recv(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], name: &str) -> PyResult<String> {
    let t = vm.types.str_.clone();
    check_recv(gil, vm, args, &t, "str", name)?;
    Ok(str_payload(gil, &args[0]).unwrap_or("").to_owned())
}

/// Argument count check in the wording of CPython's older `PyArg_ParseTuple` methods:
/// `find() takes at least 1 argument (0 given)`.
fn old_arity(
    gil: &mut Gil<'_>,
    vm: &Vm,
    name: &str,
    args: &[AnyObj],
    min: usize,
    max: usize,
) -> PyResult<()> {
    let n = args.len();
    let plural = |k: usize| if k == 1 { "" } else { "s" };
    if n < min {
        return Err(vm.type_error(
            gil,
            &format!(
                "{name}() takes at least {min} argument{} ({n} given)",
                plural(min)
            ),
        ));
    }
    if n > max {
        return Err(vm.type_error(
            gil,
            &format!(
                "{name}() takes at most {max} argument{} ({n} given)",
                plural(max)
            ),
        ));
    }
    Ok(())
}

/// A str argument, or `must be str, not X`.
fn str_arg(gil: &mut Gil<'_>, vm: &Vm, o: &AnyObj, what: &str) -> PyResult<String> {
    match str_payload(gil, o) {
        Some(s) => Ok(s.to_owned()),
        None => {
            let n = tname(gil, vm, o);
            Err(vm.type_error(gil, &format!("{what}must be str, not {n}")))
        }
    }
}

fn strs(gil: &Gil<'_>, vm: &Vm, v: Vec<&str>) -> Vec<AnyObj> {
    v.into_iter().map(|s| vm.str(gil, s)).collect()
}

/// Byte offset of character index `ci` in `s`.
fn byte_at(s: &str, ci: usize) -> usize {
    if s.is_ascii() {
        return ci.min(s.len());
    }
    s.char_indices().nth(ci).map_or(s.len(), |(b, _)| b)
}

fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

fn join(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "str.join", kw)?;
    let sep = recv(gil, vm, args, "join")?;
    arity(gil, vm, "str", "join", &args[1..], 1, 1)?;
    let items = match ops::iterate(gil, vm, &args[1]) {
        Ok(v) => v,
        Err(e)
            if vm.exc_matches(gil, &e.exc, &vm.types.type_error)
                && ops::get_iter(gil, vm, &args[1]).is_err() =>
        {
            return Err(vm.type_error(gil, "can only join an iterable"));
        }
        Err(e) => return Err(e),
    };
    let mut out = String::new();
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        match str_payload(gil, it) {
            Some(s) => out.push_str(s),
            None => {
                let n = tname(gil, vm, it);
                return Err(vm.type_error(
                    gil,
                    &format!("sequence item {i}: expected str instance, {n} found"),
                ));
            }
        }
    }
    Ok(vm.str(gil, &out))
}

/// `(sep, maxsplit)` of split/rsplit.
fn split_args(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    name: &str,
) -> PyResult<(Option<String>, Option<usize>)> {
    only_kwargs(gil, vm, name, kw, &["sep", "maxsplit"])?;
    if args.len() > 3 {
        return Err(vm.type_error(
            gil,
            &format!(
                "{name}() takes at most 2 arguments ({} given)",
                args.len() - 1
            ),
        ));
    }
    let sep = args.get(1).cloned().or_else(|| kwarg(gil, kw, "sep"));
    let max = args.get(2).cloned().or_else(|| kwarg(gil, kw, "maxsplit"));
    let sep = match sep {
        Some(s) if s.tag() != tag::NONE => Some(str_arg(gil, vm, &s, "")?),
        _ => None,
    };
    let max = match max {
        Some(m) => {
            let m = crate::runtime::functions::index_arg(gil, vm, &m)?;
            if m < 0 { None } else { Some(m as usize) }
        }
        None => None,
    };
    Ok((sep, max))
}

fn split(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = recv(gil, vm, args, "split")?;
    let (sep, max) = split_args(gil, vm, args, kw, "split")?;
    let parts = match &sep {
        None => strings::split_whitespace(&s, max),
        Some(sep) => strings::split_sep(&s, sep, max).map_err(|m| vm.value_error(gil, &m))?,
    };
    let v = strs(gil, vm, parts);
    Ok(vm.list(gil, v))
}

fn rsplit_whitespace(s: &str, maxsplit: Option<usize>) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s.trim_end_matches(strings::is_space);
    while !rest.is_empty() {
        if maxsplit.is_some_and(|m| out.len() >= m) {
            out.push(rest);
            break;
        }
        match rest.rfind(strings::is_space) {
            Some(p) => {
                let c = rest[p..].chars().next().unwrap();
                out.push(&rest[p + c.len_utf8()..]);
                rest = rest[..p].trim_end_matches(strings::is_space);
            }
            None => {
                out.push(rest);
                break;
            }
        }
    }
    out.reverse();
    out
}

fn rsplit(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = recv(gil, vm, args, "rsplit")?;
    let (sep, max) = split_args(gil, vm, args, kw, "rsplit")?;
    let parts = match &sep {
        None => rsplit_whitespace(&s, max),
        Some(sep) => strings::rsplit_sep(&s, sep, max).map_err(|m| vm.value_error(gil, &m))?,
    };
    let v = strs(gil, vm, parts);
    Ok(vm.list(gil, v))
}

fn strip_impl(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    name: &str,
    side: StripSide,
) -> PyResult<AnyObj> {
    if !kw.is_empty() {
        no_kwargs(gil, vm, &format!("str.{name}"), kw)?;
    }
    let s = recv(gil, vm, args, name)?;
    arity(gil, vm, "str", name, &args[1..], 0, 1)?;
    let chars = match args.get(1) {
        Some(c) if c.tag() != tag::NONE => match str_payload(gil, c) {
            Some(c) => Some(c.to_owned()),
            None => {
                return Err(vm.type_error(gil, &format!("{name} arg must be None or str")));
            }
        },
        _ => None,
    };
    let r = strings::strip_chars(&s, chars.as_deref(), side);
    if r.len() == s.len() {
        return Ok(args[0].clone());
    }
    Ok(vm.str(gil, r))
}

fn strip(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    strip_impl(gil, vm, args, kw, "strip", StripSide::Both)
}

fn lstrip(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    strip_impl(gil, vm, args, kw, "lstrip", StripSide::Left)
}

fn rstrip(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    strip_impl(gil, vm, args, kw, "rstrip", StripSide::Right)
}

fn starts_ends(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    name: &str,
) -> PyResult<AnyObj> {
    if !kw.is_empty() {
        no_kwargs(gil, vm, &format!("str.{name}"), kw)?;
    }
    let s = recv(gil, vm, args, name)?;
    old_arity(gil, vm, name, &args[1..], 1, 3)?;
    let (a, b) = span(gil, vm, args.get(2), args.get(3), char_len(&s))?;
    let cands: Vec<AnyObj> = match args[1].downcast_ref::<PyTuple>() {
        Some(t) => t.get(gil).items.to_vec(),
        None => vec![args[1].clone()],
    };
    let is_tuple = args[1].tag() == tag::TUPLE;
    let sub = if a > b {
        None
    } else {
        Some(&s[byte_at(&s, a)..byte_at(&s, b)])
    };
    for c in cands {
        let Some(p) = str_payload(gil, &c) else {
            let n = tname(gil, vm, &c);
            let msg = if is_tuple {
                format!("tuple for {name} must only contain str, not {n}")
            } else {
                format!("{name} first arg must be str or a tuple of str, not {n}")
            };
            return Err(vm.type_error(gil, &msg));
        };
        let hit = match sub {
            Some(sub) => {
                if name == "startswith" {
                    sub.starts_with(p)
                } else {
                    sub.ends_with(p)
                }
            }
            None => false,
        };
        if hit {
            return Ok(vm.true_.clone());
        }
    }
    Ok(vm.false_.clone())
}

fn startswith(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    starts_ends(gil, vm, args, kw, "startswith")
}

fn endswith(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    starts_ends(gil, vm, args, kw, "endswith")
}

/// find/rfind/index/rindex/count: the receiver's text, the needle and the char span.
fn search_args(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    name: &str,
) -> PyResult<(String, String, usize, usize)> {
    if !kw.is_empty() {
        no_kwargs(gil, vm, &format!("str.{name}"), kw)?;
    }
    let s = recv(gil, vm, args, name)?;
    old_arity(gil, vm, name, &args[1..], 1, 3)?;
    let sub = match str_payload(gil, &args[1]) {
        Some(p) => p.to_owned(),
        None => {
            let n = tname(gil, vm, &args[1]);
            return Err(vm.type_error(gil, &format!("must be str, not {n}")));
        }
    };
    let (a, b) = span(gil, vm, args.get(2), args.get(3), char_len(&s))?;
    Ok((s, sub, a, b))
}

/// The char index of `sub` in `s[a:b]` (first or last), if any.
fn find_in(s: &str, sub: &str, a: usize, b: usize, last: bool) -> Option<usize> {
    if a > b {
        return None;
    }
    let (ba, bb) = (byte_at(s, a), byte_at(s, b));
    let hay = &s[ba..bb];
    let p = if last { hay.rfind(sub) } else { hay.find(sub) }?;
    Some(a + char_len(&hay[..p]))
}

fn find_impl(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    name: &str,
    last: bool,
    raise: bool,
) -> PyResult<AnyObj> {
    let (s, sub, a, b) = search_args(gil, vm, args, kw, name)?;
    match find_in(&s, &sub, a, b, last) {
        Some(i) => Ok(vm.int(gil, i as i64)),
        None if raise => Err(vm.value_error(gil, "substring not found")),
        None => Ok(vm.int(gil, -1)),
    }
}

fn find(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    find_impl(gil, vm, args, kw, "find", false, false)
}

fn rfind(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    find_impl(gil, vm, args, kw, "rfind", true, false)
}

fn index(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    find_impl(gil, vm, args, kw, "index", false, true)
}

fn rindex(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    find_impl(gil, vm, args, kw, "rindex", true, true)
}

fn count(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let (s, sub, a, b) = search_args(gil, vm, args, kw, "count")?;
    if a > b {
        return Ok(vm.int(gil, 0));
    }
    let n = if sub.is_empty() {
        b - a + 1
    } else {
        s[byte_at(&s, a)..byte_at(&s, b)]
            .matches(sub.as_str())
            .count()
    };
    Ok(vm.int(gil, n as i64))
}

fn replace(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "str.replace", kw)?;
    let s = recv(gil, vm, args, "replace")?;
    arity(gil, vm, "str", "replace", &args[1..], 2, 3)?;
    let old = str_arg(gil, vm, &args[1], "replace() argument 1 ")?;
    let new = str_arg(gil, vm, &args[2], "replace() argument 2 ")?;
    let n = match args.get(3) {
        Some(c) => crate::runtime::functions::index_arg(gil, vm, c)?,
        None => -1,
    };
    let r = if n < 0 {
        s.replace(&old, &new)
    } else {
        s.replacen(&old, &new, n as usize)
    };
    Ok(vm.str(gil, &r))
}

fn no_arg_str(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    name: &str,
) -> PyResult<String> {
    if !kw.is_empty() {
        no_kwargs(gil, vm, &format!("str.{name}"), kw)?;
    }
    let s = recv(gil, vm, args, name)?;
    arity(gil, vm, "str", name, &args[1..], 0, 0)?;
    Ok(s)
}

fn upper(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = no_arg_str(gil, vm, args, kw, "upper")?;
    Ok(vm.str(gil, &s.to_uppercase()))
}

fn lower(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = no_arg_str(gil, vm, args, kw, "lower")?;
    Ok(vm.str(gil, &s.to_lowercase()))
}

fn swapcase(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = no_arg_str(gil, vm, args, kw, "swapcase")?;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_uppercase() {
            out.extend(c.to_lowercase());
        } else if c.is_lowercase() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    Ok(vm.str(gil, &out))
}

fn title(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = no_arg_str(gil, vm, args, kw, "title")?;
    Ok(vm.str(gil, &strings::str_title(&s)))
}

fn capitalize(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = no_arg_str(gil, vm, args, kw, "capitalize")?;
    Ok(vm.str(gil, &strings::str_capitalize(&s)))
}

fn all_chars(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    name: &str,
    pred: fn(char) -> bool,
) -> PyResult<AnyObj> {
    let s = no_arg_str(gil, vm, args, kw, name)?;
    Ok(vm.bool(!s.is_empty() && s.chars().all(pred)))
}

fn isdigit(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    all_chars(gil, vm, args, kw, "isdigit", |c| {
        c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
    })
}

fn isnumeric(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    all_chars(gil, vm, args, kw, "isnumeric", char::is_numeric)
}

fn isalpha(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    all_chars(gil, vm, args, kw, "isalpha", char::is_alphabetic)
}

fn isalnum(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    all_chars(gil, vm, args, kw, "isalnum", char::is_alphanumeric)
}

fn isspace(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    all_chars(gil, vm, args, kw, "isspace", strings::is_space)
}

fn isascii(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = no_arg_str(gil, vm, args, kw, "isascii")?;
    Ok(vm.bool(s.is_ascii()))
}

fn cased(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>, upper: bool) -> PyResult<AnyObj> {
    let s = no_arg_str(gil, vm, args, kw, if upper { "isupper" } else { "islower" })?;
    let mut any = false;
    for c in s.chars() {
        if c.is_uppercase() {
            if !upper {
                return Ok(vm.false_.clone());
            }
            any = true;
        } else if c.is_lowercase() {
            if upper {
                return Ok(vm.false_.clone());
            }
            any = true;
        }
    }
    Ok(vm.bool(any))
}

fn isupper(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    cased(gil, vm, args, kw, true)
}

fn islower(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    cased(gil, vm, args, kw, false)
}

fn zfill(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    no_kwargs(gil, vm, "str.zfill", kw)?;
    let s = recv(gil, vm, args, "zfill")?;
    arity(gil, vm, "str", "zfill", &args[1..], 1, 1)?;
    let w = crate::runtime::functions::index_arg(gil, vm, &args[1])?;
    let n = char_len(&s) as i64;
    if w <= n {
        return Ok(args[0].clone());
    }
    let zeros = "0".repeat((w - n) as usize);
    let r = match s.chars().next() {
        Some(c @ ('+' | '-')) => format!("{c}{zeros}{}", &s[1..]),
        _ => format!("{zeros}{s}"),
    };
    Ok(vm.str(gil, &r))
}

fn justify(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    name: &str,
) -> PyResult<AnyObj> {
    if !kw.is_empty() {
        no_kwargs(gil, vm, &format!("str.{name}"), kw)?;
    }
    let s = recv(gil, vm, args, name)?;
    arity(gil, vm, "str", name, &args[1..], 1, 2)?;
    let w = crate::runtime::functions::index_arg(gil, vm, &args[1])?;
    let fill = match args.get(2) {
        Some(f) => {
            let Some(f) = str_payload(gil, f).map(str::to_owned) else {
                let n = tname(gil, vm, f);
                return Err(
                    vm.type_error(gil, &format!("{name}() argument 2 must be str, not {n}"))
                );
            };
            let mut cs = f.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => c,
                _ => {
                    return Err(
                        vm.type_error(gil, "The fill character must be exactly one character long")
                    );
                }
            }
        }
        None => ' ',
    };
    let n = char_len(&s) as i64;
    if w <= n {
        return Ok(args[0].clone());
    }
    let pad = (w - n) as usize;
    let (left, right) = match name {
        "ljust" => (0, pad),
        "rjust" => (pad, 0),
        _ => {
            let l = pad / 2 + (pad & w as usize & 1);
            (l, pad - l)
        }
    };
    let f = fill.to_string();
    let r = format!("{}{s}{}", f.repeat(left), f.repeat(right));
    Ok(vm.str(gil, &r))
}

fn ljust(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    justify(gil, vm, args, kw, "ljust")
}

fn rjust(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    justify(gil, vm, args, kw, "rjust")
}

fn center(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    justify(gil, vm, args, kw, "center")
}

fn splitlines(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    only_kwargs(gil, vm, "splitlines", kw, &["keepends"])?;
    let s = recv(gil, vm, args, "splitlines")?;
    old_arity(gil, vm, "splitlines", &args[1..], 0, 1)?;
    let keep = match args.get(1).cloned().or_else(|| kwarg(gil, kw, "keepends")) {
        Some(k) => ops::truthy(gil, vm, &k)?,
        None => false,
    };
    let is_break = |c: char| {
        matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        )
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if is_break(c) {
            let mut end = i + c.len_utf8();
            if c == '\r' && it.peek().is_some_and(|&(_, d)| d == '\n') {
                it.next();
                end += 1;
            }
            out.push(if keep { &s[start..end] } else { &s[start..i] });
            start = end;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    let v = strs(gil, vm, out);
    Ok(vm.list(gil, v))
}

fn partition_impl(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    name: &str,
) -> PyResult<AnyObj> {
    if !kw.is_empty() {
        no_kwargs(gil, vm, &format!("str.{name}"), kw)?;
    }
    let s = recv(gil, vm, args, name)?;
    arity(gil, vm, "str", name, &args[1..], 1, 1)?;
    let sep = str_arg(gil, vm, &args[1], "")?;
    if sep.is_empty() {
        return Err(vm.value_error(gil, "empty separator"));
    }
    let found = if name == "partition" {
        s.find(&sep)
    } else {
        s.rfind(&sep)
    };
    let parts = match found {
        Some(p) => vec![&s[..p], sep.as_str(), &s[p + sep.len()..]],
        None if name == "partition" => vec![s.as_str(), "", ""],
        None => vec!["", "", s.as_str()],
    };
    let v = strs(gil, vm, parts);
    Ok(vm.tuple(gil, v))
}

fn partition(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    partition_impl(gil, vm, args, kw, "partition")
}

fn rpartition(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    partition_impl(gil, vm, args, kw, "rpartition")
}

fn remove_affix(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kw: Kw<'_>,
    name: &str,
) -> PyResult<AnyObj> {
    if !kw.is_empty() {
        no_kwargs(gil, vm, &format!("str.{name}"), kw)?;
    }
    let s = recv(gil, vm, args, name)?;
    arity(gil, vm, "str", name, &args[1..], 1, 1)?;
    let a = str_arg(gil, vm, &args[1], &format!("{name}() argument "))?;
    let r = if name == "removeprefix" {
        s.strip_prefix(a.as_str())
    } else {
        s.strip_suffix(a.as_str())
    };
    match r {
        Some(r) if !a.is_empty() => Ok(vm.str(gil, r)),
        _ => Ok(args[0].clone()),
    }
}

fn removeprefix(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    remove_affix(gil, vm, args, kw, "removeprefix")
}

fn removesuffix(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    remove_affix(gil, vm, args, kw, "removesuffix")
}

fn expandtabs(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    only_kwargs(gil, vm, "expandtabs", kw, &["tabsize"])?;
    let s = recv(gil, vm, args, "expandtabs")?;
    old_arity(gil, vm, "expandtabs", &args[1..], 0, 1)?;
    let n = match args.get(1).cloned().or_else(|| kwarg(gil, kw, "tabsize")) {
        Some(t) => crate::runtime::functions::index_arg(gil, vm, &t)?,
        None => 8,
    };
    Ok(vm.str(gil, &strings::expand_tabs(&s, n)))
}

/// Argument state of one `str.format` call.
struct FmtArgs<'a> {
    pos: &'a [AnyObj],
    kw: Kw<'a>,
    auto: Option<usize>,
    manual: bool,
}

fn format(gil: &mut Gil<'_>, vm: &Vm, args: &[AnyObj], kw: Kw<'_>) -> PyResult<AnyObj> {
    let s = recv(gil, vm, args, "format")?;
    let mut st = FmtArgs {
        pos: &args[1..],
        kw,
        auto: None,
        manual: false,
    };
    let r = format_str(gil, vm, &s, &mut st, 2)?;
    Ok(vm.str(gil, &r))
}

fn format_str(
    gil: &mut Gil<'_>,
    vm: &Vm,
    s: &str,
    st: &mut FmtArgs<'_>,
    depth: u32,
) -> PyResult<String> {
    let mut out = String::new();
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c == '}' {
            if cs.get(i + 1) == Some(&'}') {
                out.push('}');
                i += 2;
                continue;
            }
            return Err(vm.value_error(gil, "Single '}' encountered in format string"));
        }
        if c != '{' {
            out.push(c);
            i += 1;
            continue;
        }
        if cs.get(i + 1) == Some(&'{') {
            out.push('{');
            i += 2;
            continue;
        }
        // A replacement field: find its matching '}'.
        let mut j = i + 1;
        let mut nest = 1;
        let mut in_bracket = false;
        while j < cs.len() {
            match cs[j] {
                '[' => in_bracket = true,
                ']' => in_bracket = false,
                '{' if !in_bracket => nest += 1,
                '}' if !in_bracket => {
                    nest -= 1;
                    if nest == 0 {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        if j >= cs.len() {
            let msg = if nest > 1 || cs[i + 1..].contains(&'}') || cs[i + 1..].contains(&'[') {
                "expected '}' before end of string"
            } else {
                "Single '{' encountered in format string"
            };
            return Err(vm.value_error(gil, msg));
        }
        let field: String = cs[i + 1..j].iter().collect();
        out.push_str(&format_field(gil, vm, &field, st, depth)?);
        i = j + 1;
    }
    Ok(out)
}

fn format_field(
    gil: &mut Gil<'_>,
    vm: &Vm,
    field: &str,
    st: &mut FmtArgs<'_>,
    depth: u32,
) -> PyResult<String> {
    // Split `name[!conv][:spec]`, '!' and ':' inside brackets belong to the name.
    let mut name_end = field.len();
    let mut in_bracket = false;
    for (k, c) in field.char_indices() {
        match c {
            '[' => in_bracket = true,
            ']' => in_bracket = false,
            '!' | ':' if !in_bracket => {
                name_end = k;
                break;
            }
            _ => {}
        }
    }
    let name = &field[..name_end];
    let rest = &field[name_end..];
    let (conv, spec) = if let Some(r) = rest.strip_prefix('!') {
        let mut cs = r.chars();
        let conv = cs.next();
        let after = cs.as_str();
        if !(after.is_empty() || after.starts_with(':')) {
            return Err(vm.value_error(gil, "expected ':' after conversion specifier"));
        }
        (conv, after.strip_prefix(':').unwrap_or(""))
    } else {
        (None, rest.strip_prefix(':').unwrap_or(""))
    };
    let first_end = name.find(['.', '[']).unwrap_or(name.len());
    let first = &name[..first_end];
    let mut obj = if first.is_empty() {
        if st.manual {
            return Err(vm.value_error(
                gil,
                "cannot switch from manual field specification to automatic field numbering",
            ));
        }
        let n = st.auto.unwrap_or(0);
        st.auto = Some(n + 1);
        positional(gil, vm, st, n)?
    } else if first.chars().all(|c| c.is_ascii_digit()) {
        if st.auto.is_some() {
            return Err(vm.value_error(
                gil,
                "cannot switch from automatic field numbering to manual field specification",
            ));
        }
        st.manual = true;
        let n: usize = first.parse().unwrap_or(usize::MAX);
        positional(gil, vm, st, n)?
    } else {
        match st
            .kw
            .iter()
            .find(|(k, _)| str_payload(gil, k) == Some(first))
            .map(|(_, v)| v.clone())
        {
            Some(v) => v,
            None => {
                let k = vm.str(gil, first);
                return Err(vm.key_error(gil, k));
            }
        }
    };
    // `.attr` and `[key]` accessors.
    let mut rest = &name[first_end..];
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let a = vm.str(gil, &r[..end]);
            obj = attr::getattr(gil, vm, &obj, &a)?;
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else {
                return Err(vm.value_error(gil, "Missing ']' in format string"));
            };
            let key = &r[..end];
            let k = if !key.is_empty() && key.chars().all(|c| c.is_ascii_digit()) {
                vm.int(gil, key.parse().unwrap_or(0))
            } else {
                vm.str(gil, key)
            };
            obj = attr::getitem(gil, vm, &obj, &k)?;
            rest = &r[end + 1..];
        } else {
            return Err(vm.value_error(
                gil,
                "Only '.' or '[' may follow ']' in format field specifier",
            ));
        }
    }
    let obj = match conv {
        None => obj,
        Some('r') | Some('a') => {
            let r = ops::repr(gil, vm, &obj)?;
            vm.str(gil, &r)
        }
        Some('s') => {
            let r = ops::str_of(gil, vm, &obj)?;
            vm.str(gil, &r)
        }
        Some(c) => {
            return Err(vm.value_error(gil, &format!("Unknown conversion specifier {c}")));
        }
    };
    let spec = if spec.contains('{') {
        if depth == 0 {
            return Err(vm.value_error(gil, "Max string recursion exceeded"));
        }
        format_str(gil, vm, spec, st, depth - 1)?
    } else {
        spec.to_owned()
    };
    let r = format_value(gil, vm, &obj, &spec)?;
    Ok(str_payload(gil, &r).unwrap_or("").to_owned())
}

fn positional(gil: &mut Gil<'_>, vm: &Vm, st: &FmtArgs<'_>, n: usize) -> PyResult<AnyObj> {
    match st.pos.get(n) {
        Some(v) => Ok(v.clone()),
        None => Err(vm.index_error(
            gil,
            &format!("Replacement index {n} out of range for positional args tuple"),
        )),
    }
}
