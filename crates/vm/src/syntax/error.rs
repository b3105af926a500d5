//! [`SyntaxError`]: a compile-time error, printed the way CPython 3.11 prints an uncaught one.
//!
//! `python3 x.py` prints a syntax error as
//!
//! ```text
//!   File "x.py", line 3
//!     if x
//!         ^
//! SyntaxError: expected ':'
//! ```
//!
//! The [`Display`](std::fmt::Display) impl reproduces `print_error_text` of CPython 3.11's
//! `Python/pythonrun.c`: leading blanks of the line are stripped (the column moves with them),
//! the offset is clipped to the line, a caret run covers `col..end_col` when the error has an
//! end on the same line (at least one caret), and no caret is printed when the column falls
//! left of the stripped text (CPython's "unexpected indent" shows none).

use std::fmt;

use super::location::Pos;

/// Which exception class CPython would raise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SyntaxErrorKind {
    /// `SyntaxError`.
    Syntax,
    /// `IndentationError` (a `SyntaxError` subclass).
    Indentation,
    /// `TabError` (an `IndentationError` subclass).
    Tab,
}

impl SyntaxErrorKind {
    /// The class name, as printed before the message.
    pub fn class_name(self) -> &'static str {
        match self {
            SyntaxErrorKind::Syntax => "SyntaxError",
            SyntaxErrorKind::Indentation => "IndentationError",
            SyntaxErrorKind::Tab => "TabError",
        }
    }
}

/// A source file that does not compile: CPython's `SyntaxError` attributes.
///
/// ```
/// let err = vm::syntax::parse("x = 1\ny = 2\nif x\n    pass\n", "x.py").unwrap_err();
/// assert_eq!(err.msg, "expected ':'");
/// assert_eq!((err.line, err.col), (3, 5));
/// assert_eq!(
///     err.to_string(),
///     "  File \"x.py\", line 3\n    if x\n        ^\nSyntaxError: expected ':'\n"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// The exception class.
    pub kind: SyntaxErrorKind,
    /// The message (`SyntaxError.msg`).
    pub msg: String,
    /// The file name as given to the parser (`SyntaxError.filename`).
    pub file: String,
    /// 1-based line (`SyntaxError.lineno`).
    pub line: u32,
    /// 1-based column in characters (`SyntaxError.offset`).
    pub col: u32,
    /// End of the offending range (`end_lineno`, `end_offset`), when known.
    pub end: Option<Pos>,
    /// The source line the error is on, with its line terminator (`SyntaxError.text`).
    pub text: Option<String>,
    /// For errors raised because the program is valid Python but outside pymem's subset: the
    /// construct, named as the conformance corpus' `# needs:` tags name it (`"finally"`,
    /// `"generator (yield)"`, `"match statement"`, ...).
    pub unsupported: Option<&'static str>,
}

impl SyntaxError {
    /// The start as a [`Pos`].
    pub fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col,
        }
    }
}

impl std::error::Error for SyntaxError {}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "  File \"{}\", line {}", self.file, self.line)?;
        if let Some(text) = &self.text {
            write_error_text(f, self, text)?;
        }
        writeln!(f, "{}: {}", self.kind.class_name(), self.msg)
    }
}

/// CPython 3.11's `print_error_text`. CPython turns the character offsets back into UTF-8
/// byte offsets before printing, so on a line with non-ASCII text before the error the caret
/// sits further right than the character it means; pymem copies that.
fn write_error_text(f: &mut fmt::Formatter<'_>, err: &SyntaxError, text: &str) -> fmt::Result {
    let to_byte = |col: u32| -> i64 {
        let chars = usize::try_from(col.saturating_sub(1)).unwrap_or(usize::MAX);
        let bytes: usize = text.chars().take(chars).map(char::len_utf8).sum();
        let past_end = chars.saturating_sub(text.chars().count());
        i64::try_from(bytes + past_end).unwrap_or(i64::MAX) + 1
    };
    let line_size = i64::try_from(text.len()).unwrap_or(i64::MAX);
    let offset = to_byte(err.col);
    // End offset as pythonrun.c adjusts it: a multi-line range highlights to the end of the
    // line; the caret run never passes the end of the text.
    let mut end_offset = match err.end {
        Some(end) if end.line > err.line => line_size,
        Some(end) if end.line == err.line => to_byte(end.col),
        _ => -1,
    };
    if end_offset > line_size + 1 {
        end_offset = line_size + 1;
    }
    let carets = if end_offset > 0 && end_offset > offset {
        end_offset - offset
    } else {
        1
    };
    let trimmed = text.trim_start_matches([' ', '\t', '\x0c']);
    let stripped = line_size - i64::try_from(trimmed.len()).unwrap_or(0);
    let mut offset = offset - 1 - stripped;
    let body = trimmed
        .strip_suffix("\r\n")
        .or_else(|| trimmed.strip_suffix('\n'))
        .or_else(|| trimmed.strip_suffix('\r'))
        .unwrap_or(trimmed);
    let len = i64::try_from(body.len()).unwrap_or(i64::MAX);
    if offset > len {
        offset = len;
    }
    writeln!(f, "    {body}")?;
    if offset < 0 {
        return Ok(());
    }
    let spaces = usize::try_from(offset).unwrap_or(0);
    let carets = usize::try_from(carets).unwrap_or(1);
    writeln!(f, "    {}{}", " ".repeat(spaces), "^".repeat(carets))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(col: u32, end: Option<(u32, u32)>, text: &str) -> SyntaxError {
        SyntaxError {
            kind: SyntaxErrorKind::Syntax,
            msg: "m".into(),
            file: "x.py".into(),
            line: 1,
            col,
            end: end.map(|(line, col)| Pos { line, col }),
            text: Some(text.into()),
            unsupported: None,
        }
    }

    #[test]
    fn caret_run_covers_the_range() {
        let e = err(1, Some((1, 4)), "f() = 1\n");
        assert_eq!(
            e.to_string(),
            "  File \"x.py\", line 1\n    f() = 1\n    ^^^\nSyntaxError: m\n"
        );
    }

    #[test]
    fn leading_blanks_are_stripped_and_no_caret_left_of_text() {
        // CPython's "unexpected indent": offset 5 on a line with 5 leading blanks.
        let e = err(5, None, "     z = 3\n");
        assert_eq!(
            e.to_string(),
            "  File \"x.py\", line 1\n    z = 3\nSyntaxError: m\n"
        );
        let e = err(10, None, "    b = 2\n");
        assert_eq!(
            e.to_string(),
            "  File \"x.py\", line 1\n    b = 2\n         ^\nSyntaxError: m\n"
        );
    }

    #[test]
    fn offset_is_clipped_to_the_line() {
        let e = err(40, None, "ab");
        assert_eq!(
            e.to_string(),
            "  File \"x.py\", line 1\n    ab\n      ^\nSyntaxError: m\n"
        );
    }
}
