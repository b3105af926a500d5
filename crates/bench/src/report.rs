//! Plain-text tables and number formatting for the reports.

/// Column alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Left-aligned (names).
    Left,
    /// Right-aligned (numbers).
    Right,
}

/// A text table with a header row, rendered with padded columns.
#[derive(Clone, Debug, Default)]
pub struct Table {
    headers: Vec<(String, Align)>,
    rows: Vec<Option<Vec<String>>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new(headers: &[(&str, Align)]) -> Table {
        Table {
            headers: headers.iter().map(|&(h, a)| (h.to_owned(), a)).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row (missing trailing cells are blank).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(Some(cells));
    }

    /// Appends an empty separator line.
    pub fn separator(&mut self) {
        self.rows.push(None);
    }

    /// Renders the table; lines have no trailing spaces.
    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self
            .headers
            .iter()
            .map(|(h, _)| h.chars().count())
            .collect();
        for row in self.rows.iter().flatten() {
            for (i, cell) in row.iter().enumerate().take(widths.len()) {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let mut out = String::new();
            for (i, (_, align)) in self.headers.iter().enumerate() {
                let cell = cells.get(i).map_or("", String::as_str);
                let pad = widths[i].saturating_sub(cell.chars().count());
                if i > 0 {
                    out.push_str("  ");
                }
                match align {
                    Align::Left => {
                        out.push_str(cell);
                        out.push_str(&" ".repeat(pad));
                    }
                    Align::Right => {
                        out.push_str(&" ".repeat(pad));
                        out.push_str(cell);
                    }
                }
            }
            out.trim_end().to_owned()
        };
        let headers: Vec<String> = self.headers.iter().map(|(h, _)| h.clone()).collect();
        let mut out = line(&headers);
        out.push('\n');
        for row in &self.rows {
            if let Some(cells) = row {
                out.push_str(&line(cells));
            }
            out.push('\n');
        }
        out
    }
}

/// Formats a value with a precision suited to its magnitude (3 significant-ish digits).
pub fn num(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Formats an optional ratio as `0.31`, or `-` when absent.
pub fn ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "-".to_owned(), |r| format!("{r:.2}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_aligned_columns() {
        let mut t = Table::new(&[("name", Align::Left), ("ns", Align::Right)]);
        t.row(vec!["a".into(), "1.00".into()]);
        t.separator();
        t.row(vec!["longer".into(), "10.0".into()]);
        assert_eq!(t.render(), "name      ns\na       1.00\n\nlonger  10.0\n");
    }

    #[test]
    fn number_formats() {
        assert_eq!(num(4.123), "4.12");
        assert_eq!(num(38.44), "38.4");
        assert_eq!(num(594.7), "595");
        assert_eq!(ratio(None), "-");
        assert_eq!(ratio(Some(0.314)), "0.31");
    }
}
