//! `cargo xtask catalogue [--check]`: compiles the endpoint catalogue (`catalogue/*.toml`,
//! one file per domain) into `zv_types::catalogue`'s static table and `docs/endpoints.md`.
//!
//! The output depends on nothing but the TOML (files and entries are sorted, nothing is
//! hashed or timed), so `--check`, which `cargo xtask ci` runs, can tell when the committed
//! output is stale.

pub mod import;
pub mod models;
pub mod openapi;
pub mod page;
pub mod write_toml;

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
    #[command(subcommand)]
    pub action: Option<CatalogueAction>,
}

/// What else `cargo xtask catalogue` does.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum CatalogueAction {
    /// Reads vendor reference pages into `catalogue/*.toml` (new entries, or the schema of
    /// catalogued ones; a differing hand-curated fact is kept and the difference printed),
    /// then regenerates. `--dry-run` prints the TOML instead and writes nothing.
    Import(crate::catalogue::import::ImportArgs),
}

/// Generates the table and the docs, or with `--check` verifies them.
pub fn run(args: &CatalogueArgs) -> Result {
    if let Some(CatalogueAction::Import(import)) = &args.action {
        return crate::catalogue::import::run(import);
    }
    if args.check {
        return check();
    }
    let root = workspace_root();
    for (path, text) in outputs(&root)? {
        let file = root.join(&path);
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
    let outputs = outputs(&root)?;
    let stale = stale(&outputs, |path| std::fs::read_to_string(root.join(path)).ok());
    if stale.is_empty() {
        println!("    {TABLE}, {DOCS}, the generated models and docs/openapi.json match {SOURCES}/*.toml");
        Ok(())
    } else {
        bail!("stale generated files: {} (run `cargo xtask catalogue`)", stale.join(", "))
    }
}

/// The generated files, as (path relative to the root, contents).
fn outputs(root: &Path) -> Result<Vec<(String, String)>> {
    let catalogue = load(&root.join(SOURCES))?;
    let mut out =
        vec![(TABLE.to_owned(), render_rust(&catalogue)), (DOCS.to_owned(), render_markdown(&catalogue))];
    out.extend(crate::catalogue::models::render(&catalogue));
    out.push((
        crate::catalogue::openapi::PATH.to_owned(),
        crate::catalogue::openapi::render(&catalogue, &version(root)?),
    ));
    Ok(out)
}

/// The workspace's version (`[workspace.package] version`), for the OpenAPI document.
fn version(root: &Path) -> Result<String> {
    let text = std::fs::read_to_string(root.join("Cargo.toml"))
        .map_err(|e| Failure(format!("cannot read Cargo.toml: {e}")))?;
    let manifest: toml::Value =
        toml::from_str(&text).map_err(|e| Failure(format!("Cargo.toml: {}", e.to_string().trim_end())))?;
    manifest
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("version"))
        .and_then(toml::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| Failure("Cargo.toml has no [workspace.package] version".to_owned()))
}

/// The outputs whose file (read by `read`; `None` when missing) has other contents.
fn stale(outputs: &[(String, String)], read: impl Fn(&str) -> Option<String>) -> Vec<&str> {
    outputs
        .iter()
        .filter(|(path, text)| read(path).as_deref() != Some(text.as_str()))
        .map(|(p, _)| p.as_str())
        .collect()
}

// ---------------------------------------------------------------------------------------
// The TOML files, as written. `Safety`, `JsonType` and `MoneyUnit` mirror zv_types::catalogue's
// on purpose: xtask must not depend on zv-types, whose table it generates (a broken table would
// otherwise stop the tool that mends it).

/// One `catalogue/<domain>.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DomainFile {
    /// The domain's name: the file's name without `.toml`.
    pub(crate) domain: String,
    /// Its title, for the docs.
    pub(crate) title: String,
    /// What it covers, for the docs.
    pub(crate) description: String,
    #[serde(rename = "endpoint", default)]
    pub(crate) endpoints: Vec<EndpointDef>,
}

