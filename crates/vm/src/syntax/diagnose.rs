//! ruff's parse errors → CPython 3.11's `SyntaxError` messages and locations.
//!
//! CPython's wording comes from `Grammar/python.gram`'s `invalid_*` rules and
//! `Parser/pegen_errors.c`. The cases mapped here were checked against `python3.11` (the
//! expected outputs are recorded in `tests/all/syntax_errors.rs`); ruff errors without a
//! CPython counterpart below become CPython's generic `invalid syntax` at ruff's location,
//! underlining the offending token.

use ruff_python_ast::ModModule;
use ruff_python_ast::token::TokenKind;
use ruff_python_parser::{ParseError, ParseErrorType, UnsupportedSyntaxError};
use ruff_text_size::TextRange;

use super::error::{SyntaxError, SyntaxErrorKind};
use super::location::{LineIndex, Pos};
use super::lower;
use super::tokenize::{Scan, TokError};

fn make(
    kind: SyntaxErrorKind,
    msg: String,
    start: Pos,
    end: Option<Pos>,
    index: &LineIndex<'_>,
    file: &str,
) -> SyntaxError {
    SyntaxError {
        kind,
        msg,
        file: file.to_owned(),
        line: start.line,
        col: start.col,
        end,
        text: index.line_text(start.line).map(str::to_owned),
        unsupported: None,
    }
}

/// A tokenizer error, as CPython raises it.
pub(super) fn from_tokenizer(err: TokError, index: &LineIndex<'_>, file: &str) -> SyntaxError {
    let end = (err.kind == SyntaxErrorKind::Syntax).then_some(err.pos);
    let mut out = make(err.kind, err.msg, err.pos, end, index, file);
    out.unsupported = err.unsupported;
    out
}

/// An error that means a bug in the front end, reported instead of panicking.
pub(super) fn internal(what: &str, index: &LineIndex<'_>, file: &str) -> SyntaxError {
    let start = Pos { line: 1, col: 1 };
    make(
        SyntaxErrorKind::Syntax,
        format!("internal error in pymem's parser: {what}"),
        start,
        None,
        index,
        file,
    )
}

/// Syntax that parses but is newer than Python 3.11.
pub(super) fn newer_syntax(
    err: &UnsupportedSyntaxError,
    index: &LineIndex<'_>,
    file: &str,
) -> SyntaxError {
    let (start, end) = positions(err.range, index);
    make(
        SyntaxErrorKind::Syntax,
        "invalid syntax".into(),
        start,
        Some(end),
        index,
        file,
    )
}

fn positions(range: TextRange, index: &LineIndex<'_>) -> (Pos, Pos) {
    (
        index.pos(range.start().to_usize()),
        index.pos(range.end().to_usize()),
    )
}

/// ruff's first error, in CPython's words.
pub(super) fn from_parser(
    err: &ParseError,
    module: &ModModule,
    scan: &Scan,
    index: &LineIndex<'_>,
    file: &str,
) -> SyntaxError {
    let (start, end) = positions(err.location, index);
    // A bracket left open before the failing line: CPython blames the bracket.
    // ruff stops at the newline that ends the bracket's line (it tokenizes newlines inside
    // brackets), where CPython's parser runs on to the next line.
    let at_newline = matches!(
        err.error,
        ParseErrorType::ExpectedToken {
            found: TokenKind::Newline | TokenKind::NonLogicalNewline | TokenKind::EndOfFile,
            ..
        }
    );
    if let Some((open, at)) = scan.unclosed
        && (start.line > at.line || at_eof(err, index) || (at_newline && start >= at))
    {
        return make(
            SyntaxErrorKind::Syntax,
            format!("'{open}' was never closed"),
            at,
            None,
            index,
            file,
        );
    }
    let syntax = |msg: String, start: Pos, end: Pos| {
        make(SyntaxErrorKind::Syntax, msg, start, Some(end), index, file)
    };
    match &err.error {
        ParseErrorType::UnexpectedIndentation => {
            // CPython points at the last blank of the indentation.
            let indent = index.line_text(start.line).map_or(0, |t| {
                t.chars()
                    .take_while(|c| matches!(c, ' ' | '\t' | '\x0c'))
                    .count()
            });
            let col = u32::try_from(indent.max(1)).unwrap_or(1);
            make(
                SyntaxErrorKind::Indentation,
                "unexpected indent".into(),
                Pos {
                    line: start.line,
                    col,
                },
                None,
                index,
                file,
            )
        }
        ParseErrorType::ExpectedToken {
            expected: TokenKind::Indent,
            ..
        } => expected_block(start, err.location.start().to_usize(), index, file),
        ParseErrorType::OtherError(msg) if msg.starts_with("Expected an indented block") => {
            expected_block(start, err.location.start().to_usize(), index, file)
        }
        ParseErrorType::ExpectedToken {
            expected: TokenKind::Colon,
            found: TokenKind::Newline,
        } => syntax("expected ':'".into(), start, start),
        ParseErrorType::ExpectedToken {
            expected: TokenKind::Colon,
            ..
        } if header_forces_colon(start, index) => syntax("expected ':'".into(), start, end),
        ParseErrorType::ExpectedToken {
            expected: TokenKind::Comma,
            found,
        } if found.as_augmented_assign_operator().is_some() => {
            // `a, b += 1`: ruff wanted another tuple element; CPython blames the tuple.
            let text = index.line_text(start.line).unwrap_or("");
            let lead = text.chars().take_while(|c| c.is_whitespace()).count();
            let target = text
                .chars()
                .take(usize::try_from(start.col).unwrap_or(1).saturating_sub(1))
                .collect::<String>();
            let target_end = target.trim_end().chars().count();
            syntax(
                "'tuple' is an illegal expression for augmented assignment".into(),
                Pos {
                    line: start.line,
                    col: u32::try_from(lead + 1).unwrap_or(1),
                },
                Pos {
                    line: start.line,
                    col: u32::try_from(target_end + 1).unwrap_or(1),
                },
            )
        }
        ParseErrorType::InvalidAssignmentTarget => {
            let (name, hint) = lower::invalid_target(module, err.location);
            let msg = if hint {
                format!("cannot assign to {name} here. Maybe you meant '==' instead of '='?")
            } else {
                format!("cannot assign to {name}")
            };
            syntax(msg, start, end)
        }
        ParseErrorType::InvalidDeleteTarget => {
            let (name, _) = lower::invalid_target(module, err.location);
            syntax(format!("cannot delete {name}"), start, end)
        }
        ParseErrorType::InvalidAugmentedAssignmentTarget => {
            let (name, _) = lower::invalid_target(module, err.location);
            syntax(
                format!("'{name}' is an illegal expression for augmented assignment"),
                start,
                end,
            )
        }
        _ => syntax("invalid syntax".into(), start, end),
    }
}

