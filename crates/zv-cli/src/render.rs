//! One renderer for everything the CLI shows as a table.
//!
//! [`Grid`] is a table of text cells whose columns carry a header, an alignment and a
//! priority; [`Data`] is any `data` the gateway returns, with its object keys in the order
//! the gateway sent them, and [`Data::render`] shows it as a person reads it: an array of
//! objects as a table (columns in first-seen order, nested values as compact JSON), an
//! object as a key/value table, a scalar as one line. The curated tables of the typed
//! commands are [`Grid`]s too, so every table is laid out by the same code.

use comfy_table::{Cell, CellAlignment, ContentArrangement, Row, Table, presets};
use serde::{Deserialize, Serialize};
use serde_with::serde_as;

/// How much room a table has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The widest a line may be, in terminal columns; `None` for no limit.
    pub width: Option<u16>,
}

impl Layout {
    /// No width limit: every row on one line, however long.
    pub const UNLIMITED: Layout = Layout { width: None };
}

/// How a column's cells are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// Text: to the left.
    #[default]
    Left,
    /// Amounts: to the right.
    Right,
}

/// A column of a [`Grid`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    header: String,
    align: Align,
    priority: u16,
}

impl Column {
    /// A left-aligned column of the highest priority.
    pub fn new(header: impl Into<String>) -> Self {
        Column { header: header.into(), align: Align::Left, priority: 0 }
    }

    /// Aligns the cells to the right (amounts).
    pub fn right(mut self) -> Self {
        self.align = Align::Right;
        self
    }

    /// How readily the column gives way when the table is too wide: 0 (the default) is kept
    /// longest; among equal priorities, the rightmost column gives way first.
    pub fn priority(mut self, priority: u16) -> Self {
        self.priority = priority;
        self
    }

    /// The header text.
    pub fn header(&self) -> &str {
        &self.header
    }
}

/// A table of text cells, rendered by [`Grid::render`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
}

impl Grid {
    /// An empty table with these columns.
    pub fn new(columns: Vec<Column>) -> Self {
        Grid { columns, rows: Vec::new() }
    }

    /// Adds a row. Control characters in the cells are made harmless (line breaks and tabs
    /// become spaces, anything else `�`), so a row stays one row and nothing from the network
    /// reaches the terminal as an escape sequence. Missing cells are empty; extra ones are
    /// dropped.
    pub fn push_row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        let mut row: Vec<String> = cells.into_iter().map(|c| sanitize(c.as_ref())).collect();
        row.resize(self.columns.len(), String::new());
        self.rows.push(row);
    }

    /// The columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The rows, as sanitized by [`Grid::push_row`].
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The table as text, ending with a line break.
    pub fn render(&self, layout: Layout) -> String {
        let mut out = self.table(layout).to_string();
        out.push('\n');
        out
    }

    fn table(&self, _layout: Layout) -> Table {
        let mut table = Table::new();
        // comfy-table measures cells with unicode-width: 生日礼品卡 takes ten columns.
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(Row::from(self.columns.iter().map(|c| Cell::new(&c.header))));
        for row in &self.rows {
            table.add_row(Row::from(row.iter().zip(&self.columns).map(|(text, col)| cell(text, col.align))));
        }
        table
    }
}

fn cell(text: &str, align: Align) -> Cell {
    let cell = Cell::new(text);
    match align {
        Align::Left => cell,
        Align::Right => cell.set_alignment(CellAlignment::Right),
    }
}

/// Line breaks and tabs become spaces; other control characters (C0, DEL, C1, among them
/// ESC) become U+FFFD.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Any JSON value, with object keys kept in the order they came in.
///
/// `serde_json::Value` sorts keys (the workspace does not turn on `preserve_order`, which
/// would change key order for every crate in the build), so objects are read as ordered
/// pairs with `serde_with::Map`.
#[serde_as]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Data {
    /// An object: its members in the order they came in.
    Object(#[serde_as(as = "serde_with::Map<_, _>")] Vec<(String, Data)>),
    /// An array.
    Array(Vec<Data>),
    /// A string, number, boolean or null.
    Scalar(serde_json::Value),
}

