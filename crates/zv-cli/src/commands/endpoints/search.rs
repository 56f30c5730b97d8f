//! `zv endpoints`: the endpoint catalogue ([`zv_types::catalogue`]) searched, as a table or
//! as JSON.

use serde::Serialize;
use zv_types::catalogue::{self, Entry, Param};

use crate::commands::api::target::Target;

use crate::output::render::{Column, Grid};

/// A `--domain` that the catalogue does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown domain {domain:?}; the domains are {}", catalogue::domains().join(", "))]
pub struct UnknownDomain {
    /// The domain asked for.
    pub domain: String,
}

/// The entries whose path or Action, title or domain contains `query` (ignoring case; all
/// of them for no query), only `domain`'s when given.
pub fn search(query: Option<&str>, domain: Option<&str>) -> Result<Vec<&'static Entry>, UnknownDomain> {
    if let Some(d) = domain
        && !catalogue::domains().iter().any(|known| known.eq_ignore_ascii_case(d.trim()))
    {
        return Err(UnknownDomain { domain: d.to_owned() });
    }
    Ok(catalogue::search(query.unwrap_or(""), domain).collect())
}

/// One entry as `zv endpoints --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The route as `zv api` takes it: `/v3/…` or `v2:Action`.
    pub path: String,
    /// `v3` or `v2`.
    pub protocol: &'static str,
    /// The business domain.
    pub domain: &'static str,
    /// The title, if known.
    pub title: Option<&'static str>,
    /// `read` or `write`.
    pub safety: &'static str,
    /// The paging dialect's name, if it pages in a known one.
    pub paging: Option<&'static str>,
    /// The known params' names.
    pub params: Vec<&'static str>,
    /// The Rust type that models it, if any.
    pub rust_type: Option<&'static str>,
    /// Notes from the field or the vendor page.
    pub notes: Option<&'static str>,
}

impl From<&Entry> for Row {
    fn from(e: &Entry) -> Row {
        Row {
            path: e.route.to_string(),
            protocol: match e.route.protocol() {
                zv_types::Protocol::V2 => "v2",
                zv_types::Protocol::V3 => "v3",
            },
            domain: e.domain,
            title: e.title,
            safety: e.safety.name(),
            paging: e.paging.map(|p| p.name()),
            params: e.params.iter().map(|p| p.name).collect(),
            rust_type: e.rust_type,
            notes: e.notes,
        }
    }
}

/// The rows of `entries`.
pub fn rows(entries: &[&Entry]) -> Vec<Row> {
    entries.iter().map(|e| Row::from(*e)).collect()
}

/// The rows as a table: path, title, domain, safety, paging, params; the path whole.
pub fn grid(rows: &[Row]) -> Grid {
    // The path is never broken (it is what `zv api` takes); when the width is short, the
    // params go first, then the paging, the domain and the title; the safety (read/write)
    // stays with the path.
    let mut grid = Grid::new(vec![
        Column::new("path").whole(),
        Column::new("title").priority(1),
        Column::new("domain").priority(2),
        Column::new("safety"),
        Column::new("paging").priority(3),
        Column::new("params").priority(4),
    ]);
    for row in rows {
        grid.push_row([
            row.path.clone(),
            row.title.unwrap_or("-").to_owned(),
            row.domain.to_owned(),
            row.safety.to_owned(),
            row.paging.unwrap_or("-").to_owned(),
            if row.params.is_empty() { "-".to_owned() } else { row.params.join(", ") },
        ]);
    }
    grid
}

/// An endpoint `zv endpoints show` cannot find in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.line())]
pub struct UnknownEndpoint {
    /// The argument, as given.
    pub arg: String,
    /// Why it is not even a path or an Action, if it is not.
    pub invalid: Option<String>,
    /// The catalogued endpoint it probably meant.
    pub suggestion: Option<&'static Entry>,
}

impl UnknownEndpoint {
    fn line(&self) -> String {
        let arg = zv_types::text::Sanitized::new(&self.arg).max_chars(120);
        match (&self.invalid, self.suggestion) {
            (Some(why), _) => why.clone(),
            (None, Some(e)) => format!("{arg} is not in the endpoint catalogue; did you mean {}?", e.route),
            (None, None) => {
                format!("{arg} is not in the endpoint catalogue (search it with `zv endpoints QUERY`)")
            }
        }
    }
}

/// The catalogued endpoint `arg` names, in any form `zv api` takes; else why not, with the
/// endpoint it probably meant.
pub fn find(arg: &str) -> Result<&'static Entry, UnknownEndpoint> {
    let unknown = |invalid, suggestion| UnknownEndpoint { arg: arg.to_owned(), invalid, suggestion };
    match Target::resolve(arg) {
        Err(e) => Err(unknown(Some(crate::commands::api::target::route_error_line(arg, &e)), None)),
        Ok(target) => match target.entry() {
            Some(entry) => Ok(entry),
            None => Err(unknown(None, target.suggestion())),
        },
    }
}

/// What `zv endpoints show` prints as a table: the facts (a two-column grid: safety,
/// paging, twin, source, …), the params (name, type, unit, required, default, allowed
/// values, label) and the answer's data fields as a tree, each a [`Grid`] the renderer fits
/// to the width (every cell sanitized).
#[derive(Debug)]
pub struct Shown {
    /// `what: value` lines.
    pub facts: Grid,
    /// The params, when any are known.
    pub params: Option<Grid>,
    /// The data's heading (its shape, whether the page's table was cut short) and fields.
    pub data: Option<(String, Grid)>,
}