/// One `[[endpoint]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EndpointDef {
    /// A V3 path, `v3/…` (or else `action`).
    pub(crate) path: Option<String>,
    /// A V2 Action.
    pub(crate) action: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) safety: Safety,
    /// A `zv_types::PageDialect` name.
    pub(crate) paging: Option<String>,
    /// `zv_types::<Type>`, an `Endpoint` of zv-types.
    pub(crate) rust_type: Option<String>,
    pub(crate) notes: Option<String>,
    /// Where the endpoint was seen (provenance; checked, not compiled in).
    pub(crate) seen_in: String,
    /// The vendor page the schema comes from: `doc2/<article>` or `doc3/<article>`.
    pub(crate) vendor_page: Option<String>,
    /// The vendor page's request table was cut short: the endpoint takes more params.
    pub(crate) params_truncated: Option<bool>,
    #[serde(default)]
    pub(crate) params: Vec<ParamDef>,
    /// What a success's `data` holds.
    pub(crate) data: Option<DataDef>,
}

/// `[endpoint.data]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DataDef {
    pub(crate) shape: DataShape,
    /// The page's table was cut short.
    #[serde(default)]
    pub(crate) truncated: bool,
    #[serde(default)]
    pub(crate) fields: Vec<ParamDef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum DataShape {
    Object,
    List,
    Page,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Safety {
    Read,
    Write,
}

/// One param of `params = [...]` or field of `data.fields = [...]`. A nested one is named
/// by its path: `a.b` is `b` of object `a`, `a[].b` is `b` of each object of list `a`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParamDef {
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) json_type: Option<JsonType>,
    pub(crate) required: Option<bool>,
    pub(crate) description: Option<String>,
    pub(crate) money_unit: Option<MoneyUnit>,
    pub(crate) format: Option<Format>,
    pub(crate) default: Option<String>,
    /// `[[value, label], ...]`.
    #[serde(default)]
    pub(crate) values: Vec<(String, String)>,
    /// The element type of an array.
    pub(crate) items: Option<JsonType>,
    pub(crate) rust_name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Format {
    DateTime,
    UnixSeconds,
    Flag,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum JsonType {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum MoneyUnit {
    Fen,
    Yuan,
}

/// The names the catalogue files use (`integer`, `fen`, `date_time`, `list`, `read`).
macro_rules! names {
    ($($t:ident { $($v:ident => $n:literal),* $(,)? })*) => {$(
        impl $t {
            pub(crate) const fn name(self) -> &'static str {
                match self {
                    $($t::$v => $n,)*
                }
            }
        }
    )*};
}

names! {
    JsonType { String => "string", Integer => "integer", Number => "number", Boolean => "boolean", Array => "array", Object => "object" }
    MoneyUnit { Fen => "fen", Yuan => "yuan" }
    Format { DateTime => "date_time", UnixSeconds => "unix_seconds", Flag => "flag" }
    DataShape { Object => "object", List => "list", Page => "page" }
    Safety { Read => "read", Write => "write" }
}

// ---------------------------------------------------------------------------------------
// The checked catalogue.

/// A route: sorts V2 Actions before V3 paths, then by the key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum RouteKey {
    V2(String),
    /// Without the `v3/` prefix.
    V3(String),
}

impl RouteKey {
    pub(crate) fn key(&self) -> &str {
        match self {
            RouteKey::V2(k) | RouteKey::V3(k) => k,
        }
    }
}

/// A param or a data field, with its nested fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    /// Its own name (the last segment of its path).
    pub(crate) name: String,
    pub(crate) def: ParamDef,
    pub(crate) fields: Vec<Field>,
}

impl Field {
    /// The element type of an array: `object` when it has fields.
    pub(crate) fn items(&self) -> Option<JsonType> {
        if self.fields.is_empty() || self.def.json_type != Some(JsonType::Array) {
            self.def.items
        } else {
            Some(JsonType::Object)
        }
    }
}

#[derive(Debug)]
pub(crate) struct Endpoint {
    pub(crate) route: RouteKey,
    pub(crate) def: EndpointDef,
    pub(crate) params: Vec<Field>,
    /// The data's fields (empty without a data schema).
    pub(crate) data_fields: Vec<Field>,
    /// The vendor page: (API version 2 or 3, article id).
    pub(crate) page: Option<(u8, u32)>,
    /// The other version's route with the same article id.
    pub(crate) twin: Option<RouteKey>,
    /// The name of its generated type (`zv_types::endpoints::<name>`), if generated.
    pub(crate) generated: Option<String>,
}