fn at_eof(err: &ParseError, index: &LineIndex<'_>) -> bool {
    index.source()[err.location.start().to_usize().min(index.source().len())..]
        .trim()
        .is_empty()
}

/// `def`, `class`, `try`, `else` and `finally` headers require their `:` whatever follows
/// (`&&':'` in CPython's grammar); other headers only say "expected ':'" before a newline.
fn header_forces_colon(at: Pos, index: &LineIndex<'_>) -> bool {
    let first = index
        .line_text(at.line)
        .and_then(|t| t.split_whitespace().next())
        .unwrap_or("");
    let word: String = first
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    matches!(word.as_str(), "def" | "class" | "try" | "else" | "finally")
}

/// "expected an indented block after 'if' statement on line N", found by walking back from
/// the error to the header line that ends in `:`.
fn expected_block(start: Pos, offset: usize, index: &LineIndex<'_>, file: &str) -> SyntaxError {
    let rest = index.source().get(offset..).unwrap_or("");
    let eof = rest.trim().is_empty();
    // ruff may report the error at the newline that ends the header itself.
    let at_line_end = rest
        .split(['\n', '\r'])
        .next()
        .is_none_or(|r| r.split('#').next().unwrap_or("").trim().is_empty());
    let mut header = None;
    let mut line = if at_line_end {
        start.line + 1
    } else {
        start.line
    };
    while line > 1 {
        line -= 1;
        let Some(text) = index.line_text(line) else {
            break;
        };
        let code = text.split('#').next().unwrap_or("").trim_end();
        if code.is_empty() {
            continue;
        }
        if code.ends_with(':') {
            header = Some((line, code.trim_start().to_owned()));
        }
        break;
    }
    let what = match header.as_ref().map(|(_, code)| {
        code.split(|c: char| !c.is_ascii_alphabetic())
            .next()
            .unwrap_or("")
            .to_owned()
    }) {
        Some(word) => match word.as_str() {
            "def" => Some("function definition".to_owned()),
            "class" => Some("class definition".to_owned()),
            "if" | "elif" | "else" | "while" | "for" | "try" | "except" | "finally" | "with" => {
                Some(format!("'{word}' statement"))
            }
            _ => None,
        },
        None => None,
    };
    let msg = match (what, &header) {
        (Some(what), Some((line, _))) => {
            format!("expected an indented block after {what} on line {line}")
        }
        _ => "expected an indented block".to_owned(),
    };
    // CPython points at the start of the unindented statement; at the end of the file just
    // past the header instead.
    let (start, end) = match (&header, eof) {
        (Some((line, _)), true) => {
            let len = index
                .line_text(*line)
                .map_or(0, |t| t.trim_end_matches(['\n', '\r']).chars().count());
            let p = Pos {
                line: *line,
                col: u32::try_from(len + 1).unwrap_or(u32::MAX),
            };
            (p, None)
        }
        _ => (
            Pos {
                line: start.line,
                col: 1,
            },
            // compile() also gives the end of the statement's first token, but
            // `python3 x.py` prints a single caret; the printed form is the one kept.
            None,
        ),
    };
    make(SyntaxErrorKind::Indentation, msg, start, end, index, file)
}
