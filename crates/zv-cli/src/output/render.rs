//! One renderer for everything the CLI shows as a table.
//!
//! [`Grid`] is a table of text cells whose columns carry a header, an alignment and a
//! priority; [`Data`] is any `data` the gateway returns, with its object keys in the order
//! the gateway sent them, and [`Data::render`] shows it as a person reads it: an array of
//! objects as a table (columns in first-seen order, nested values as compact JSON), an
//! object as a key/value table, a scalar as one line. The curated tables of the typed
//! commands are [`Grid`]s too, so every table is laid out by the same code.

use comfy_table::{Cell, CellAlignment, ColumnConstraint, ContentArrangement, Row, Table, Width, presets};

pub use crate::output::data::Data;

/// How a table is laid out: how much room it has, whether a row may take several lines, and
/// whether its header is styled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The widest a line may be, in terminal columns (a CJK character counts two); `None`
    /// for no limit.
    pub width: Option<u16>,
    /// Long cells wrap onto a few lines (for a terminal); otherwise every row stays on one
    /// line and long cells are cut with `…` (for `grep` and `awk`).
    pub wrap: bool,
    /// Bold headers (ANSI escapes); only for a terminal that wants colour.
    pub color: bool,
}

impl Layout {
    /// No width limit, one line per row, no colour.
    pub const UNLIMITED: Layout = Layout { width: None, wrap: false, color: false };

    /// At most `width` columns, one line per row, no colour: what a pipe gets with `COLUMNS`.
    pub fn fixed(width: u16) -> Layout {
        Layout { width: Some(width), ..Layout::UNLIMITED }
    }

    /// The same, with long cells wrapped onto a few lines instead of cut.
    pub fn wrapped(self) -> Layout {
        Layout { wrap: true, ..self }
    }

    /// The same, with bold headers.
    pub fn colored(self, color: bool) -> Layout {
        Layout { color, ..self }
    }

    /// The layout for a stream: a terminal gets its own width (else `COLUMNS`, else 80) and
    /// wrapped cells; anything else gets the width in `COLUMNS` or no limit, one line per row.
    pub fn for_stream(is_terminal: bool, terminal_width: Option<u16>, columns: Option<&str>) -> Layout {
        let columns = columns.and_then(|c| c.trim().parse::<u16>().ok()).filter(|&c| c > 0);
        if is_terminal {
            Layout::fixed(terminal_width.filter(|&w| w > 0).or(columns).unwrap_or(80)).wrapped()
        } else {
            Layout { width: columns, ..Layout::UNLIMITED }
        }
    }
}

/// The lines a wrapped cell may take before it is cut with `…`.
const MAX_WRAPPED_LINES: usize = 4;
/// A column is not squeezed narrower than this (or its widest cell, if narrower): below it,
/// low-priority columns drop out instead.
const MIN_COLUMN_WIDTH: u16 = 16;

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
    whole: bool,
}

impl Column {
    /// A left-aligned column of the highest priority. The header is sanitized like a cell
    /// ([`replace_unsafe`]): it may be a key the gateway sent.
    pub fn new(header: impl AsRef<str>) -> Self {
        Column { header: replace_unsafe(header.as_ref()), align: Align::Left, priority: 0, whole: false }
    }

    /// Never wraps or cuts its cells (identifiers such as paths): the column is as wide as
    /// its widest cell, and when the table is too wide other columns give way first.
    pub fn whole(mut self) -> Self {
        self.whole = true;
        self
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

    #[cfg(test)]
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
    left_out: Vec<String>,
}

impl Grid {
    /// An empty table with these columns.
    pub fn new(columns: Vec<Column>) -> Self {
        Grid { columns, rows: Vec::new(), left_out: Vec::new() }
    }

    /// Names columns the data has but the table leaves out (see [`MAX_COLUMNS`]): the
    /// rendered table names them in one line under it (sanitized, cut short when long).
    pub fn with_left_out(mut self, names: Vec<String>) -> Self {
        self.left_out = names;
        self
    }

    #[cfg(test)]
    /// The columns left out, as given to [`Grid::with_left_out`].
    pub fn left_out(&self) -> &[String] {
        &self.left_out
    }

    /// Adds a row. Control characters in the cells are made harmless (line breaks and tabs
    /// become spaces, anything else `�`), so a row stays one row and nothing from the network
    /// reaches the terminal as an escape sequence. Missing cells are empty; extra ones are
    /// dropped.
    pub fn push_row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        let mut row: Vec<String> = cells.into_iter().map(|c| replace_unsafe(c.as_ref())).collect();
        row.resize(self.columns.len(), String::new());
        self.rows.push(row);
    }