impl Endpoint {
    /// The `zv_types::…` type that models it: written by hand, or generated.
    pub(crate) fn rust_type(&self) -> Option<String> {
        self.def
            .rust_type
            .clone()
            .or_else(|| self.generated.as_ref().map(|n| format!("zv_types::endpoints::{n}")))
    }
}

#[derive(Debug)]
pub(crate) struct Domain {
    pub(crate) name: String,
    pub(crate) title: String,
    pub(crate) description: String,
    /// Sorted by route.
    pub(crate) endpoints: Vec<Endpoint>,
}

/// Every domain, sorted by name.
#[derive(Debug)]
pub(crate) struct Catalogue {
    pub(crate) domains: Vec<Domain>,
}

/// The committed catalogue, for the tests of the generators.
#[cfg(test)]
pub(crate) fn load_for_tests(root: &Path) -> Catalogue {
    match load(&root.join(SOURCES)) {
        Ok(c) => c,
        Err(Failure(why)) => panic!("{why}"),
    }
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
pub(crate) fn build(sources: &[(String, String)]) -> Result<Catalogue> {
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
            let params = tree(&mut problems, &format!("{at}: param"), &def.params);
            let data_fields = def
                .data
                .as_ref()
                .map_or_else(Vec::new, |d| tree(&mut problems, &format!("{at}: data field"), &d.fields));
            if def.data.as_ref().is_some_and(|d| d.shape == DataShape::Page) && def.paging.is_none() {
                problems.push(format!("{at}: data shape \"page\" needs a paging dialect"));
            }
            let page = def.vendor_page.as_deref().and_then(|p| {
                let parsed = parse_vendor_page(p);
                if parsed.is_none() {
                    problems.push(format!("{at}: vendor_page {p:?} is not doc2/<id> or doc3/<id>"));
                }
                parsed
            });
            if let (Some((version, _)), RouteKey::V2(_)) = (page, &route)
                && version != 2
            {
                problems.push(format!("{at}: a V2 Action's vendor page is a doc2 page"));
            }
            if let (Some((version, _)), RouteKey::V3(_)) = (page, &route)
                && version != 3
            {
                problems.push(format!("{at}: a V3 path's vendor page is a doc3 page"));
            }
            endpoints.push(Endpoint { route, def, params, data_fields, page, twin: None, generated: None });
        }
        endpoints.sort_by(|a, b| a.route.cmp(&b.route));
        let domain =
            Domain { name: parsed.domain, title: parsed.title, description: parsed.description, endpoints };
        domains.insert(domain.name.clone(), domain);
    }
    let mut catalogue = Catalogue { domains: domains.into_values().collect() };
    link_twins(&mut problems, &mut catalogue);
    crate::catalogue::models::name_endpoints(&mut catalogue);
    if !problems.is_empty() {
        bail!("the catalogue is invalid:\n  {}", problems.join("\n  "));
    }
    Ok(catalogue)
}

/// `doc3/726` → (3, 726).
fn parse_vendor_page(text: &str) -> Option<(u8, u32)> {
    let (doc, id) = text.split_once('/')?;
    let version = match doc {
        "doc2" => 2,
        "doc3" => 3,
        _ => return None,
    };
    let article: u32 = id.parse().ok()?;
    (id == article.to_string()).then_some((version, article))
}

/// Pairs the V2 and V3 entries documented by the same vendor article.
fn link_twins(problems: &mut Vec<String>, catalogue: &mut Catalogue) {
    let mut by_article: BTreeMap<(u8, u32), RouteKey> = BTreeMap::new();
    for e in catalogue.domains.iter().flat_map(|d| &d.endpoints) {
        if let Some(page) = e.page
            && let Some(first) = by_article.insert(page, e.route.clone())
        {
            problems.push(format!(
                "{} and {}: both from vendor page doc{}/{}",
                first.key(),
                e.route.key(),
                page.0,
                page.1
            ));
        }
    }
    for e in catalogue.domains.iter_mut().flat_map(|d| &mut d.endpoints) {
        if let Some((version, article)) = e.page {
            e.twin = by_article.get(&(5 - version, article)).cloned();
        }
    }
}

