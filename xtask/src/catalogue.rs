//! `cargo xtask catalogue [--check]`: compiles the endpoint catalogue (`catalogue/*.toml`,
//! one file per domain) into `zv_types::catalogue`'s static table and `docs/endpoints.md`.
//!
//! The output depends on nothing but the TOML (files and entries are sorted, nothing is
//! hashed or timed), so `--check`, which `cargo xtask ci` runs, can tell when the committed
//! output is stale.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::util::{Failure, Result, bail, workspace_root};

/// The catalogue's sources, one TOML file per domain (relative to the workspace root).
const SOURCES: &str = "catalogue";
/// The generated Rust table.
const TABLE: &str = "crates/zv-types/src/catalogue/table.rs";
/// The generated Markdown page.
const DOCS: &str = "docs/endpoints.md";

/// Options of `cargo xtask catalogue`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CatalogueArgs {
    /// Write nothing; fail when a generated file is not what the catalogue gives.
    #[arg(long)]
    pub check: bool,
}

/// Generates the table and the docs, or with `--check` verifies them.
pub fn run(args: &CatalogueArgs) -> Result {
    if args.check {
        return check();
    }
    let root = workspace_root();
    for (path, text) in outputs(&root)? {
        let file = root.join(path);
        if std::fs::read_to_string(&file).is_ok_and(|old| old == text) {
            println!("unchanged {path}");
            continue;
        }
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Failure(format!("cannot create {}: {e}", dir.display())))?;
        }
        std::fs::write(&file, text).map_err(|e| Failure(format!("cannot write {path}: {e}")))?;
        println!("wrote {path}");
    }
    Ok(())
}

/// Fails, naming them, when a generated file differs from what the catalogue gives.
pub fn check() -> Result {
    let root = workspace_root();
    let stale = stale(&outputs(&root)?, |path| std::fs::read_to_string(root.join(path)).ok());
    if stale.is_empty() {
        println!("    {TABLE} and {DOCS} match {SOURCES}/*.toml");
        Ok(())
    } else {
        bail!("stale generated files: {} (run `cargo xtask catalogue`)", stale.join(", "))
    }
}

/// The generated files, as (path relative to the root, contents).
fn outputs(root: &Path) -> Result<[(&'static str, String); 2]> {
    let catalogue = load(&root.join(SOURCES))?;
    Ok([(TABLE, render_rust(&catalogue)), (DOCS, render_markdown(&catalogue))])
}

/// The outputs whose file (read by `read`; `None` when missing) has other contents.
fn stale<'a>(outputs: &[(&'a str, String)], read: impl Fn(&str) -> Option<String>) -> Vec<&'a str> {
    outputs
        .iter()
        .filter(|(path, text)| read(path).as_deref() != Some(text.as_str()))
        .map(|(p, _)| *p)
        .collect()
}

// ---------------------------------------------------------------------------------------
// The TOML files, as written. `Safety`, `JsonType` and `MoneyUnit` mirror zv_types::catalogue's
// on purpose: xtask must not depend on zv-types, whose table it generates (a broken table would
// otherwise stop the tool that mends it).

/// One `catalogue/<domain>.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DomainFile {
    /// The domain's name: the file's name without `.toml`.
    domain: String,
    /// Its title, for the docs.
    title: String,
    /// What it covers, for the docs.
    description: String,
    #[serde(rename = "endpoint", default)]
    endpoints: Vec<EndpointDef>,
}

/// One `[[endpoint]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointDef {
    /// A V3 path, `v3/…` (or else `action`).
    path: Option<String>,
    /// A V2 Action.
    action: Option<String>,
    title: Option<String>,
    safety: Safety,
    /// A `zv_types::PageDialect` name.
    paging: Option<String>,
    /// `zv_types::<Type>`, an `Endpoint` of zv-types.
    rust_type: Option<String>,
    notes: Option<String>,
    /// Where the endpoint was seen (provenance; checked, not compiled in).
    seen_in: String,
    #[serde(default)]
    params: Vec<ParamDef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Safety {
    Read,
    Write,
}

