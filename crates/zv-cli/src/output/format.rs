//! Output formats: `--format table|json|jsonl|csv` for every command.
//!
//! Every result is a [`Data`] (exact JSON) before it is printed, so the four formats show
//! the same values, numbers digit for digit:
//!
//! - `table`: [`Data::render`] (the typed commands have curated tables of their own);
//! - `json`: the whole value, indented on a terminal, one line otherwise;
//! - `jsonl`: one record a line — the elements of an array, else the value itself — with the
//!   characters a terminal would obey written as JSON escapes ([`escape_unsafe`]);
//! - `csv`: a header and one row a record (RFC 4180 quoting by the `csv` crate, CRLF line
//!   ends); the columns are the records' keys in first-seen order, a nested value is compact
//!   JSON, `null` an empty cell.

use std::io::{self, Write};

use crate::output::data::{Data, escape_unsafe};
use crate::output::render::{self, Layout};

/// How a command prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table that fits the terminal.
    Table,
    /// JSON: indented on a terminal, one line otherwise.
    Json,
    /// One JSON record per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

/// A format with what it needs to know about stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Printer {
    /// The format.
    pub format: Format,
    /// The table layout (for [`Format::Table`]).
    pub layout: Layout,
    /// Whether stdout is a terminal (JSON is indented for a person).
    pub terminal: bool,
}

impl Printer {
    /// Prints `data` in the format; its records (for `jsonl` and `csv`) are its elements
    /// when it is an array, else itself.
    pub fn data(&self, out: &mut impl Write, data: &Data) -> io::Result<()> {
        self.data_with_records(out, data, data)
    }

    /// Prints `whole` (for `table` and `json`) or `records` (for `jsonl` and `csv`), e.g. a
    /// coupon list's `item_list`.
    pub fn data_with_records(&self, out: &mut impl Write, whole: &Data, records: &Data) -> io::Result<()> {
        match self.format {
            Format::Table => write!(out, "{}", whole.render(self.layout)),
            Format::Json => self.json(out, whole),
            Format::Jsonl => {
                for record in record_list(records) {
                    writeln!(out, "{}", escape_unsafe(&record.to_json()))?;
                }
                Ok(())
            }
            Format::Csv => csv(out, &record_list(records), self.terminal),
        }
    }

    /// One JSON value: indented on a terminal, one line otherwise.
    pub fn json(&self, out: &mut impl Write, data: &Data) -> io::Result<()> {
        let text = if self.terminal { data.to_pretty() } else { data.to_json() };
        writeln!(out, "{text}")
    }
}