impl Data {
    /// Reads JSON text.
    pub fn from_json(text: &str) -> Result<Data, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The value as a table cell: strings as they are, `-` for null or an empty string,
    /// arrays and objects as compact JSON in their original order.
    pub fn cell_text(&self) -> String {
        match self {
            Data::Scalar(serde_json::Value::Null) => "-".to_owned(),
            Data::Scalar(serde_json::Value::String(s)) if s.trim().is_empty() => "-".to_owned(),
            Data::Scalar(serde_json::Value::String(s)) => s.clone(),
            other => compact(other),
        }
    }

    /// The value as a person reads it, ending with a line break: an array of objects as a
    /// table, an object as a key/value table, an array of anything else as a one-column
    /// table, a scalar as one line.
    pub fn render(&self, layout: Layout) -> String {
        match self.to_grid() {
            Some(grid) => grid.render(layout),
            None => match self {
                Data::Array(_) => "(empty list)\n".to_owned(),
                Data::Object(_) => "(empty object)\n".to_owned(),
                Data::Scalar(serde_json::Value::String(s)) => format!("{}\n", sanitize(s)),
                Data::Scalar(v) => format!("{v}\n"),
            },
        }
    }

    /// The table [`Data::render`] shows, or `None` for a scalar or an empty array or object.
    ///
    /// Columns that hold nested values give way before the others when the table is too wide.
    pub fn to_grid(&self) -> Option<Grid> {
        match self {
            Data::Object(members) if !members.is_empty() => {
                let mut grid = Grid::new(vec![Column::new("key"), Column::new("value")]);
                for (key, value) in members {
                    grid.push_row([key.clone(), value.cell_text()]);
                }
                Some(grid)
            }
            Data::Array(items) if !items.is_empty() => {
                let objects: Option<Vec<&[(String, Data)]>> = items
                    .iter()
                    .map(|item| match item {
                        Data::Object(members) => Some(members.as_slice()),
                        _ => None,
                    })
                    .collect();
                match objects {
                    Some(objects) => Some(object_table(&objects)),
                    None => {
                        let mut grid = Grid::new(vec![Column::new("value")]);
                        for item in items {
                            grid.push_row([item.cell_text()]);
                        }
                        Some(grid)
                    }
                }
            }
            _ => None,
        }
    }
}

/// Rows of objects as a table: the union of their keys in first-seen order.
fn object_table(objects: &[&[(String, Data)]]) -> Grid {
    let mut keys: Vec<&str> = Vec::new();
    let mut nested: Vec<bool> = Vec::new();
    for members in objects {
        for (key, value) in *members {
            let i = match keys.iter().position(|k| k == key) {
                Some(i) => i,
                None => {
                    keys.push(key);
                    nested.push(false);
                    keys.len() - 1
                }
            };
            nested[i] |= !matches!(value, Data::Scalar(_));
        }
    }
    let columns = keys
        .iter()
        .zip(&nested)
        .map(|(key, nested)| Column::new(*key).priority(u16::from(*nested)))
        .collect();
    let mut grid = Grid::new(columns);
    for members in objects {
        grid.push_row(keys.iter().map(|key| {
            members.iter().find(|(k, _)| k == key).map(|(_, v)| v.cell_text()).unwrap_or_default()
        }));
    }
    grid
}

fn compact(value: &Data) -> String {
    // Serializing the tree we just read cannot fail: keys are strings, numbers are finite.
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_order_and_nested_values_are_compact() {
        let data = Data::from_json(r#"[{"z":1,"a":{"y":[1, 2],"b":null}},{"m":"x","z":2}]"#).unwrap();
        let grid = data.to_grid().unwrap();
        let headers: Vec<&str> = grid.columns().iter().map(Column::header).collect();
        assert_eq!(headers, ["z", "a", "m"]);
        assert_eq!(grid.rows()[0], ["1", r#"{"y":[1,2],"b":null}"#, ""]);
        assert_eq!(grid.rows()[1], ["2", "", "x"]);
    }
}