/// One param of `params = [...]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamDef {
    name: String,
    #[serde(rename = "type")]
    json_type: Option<JsonType>,
    required: Option<bool>,
    description: Option<String>,
    money_unit: Option<MoneyUnit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum JsonType {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum MoneyUnit {
    Fen,
    Yuan,
}

// ---------------------------------------------------------------------------------------
// The checked catalogue.

/// A route: sorts V2 Actions before V3 paths, then by the key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum RouteKey {
    V2(String),
    /// Without the `v3/` prefix.
    V3(String),
}

impl RouteKey {
    fn key(&self) -> &str {
        match self {
            RouteKey::V2(k) | RouteKey::V3(k) => k,
        }
    }
}

#[derive(Debug)]
struct Endpoint {
    route: RouteKey,
    def: EndpointDef,
}

#[derive(Debug)]
struct Domain {
    name: String,
    title: String,
    description: String,
    /// Sorted by route.
    endpoints: Vec<Endpoint>,
}

/// Every domain, sorted by name.
#[derive(Debug)]
struct Catalogue {
    domains: Vec<Domain>,
}

/// Reads every `*.toml` of `dir`, in file-name order.
fn load(dir: &Path) -> Result<Catalogue> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Failure(format!("cannot read {}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Failure(format!("cannot read {}: {e}", dir.display())))?.path();
        if path.extension().is_some_and(|x| x == "toml") {
            files.push(path);
        }
    }
    files.sort();
    let mut sources = Vec::with_capacity(files.len());
    for path in files {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))?;
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        sources.push((stem, text));
    }
    build(&sources)
}

/// Parses and checks the sources, given as (file stem, TOML text); every problem found is
/// reported at once.
fn build(sources: &[(String, String)]) -> Result<Catalogue> {
    if sources.is_empty() {
        bail!("the catalogue has no {SOURCES}/*.toml file");
    }
    let mut problems = Vec::new();
    let mut domains = BTreeMap::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (stem, text) in sources {
        let file = format!("{SOURCES}/{stem}.toml");
        let parsed: DomainFile = match toml::from_str(text) {
            Ok(parsed) => parsed,
            Err(e) => {
                problems.push(format!("{file}: {}", e.to_string().trim_end()));
                continue;
            }
        };
        if parsed.domain != *stem {
            problems.push(format!("{file}: domain {:?} is not the file's name", parsed.domain));
        }
        check_text(&mut problems, &file, "title", Some(&parsed.title));
        check_text(&mut problems, &file, "description", Some(&parsed.description));
        let mut endpoints = Vec::new();
        for def in parsed.endpoints {
            let Some(route) = route_of(&mut problems, &file, &def) else { continue };
            let at = format!("{file}: {}", route.key());
            check_endpoint(&mut problems, &at, &def);
            if let Some(first) = seen.insert(route.key().to_owned(), file.clone()) {
                problems.push(format!("{at}: catalogued twice (also in {first})"));
            }
            endpoints.push(Endpoint { route, def });
        }
        endpoints.sort_by(|a, b| a.route.cmp(&b.route));
        let domain =
            Domain { name: parsed.domain, title: parsed.title, description: parsed.description, endpoints };
        domains.insert(domain.name.clone(), domain);
    }
    if !problems.is_empty() {
        bail!("the catalogue is invalid:\n  {}", problems.join("\n  "));
    }
    Ok(Catalogue { domains: domains.into_values().collect() })
}

