//! A scan of the source with the checks of CPython 3.11's tokenizer (`Parser/tokenizer.c`).
//!
//! CPython reports some errors from its tokenizer rather than its parser, and those take
//! priority: when parsing fails, CPython tokenizes the rest of the file and a tokenizer error
//! found anywhere replaces the parser's message (`_PyPegen_tokenize_full_source_to_check_for_errors`).
//! ruff's lexer reports these cases differently (or, for the nesting limits, not at all), so this
//! scan finds them the way CPython does:
//!
//! - `unterminated string literal (detected at line N)` and the triple-quoted variant, at the
//!   string's first character;
//! - `unmatched ')'` and `closing parenthesis ']' does not match opening parenthesis '('
//!   [on line N]`, at the closing bracket;
//! - `unindent does not match any outer indentation level` (`IndentationError`), at the end of
//!   the line;
//! - `inconsistent use of tabs and spaces in indentation` (`TabError`), when the order of two
//!   indentations depends on the tab size, at the start of the line;
//! - `too many nested parentheses` (more than 200 open brackets, CPython's `MAXLEVEL`) and
//!   `too many levels of indentation` (more than 100, `MAXINDENT`). These also bound the
//!   nesting the rest of the front end has to handle.
//!
//! Brackets still open at the end of the file are returned rather than raised: CPython reports
//! `'(' was never closed` only when the parser failed on a later line than the bracket.

use super::error::SyntaxErrorKind;
use super::location::{LineIndex, Pos};

/// CPython's `MAXLEVEL`: open brackets at once.
const MAX_BRACKETS: usize = 200;
/// CPython's `MAXINDENT`: indentation levels at once.
const MAX_INDENT: usize = 100;
/// Operators (and `.`, `(`, `[`, `not`, `lambda`, ...) in one logical line. Each can add a
/// level to the syntax tree, so this bounds the tree's depth (with [`MAX_BRACKETS`]) before it
/// is built. CPython 3.11's compiler gives up on such chains too: 1,000 nested unary minuses
/// compile, 5,000 raise `RecursionError`.
pub(crate) const MAX_OPERATORS: usize = 3000;

/// A tokenizer-level error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TokError {
    pub(crate) msg: String,
    pub(crate) pos: Pos,
    pub(crate) kind: SyntaxErrorKind,
    /// Set when the limit is pymem's rather than CPython's (see [`MAX_OPERATORS`]).
    pub(crate) unsupported: Option<&'static str>,
}

/// What the scan found.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scan {
    /// The first tokenizer error, if any.
    pub(crate) error: Option<TokError>,
    /// The innermost bracket still open at the end of the file, with its position.
    pub(crate) unclosed: Option<(char, Pos)>,
}

/// Scans `source` as CPython's tokenizer would.
pub(crate) fn scan(index: &LineIndex<'_>) -> Scan {
    let mut scanner = Scanner {
        index,
        src: index.source().as_bytes(),
        i: 0,
        brackets: Vec::new(),
        indents: vec![(0, 0)],
        operators: 0,
    };
    let error = scanner.run().err();
    let unclosed = scanner.brackets.last().map(|&(c, at)| (c, index.pos(at)));
    Scan { error, unclosed }
}

struct Scanner<'a, 'src> {
    index: &'a LineIndex<'src>,
    src: &'src [u8],
    i: usize,
    /// Open brackets: the character and its byte offset.
    brackets: Vec<(char, usize)>,
    /// Indentation columns with tabs to multiples of 8 and, second, with tabs as one column:
    /// CPython's `indstack` and `altindstack`. The two must order lines the same way, or the
    /// indentation depends on the tab size (`TabError`).
    indents: Vec<(usize, usize)>,
    /// Operator-like tokens so far in the current logical line.
    operators: usize,
}

impl Scanner<'_, '_> {
    fn error(&self, msg: String, at: usize) -> TokError {
        TokError {
            msg,
            pos: self.index.pos(at),
            kind: SyntaxErrorKind::Syntax,
            unsupported: None,
        }
    }

    fn run(&mut self) -> Result<(), TokError> {
        let mut at_line_start = true;
        while self.i < self.src.len() {
            if at_line_start && self.brackets.is_empty() {
                self.indentation()?;
            }
            at_line_start = false;
            let c = self.src[self.i];
            if b"+-*/%@&|^~<>=!.([".contains(&c) {
                self.count_operator()?;
            }
            match c {
                b'\n' | b'\r' => {
                    self.i += 1;
                    at_line_start = true;
                    if self.brackets.is_empty() {
                        self.operators = 0;
                    }
                }
                b'#' => {
                    while self.i < self.src.len() && !matches!(self.src[self.i], b'\n' | b'\r') {
                        self.i += 1;
                    }
                }
                b'\\' => {
                    // A line continuation joins the next line without an indentation check.
                    self.i += 1;
                    if self.src.get(self.i) == Some(&b'\r') {
                        self.i += 1;
                    }
                    if self.src.get(self.i) == Some(&b'\n') {
                        self.i += 1;
                    }
                }
                b'\'' | b'"' => self.string(self.i)?,
                b'(' | b'[' | b'{' => {
                    if self.brackets.len() >= MAX_BRACKETS {
                        return Err(self.error("too many nested parentheses".into(), self.i));
                    }
                    self.brackets.push((char::from(c), self.i));
                    self.i += 1;
                }
                b')' | b']' | b'}' => {
                    let close = char::from(c);
                    match self.brackets.pop() {
                        None => return Err(self.error(format!("unmatched '{close}'"), self.i)),
                        Some((open, at))
                            if !matches!((open, close), ('(', ')') | ('[', ']') | ('{', '}')) =>
                        {
                            let open_line = self.index.pos(at).line;
                            let here = self.index.pos(self.i).line;
                            let mut msg = format!(
                                "closing parenthesis '{close}' does not match opening parenthesis '{open}'"
                            );
                            if open_line != here {
                                msg.push_str(&format!(" on line {open_line}"));
                            }
                            return Err(self.error(msg, self.i));
                        }
                        Some(_) => self.i += 1,
                    }
                }
                c if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 => {
                    let start = self.i;
                    while self.i < self.src.len()
                        && (self.src[self.i].is_ascii_alphanumeric()
                            || self.src[self.i] == b'_'
                            || self.src[self.i] >= 0x80)
                    {
                        self.i += 1;
                    }
                    let word = &self.src[start..self.i];
                    if matches!(
                        word,
                        b"not"
                            | b"and"
                            | b"or"
                            | b"if"
                            | b"lambda"
                            | b"await"
                            | b"is"
                            | b"in"
                            | b"yield"
                    ) {
                        self.count_operator()?;
                    }
                    let is_prefix = word.len() <= 2
                        && word.iter().all(|b| b"rRbBuUfF".contains(b))
                        && matches!(self.src.get(self.i), Some(b'\'' | b'"'));
                    if is_prefix {
                        self.string(start)?;
                    }
                }
                _ => self.i += 1,
            }
        }
        Ok(())
    }