/// Builds the tree of fields from their paths (`a`, `a.b`, `a[].b`), reporting what does
/// not fit.
fn tree(problems: &mut Vec<String>, at: &str, defs: &[ParamDef]) -> Vec<Field> {
    let mut roots: Vec<Field> = Vec::new();
    for def in defs {
        let segments: Vec<&str> = def.name.split('.').collect();
        let Some((leaf, parents)) = segments.split_last() else { continue };
        check_field(problems, at, def, leaf);
        let mut level = &mut roots;
        let mut ok = true;
        for (i, segment) in parents.iter().enumerate() {
            let (name, each) = match segment.strip_suffix("[]") {
                Some(name) => (name, true),
                None => (*segment, false),
            };
            let Some(pos) = level.iter().position(|f| f.name == name) else {
                problems.push(format!(
                    "{at} {:?}: its parent {:?} is not listed before it",
                    def.name,
                    segments[..=i].join(".")
                ));
                ok = false;
                break;
            };
            let parent = &level[pos];
            let wanted = if each { JsonType::Array } else { JsonType::Object };
            if parent.def.json_type != Some(wanted) {
                problems.push(format!(
                    "{at} {:?}: its parent {name:?} is not of type {}",
                    def.name,
                    JsonType::name(wanted)
                ));
                ok = false;
                break;
            }
            if each && parent.def.items.is_some_and(|t| t != JsonType::Object) {
                problems.push(format!("{at} {:?}: the items of {name:?} are not objects", def.name));
                ok = false;
                break;
            }
            level = &mut level[pos].fields;
        }
        if !ok {
            continue;
        }
        if level.iter().any(|f| f.name == *leaf) {
            problems.push(format!("{at} {:?} listed twice", def.name));
            continue;
        }
        level.push(Field { name: (*leaf).to_owned(), def: def.clone(), fields: Vec::new() });
    }
    roots
}