/// An array's elements, or the value itself.
fn record_list(data: &Data) -> Vec<&Data> {
    match data {
        Data::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// The records as CSV: objects by the union of their keys, anything else in a `value` column.
/// For a `terminal`, every cell and header is made safe to show ([`render::replace_unsafe`]: CSV
/// has no escapes, so what a terminal would obey is replaced); a file gets them as they are.
pub fn csv(out: &mut impl Write, records: &[&Data], terminal: bool) -> io::Result<()> {
    // The keys in first-seen order, found by a map: linear in the records, however many
    // distinct keys they have.
    let mut keys: Vec<&str> = Vec::new();
    let mut column_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut scalar = false;
    for record in records {
        match record {
            Data::Object(members) => {
                for (key, _) in members {
                    column_of.entry(key.as_str()).or_insert_with(|| {
                        keys.push(key);
                        keys.len() - 1
                    });
                }
            }
            _ => scalar = true,
        }
    }
    if scalar || keys.is_empty() {
        keys.push("value");
    }
    let shown = |cell: &str| if terminal { render::replace_unsafe(cell) } else { cell.to_owned() };
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
    writer.write_record(keys.iter().map(|k| shown(k)))?;
    for record in records {
        let row: Vec<String> = match record {
            Data::Object(members) => {
                let mut row = vec![None; keys.len()];
                for (key, value) in members {
                    // A key sent twice in one record: its first value.
                    if let Some(cell) = column_of.get(key.as_str()).and_then(|&i| row.get_mut(i))
                        && cell.is_none()
                    {
                        *cell = Some(csv_cell(value));
                    }
                }
                row.into_iter().map(Option::unwrap_or_default).collect()
            }
            other => {
                keys.iter().map(|&k| if k == "value" { csv_cell(other) } else { String::new() }).collect()
            }
        };
        writer.write_record(row.iter().map(|cell| shown(cell)))?;
    }
    writer.flush()
}

/// A CSV cell: a string as it is, a number as written, `null` empty, nested values compact JSON.
fn csv_cell(value: &Data) -> String {
    match value {
        Data::Null => String::new(),
        Data::String(s) => s.clone(),
        other => other.cell_text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(format: Format, json: &str) -> String {
        print_to(false, format, json)
    }

    fn print_to(terminal: bool, format: Format, json: &str) -> String {
        let printer = Printer { format, layout: Layout::UNLIMITED, terminal };
        let mut out = Vec::new();
        printer.data(&mut out, &Data::from_json(json).unwrap()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_quotes_as_rfc_4180_says_and_nests_json() {
        let json = r#"[{"id":164822200532619796511,"name":"a,\"b\"","tags":["x",1]},{"note":"two\nlines","id":2,"name":null}]"#;
        assert_eq!(
            print(Format::Csv, json),
            "id,name,tags,note\r\n164822200532619796511,\"a,\"\"b\"\"\",\"[\"\"x\"\",1]\",\r\n2,,,\"two\nlines\"\r\n"
        );
        assert_eq!(print(Format::Csv, r#"[1,"a"]"#), "value\r\n1\r\na\r\n");
        assert_eq!(print(Format::Csv, r#"{"a":1}"#), "a\r\n1\r\n");
        assert_eq!(print(Format::Csv, "[]"), "value\r\n");
    }

    #[test]
    fn csv_of_records_with_keys_of_their_own_has_every_column_in_first_seen_order() {
        assert_eq!(
            print(Format::Csv, r#"[{"a":1,"b":2},{"c":3,"a":4,"a":5},{"b":6}]"#),
            "a,b,c\r\n1,2,\r\n4,,3\r\n,6,\r\n"
        );
        // thousands of distinct keys: one column each, every row complete
        let records: Vec<String> = (0..2000).map(|i| format!(r#"{{"id":{i},"k{i}":"x"}}"#)).collect();
        let text = print(Format::Csv, &format!("[{}]", records.join(",")));
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 2001);
        assert!(lines.iter().all(|l| l.matches(',').count() == 2000));
        assert!(lines[2000].starts_with("1999,") && lines[2000].ends_with(",x"), "{}", &lines[2000][..20]);
    }

    #[test]
    fn jsonl_is_one_record_a_line_and_json_one_value() {
        let json = r#"[{"id":164822200532619796511},{"id":2}]"#;
        assert_eq!(print(Format::Jsonl, json), "{\"id\":164822200532619796511}\n{\"id\":2}\n");
        assert_eq!(print(Format::Jsonl, r#"{"a":1}"#), "{\"a\":1}\n");
        assert_eq!(print(Format::Json, json), format!("{json}\n"));
        assert!(print(Format::Table, json).contains("164822200532619796511"));
    }

    #[test]
    fn what_a_terminal_would_obey_is_escaped_in_jsonl_and_in_csv_on_a_terminal() {
        let json =
            "[{\"n\u{9b}\":\"a\\u001b[2J\u{9b}31m\u{85}\u{2028}\u{202e}b\",\"id\":164822200532619796511}]";
        let line = r#"{"n\u009b":"a\u001b[2J\u009b31m\u0085\u2028\u202eb","id":164822200532619796511}"#;
        for terminal in [false, true] {
            assert_eq!(print_to(terminal, Format::Jsonl, json), format!("{line}\n"));
        }
        let csv = print_to(true, Format::Csv, json);
        assert!(!csv.chars().any(|c| zv_types::text::is_unsafe_char(c) && c != '\r' && c != '\n'), "{csv:?}");
        assert!(csv.contains("164822200532619796511"), "{csv}");
        // A file gets the cells as they are.
        assert!(print_to(false, Format::Csv, json).contains('\u{9b}'));
    }
}