/// The route of an entry: exactly one of a `v3/…` path and a V2 Action.
fn route_of(problems: &mut Vec<String>, file: &str, def: &EndpointDef) -> Option<RouteKey> {
    match (&def.path, &def.action) {
        (Some(path), None) => match path.strip_prefix("v3/") {
            Some(rest) if !rest.is_empty() && !rest.starts_with('/') => Some(RouteKey::V3(rest.to_owned())),
            _ => {
                problems.push(format!("{file}: path {path:?} does not start with v3/ and a segment"));
                None
            }
        },
        (None, Some(action)) if !action.is_empty() && !action.contains(char::is_whitespace) => {
            Some(RouteKey::V2(action.clone()))
        }
        (None, Some(action)) => {
            problems.push(format!("{file}: action {action:?} is empty or has blanks"));
            None
        }
        (Some(path), Some(action)) => {
            problems.push(format!("{file}: {path:?} has both a path and an action ({action:?})"));
            None
        }
        (None, None) => {
            problems.push(format!("{file}: an endpoint has neither a path nor an action"));
            None
        }
    }
}

fn check_endpoint(problems: &mut Vec<String>, at: &str, def: &EndpointDef) {
    check_text(problems, at, "title", def.title.as_deref());
    check_text(problems, at, "notes", def.notes.as_deref());
    check_text(problems, at, "seen_in", Some(&def.seen_in));
    if let Some(paging) = &def.paging
        && dialect_variant(paging).is_none()
    {
        problems.push(format!("{at}: paging {paging:?} is not a PageDialect name (like data_total)"));
    }
    if let Some(rust_type) = &def.rust_type
        && crate_path(rust_type).is_none()
    {
        problems.push(format!("{at}: rust_type {rust_type:?} is not a zv_types::Type path"));
    }
    let mut names = BTreeSet::new();
    for param in &def.params {
        if !names.insert(param.name.as_str()) {
            problems.push(format!("{at}: param {:?} listed twice", param.name));
        }
        if param.name.is_empty() || param.name.contains(|c: char| c.is_whitespace() || c.is_control()) {
            problems.push(format!("{at}: param name {:?} is empty or has blanks", param.name));
        }
        check_text(problems, at, "param description", param.description.as_deref());
    }
}

/// Text shown on one line (a title, a note, a description): not empty, no control
/// character.
fn check_text(problems: &mut Vec<String>, at: &str, what: &str, text: Option<&str>) {
    if let Some(text) = text
        && (text.trim().is_empty() || text.contains(char::is_control))
    {
        problems.push(format!("{at}: {what} {text:?} is empty or spans lines"));
    }
}

/// `data_total` → `DataTotal`: the `PageDialect` variant a name stands for (the compiler
/// refuses a name that `PageDialect` does not have).
fn dialect_variant(name: &str) -> Option<String> {
    let words: Vec<&str> = name.split('_').collect();
    if words.iter().any(|w| w.is_empty() || !w.bytes().all(|b| b.is_ascii_lowercase())) {
        return None;
    }
    Some(words.iter().map(|w| w[..1].to_ascii_uppercase() + &w[1..]).collect())
}

/// `zv_types::A::B` → `crate::A::B`, the path inside zv-types.
fn crate_path(rust_type: &str) -> Option<String> {
    let rest = rust_type.strip_prefix("zv_types::")?;
    let ident = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    rest.split("::").all(ident).then(|| format!("crate::{rest}"))
}

// ---------------------------------------------------------------------------------------
// Rendering.

/// `writeln!` into a `String`, which cannot fail.
macro_rules! emit {
    ($out:expr, $($arg:tt)*) => {{
        let _ = writeln!($out, $($arg)*);
    }};
}

const GENERATED: &str =
    "Generated by `cargo xtask catalogue` from `catalogue/*.toml`: edit those and run it again.";

fn json_type_variant(t: JsonType) -> &'static str {
    match t {
        JsonType::String => "String",
        JsonType::Integer => "Integer",
        JsonType::Number => "Number",
        JsonType::Boolean => "Boolean",
        JsonType::Array => "Array",
        JsonType::Object => "Object",
    }
}