/// One field's own facts.
fn check_field(problems: &mut Vec<String>, at: &str, def: &ParamDef, leaf: &str) {
    let name = &def.name;
    if leaf.is_empty() || leaf.contains(|c: char| c.is_whitespace() || c.is_control() || "[]".contains(c)) {
        problems.push(format!("{at} name {name:?} is empty or has blanks"));
    }
    check_text(problems, at, "description", def.description.as_deref());
    check_text(problems, at, "default", def.default.as_deref());
    let t = def.json_type;
    let scalar = matches!(t, Some(JsonType::String | JsonType::Integer | JsonType::Number));
    let scalar_items = t == Some(JsonType::Array)
        && def.items.is_some_and(|i| i != JsonType::Object && i != JsonType::Array);
    let enumerable = scalar || scalar_items;
    if !def.values.is_empty() && !enumerable {
        problems.push(format!("{at} {name:?}: values on a param that is not a string, integer or number"));
    }
    let mut seen = BTreeSet::new();
    for (value, label) in &def.values {
        if !seen.insert(value) {
            problems.push(format!("{at} {name:?}: value {value:?} listed twice"));
        }
        check_text(problems, at, "value", Some(value));
        check_text(problems, at, "value label", Some(label));
        if t == Some(JsonType::Integer) && value.parse::<i64>().is_err() {
            problems.push(format!("{at} {name:?}: value {value:?} of an integer is not an integer"));
        }
    }
    if def.items.is_some() && t != Some(JsonType::Array) {
        problems.push(format!("{at} {name:?}: items on a param that is not an array"));
    }
    if def.money_unit.is_some() && !scalar && t.is_some() {
        problems.push(format!("{at} {name:?}: a money unit on a param that is not a number or string"));
    }
    if def.format.is_some() && !matches!(t, Some(JsonType::String | JsonType::Integer)) {
        problems.push(format!("{at} {name:?}: a format on a param that is not a string or integer"));
    }
    if let Some(rust_name) = &def.rust_name
        && !(rust_name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && rust_name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
    {
        problems.push(format!("{at} {name:?}: rust_name {rust_name:?} is not a snake_case identifier"));
    }
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

fn route_rust(route: &RouteKey) -> String {
    match route {
        RouteKey::V2(action) => format!("Route::v2_static({})", literal(action)),
        RouteKey::V3(path) => format!("Route::v3_static({})", literal(path)),
    }
}

/// A `&[Param {..}, ...]` slice: one line per param, nested ones indented below.
fn render_fields(out: &mut String, fields: &[Field], indent: usize) {
    if fields.is_empty() {
        out.push_str("&[]");
        return;
    }
    out.push_str("&[\n");
    for f in fields {
        let p = &f.def;
        let pad = "    ".repeat(indent + 1);
        let values: Vec<String> = p
            .values
            .iter()
            .map(|(v, l)| format!("Allowed {{ value: {}, label: {} }}", literal(v), literal(l)))
            .collect();
        let _ = write!(
            out,
            "{pad}Param {{ name: {}, json_type: {}, required: {}, description: {}, money_unit: {}, format: {}, default: {}, values: &[{}], items: {}, rust_name: {}, fields: ",
            literal(&f.name),
            option(p.json_type, |t| format!("JsonType::{}", json_type_variant(t))),
            option(p.required, |r| r.to_string()),
            option(p.description.as_deref(), literal),
            option(p.money_unit, |u| format!("MoneyUnit::{}", money_unit_variant(u))),
            option(p.format, |f| format!("Format::{}", format_variant(f))),
            option(p.default.as_deref(), literal),
            values.join(", "),
            option(f.items(), |t| format!("JsonType::{}", json_type_variant(t))),
            option(p.rust_name.as_deref(), literal),
        );
        render_fields(out, &f.fields, indent + 1);
        out.push_str(" },\n");
    }
    out.push_str(&"    ".repeat(indent));
    out.push(']');
}

fn format_variant(f: Format) -> &'static str {
    match f {
        Format::DateTime => "DateTime",
        Format::UnixSeconds => "UnixSeconds",
        Format::Flag => "Flag",
    }
}

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
    let mut body = String::new();
    let names: Vec<String> = catalogue.domains.iter().map(|d| literal(&d.name)).collect();
    emit!(body, "\n/// The domains, sorted.\npub(super) static DOMAINS: &[&str] = &[{}];", names.join(", "));
    emit!(body, "\n/// Every entry, by domain and then by route (V2 Actions first).");
    emit!(body, "pub(super) static ENTRIES: &[Entry] = &[");
    for (domain, e) in endpoints() {
        let def = &e.def;
        let safety = match def.safety {
            Safety::Read => "Safety::Read",
            Safety::Write => "Safety::Write",
        };
        let paging = option(def.paging.as_deref().and_then(dialect_variant), |v| format!("PageDialect::{v}"));
        emit!(body, "    Entry {{");
        emit!(body, "        route: {},", route_rust(&e.route));
        emit!(body, "        domain: {},", literal(&domain.name));
        emit!(body, "        title: {},", option(def.title.as_deref(), literal));
        emit!(body, "        safety: {safety},");
        emit!(body, "        paging: {paging},");
        body.push_str("        params: ");
        render_fields(&mut body, &e.params, 2);
        body.push_str(",\n");
        emit!(body, "        rust_type: {},", option(e.rust_type().as_deref(), literal));
        emit!(body, "        notes: {},", option(def.notes.as_deref(), literal));
        match &def.data {
            Some(data) => {
                let shape = match data.shape {
                    DataShape::Object => "Object",
                    DataShape::List => "List",
                    DataShape::Page => "Page",
                };
                let _ = write!(
                    body,
                    "        data: Some(&Data {{ shape: DataShape::{shape}, truncated: {}, fields: ",
                    data.truncated
                );
                render_fields(&mut body, &e.data_fields, 2);
                body.push_str(" }),\n");
            }
            None => emit!(body, "        data: None,"),
        }
        match e.page {
            Some((version, article)) => {
                emit!(
                    body,
                    "        source: Source::VendorPage {{ protocol: Protocol::V{version}, article: {article} }},"
                );
            }
            None => emit!(body, "        source: Source::Observation({}),", literal(&def.seen_in)),
        }
        emit!(body, "        twin: {},", option(e.twin.as_ref(), route_rust));
        emit!(body, "        params_truncated: {},", def.params_truncated == Some(true));
        emit!(body, "    }},");
    }
    emit!(body, "];");

    let mut imports: Vec<&str> = [
        "Allowed",
        "Data",
        "DataShape",
        "Entry",
        "Format",
        "JsonType",
        "MoneyUnit",
        "Param",
        "Safety",
        "Source",
    ]
    .into_iter()
    .filter(|name| body.contains(&format!("{name}::")) || body.contains(&format!("{name} {{")))
    .collect();
    imports.sort_unstable();
    let mut out = String::new();
    emit!(out, "// {GENERATED}\n");
    emit!(out, "use super::{{{}}};", imports.join(", "));
    if body.contains("Protocol::") {
        emit!(out, "use crate::endpoint::{{Protocol, Route}};");
    } else {
        emit!(out, "use crate::endpoint::Route;");
    }
    if body.contains("PageDialect::") {
        emit!(out, "use crate::paging::PageDialect;");
    }
    out.push_str(&body);

    let typed: Vec<(String, String)> = endpoints()
        .filter_map(|(_, e)| e.rust_type())
        .filter_map(|t| Some((crate_path(&t)?, t)))
        .map(|(path, t)| (t, path))
        .collect();
    emit!(
        out,
        "\n/// Each `rust_type` with the `std::any::type_name`, route and safety its `Endpoint` impl\n\
         /// declares (the compiler checks that the type exists and is an endpoint; the tests compare).\n\
         #[cfg(test)]\n\
         pub(super) fn rust_types() -> [(&'static str, &'static str, Route<'static>, crate::Safety); {}] {{\n    [",
        typed.len()
    );
    for (name, path) in &typed {
        emit!(
            out,
            "        ({}, std::any::type_name::<{path}>(), <{path} as crate::Endpoint>::ROUTE, <{path} as crate::Endpoint>::SAFETY),",
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
            typed + usize::from(e.rust_type().is_some()),
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
            let safety = def.safety.name();
            emit!(
                out,
                "| {route} | {} | {safety} | {} | {} | {} |",
                def.title.as_deref().map(cell).unwrap_or_default(),
                def.paging.as_deref().map(|p| format!("`{p}`")).unwrap_or_default(),
                e.rust_type().map(|t| format!("`{t}`")).unwrap_or_default(),
                def.notes.as_deref().map(cell).unwrap_or_default(),
            );
        }
        for e in d.endpoints.iter().filter(|e| e.page.is_some()) {
            render_schema(&mut out, e);
        }
    }
    out
}