    fn count_operator(&mut self) -> Result<(), TokError> {
        self.operators += 1;
        if self.operators > MAX_OPERATORS {
            return Err(TokError {
                unsupported: Some("deep-nesting"),
                ..self.error(
                    format!("pymem does not support statements with more than {MAX_OPERATORS} operators yet"),
                    self.i,
                )
            });
        }
        Ok(())
    }

    /// At the start of a logical line: CPython's indentation bookkeeping.
    fn indentation(&mut self) -> Result<(), TokError> {
        let (mut col, mut alt) = (0, 0);
        let mut j = self.i;
        while let Some(&b) = self.src.get(j) {
            match b {
                b' ' => {
                    col += 1;
                    alt += 1;
                }
                b'\t' => {
                    col = (col / 8 + 1) * 8;
                    alt += 1;
                }
                b'\x0c' => (col, alt) = (0, 0),
                _ => break,
            }
            j += 1;
        }
        // Blank lines and comment-only lines do not count.
        if matches!(self.src.get(j), None | Some(b'#' | b'\n' | b'\r')) {
            return Ok(());
        }
        let tab_error = |this: &Self| TokError {
            kind: SyntaxErrorKind::Tab,
            ..this.error(
                "inconsistent use of tabs and spaces in indentation".into(),
                this.i,
            )
        };
        let (top, alt_top) = *self.indents.last().unwrap_or(&(0, 0));
        if col == top {
            if alt != alt_top {
                return Err(tab_error(self));
            }
        } else if col > top {
            if alt <= alt_top {
                return Err(tab_error(self));
            }
            if self.indents.len() > MAX_INDENT {
                return Err(TokError {
                    kind: SyntaxErrorKind::Indentation,
                    ..self.error("too many levels of indentation".into(), j)
                });
            }
            self.indents.push((col, alt));
        } else {
            while self.indents.last().is_some_and(|&(t, _)| t > col) {
                self.indents.pop();
            }
            match self.indents.last() {
                Some(&(t, a)) if t == col => {
                    if a != alt {
                        return Err(tab_error(self));
                    }
                }
                _ => {
                    // CPython points just past the end of the line.
                    let mut end = j;
                    while end < self.src.len() && !matches!(self.src[end], b'\n' | b'\r') {
                        end += 1;
                    }
                    return Err(TokError {
                        msg: "unindent does not match any outer indentation level".into(),
                        pos: self.index.pos(end),
                        kind: SyntaxErrorKind::Indentation,
                        unsupported: None,
                    });
                }
            }
        }
        self.i = j;
        Ok(())
    }

    /// A string literal starting at `start` (its prefix, if any); `self.i` is at the quote.
    fn string(&mut self, start: usize) -> Result<(), TokError> {
        let quote = self.src[self.i];
        let triple =
            self.src.get(self.i + 1) == Some(&quote) && self.src.get(self.i + 2) == Some(&quote);
        self.i += if triple { 3 } else { 1 };
        loop {
            let Some(&b) = self.src.get(self.i) else {
                let last = self.src.len().saturating_sub(1);
                let line = self.index.pos(last).line;
                let msg = if triple {
                    format!("unterminated triple-quoted string literal (detected at line {line})")
                } else {
                    format!("unterminated string literal (detected at line {line})")
                };
                return Err(self.error(msg, start));
            };
            match b {
                b'\\' => {
                    self.i += 1;
                    if self.src.get(self.i) == Some(&b'\r')
                        && self.src.get(self.i + 1) == Some(&b'\n')
                    {
                        self.i += 1;
                    }
                    self.i += 1;
                }
                b'\n' | b'\r' if !triple => {
                    let line = self.index.pos(self.i).line;
                    return Err(self.error(
                        format!("unterminated string literal (detected at line {line})"),
                        start,
                    ));
                }
                b if b == quote => {
                    if !triple {
                        self.i += 1;
                        return Ok(());
                    }
                    if self.src.get(self.i + 1) == Some(&quote)
                        && self.src.get(self.i + 2) == Some(&quote)
                    {
                        self.i += 3;
                        return Ok(());
                    }
                    self.i += 1;
                }
                _ => self.i += 1,
            }
        }
    }
}
