//! Source positions as CPython reports them.
//!
//! A [`Pos`] is a 1-based line and a 1-based column counted in characters, which is what
//! `SyntaxError.lineno` / `SyntaxError.offset` hold in CPython 3.11 (the parser's byte offsets
//! are converted to character offsets before the exception is raised). [`LineIndex`] turns the
//! parser's byte offsets into [`Pos`]es.

/// A position in the source: 1-based line, 1-based column counted in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in characters (CPython's `SyntaxError.offset`).
    pub col: u32,
}

/// The extent of a node: from `start` (inclusive) to `end` (exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    /// First character of the node.
    pub start: Pos,
    /// Just past the last character of the node.
    pub end: Pos,
}

/// Byte offset → [`Pos`] conversion for one source text.
#[derive(Clone, Debug)]
pub struct LineIndex<'src> {
    source: &'src str,
    /// Byte offset of the start of each line; `line_starts[0] == 0`.
    line_starts: Vec<usize>,
}

impl<'src> LineIndex<'src> {
    /// Indexes the line starts of `source`. A line ends at `\n`, `\r\n` or a lone `\r`, as in
    /// CPython's tokenizer.
    pub fn new(source: &'src str) -> Self {
        let bytes = source.as_bytes();
        let mut line_starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => line_starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => line_starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            source,
            line_starts,
        }
    }

    /// The source this index was built for.
    pub fn source(&self) -> &'src str {
        self.source
    }

    /// The number of lines (a trailing newline does not start a counted line of text, but
    /// its empty remainder is still addressable).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The position of byte `offset`; offsets past the end (or inside a multi-byte character)
    /// are clamped to the nearest character boundary at or before them.
    pub fn pos(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.source.len());
        while !self.source.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let col = self.source[self.line_starts[line]..offset].chars().count() + 1;
        Pos {
            line: to_u32(line + 1),
            col: to_u32(col),
        }
    }

    /// The text of 1-based line `line` including its line terminator, or `None` past the end.
    pub fn line_text(&self, line: u32) -> Option<&'src str> {
        let idx = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(idx)?;
        let end = self
            .line_starts
            .get(idx + 1)
            .copied()
            .unwrap_or(self.source.len());
        Some(&self.source[start..end])
    }

    /// The byte offset where 1-based line `line` starts, or `None` past the end.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        let idx = usize::try_from(line).ok()?.checked_sub(1)?;
        self.line_starts.get(idx).copied()
    }
}

/// Saturating conversion for line and column numbers (sources past 4 GiB are not indexable
/// by the parser anyway: its offsets are `u32`).
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let idx = LineIndex::new("ab\né = 1\r\nx\ry");
        assert_eq!(idx.pos(0), Pos { line: 1, col: 1 });
        assert_eq!(idx.pos(2), Pos { line: 1, col: 3 });
        assert_eq!(idx.pos(3), Pos { line: 2, col: 1 });
        // 'é' is two bytes but one column.
        assert_eq!(idx.pos(5), Pos { line: 2, col: 2 });
        // Inside 'é' clamps back to its start.
        assert_eq!(idx.pos(4), Pos { line: 2, col: 1 });
        assert_eq!(idx.pos(11), Pos { line: 3, col: 1 });
        assert_eq!(idx.pos(12), Pos { line: 3, col: 2 });
        assert_eq!(idx.pos(13), Pos { line: 4, col: 1 });
        assert_eq!(idx.pos(1000), Pos { line: 4, col: 2 });
        assert_eq!(idx.line_text(2), Some("é = 1\r\n"));
        assert_eq!(idx.line_text(5), None);
        assert_eq!(idx.line_text(0), None);
    }
}
