//! The rows of `--each FILE`: CSV with a header, or JSONL.
//!
//! The whole file is read and checked before anything is sent, so a bad row is an input
//! error (exit 2) naming its row and line, and no call of the batch has been made.
//!
//! Example: the unit test `the_module_example_reads_csv_and_jsonl_rows`.

use std::path::Path;

use serde_json::value::RawValue;
use zv_types::catalogue::Entry;

use crate::commands::api::params::{self, Field, ParamsError};
use crate::output::data::Members;

/// How the rows are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// CSV (RFC 4180) with a header: each column a string param; an empty cell is no param.
    Csv,
    /// One JSON object a line; blank lines are skipped.
    Jsonl,
}

impl InputFormat {
    /// By the file's extension (`.csv`; `.jsonl`, `.ndjson`, `.json`), else by its first
    /// character that is not blank: `{` for JSONL, anything else CSV.
    pub fn detect(path: &Path, text: &str) -> InputFormat {
        let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("csv") => InputFormat::Csv,
            Some("jsonl" | "ndjson" | "json") => InputFormat::Jsonl,
            _ if strip_bom(text).trim_start().starts_with('{') => InputFormat::Jsonl,
            _ => InputFormat::Csv,
        }
    }
}

/// One data row: its number (the first data row is 1, a CSV header not counted), the line
/// it starts on, and its params.
#[derive(Debug, Clone)]
pub struct Row {
    number: usize,
    line: u64,
    fields: Vec<Field>,
}

impl Row {
    /// The data row's number, 1-based: the `row` of its result line.
    pub fn number(&self) -> usize {
        self.number
    }

    /// The line of the file it starts on, 1-based.
    pub fn line(&self) -> u64 {
        self.line
    }

    #[cfg(test)]
    /// The params of its call: `base` (a JSON object: the command's `--params` and
    /// `FIELD` arguments) with the row's values set over it — a row's value wins.
    pub fn params_over(&self, base: &str) -> Result<Box<RawValue>, ParamsError> {
        self.params_for(base, None)
    }

    /// The params of its call: `base` (a JSON object: the command's `--params` and `FIELD`
    /// arguments) with the row's values set over it — a row's value wins — its text values (CSV cells) converted
    /// to the types `entry` declares ([`params::typed`]): `points` is sent as a number when
    /// the catalogue says it is an integer.
    pub fn params_for(&self, base: &str, entry: Option<&Entry>) -> Result<Box<RawValue>, ParamsError> {
        params::build(Some(base), &params::typed(&self.fields, entry))
    }
}

/// Why the rows could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The CSV header is unusable.
    #[error("the CSV header (line 1) {reason}")]
    Header {
        /// What is wrong with it.
        reason: String,
    },
    /// A row is unusable.
    #[error("row {row} (line {line}): {reason}")]
    Row {
        /// The data row's number, 1-based.
        row: usize,
        /// The line it starts on, 1-based.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
}

#[cfg(test)]
/// Reads every row of `text`; the first bad one is the error.
pub fn read_rows(text: &str, format: InputFormat) -> Result<Vec<Row>, InputError> {
    rows(text, format)?.collect()
}

/// The rows of `text`, one at a time (a CSV header is read and checked at once): the text
/// is read once, front to back, in time linear in its length, and no row is kept.
pub fn rows(text: &str, format: InputFormat) -> Result<Rows<'_>, InputError> {
    let text = strip_bom(text);
    let inner = match format {
        InputFormat::Csv => Inner::Csv(CsvRows::new(text)?),
        InputFormat::Jsonl => Inner::Jsonl { lines: text.split('\n').enumerate(), number: 0 },
    };
    Ok(Rows { inner, failed: false })
}

/// The rows of an input, in order ([`rows`]); after the first error, nothing more.
#[derive(Debug)]
pub struct Rows<'a> {
    inner: Inner<'a>,
    failed: bool,
}

#[derive(Debug)]
enum Inner<'a> {
    Csv(CsvRows<'a>),
    Jsonl { lines: std::iter::Enumerate<std::str::Split<'a, char>>, number: usize },
}

impl Iterator for Rows<'_> {
    type Item = Result<Row, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let next = match &mut self.inner {
            Inner::Csv(rows) => rows.next(),
            Inner::Jsonl { lines, number } => jsonl_next(lines, number),
        };
        self.failed = matches!(next, Some(Err(_)));
        next
    }
}