/// The params and data fields of an endpoint documented by a vendor page.
fn render_schema(out: &mut String, e: &Endpoint) {
    let route = match &e.route {
        RouteKey::V2(action) => format!("`{action}` (V2)"),
        RouteKey::V3(path) => format!("`/v3/{path}`"),
    };
    emit!(
        out,
        "\n### {route}{}\n",
        e.def.title.as_deref().map(|t| format!(" — {}", cell(t))).unwrap_or_default()
    );
    if let Some((version, article)) = e.page {
        let twin = e.twin.as_ref().map(|t| match t {
            RouteKey::V2(action) => format!("; twin `{action}` (V2)"),
            RouteKey::V3(path) => format!("; twin `/v3/{path}`"),
        });
        emit!(
            out,
            "From the vendor page <http://open.zmcms.cn/doc{version}/article?id={article}>{}.\n",
            twin.unwrap_or_default()
        );
    }
    if def_truncated(e) {
        emit!(out, "The page's params table is cut short: the endpoint takes more params than these.\n");
    }
    if e.params.is_empty() {
        emit!(out, "No params.\n");
    } else {
        emit!(out, "| param | type | unit | required | default | values | label |");
        emit!(out, "|---|---|---|---|---|---|---|");
        param_rows(out, &e.params, "");
        out.push('\n');
    }
    if let Some(data) = &e.def.data {
        let shape = match data.shape {
            DataShape::Object => "an object",
            DataShape::List => "a list of objects",
            DataShape::Page => "a page of objects",
        };
        let cut = if data.truncated { " (the page's table is cut short: there are more fields)" } else { "" };
        emit!(out, "`data`: {shape}{cut}.\n");
        tree_lines(out, &e.data_fields, 0);
    }
}

fn def_truncated(e: &Endpoint) -> bool {
    e.def.params_truncated == Some(true)
}

fn type_text(f: &Field) -> String {
    let mut t = f.def.json_type.map_or("", JsonType::name).to_owned();
    if let Some(items) = f.items() {
        let _ = write!(t, " of {}", JsonType::name(items));
    }
    if let Some(format) = f.def.format {
        let _ = write!(
            t,
            " ({})",
            match format {
                Format::DateTime => "yyyy-MM-dd HH:mm:ss",
                Format::UnixSeconds => "unix seconds",
                Format::Flag => "0/1",
            }
        );
    }
    t
}