    #[cfg(test)]
    /// The columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    #[cfg(test)]
    /// The rows, as sanitized by [`Grid::push_row`].
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The table as text, ending with a line break.
    ///
    /// With a width, no line is wider than it (unless a single column cannot fit): columns
    /// are kept by priority, and when even their narrowest useful widths do not fit, the
    /// lowest-priority ones drop out and a last line says how many. comfy-table's dynamic
    /// arrangement then shares the width out, wrapping or cutting long cells.
    pub fn render(&self, layout: Layout) -> String {
        let Some(width) = layout.width else {
            return finish(self.table(&self.all_columns(), layout), 0, &self.left_out, layout);
        };
        let mins = self.min_widths();
        // The order in which columns give way: highest priority number first, then rightmost.
        let mut give_way: Vec<usize> = (0..self.columns.len()).collect();
        give_way.sort_by_key(|&i| (std::cmp::Reverse(self.columns[i].priority), std::cmp::Reverse(i)));
        let mut give_way = give_way.into_iter();
        let mut visible = self.all_columns();
        loop {
            let needed: usize = visible.iter().map(|&i| usize::from(mins[i]) + 3).sum::<usize>() + 1;
            if visible.len() > 1 && needed > usize::from(width) {
                hide_next(&mut visible, &mut give_way);
                continue;
            }
            let text = self.table(&visible, layout).to_string();
            let fits = text.lines().all(|l| display_width(l) <= usize::from(width));
            if fits || visible.len() == 1 {
                return finish(text, self.columns.len() - visible.len(), &self.left_out, layout);
            }
            hide_next(&mut visible, &mut give_way);
        }
    }

    fn all_columns(&self) -> Vec<usize> {
        (0..self.columns.len()).collect()
    }

    /// Per column: its widest cell (header included), but at most [`MIN_COLUMN_WIDTH`]
    /// unless it is [whole](Column::whole).
    fn min_widths(&self) -> Vec<u16> {
        (0..self.columns.len())
            .map(|i| {
                let widest = u16::try_from(self.widest(i)).unwrap_or(u16::MAX).max(1);
                if self.columns[i].whole { widest } else { widest.min(MIN_COLUMN_WIDTH) }
            })
            .collect()
    }