fn money_unit_variant(u: MoneyUnit) -> &'static str {
    match u {
        MoneyUnit::Fen => "Fen",
        MoneyUnit::Yuan => "Yuan",
    }
}

/// `Some("…")` / `None` for an optional value, rendered by `f`.
fn option<T>(value: Option<T>, f: impl FnOnce(T) -> String) -> String {
    value.map_or_else(|| "None".to_owned(), |v| format!("Some({})", f(v)))
}

/// A Rust string literal (`str`'s `Debug` escapes exactly what a literal needs).
fn literal(text: &str) -> String {
    format!("{text:?}")
}

/// The Rust table compiled into `zv_types::catalogue`.
fn render_rust(catalogue: &Catalogue) -> String {
    let endpoints = || catalogue.domains.iter().flat_map(|d| d.endpoints.iter().map(move |e| (d, e)));
    let uses_param =
        |pred: &dyn Fn(&ParamDef) -> bool| endpoints().any(|(_, e)| e.def.params.iter().any(pred));
    let mut imports = vec!["Entry", "Safety"];
    if uses_param(&|p| p.json_type.is_some()) {
        imports.push("JsonType");
    }
    if uses_param(&|p| p.money_unit.is_some()) {
        imports.push("MoneyUnit");
    }
    if uses_param(&|_| true) {
        imports.push("Param");
    }
    imports.sort_unstable();

    let mut out = String::new();
    emit!(out, "// {GENERATED}\n");
    emit!(out, "use super::{{{}}};", imports.join(", "));
    emit!(out, "use crate::endpoint::Route;");
    if endpoints().any(|(_, e)| e.def.paging.is_some()) {
        emit!(out, "use crate::paging::PageDialect;");
    }
    let names: Vec<String> = catalogue.domains.iter().map(|d| literal(&d.name)).collect();
    emit!(out, "\n/// The domains, sorted.\npub(super) static DOMAINS: &[&str] = &[{}];", names.join(", "));
    emit!(out, "\n/// Every entry, by domain and then by route (V2 Actions first).");
    emit!(out, "pub(super) static ENTRIES: &[Entry] = &[");
    for (domain, e) in endpoints() {
        let def = &e.def;
        let route = match &e.route {
            RouteKey::V2(action) => format!("Route::v2_static({})", literal(action)),
            RouteKey::V3(path) => format!("Route::v3_static({})", literal(path)),
        };
        let safety = match def.safety {
            Safety::Read => "Safety::Read",
            Safety::Write => "Safety::Write",
        };
        let paging = option(def.paging.as_deref().and_then(dialect_variant), |v| format!("PageDialect::{v}"));
        emit!(out, "    Entry {{");
        emit!(out, "        route: {route},");
        emit!(out, "        domain: {},", literal(&domain.name));
        emit!(out, "        title: {},", option(def.title.as_deref(), literal));
        emit!(out, "        safety: {safety},");
        emit!(out, "        paging: {paging},");
        if def.params.is_empty() {
            emit!(out, "        params: &[],");
        } else {
            emit!(out, "        params: &[");
            for p in &def.params {
                emit!(
                    out,
                    "            Param {{ name: {}, json_type: {}, required: {}, description: {}, money_unit: {} }},",
                    literal(&p.name),
                    option(p.json_type, |t| format!("JsonType::{}", json_type_variant(t))),
                    option(p.required, |r| r.to_string()),
                    option(p.description.as_deref(), literal),
                    option(p.money_unit, |u| format!("MoneyUnit::{}", money_unit_variant(u))),
                );
            }
            emit!(out, "        ],");
        }
        emit!(out, "        rust_type: {},", option(def.rust_type.as_deref(), literal));
        emit!(out, "        notes: {},", option(def.notes.as_deref(), literal));
        emit!(out, "    }},");
    }
    emit!(out, "];");

    let typed: Vec<(&str, String)> = endpoints()
        .filter_map(|(_, e)| e.def.rust_type.as_deref())
        .filter_map(|t| Some((t, crate_path(t)?)))
        .collect();
    emit!(
        out,
        "\n/// Each `rust_type` with the route and retry safety its `Endpoint` impl declares (the\n\
         /// compiler checks that the type exists and is an endpoint; the tests compare).\n\
         #[cfg(test)]\n\
         pub(super) fn rust_types() -> [(&'static str, Route<'static>, bool); {}] {{\n    [",
        typed.len()
    );
    for (name, path) in &typed {
        emit!(
            out,
            "        ({}, <{path} as crate::Endpoint>::ROUTE, <{path} as crate::Endpoint>::RETRY_SAFE),",
            literal(name)
        );
    }
    emit!(out, "    ]\n}}");
    out
}