/// Spreadsheets save CSV with a byte order mark; it is not part of the first column's name.
fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

#[derive(Debug)]
struct CsvRows<'a> {
    text: &'a str,
    reader: csv::Reader<&'a [u8]>,
    names: Vec<String>,
    lines: LineCounter,
    /// The rows read so far.
    number: usize,
    /// Where the last record (or the header) starts, in bytes.
    last_start: u64,
    record: csv::StringRecord,
}

impl<'a> CsvRows<'a> {
    fn new(text: &'a str) -> Result<CsvRows<'a>, InputError> {
        // Not `flexible`: a row with more or fewer cells than the header is an error.
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
        let header = match reader.headers() {
            Ok(header) => header.clone(),
            Err(e) => {
                let reason = unterminated_quote(text, 0).map_or_else(|| csv_reason(&e), |(_, reason)| reason);
                return Err(InputError::Header { reason });
            }
        };
        let mut names: Vec<String> = Vec::with_capacity(header.len());
        for (i, name) in header.iter().enumerate() {
            let name = name.trim();
            if name.is_empty() {
                return Err(InputError::Header {
                    reason: format!("has an empty column name (column {})", i + 1),
                });
            }
            if names.iter().any(|n| n == name) {
                return Err(InputError::Header { reason: format!("names the column {name:?} twice") });
            }
            names.push(name.to_owned());
        }
        Ok(CsvRows {
            text,
            reader,
            names,
            lines: LineCounter::default(),
            number: 0,
            last_start: 0,
            record: csv::StringRecord::new(),
        })
    }

    fn next(&mut self) -> Option<Result<Row, InputError>> {
        let number = self.number + 1;
        match self.reader.read_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => {
                // The end: a quote still open swallowed everything after it.
                let (line, reason) = unterminated_quote(self.text, self.last_start)?;
                return Some(Err(match self.number {
                    0 => InputError::Header { reason },
                    row => InputError::Row { row, line, reason },
                }));
            }
            Err(e) => {
                let start = e.position().map_or(self.last_start, csv::Position::byte);
                let line = self.lines.line_at(self.text, start);
                // A quote left open in this record made it swallow the lines after it: say so
                // (one opened in a later record is that record's error).
                let (line, reason) = match unterminated_quote(self.text, start) {
                    Some((quote_line, reason)) if quote_line == line => (line, reason),
                    _ => (line, csv_reason(&e)),
                };
                return Some(Err(InputError::Row { row: number, line, reason }));
            }
        }
        self.number = number;
        let start = self.record.position().map_or(self.last_start, csv::Position::byte);
        self.last_start = start;
        let line = self.lines.line_at(self.text, start);
        let fields = self
            .names
            .iter()
            .zip(self.record.iter())
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| Field::string(name, value))
            .collect();
        Some(Ok(Row { number, line, fields }))
    }
}

/// Counts lines up to a byte offset, from where the last count stopped: over a whole
/// file, linear in its length.
#[derive(Debug, Default)]
struct LineCounter {
    byte: usize,
    line: u64,
}

impl LineCounter {
    /// The line a record starts on. The csv crate's own line count is off after a CRLF or a
    /// blank line (its position is where the previous record's line break began), so the
    /// line is counted here from its byte offset, past any line breaks.
    fn line_at(&mut self, text: &str, position: u64) -> u64 {
        let bytes = text.as_bytes();
        let from = usize::try_from(position).unwrap_or(usize::MAX).min(bytes.len());
        let skipped = bytes[from..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        let start = from + skipped;
        if start < self.byte {
            *self = LineCounter::default();
        }
        self.line += bytes[self.byte..start].iter().filter(|&&b| b == b'\n').count() as u64;
        self.byte = start;
        self.line + 1
    }
}

/// A quote opened at the start of a field of the record at byte `start` and never closed:
/// the line it opens on, and the reason.
fn unterminated_quote(text: &str, start: u64) -> Option<(u64, String)> {
    let bytes = text.as_bytes();
    let start = usize::try_from(start).unwrap_or(usize::MAX).min(bytes.len());
    let (mut field_start, mut open_at) = (true, None);
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        match open_at {
            Some(_) if b == b'"' && bytes.get(i + 1) == Some(&b'"') => i += 1,
            Some(_) if b == b'"' => open_at = None,
            Some(_) => {}
            None if field_start && b == b'"' => open_at = Some(i),
            None => {}
        }
        field_start = open_at.is_none() && matches!(b, b',' | b'\n' | b'\r');
        i += 1;
    }
    let at = open_at?;
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    Some((line, format!("a quote (\") opened on line {line} is never closed")))
}