    /// A comfy-table of the `visible` columns.
    ///
    /// No column constraints: comfy-table fixes a column with a `LowerBoundary` at exactly
    /// that bound, even when there is room to spare; dropping columns beforehand (see
    /// [`Grid::render`]) is what keeps every column readable.
    fn table(&self, visible: &[usize], layout: Layout) -> Table {
        let mut table = Table::new();
        // comfy-table measures cells with unicode-width: 生日礼品卡 takes ten columns.
        table.load_style(presets::UTF8_FULL_CONDENSED).set_truncation_indicator("…");
        match layout.width {
            Some(width) => {
                table.set_content_arrangement(ContentArrangement::Dynamic).set_width(width);
            }
            None => {
                table.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        let height = if layout.wrap { MAX_WRAPPED_LINES } else { 1 };
        let mut header = Row::from(visible.iter().map(|&i| Cell::new(&self.columns[i].header)));
        header.max_height(height);
        table.set_header(header);
        for row in &self.rows {
            let mut row = Row::from(visible.iter().map(|&i| cell(&row[i], self.columns[i].align)));
            row.max_height(height);
            table.add_row(row);
        }
        let fixed =
            |w: usize| ColumnConstraint::Absolute(Width::Fixed(u16::try_from(w + 2).unwrap_or(u16::MAX)));
        if let (Some(width), false) = (layout.width, layout.wrap) {
            // comfy-table's dynamic arrangement plans for wrapped cells: it leaves room unused
            // when cells are cut to one line instead, so one-line rows get their widths here.
            // Whole columns take their widest cell first; the others share what is left.
            let widest: Vec<usize> = visible.iter().map(|&i| self.widest(i)).collect();
            let whole: Vec<bool> = visible.iter().map(|&i| self.columns[i].whole).collect();
            let taken: usize = widest.iter().zip(&whole).filter(|(_, w)| **w).map(|(n, _)| n).sum();
            let budget = usize::from(width).saturating_sub(3 * visible.len() + 1 + taken);
            let shared: Vec<usize> =
                widest.iter().zip(&whole).filter(|(_, w)| !**w).map(|(n, _)| *n).collect();
            let mut shares = fair_share(&shared, budget).into_iter();
            let widths =
                widest.iter().zip(&whole).map(|(n, w)| if *w { *n } else { shares.next().unwrap_or(0) });
            table.set_constraints(widths.map(fixed));
        } else if layout.width.is_some() {
            // Wrapped: a whole column is given its widest cell; the rest is comfy-table's.
            for (k, &i) in visible.iter().enumerate() {
                if self.columns[i].whole
                    && let Some(column) = table.column_mut(k)
                {
                    column.set_constraint(fixed(self.widest(i)));
                }
            }
        }
        table
    }

    /// The display width of a column's widest cell, header included.
    fn widest(&self, column: usize) -> usize {
        std::iter::once(self.columns[column].header.as_str())
            .chain(self.rows.iter().map(|r| r[column].as_str()))
            .map(display_width)
            .max()
            .unwrap_or(0)
    }
}

/// Column widths within `budget`: every column its widest cell when they all fit; otherwise
/// the columns narrower than a fair share keep their width and the wider ones share what is
/// left equally (a max-min fair share).
fn fair_share(widest: &[usize], budget: usize) -> Vec<usize> {
    let mut widths = vec![0; widest.len()];
    let mut open: Vec<usize> = (0..widest.len()).collect();
    let mut left = budget;
    while !open.is_empty() {
        let fair = left / open.len();
        let (fit, wide): (Vec<usize>, Vec<usize>) = open.iter().partition(|&&i| widest[i] <= fair);
        if fit.is_empty() {
            let extra = left % open.len();
            for (k, &i) in wide.iter().enumerate() {
                widths[i] = fair + usize::from(k < extra);
            }
            break;
        }
        for i in fit {
            widths[i] = widest[i];
            left -= widest[i];
        }
        open = wide;
    }
    widths
}

fn hide_next(visible: &mut Vec<usize>, give_way: &mut impl Iterator<Item = usize>) {
    if let Some(i) = give_way.next() {
        visible.retain(|&v| v != i);
    }
}

/// The rendered table with its header in bold (when asked), a line naming how many columns
/// were hidden for the width, one naming the columns left out of the table, and a final
/// line break.
fn finish(table: impl ToString, hidden: usize, left_out: &[String], layout: Layout) -> String {
    let table = table.to_string();
    let mut out = String::with_capacity(table.len() + 64);
    // The header is every line between the top border and the `╞═══╡` line under it.
    let mut in_header = false;
    for (n, line) in table.lines().enumerate() {
        if n == 1 {
            in_header = true;
        }
        if line.starts_with('╞') {
            in_header = false;
        }
        if in_header && layout.color {
            let bold = anstyle::Style::new().bold();
            out.push_str(&format!("{bold}{line}{bold:#}"));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    if hidden > 0 {
        let note = format!("({hidden} more column(s) hidden for the width; --json shows all)");
        let note = match layout.width {
            Some(w) if note.len() > usize::from(w) => format!("(+{hidden} columns)"),
            _ => note,
        };
        out.push_str(&note);
        out.push('\n');
    }
    if !left_out.is_empty() {
        out.push_str(&left_out_line(left_out, layout.width));
        out.push('\n');
    }
    out
}

/// The longest the line naming the columns left out may be when there is no width.
const LEFT_OUT_LINE_CHARS: usize = 200;

/// `(3 more columns: a, b, c; --json has all)`, naming as many as fit the width (or
/// [`LEFT_OUT_LINE_CHARS`]) and counting the rest.
fn left_out_line(names: &[String], width: Option<u16>) -> String {
    let room = width.map_or(LEFT_OUT_LINE_CHARS, usize::from);
    let head = format!("({} more columns: ", names.len());
    let tail = "; --json has all)";
    let mut listed = String::new();
    let mut shown = 0;
    for name in names {
        let name = replace_unsafe(name);
        let rest = names.len() - shown - 1;
        let more = if rest > 0 { format!(", … {rest} more") } else { String::new() };
        let sep = if shown > 0 { ", " } else { "" };
        let len = display_width(&head) + display_width(&listed) + sep.len() + display_width(&name);
        if len + display_width(&more) + tail.len() > room {
            break;
        }
        listed.push_str(sep);
        listed.push_str(&name);
        shown += 1;
    }
    let rest = names.len() - shown;
    match (shown, rest) {
        (_, 0) => format!("{head}{listed}{tail}"),
        (0, _) => format!("({rest} more columns{tail}"),
        _ => format!("{head}{listed}, … {rest} more{tail}"),
    }
}

/// The width of a line on a terminal: a CJK character counts two.
pub fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

fn cell(text: &str, align: Align) -> Cell {
    let cell = Cell::new(text);
    match align {
        Align::Left => cell,
        Align::Right => cell.set_alignment(CellAlignment::Right),
    }
}

/// Text for one table cell or line: line breaks and tabs become spaces; any other character
/// that [`zv_types::text`] deems unsafe (C0, DEL, C1 — among them ESC —, line separators,
/// bidirectional overrides) becomes U+FFFD, which keeps the cell's width predictable where
/// the SDK's `\u{…}` escapes would not.
pub fn replace_unsafe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if zv_types::text::is_unsafe_char(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

impl Data {
    /// The value as a person reads it, ending with a line break: an array of objects as a
    /// table, an object as a key/value table, an array of anything else as a one-column
    /// table, a scalar as one line.
    pub fn render(&self, layout: Layout) -> String {
        match self.to_grid() {
            Some(grid) => grid.render(layout),
            None => match self {
                Data::Array(_) => "(empty list)\n".to_owned(),
                Data::Object(_) => "(empty object)\n".to_owned(),
                Data::String(s) => format!("{}\n", replace_unsafe(s)),
                other => format!("{}\n", other.to_json()),
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
            Data::Array(items) if !items.is_empty() => match self.records() {
                Some(objects) => Some(object_table(&objects)),
                None => {
                    let mut grid = Grid::new(vec![Column::new("value")]);
                    for item in items {
                        grid.push_row([item.cell_text()]);
                    }
                    Some(grid)
                }
            },
            _ => None,
        }
    }
}

/// The most columns a table of records has: records with more distinct keys than this show
/// the keys most of them have, and the table names the others in one line under it (no
/// terminal shows more columns legibly; `--json` shows everything). It bounds the table's
/// memory to this many cells a record, whatever the keys.
pub const MAX_COLUMNS: usize = 24;

/// Rows of objects as a table: the union of their keys, at most [`MAX_COLUMNS`] of them (the
/// ones most records have, ties to the first seen), in first-seen order. Time and memory
/// are linear in the records' size.
fn object_table(objects: &[&[(String, Data)]]) -> Grid {
    /// What is known of one key: where it was first seen, how many records have it, and
    /// whether any of its values is nested.
    struct Key<'a> {
        name: &'a str,
        records: usize,
        nested: bool,
    }
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut keys: Vec<Key<'_>> = Vec::new();
    for members in objects {
        for (key, value) in *members {
            let i = *index.entry(key.as_str()).or_insert_with(|| {
                keys.push(Key { name: key, records: 0, nested: false });
                keys.len() - 1
            });
            keys[i].records += 1;
            keys[i].nested |= value.is_nested();
        }
    }
    // The kept keys: the most common, then the first seen; shown in first-seen order.
    let mut by_use: Vec<usize> = (0..keys.len()).collect();
    by_use.sort_by_key(|&i| (std::cmp::Reverse(keys[i].records), i));
    let mut kept: Vec<usize> = by_use.iter().copied().take(MAX_COLUMNS).collect();
    kept.sort_unstable();
    let mut left_out: Vec<usize> = by_use.iter().copied().skip(MAX_COLUMNS).collect();
    left_out.sort_unstable();
    let mut column_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (column, &i) in kept.iter().enumerate() {
        column_of.insert(keys[i].name, column);
    }
    let columns =
        kept.iter().map(|&i| Column::new(keys[i].name).priority(u16::from(keys[i].nested))).collect();
    let mut grid =
        Grid::new(columns).with_left_out(left_out.iter().map(|&i| keys[i].name.to_owned()).collect());
    for members in objects {
        let mut row = vec![String::new(); kept.len()];
        for (key, value) in *members {
            if let Some(&column) = column_of.get(key.as_str()) {
                // A key sent twice in one record: the first value, as before.
                if row[column].is_empty() {
                    row[column] = value.cell_text();
                }
            }
        }
        grid.push_row(row);
    }
    grid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fair_share_gives_narrow_columns_their_width_and_splits_the_rest() {
        assert_eq!(fair_share(&[5, 40, 30], 100), [5, 40, 30]);
        assert_eq!(fair_share(&[5, 40, 30], 45), [5, 20, 20]);
        assert_eq!(fair_share(&[5, 40, 30], 46), [5, 21, 20]);
        assert_eq!(fair_share(&[50, 50], 0), [0, 0]);
    }

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