fn values_text(f: &Field) -> String {
    f.def.values.iter().map(|(v, l)| format!("`{v}` {}", cell(l))).collect::<Vec<_>>().join(", ")
}

fn param_rows(out: &mut String, fields: &[Field], prefix: &str) {
    for f in fields {
        let name = format!("{prefix}{}", f.name);
        emit!(
            out,
            "| `{name}` | {} | {} | {} | {} | {} | {} |",
            type_text(f),
            f.def.money_unit.map_or("", MoneyUnit::name),
            match f.def.required {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            },
            f.def.default.as_deref().map(|d| format!("`{}`", cell(d))).unwrap_or_default(),
            values_text(f),
            f.def.description.as_deref().map(cell).unwrap_or_default(),
        );
        let each = if f.items() == Some(JsonType::Object) { "[]." } else { "." };
        param_rows(out, &f.fields, &format!("{name}{each}"));
    }
}

fn tree_lines(out: &mut String, fields: &[Field], depth: usize) {
    for f in fields {
        let unit = f.def.money_unit.map(|u| format!(", {}", u.name())).unwrap_or_default();
        let values = values_text(f);
        let values = if values.is_empty() { values } else { format!("; {values}") };
        let label =
            f.def.description.as_deref().map(|d| format!(" — {}", d.replace('|', "\\|"))).unwrap_or_default();
        emit!(out, "{}- `{}` ({}{unit}{values}){label}", "  ".repeat(depth), f.name, type_text(f));
        tree_lines(out, &f.fields, depth + 1);
    }
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
vendor_page = "doc3/7"
params = [{ name = "pageNum", type = "integer", required = true, description = "a | b", money_unit = "fen" }]

[endpoint.data]
shape = "page"
truncated = true
fields = [
  { name = "kind", type = "integer", values = [["1", "堂食"], ["3", "外卖"]] },
  { name = "goods", type = "array", items = "object" },
  { name = "goods[].at", type = "string", format = "date_time" },
  { name = "period", type = "object" },
  { name = "period.weeks", type = "string", default = "1,2" },
]

[[endpoint]]
action = "shop.create"
safety = "write"
rust_type = "zv_types::CreateShop"
seen_in = "a test"
vendor_page = "doc2/7"
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
             description: Some(\"a | b\"), money_unit: Some(MoneyUnit::Fen), format: None, default: None, \
             values: &[], items: None, rust_name: None, fields: &[] },"
        ));
        assert!(rust.contains(
            "use super::{Allowed, Data, DataShape, Entry, Format, JsonType, MoneyUnit, Param, Safety, Source};"
        ));
        assert!(rust.contains("use crate::endpoint::{Protocol, Route};"));
        assert!(
            rust.contains("data: Some(&Data { shape: DataShape::Page, truncated: true, fields: &["),
            "{rust}"
        );
        assert!(rust.contains(
            "values: &[Allowed { value: \"1\", label: \"堂食\" }, Allowed { value: \"3\", label: \"外卖\" }]"
        ));
        // nested fields are nested slices
        assert!(rust.contains("name: \"goods\", json_type: Some(JsonType::Array),"), "{rust}");
        assert!(rust.contains("items: Some(JsonType::Object), rust_name: None, fields: &[\n"), "{rust}");
        assert!(rust.contains("Param { name: \"at\", json_type: Some(JsonType::String), required: None, description: None, money_unit: None, format: Some(Format::DateTime),"));
        assert!(rust.contains("Param { name: \"weeks\","));
        // sources and twins (the same article in both versions)
        assert!(rust.contains("source: Source::VendorPage { protocol: Protocol::V3, article: 7 },"));
        assert!(rust.contains("twin: Some(Route::v2_static(\"shop.create\")),"));
        assert!(rust.contains("twin: Some(Route::v3_static(\"shop/list\")),"));
        assert!(rust.contains(
            "(\"zv_types::CreateShop\", std::any::type_name::<crate::CreateShop>(), <crate::CreateShop as crate::Endpoint>::ROUTE, <crate::CreateShop as crate::Endpoint>::SAFETY),"
        ));
        // shop/list has a vendor page: its type is generated
        assert!(rust.contains("-> [(&'static str, &'static str, Route<'static>, crate::Safety); 2]"));
        assert!(rust.contains("rust_type: Some(\"zv_types::endpoints::List\"),"));
        let docs = render_markdown(&catalogue);
        assert!(
            docs.contains(
                "| `/v3/shop/list` | 门店列表 | read | `list_total` | `zv_types::endpoints::List` |  |"
            ),
            "{docs}"
        );
        assert!(docs.contains("| `shop.create` (V2) |  | write |  | `zv_types::CreateShop` |  |"), "{docs}");
        assert!(docs.contains("| [shop](#shop) 门店 | 2 | 1 | 1 | 1 | 2 |"), "{docs}");
        assert!(docs.contains("\n## shop\n\n门店 — Shops.\n"), "{docs}");
        // the schema of a documented endpoint
        assert!(docs.contains("\n### `/v3/shop/list` — 门店列表\n"), "{docs}");
        assert!(docs.contains("; twin `shop.create` (V2)."), "{docs}");
        assert!(docs.contains("| `pageNum` | integer | fen | yes |  |  | a \\| b |"), "{docs}");
        assert!(
            docs.contains(
                "`data`: a page of objects (the page's table is cut short: there are more fields)."
            ),
            "{docs}"
        );
        assert!(docs.contains("- `kind` (integer; `1` 堂食, `3` 外卖)\n- `goods` (array of object)\n  - `at` (string (yyyy-MM-dd HH:mm:ss))\n"), "{docs}");
    }

    #[test]
    fn output_is_deterministic_and_ignores_the_order_of_files() {
        let other = GOOD.replace("shop", "bank").replace("门店", "银行").replace("/7\"", "/8\"");
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
                GOOD.replace("seen_in = \"a test\"\nvendor_page", "colour = 1\nseen_in = \"a test\"\nvendor_page"),
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
            (GOOD.replace("\"goods[].at\"", "\"goods.at\""), "its parent \"goods\" is not of type object"),
            (GOOD.replace("\"period.weeks\"", "\"periods.weeks\""), "its parent \"periods\" is not listed before it"),
            (GOOD.replace("\"period.weeks\"", "\"period.we eks\""), "is empty or has blanks"),
            (GOOD.replace("[\"3\", \"外卖\"]", "[\"x\", \"外卖\"]"), "of an integer is not an integer"),
            (GOOD.replace("[\"3\", \"外卖\"]", "[\"1\", \"外卖\"]"), "value \"1\" listed twice"),
            (GOOD.replace("name = \"period\", type = \"object\"", "name = \"period\", type = \"object\", items = \"string\""), "items on a param that is not an array"),
            (GOOD.replace("name = \"goods\", type = \"array\", items = \"object\"", "name = \"goods\", type = \"array\", items = \"string\""), "are not objects"),
            (GOOD.replace("format = \"date_time\"", "format = \"date_time\", money_unit = \"yuan\", values = [[\"1\", \"a\"]], rust_name = \"At\""), "rust_name \"At\""),
            (GOOD.replace("vendor_page = \"doc3/7\"", "vendor_page = \"doc3/07\""), "is not doc2/<id> or doc3/<id>"),
            (GOOD.replace("vendor_page = \"doc3/7\"", "vendor_page = \"doc2/7\""), "a V3 path's vendor page is a doc3 page"),
            (GOOD.replace("vendor_page = \"doc2/7\"", "vendor_page = \"doc3/7\""), "a V2 Action's vendor page is a doc2 page"),
            (GOOD.replace("paging = \"list_total\"\n", ""), "data shape \"page\" needs a paging dialect"),
            (GOOD.replace("domain = \"shop\"", "domain = \"shops\""), "not the file's name"),
            (GOOD.replace("description = \"Shops.\"\n", ""), "missing field `description`"),
            (
                GOOD.replace("seen_in = \"a test\"\nvendor_page = \"doc3", "seen_in = \" \"\nvendor_page = \"doc3"),
                "seen_in \" \" is empty",
            ),
        ];
        for (text, expected) in cases {
            assert_ne!(text, GOOD, "the case for {expected:?} changes nothing");
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
        let outputs = [("a", "1"), ("b", "2"), ("c", "3")].map(|(p, t)| (p.to_owned(), t.to_owned()));
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
