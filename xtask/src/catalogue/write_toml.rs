//! Writes a catalogue file back as TOML, in the layout the files are kept in (what
//! `cargo xtask catalogue import` writes; a file written by hand in that layout reads back
//! unchanged, which a test checks for every committed file).

use std::fmt::Write as _;

use crate::catalogue::{DataDef, DomainFile, EndpointDef, ParamDef};

/// The comment at the top of every domain file.
pub(crate) const HEADER: &str = "\
# Endpoints of one domain, curated from the vendor pages and from what public clients of the
# gateway call (paths, read/write, params seen; titles from their docs). `cargo xtask catalogue`
# compiles every catalogue/*.toml into zv_types::catalogue and docs/endpoints.md; the format is
# in catalogue/README.md.
";

/// A TOML basic string.
pub(crate) fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One param or field as an inline table on one line.
pub(crate) fn param(p: &ParamDef) -> String {
    let mut parts = vec![format!("name = {}", string(&p.name))];
    if let Some(t) = p.json_type {
        parts.push(format!("type = {}", string(t.name())));
    }
    if let Some(r) = p.required {
        parts.push(format!("required = {r}"));
    }
    if let Some(d) = &p.description {
        parts.push(format!("description = {}", string(d)));
    }
    if let Some(u) = p.money_unit {
        parts.push(format!("money_unit = {}", string(u.name())));
    }
    if let Some(f) = p.format {
        parts.push(format!("format = {}", string(f.name())));
    }
    if let Some(d) = &p.default {
        parts.push(format!("default = {}", string(d)));
    }
    if !p.values.is_empty() {
        let values: Vec<String> =
            p.values.iter().map(|(v, l)| format!("[{}, {}]", string(v), string(l))).collect();
        parts.push(format!("values = [{}]", values.join(", ")));
    }
    if let Some(t) = p.items {
        parts.push(format!("items = {}", string(t.name())));
    }
    if let Some(r) = &p.rust_name {
        parts.push(format!("rust_name = {}", string(r)));
    }
    format!("{{ {} }}", parts.join(", "))
}

fn params(out: &mut String, key: &str, params: &[ParamDef]) {
    let _ = writeln!(out, "{key} = [");
    for p in params {
        let _ = writeln!(out, "  {},", param(p));
    }
    out.push_str("]\n");
}

/// One `[[endpoint]]` block.
pub(crate) fn endpoint(out: &mut String, e: &EndpointDef) {
    out.push_str("[[endpoint]]\n");
    let mut key = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            let _ = writeln!(out, "{k} = {}", string(v));
        }
    };
    key("path", e.path.as_deref());
    key("action", e.action.as_deref());
    key("title", e.title.as_deref());
    key("safety", Some(e.safety.name()));
    key("paging", e.paging.as_deref());
    key("rust_type", e.rust_type.as_deref());
    key("notes", e.notes.as_deref());
    key("seen_in", Some(&e.seen_in));
    key("vendor_page", e.vendor_page.as_deref());
    if let Some(truncated) = e.params_truncated {
        let _ = writeln!(out, "params_truncated = {truncated}");
    }
    if !e.params.is_empty() {
        params(out, "params", &e.params);
    }
    if let Some(data) = &e.data {
        data_table(out, data);
    }
}

fn data_table(out: &mut String, data: &DataDef) {
    out.push_str("\n[endpoint.data]\n");
    let _ = writeln!(out, "shape = {}", string(data.shape.name()));
    if data.truncated {
        out.push_str("truncated = true\n");
    }
    if !data.fields.is_empty() {
        params(out, "fields", &data.fields);
    }
}

/// A whole domain file.
pub(crate) fn domain_file(file: &DomainFile) -> String {
    let mut out = String::from(HEADER);
    let _ = writeln!(out, "\ndomain = {}", string(&file.domain));
    let _ = writeln!(out, "title = {}", string(&file.title));
    let _ = writeln!(out, "description = {}", string(&file.description));
    for e in &file.endpoints {
        out.push('\n');
        endpoint(&mut out, e);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every committed catalogue file is in the layout the importer writes, so an import
    /// changes only the entries it imports.
    #[test]
    fn committed_files_read_back_unchanged() {
        let dir = crate::util::workspace_root().join("catalogue");
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let file: DomainFile = toml::from_str(&text).unwrap();
            assert_eq!(domain_file(&file), text, "{}", path.display());
            n += 1;
        }
        assert!(n > 0);
    }

    #[test]
    fn strings_escape_what_toml_needs() {
        assert_eq!(string("a\"b\\c\nd\u{1}é"), "\"a\\\"b\\\\c\\nd\\u0001é\"");
        let back: toml::Value = toml::from_str(&format!("x = {}", string("a\"b\\c\nd\u{1}é"))).unwrap();
        assert_eq!(back["x"].as_str(), Some("a\"b\\c\nd\u{1}é"));
    }
}
