//! `zv endpoints`: the endpoint catalogue ([`zv_types::catalogue`]) searched, as a table or
//! as JSON.

use serde::Serialize;
use zv_types::catalogue::{self, Entry};

use crate::render::{Column, Grid};

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