/// The csv crate's reason, without the position (the row and line are said already).
fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("has {len} cell(s) where the header has {expected_len}")
        }
        _ => e.to_string(),
    }
}

fn jsonl_next(
    lines: &mut std::iter::Enumerate<std::str::Split<'_, char>>,
    number: &mut usize,
) -> Option<Result<Row, InputError>> {
    for (i, line) in lines.by_ref() {
        let line_number = i as u64 + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        *number += 1;
        let row = *number;
        let bad = |reason: String| InputError::Row { row, line: line_number, reason };
        let trimmed = line.trim_start();
        if !trimmed.starts_with('{') {
            return Some(Err(bad("is not a JSON object ({\"field\": value, …})".to_owned())));
        }
        let Members(members) = match serde_json::from_str(trimmed) {
            Ok(members) => members,
            Err(e) => return Some(Err(bad(format!("is not valid JSON: {e}")))),
        };
        let fields = members.into_iter().map(|(name, value)| Field::raw(&name, value)).collect();
        return Some(Ok(Row { number: row, line: line_number, fields }));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(rows: &[Row]) -> Vec<String> {
        rows.iter().map(|r| r.params_over("{}").unwrap().get().to_owned()).collect()
    }

    #[test]
    fn csv_columns_are_strings_quoted_as_rfc_4180_says() {
        let text =
            "\u{feff}id,name,n\r\n00123,\"a,\"\"b\"\"\",1.50\r\n164822200532619796511,\"two\nlines\",\r\n";
        let rows = read_rows(text, InputFormat::Csv).unwrap();
        assert_eq!(
            params(&rows),
            [
                r#"{"id":"00123","name":"a,\"b\"","n":"1.50"}"#,
                r#"{"id":"164822200532619796511","name":"two\nlines"}"#
            ]
        );
        assert_eq!((rows[0].number(), rows[0].line()), (1, 2));
        assert_eq!((rows[1].number(), rows[1].line()), (2, 3));
        let rows = read_rows("a\r\n\r\n1\r\n\n\n2\n", InputFormat::Csv).unwrap();
        assert_eq!(rows.iter().map(|r| (r.number(), r.line())).collect::<Vec<_>>(), [(1, 3), (2, 6)]);
        assert!(read_rows("id\n", InputFormat::Csv).unwrap().is_empty());
        assert!(read_rows("", InputFormat::Csv).unwrap().is_empty());
    }

    #[test]
    fn a_bad_csv_names_its_row_and_line() {
        let e = read_rows("a,b\r\n1,2\r\n\r\n3\r\n", InputFormat::Csv).unwrap_err();
        assert_eq!(
            e,
            InputError::Row { row: 2, line: 4, reason: "has 1 cell(s) where the header has 2".into() }
        );
        assert!(e.to_string().starts_with("row 2 (line 4): has 1 cell(s)"), "{e}");
        let e = read_rows("a,,b\n1,2,3\n", InputFormat::Csv).unwrap_err();
        assert!(matches!(e, InputError::Header { .. }) && e.to_string().contains("column 2"), "{e}");
        let e = read_rows("a,b,a\n1,2,3\n", InputFormat::Csv).unwrap_err();
        assert!(e.to_string().contains("\"a\" twice"), "{e}");
        // names are trimmed: " a" and "a " are one name
        let e = read_rows(" a,a \n1,2\n", InputFormat::Csv).unwrap_err();
        assert!(e.to_string().contains("\"a\" twice"), "{e}");
        let rows = read_rows(" id \t,x\n1,2\n", InputFormat::Csv).unwrap();
        assert_eq!(params(&rows), [r#"{"id":"1","x":"2"}"#]);
    }

    #[test]
    fn an_unterminated_quote_names_the_line_it_opens_on() {
        let quote = |text: &str| match read_rows(text, InputFormat::Csv).unwrap_err() {
            InputError::Row { row, line, reason } => (row, line, reason.contains("never closed")),
            InputError::Header { reason } => (0, 1, reason.contains("never closed")),
        };
        // swallowing the rest: two cells where three are expected, or the last record
        assert_eq!(quote("a,b,c\n1,2,3\n4,\"5,6\n7,8,9\n"), (2, 3, true));
        assert_eq!(quote("a,b\n1,2\n\r\n3,\"4\n5,6\n"), (2, 4, true));
        assert_eq!(quote("\"a\n1\n"), (0, 1, true));
        // an earlier error is that row's, whatever comes after
        assert_eq!(quote("a,b\n1\n2,\"3\n"), (1, 2, false));
        // a closed quote over two lines is one cell; "" is a quote inside one
        let rows = read_rows("a,b\n\"x\ny\",\"q\"\"\"\n1,2\n", InputFormat::Csv).unwrap();
        assert_eq!(params(&rows[..1]), [r#"{"a":"x\ny","b":"q\""}"#]);
        assert_eq!(rows[1].line(), 4);
    }

    #[test]
    fn line_numbers_stay_right_over_many_rows() {
        let text: String = std::iter::once("id\r\n".to_owned())
            .chain((1..=5000).map(|i| if i % 7 == 0 { format!("\r\n{i}\r\n") } else { format!("{i}\r\n") }))
            .collect();
        let rows = read_rows(&text, InputFormat::Csv).unwrap();
        let mut line = 1;
        for (i, row) in rows.iter().enumerate() {
            let n = i + 1;
            line += if n % 7 == 0 { 2 } else { 1 };
            assert_eq!((row.number(), row.line()), (n, line));
        }
    }

    #[test]
    fn jsonl_keeps_every_value_as_its_text_and_names_a_bad_line() {
        let text = "{\"id\": 123456789012345678901, \"x\": 1.10, \"t\": [1, \"a\"]}\r\n  \n{\"id\":\"00123\",\"id\":2}";
        let rows = read_rows(text, InputFormat::Jsonl).unwrap();
        assert_eq!(params(&rows), [r#"{"id":123456789012345678901,"x":1.10,"t":[1, "a"]}"#, r#"{"id":2}"#]);
        assert_eq!((rows[1].number(), rows[1].line()), (2, 3));
        for (text, row, line, reason) in [
            ("{\"a\":1}\n\n[1]\n", 2, 3, "not a JSON object"),
            ("{\"a\":1}\n{\"a\":\n", 2, 2, "not valid JSON"),
            ("{\"a\":1} x\n", 1, 1, "not valid JSON"),
            ("7\n", 1, 1, "not a JSON object"),
        ] {
            match read_rows(text, InputFormat::Jsonl).unwrap_err() {
                InputError::Row { row: r, line: l, reason: why } => {
                    assert_eq!((r, l), (row, line), "{text:?}");
                    assert!(why.contains(reason), "{text:?}: {why}");
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn row_values_win_over_the_base_params() {
        let rows = read_rows("{\"a\":2,\"c\":3}\n", InputFormat::Jsonl).unwrap();
        assert_eq!(rows[0].params_over(r#"{"a":1,"b":1}"#).unwrap().get(), r#"{"a":2,"b":1,"c":3}"#);
    }

    #[test]
    fn the_format_comes_from_the_extension_else_the_first_character() {
        let detect = |path: &str, text: &str| InputFormat::detect(Path::new(path), text);
        assert_eq!(detect("rows.CSV", "{\"a\":1}"), InputFormat::Csv);
        assert_eq!(detect("rows.ndjson", "a,b"), InputFormat::Jsonl);
        assert_eq!(detect("rows.txt", "\u{feff}\n {\"a\":1}"), InputFormat::Jsonl);
        assert_eq!(detect("rows", "a,b\n1,2"), InputFormat::Csv);
    }
}

#[cfg(test)]
mod example {
    #[test]
    fn the_module_example_reads_csv_and_jsonl_rows() {
        use super::{InputFormat, read_rows};
        let rows = read_rows("user_id,note\n10001,\n00123,a \"b\"\n", InputFormat::Csv).unwrap();
        assert_eq!(rows[1].params_over("{}").unwrap().get(), r#"{"user_id":"00123","note":"a \"b\""}"#);
        // an empty cell is no param at all
        assert_eq!(
            rows[0].params_over(r#"{"note":"x"}"#).unwrap().get(),
            r#"{"note":"x","user_id":"10001"}"#
        );
        let rows = read_rows("{\"id\":123456789012345678901}\n\n{\"id\":2}\n", InputFormat::Jsonl).unwrap();
        assert_eq!((rows[1].number(), rows[1].line()), (2, 3));
        assert_eq!(rows[0].params_over("{}").unwrap().get(), r#"{"id":123456789012345678901}"#);
    }
}