/// Text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// How many endpoints, reads, writes, paged and typed endpoints there are among `endpoints`.
fn tally<'a>(endpoints: impl Iterator<Item = &'a Endpoint>) -> [usize; 5] {
    endpoints.fold([0; 5], |[n, read, write, paged, typed], e| {
        let is_read = e.def.safety == Safety::Read;
        [
            n + 1,
            read + usize::from(is_read),
            write + usize::from(!is_read),
            paged + usize::from(e.def.paging.is_some()),
            typed + usize::from(e.def.rust_type.is_some()),
        ]
    })
}

/// `docs/endpoints.md`: the counts, then one table per domain.
fn render_markdown(catalogue: &Catalogue) -> String {
    let mut out = String::new();
    let all = || catalogue.domains.iter().flat_map(|d| &d.endpoints);
    emit!(out, "<!-- {GENERATED} -->\n");
    emit!(out, "# Endpoints");
    emit!(
        out,
        "\nEvery endpoint `zv` knows of: {} in {} domains, curated from the vendor's pages and from \
         what other clients of the gateway call. Any of them can be called with \
         `send_untyped` / `zv api` (which also pages the paged ones with `--all-pages`); the typed \
         ones also have a Rust type. From code, \
         `zv_types::catalogue::{{lookup, search, all}}` read the same table.\n\n\
         - **safety**: `read` is harmless to send twice, so it may be retried; `write` is never \
         resent blindly. An endpoint not known to be a read is a write.\n\
         - **paging**: the `zv_types::PageDialect` of a paged endpoint, by its name; empty when \
         it does not page or its dialect is not known.\n\
         - **params** known for each endpoint (names, and types, units and descriptions where \
         documented) are in the catalogue itself (`catalogue/*.toml`, `zv_types::catalogue::Entry::params`).\n",
        all().count(),
        catalogue.domains.len()
    );
    emit!(out, "| domain | endpoints | read | write | paged | typed |");
    emit!(out, "|---|---:|---:|---:|---:|---:|");
    for d in &catalogue.domains {
        let [n, read, write, paged, typed] = tally(d.endpoints.iter());
        emit!(
            out,
            "| [{0}](#{0}) {1} | {n} | {read} | {write} | {paged} | {typed} |",
            d.name,
            cell(&d.title)
        );
    }
    let [n, read, write, paged, typed] = tally(all());
    emit!(out, "| **all** | {n} | {read} | {write} | {paged} | {typed} |");
    for d in &catalogue.domains {
        emit!(out, "\n## {}\n\n{} — {}\n", d.name, d.title, d.description);
        emit!(out, "| path | title | safety | paging | Rust type | notes |");
        emit!(out, "|---|---|---|---|---|---|");
        for e in &d.endpoints {
            let def = &e.def;
            let route = match &e.route {
                RouteKey::V2(action) => format!("`{action}` (V2)"),
                RouteKey::V3(path) => format!("`/v3/{path}`"),
            };
            let safety = match def.safety {
                Safety::Read => "read",
                Safety::Write => "write",
            };
            emit!(
                out,
                "| {route} | {} | {safety} | {} | {} | {} |",
                def.title.as_deref().map(cell).unwrap_or_default(),
                def.paging.as_deref().map(|p| format!("`{p}`")).unwrap_or_default(),
                def.rust_type.as_deref().map(|t| format!("`{t}`")).unwrap_or_default(),
                def.notes.as_deref().map(cell).unwrap_or_default(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(stem: &str, text: &str) -> (String, String) {
        (stem.to_owned(), text.to_owned())
    }

    fn error(sources: &[(String, String)]) -> String {
        match build(sources) {
            Ok(c) => panic!("accepted: {c:?}"),
            Err(Failure(why)) => why,
        }
    }

    const GOOD: &str = r#"
domain = "shop"
title = "门店"
description = "Shops."

[[endpoint]]
path = "v3/shop/list"
title = "门店列表"
safety = "read"
paging = "list_total"
seen_in = "a test"
params = [{ name = "pageNum", type = "integer", required = true, description = "a | b", money_unit = "fen" }]

[[endpoint]]
action = "shop.create"
safety = "write"
rust_type = "zv_types::CreateShop"
seen_in = "a test"
"#;

    #[test]
    fn renders_a_valid_catalogue() {
        let catalogue = build(&[source("shop", GOOD)]).unwrap();
        let rust = render_rust(&catalogue);
        // V2 Actions sort before V3 paths.
        let v2 = rust.find("Route::v2_static(\"shop.create\")").unwrap();
        assert!(v2 < rust.find("Route::v3_static(\"shop/list\")").unwrap());
        assert!(rust.contains("paging: Some(PageDialect::ListTotal),"));
        assert!(rust.contains(
            "Param { name: \"pageNum\", json_type: Some(JsonType::Integer), required: Some(true), \
             description: Some(\"a | b\"), money_unit: Some(MoneyUnit::Fen) },"
        ));
        assert!(rust.contains("use super::{Entry, JsonType, MoneyUnit, Param, Safety};"));
        assert!(rust.contains("(\"zv_types::CreateShop\", <crate::CreateShop as crate::Endpoint>::ROUTE,"));
        assert!(rust.contains("-> [(&'static str, Route<'static>, bool); 1]"));
        let docs = render_markdown(&catalogue);
        assert!(docs.contains("| `/v3/shop/list` | 门店列表 | read | `list_total` |  |  |"), "{docs}");
        assert!(docs.contains("| `shop.create` (V2) |  | write |  | `zv_types::CreateShop` |  |"), "{docs}");
        assert!(docs.contains("| [shop](#shop) 门店 | 2 | 1 | 1 | 1 | 1 |"), "{docs}");
        assert!(docs.contains("\n## shop\n\n门店 — Shops.\n"), "{docs}");
    }

    #[test]
    fn output_is_deterministic_and_ignores_the_order_of_files() {
        let other = GOOD.replace("shop", "bank").replace("门店", "银行");
        let a = build(&[source("shop", GOOD), source("bank", &other)]).unwrap();
        let b = build(&[source("bank", &other), source("shop", GOOD)]).unwrap();
        assert_eq!(render_rust(&a), render_rust(&b));
        assert_eq!(render_markdown(&a), render_markdown(&b));
        assert!(render_rust(&a).contains("DOMAINS: &[&str] = &[\"bank\", \"shop\"];"));
    }

    #[test]
    fn refuses_what_it_cannot_compile() {
        let cases = [
            (GOOD.replace("safety = \"read\"", "safety = \"maybe\""), "unknown variant `maybe`"),
            (
                GOOD.replace("seen_in = \"a test\"\nparams", "colour = 1\nseen_in = \"a test\"\nparams"),
                "colour",
            ),
            (GOOD.replace("path = \"v3/shop/list\"", "path = \"shop/list\""), "does not start with v3/"),
            (GOOD.replace("action = \"shop.create\"", "path = \"v3/shop/list\""), "catalogued twice"),
            (GOOD.replace("action = \"shop.create\"", "action = \"a b\""), "has blanks"),
            (GOOD.replace("action = \"shop.create\"", "path = \"v3/x\"\naction = \"x\""), "both a path"),
            (GOOD.replace("action = \"shop.create\"\n", ""), "neither a path nor an action"),
            (GOOD.replace("list_total", "ListTotal"), "not a PageDialect name"),
            (GOOD.replace("zv_types::CreateShop", "zv_api::CreateShop"), "not a zv_types::Type path"),
            (GOOD.replace("money_unit = \"fen\"", "money_unit = \"cents\""), "unknown variant `cents`"),
            (GOOD.replace("type = \"integer\"", "type = \"int\""), "unknown variant `int`"),
            (GOOD.replace("title = \"门店列表\"", "title = \"a\\nb\""), "spans lines"),
            (GOOD.replace("}]", "}, { name = \"pageNum\" }]"), "listed twice"),
            (GOOD.replace("domain = \"shop\"", "domain = \"shops\""), "not the file's name"),
            (GOOD.replace("description = \"Shops.\"\n", ""), "missing field `description`"),
            (
                GOOD.replace("seen_in = \"a test\"\nparams", "seen_in = \" \"\nparams"),
                "seen_in \" \" is empty",
            ),
        ];
        for (text, expected) in cases {
            let why = error(&[source("shop", &text)]);
            assert!(why.contains(expected), "expected {expected:?} in: {why}");
        }
        assert!(error(&[]).contains("no catalogue/*.toml"));
        let twice = error(&[
            source("shop", GOOD),
            source("bank", &GOOD.replace("domain = \"shop\"", "domain = \"bank\"")),
        ]);
        assert!(
            twice.contains("catalogue/bank.toml: shop/list: catalogued twice (also in catalogue/shop.toml)"),
            "{twice}"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = GOOD.replace("list_total", "List").replace("zv_types::CreateShop", "CreateShop");
        let why = error(&[source("shop", &text)]);
        assert!(why.contains("not a PageDialect name") && why.contains("not a zv_types::Type path"), "{why}");
    }

    #[test]
    fn names_map_to_rust() {
        assert_eq!(dialect_variant("data_total").as_deref(), Some("DataTotal"));
        assert_eq!(dialect_variant("records").as_deref(), Some("Records"));
        for bad in ["", "_x", "x_", "x__y", "Data_total", "x1"] {
            assert_eq!(dialect_variant(bad), None, "{bad}");
        }
        assert_eq!(crate_path("zv_types::GiftCard").as_deref(), Some("crate::GiftCard"));
        assert_eq!(crate_path("zv_types::catalogue::Entry").as_deref(), Some("crate::catalogue::Entry"));
        for bad in ["GiftCard", "zv_types::", "zv_types::1x", "zv_types::a b", "zv_types::a::"] {
            assert_eq!(crate_path(bad), None, "{bad}");
        }
        assert_eq!(literal("说明 \"q\" \\"), r#""说明 \"q\" \\""#);
    }

    #[test]
    fn stale_names_changed_and_missing_files() {
        let outputs = [("a", "1".to_owned()), ("b", "2".to_owned()), ("c", "3".to_owned())];
        let on_disk = |path: &str| match path {
            "a" => Some("1".to_owned()),
            "b" => Some("2 (edited)".to_owned()),
            _ => None,
        };
        assert_eq!(stale(&outputs, on_disk), ["b", "c"]);
        assert!(stale(&outputs[..1], on_disk).is_empty());
    }

    /// The table and the docs in the repository are what the catalogue gives (what
    /// `cargo xtask catalogue --check` checks in CI).
    #[test]
    fn committed_outputs_are_current() {
        check().unwrap();
    }
}