/// The entry as `zv endpoints show` shows it.
pub fn show(entry: &'static Entry) -> Shown {
    let mut facts = Grid::new(vec![Column::new("endpoint"), Column::new(entry.route.to_string())]);
    let fact = |facts: &mut Grid, what: &str, value: String| facts.push_row([what.to_owned(), value]);
    fact(&mut facts, "title", entry.title.unwrap_or("-").to_owned());
    fact(&mut facts, "domain", entry.domain.to_owned());
    let safety = match entry.safety {
        catalogue::Safety::Read => "read (harmless to send twice: retried)",
        catalogue::Safety::Write => "write (never resent blindly; zv api needs --yes)",
    };
    fact(&mut facts, "safety", safety.to_owned());
    fact(&mut facts, "paging", entry.paging.map_or("-", |p| p.name()).to_owned());
    fact(&mut facts, "twin", entry.twin.map_or_else(|| "-".to_owned(), |t| t.to_string()));
    match entry.source.url() {
        Some(url) => {
            fact(&mut facts, "source", entry.source.to_string());
            fact(&mut facts, "page", url);
        }
        None => fact(&mut facts, "source", format!("seen in {}", entry.source)),
    }
    if let Some(t) = entry.rust_type {
        fact(&mut facts, "rust type", t.to_owned());
    }
    let checked = if crate::commands::api::params::schema(Some(entry)).is_some() {
        "yes, before sending (--no-validate skips it)"
    } else {
        "no (the params are not all known)"
    };
    fact(&mut facts, "params checked", checked.to_owned());
    if let Some(notes) = entry.notes {
        fact(&mut facts, "notes", notes.to_owned());
    }
    let params = (!entry.params.is_empty()).then(|| {
        let mut grid = Grid::new(vec![
            Column::new("param").whole(),
            Column::new("type"),
            Column::new("unit").priority(2),
            Column::new("required"),
            Column::new("default").priority(2),
            Column::new("values").priority(1),
            Column::new("label").priority(3),
        ]);
        tree_rows(entry.params, 0, &mut |depth, last, p| {
            let required = match p.required {
                Some(true) => "yes",
                Some(false) => "no",
                None => "-",
            };
            grid.push_row([
                tree_name(depth, last, p.name),
                type_text(p),
                p.money_unit.map_or("-", |u| u.name()).to_owned(),
                required.to_owned(),
                p.default.unwrap_or("-").to_owned(),
                values_text(p),
                p.description.unwrap_or("-").to_owned(),
            ]);
        });
        grid
    });
    let data = entry.data.map(|data| {
        let mut heading = format!("data: {}", data.shape.name());
        if data.truncated {
            heading.push_str(" (the vendor's table was cut short: the answer has more fields)");
        }
        let mut grid = Grid::new(vec![
            Column::new("field").whole(),
            Column::new("type"),
            Column::new("unit").priority(2),
            Column::new("values").priority(1),
            Column::new("label").priority(3),
        ]);
        tree_rows(data.fields, 0, &mut |depth, last, p| {
            grid.push_row([
                tree_name(depth, last, p.name),
                type_text(p),
                p.money_unit.map_or("-", |u| u.name()).to_owned(),
                values_text(p),
                p.description.unwrap_or("-").to_owned(),
            ]);
        });
        (heading, grid)
    });
    Shown { facts, params, data }
}

/// Calls `row` for every param, depth first: its depth and whether it is its parent's last.
fn tree_rows(fields: &[Param], depth: usize, row: &mut dyn FnMut(usize, bool, &Param)) {
    for (i, p) in fields.iter().enumerate() {
        row(depth, i + 1 == fields.len(), p);
        tree_rows(p.fields, depth + 1, row);
    }
}

/// A name in the tree: a nested one under its parent with `├─`/`└─`.
fn tree_name(depth: usize, last: bool, name: &str) -> String {
    match depth {
        0 => name.to_owned(),
        d => format!("{}{}{name}", "  ".repeat(d - 1), if last { "└─ " } else { "├─ " }),
    }
}

/// `integer`, `array of object`, `string (date_time)`, `integer (flag)`; `-` when unknown.
fn type_text(p: &Param) -> String {
    let Some(t) = p.json_type else { return "-".to_owned() };
    let mut text = t.name().to_owned();
    if let Some(items) = p.items {
        text.push_str(" of ");
        text.push_str(items.name());
    }
    if let Some(f) = p.format {
        text.push_str(&format!(" ({})", f.name()));
    }
    text
}

/// The allowed values with their labels (`1=会员码, 2=手机号`); `-` for any value.
fn values_text(p: &Param) -> String {
    if p.values.is_empty() {
        return "-".to_owned();
    }
    p.values.iter().map(|a| format!("{}={}", a.value, a.label)).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_domain_names_the_known_ones() {
        let e = search(None, Some("nope")).unwrap_err();
        assert!(e.to_string().contains("member"), "{e}");
        assert!(!search(Some("giftCard"), Some("MARKETING")).unwrap().is_empty());
        assert_eq!(search(None, None).unwrap().len(), catalogue::all().len());
    }
}
