//! `cargo xtask catalogue import [--dry-run] [--domain D] PAGE...`: reads vendor reference
//! pages ([`crate::catalogue_page`]) into `catalogue/*.toml`.
//!
//! A page whose path or Action is catalogued enriches that entry: what the entry does not
//! say is filled in from the page, and where the two differ the entry is kept and the
//! difference printed (a hand-curated fact is never overwritten). Any other page becomes a
//! new entry, in the domain of its twin (the other version's page of the same article), of
//! the catalogued paths nearest to its own, or of its Action's prefix, and a write unless
//! its title or name make a read unmistakable (a list, a detail, a query). Importing the
//! same page twice changes nothing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::catalogue::{DataDef, DomainFile, EndpointDef, ParamDef, RouteKey, Safety};
use crate::catalogue_page::{Page, parse_page};
use crate::catalogue_toml;
use crate::util::{Failure, Result, bail, workspace_root};

/// The largest page read (the vendor's pages are a few KiB).
const MAX_PAGE_BYTES: u64 = 1 << 20;

/// Options of `cargo xtask catalogue import`.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// Print the TOML of the imported entries instead of writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// The domain of a new entry, when it cannot be told from the page.
    #[arg(long)]
    pub domain: Option<String>,
    /// Vendor pages, as text (`docN-ID.txt`).
    #[arg(required = true)]
    pub pages: Vec<PathBuf>,
}

/// Imports the pages, or with `--dry-run` prints what it would write.
pub fn run(args: &ImportArgs) -> Result {
    let root = workspace_root();
    let dir = root.join("catalogue");
    let mut files = read_files(&dir)?;
    let mut pages = Vec::new();
    for path in &args.pages {
        let text = read_page(path)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let page = parse_page(&text, &name).map_err(|why| Failure(format!("{}: {why}", path.display())))?;
        for line in &page.unread {
            eprintln!("{}: {line}", path.display());
        }
        pages.push(page);
    }
    // V3 pages first: their domain follows from their path, and a V2 twin follows it.
    pages.sort_by_key(|p| std::cmp::Reverse(p.version));
    let mut touched = Vec::new();
    for page in &pages {
        let (domain, key) = import(&mut files, page, args.domain.as_deref(), &mut |line| println!("{line}"))?;
        touched.push((domain, key));
    }
    fill_from_twins(&mut files, &mut |line| println!("{line}"));
    // The result must still compile.
    let sources: Vec<(String, String)> =
        files.iter().map(|(stem, file)| (stem.clone(), catalogue_toml::domain_file(file))).collect();
    crate::catalogue::build(&sources)?;
    if args.dry_run {
        for (domain, key) in &touched {
            if let Some(e) = files.get(domain).and_then(|f| f.endpoints.iter().find(|e| route_key(e) == *key))
            {
                let mut out = format!("# catalogue/{domain}.toml\n");
                catalogue_toml::endpoint(&mut out, e);
                println!("{out}");
            }
        }
        return Ok(());
    }
    for (stem, text) in &sources {
        let path = dir.join(format!("{stem}.toml"));
        if std::fs::read_to_string(&path).is_ok_and(|old| old == *text) {
            continue;
        }
        std::fs::write(&path, text).map_err(|e| Failure(format!("cannot write {}: {e}", path.display())))?;
        println!("wrote catalogue/{stem}.toml");
    }
    crate::catalogue::run(&crate::catalogue::CatalogueArgs::default())
}

fn read_page(path: &std::path::Path) -> Result<String> {
    let meta =
        std::fs::metadata(path).map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))?;
    if !meta.is_file() || meta.len() > MAX_PAGE_BYTES {
        bail!("{}: not a page (a regular file of at most {MAX_PAGE_BYTES} bytes)", path.display());
    }
    let bytes = std::fs::read(path).map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|_| Failure(format!("{}: not UTF-8 text", path.display())))
}

/// Every `catalogue/*.toml`, by file stem.
fn read_files(dir: &std::path::Path) -> Result<BTreeMap<String, DomainFile>> {
    let mut files = BTreeMap::new();
    let entries =
        std::fs::read_dir(dir).map_err(|e| Failure(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries {
        let path = entry.map_err(|e| Failure(format!("cannot read {}: {e}", dir.display())))?.path();
        if path.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))?;
        let file: DomainFile = toml::from_str(&text)
            .map_err(|e| Failure(format!("{}: {}", path.display(), e.to_string().trim_end())))?;
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        files.insert(stem, file);
    }
    Ok(files)
}

fn route_key(e: &EndpointDef) -> String {
    match (&e.path, &e.action) {
        (Some(path), _) => path.clone(),
        (None, Some(action)) => action.clone(),
        (None, None) => String::new(),
    }
}

fn page_key(page: &Page) -> String {
    match &page.route {
        RouteKey::V3(path) => format!("v3/{path}"),
        RouteKey::V2(action) => action.clone(),
    }
}

/// Imports one page into `files`; says what it did through `say`. Returns the entry's
/// domain and key.
pub(crate) fn import(
    files: &mut BTreeMap<String, DomainFile>,
    page: &Page,
    domain: Option<&str>,
    say: &mut dyn FnMut(String),
) -> Result<(String, String)> {
    let key = page_key(page);
    let at = |domain: &str| format!("{domain}: {key}");
    for (stem, file) in files.iter_mut() {
        if let Some(e) = file.endpoints.iter_mut().find(|e| route_key(e) == key) {
            enrich(e, page, &at(stem), say);
            return Ok((stem.clone(), key));
        }
    }
    let domain = match domain {
        Some(d) => d.to_owned(),
        None => domain_of(files, page).ok_or_else(|| {
            Failure(format!(
                "cannot tell the domain of {key} (doc{}/{}): pass --domain",
                page.version, page.article
            ))
        })?,
    };
    let Some(file) = files.get_mut(&domain) else {
        bail!(
            "{key}: no catalogue/{domain}.toml (the domains are {})",
            files.keys().cloned().collect::<Vec<_>>().join(", ")
        );
    };
    let (safety, why) = safety_of(page);
    say(format!(
        "{}: new entry, {} ({why})",
        at(&domain),
        if safety == Safety::Read { "read" } else { "write" }
    ));
    let (path, action) = match &page.route {
        RouteKey::V3(_) => (Some(key.clone()), None),
        RouteKey::V2(action) => (None, Some(action.clone())),
    };
    file.endpoints.push(EndpointDef {
        path,
        action,
        title: page.title.clone(),
        safety,
        paging: None,
        rust_type: None,
        notes: None,
        seen_in: match &page.breadcrumb {
            Some(b) => format!("vendor page {b}"),
            None => format!("vendor page {}", page.vendor_page()),
        },
        vendor_page: Some(page.vendor_page()),
        params_truncated: page.params_truncated.then_some(true),
        params: page.params.clone(),
        data: page.data.clone(),
    });
    file.endpoints.sort_by_key(|e| (e.path.is_some(), route_key(e)));
    Ok((domain, key))
}

/// A page's plain rendering has no 是否必填 column: where a param's twin (the same
/// article in the other version, so the same function) says whether it is required, that
/// is filled in, and said.
pub(crate) fn fill_from_twins(files: &mut BTreeMap<String, DomainFile>, say: &mut dyn FnMut(String)) {
    let mut by_page: BTreeMap<String, Vec<ParamDef>> = BTreeMap::new();
    for e in files.values().flat_map(|f| &f.endpoints) {
        if let Some(page) = &e.vendor_page {
            by_page.insert(page.clone(), e.params.clone());
        }
    }
    for e in files.values_mut().flat_map(|f| &mut f.endpoints) {
        let Some(twin) = e.vendor_page.as_deref().and_then(twin_page) else { continue };
        let Some(twin_params) = by_page.get(&twin) else { continue };
        let key = route_key(e);
        for p in e.params.iter_mut().filter(|p| p.required.is_none()) {
            if let Some(required) = twin_params.iter().find(|t| t.name == p.name).and_then(|t| t.required) {
                p.required = Some(required);
                say(format!("{key}: param {:?} required = {required}, from its twin {twin}", p.name));
            }
        }
    }
}

/// `doc3/726` → `doc2/726`.
fn twin_page(page: &str) -> Option<String> {
    let (doc, id) = page.split_once('/')?;
    let other = match doc {
        "doc2" => "doc3",
        "doc3" => "doc2",
        _ => return None,
    };
    Some(format!("{other}/{id}"))
}

/// Fills in what `e` does not say from the page, printing where they differ.
fn enrich(e: &mut EndpointDef, page: &Page, at: &str, say: &mut dyn FnMut(String)) {
    fill(&mut e.title, page.title.as_ref(), &format!("{at}: title"), say);
    fill(&mut e.vendor_page, Some(&page.vendor_page()), &format!("{at}: vendor_page"), say);
    if page.params_truncated {
        fill(&mut e.params_truncated, Some(&true), &format!("{at}: params_truncated"), say);
    }
    merge_fields(&mut e.params, &page.params, &format!("{at}: param"), say);
    match (&mut e.data, &page.data) {
        (None, Some(data)) => e.data = Some(data.clone()),
        (Some(kept), Some(data)) => merge_data(kept, data, at, say),
        (_, None) => {}
    }
}

fn merge_data(kept: &mut DataDef, page: &DataDef, at: &str, say: &mut dyn FnMut(String)) {
    if kept.shape != page.shape {
        say(format!("{at}: data shape: kept {:?}, the page says {:?}", kept.shape, page.shape));
    }
    if kept.truncated != page.truncated {
        say(format!("{at}: data truncated: kept {}, the page says {}", kept.truncated, page.truncated));
    }
    merge_fields(&mut kept.fields, &page.fields, &format!("{at}: data field"), say);
}

/// Sets `kept` when it is `None`; says so when it differs from the page.
fn fill<T: Clone + PartialEq + std::fmt::Debug>(
    kept: &mut Option<T>,
    page: Option<&T>,
    what: &str,
    say: &mut dyn FnMut(String),
) {
    match (kept.as_ref(), page) {
        (None, Some(value)) => *kept = Some(value.clone()),
        (Some(old), Some(new)) if old != new => say(format!("{what}: kept {old:?}, the page says {new:?}")),
        _ => {}
    }
}

fn merge_fields(kept: &mut Vec<ParamDef>, page: &[ParamDef], at: &str, say: &mut dyn FnMut(String)) {
    for p in page {
        let Some(k) = kept.iter_mut().find(|k| k.name == p.name) else {
            kept.push(p.clone());
            continue;
        };
        let what = |field: &str| format!("{at} {:?} {field}", p.name);
        fill(&mut k.json_type, p.json_type.as_ref(), &what("type"), say);
        fill(&mut k.required, p.required.as_ref(), &what("required"), say);
        fill(&mut k.description, p.description.as_ref(), &what("description"), say);
        fill(&mut k.money_unit, p.money_unit.as_ref(), &what("money_unit"), say);
        fill(&mut k.format, p.format.as_ref(), &what("format"), say);
        fill(&mut k.default, p.default.as_ref(), &what("default"), say);
        fill(&mut k.items, p.items.as_ref(), &what("items"), say);
        match (k.values.is_empty(), p.values.is_empty()) {
            (true, false) => k.values = p.values.clone(),
            (false, false) if k.values != p.values => {
                say(format!("{}: kept {:?}, the page says {:?}", what("values"), k.values, p.values));
            }
            _ => {}
        }
    }
    for k in kept.iter() {
        if !page.iter().any(|p| p.name == k.name) && !page.is_empty() {
            say(format!("{at} {:?}: kept, not on the page", k.name));
        }
    }
}

/// The domain of a new entry: its twin's, else that of the catalogued V3 paths sharing
/// the most leading segments with it, else its Action's prefix's.
fn domain_of(files: &BTreeMap<String, DomainFile>, page: &Page) -> Option<String> {
    let twin = twin_page(&page.vendor_page())?;
    for (stem, file) in files {
        if file.endpoints.iter().any(|e| e.vendor_page.as_deref() == Some(twin.as_str())) {
            return Some(stem.clone());
        }
    }
    match &page.route {
        RouteKey::V3(path) => {
            let segments: Vec<&str> = path.split('/').collect();
            let mut best: Option<(usize, &String)> = None;
            for (stem, file) in files {
                for e in file.endpoints.iter().filter_map(|e| e.path.as_deref()) {
                    let other: Vec<&str> = e.trim_start_matches("v3/").split('/').collect();
                    let common = segments.iter().zip(&other).take_while(|(a, b)| a == b).count();
                    if common > 0 && best.is_none_or(|(n, _)| common > n) {
                        best = Some((common, stem));
                    }
                }
            }
            best.map(|(_, stem)| stem.clone())
        }
        RouteKey::V2(action) => {
            let prefixes: &[(&str, &str)] = &[
                ("goods", "goods"),
                ("goods-category", "goods"),
                ("multi-store", "store"),
                ("user", "member"),
                ("communal.user", "member"),
                ("coupon", "marketing"),
                ("coupn", "marketing"),
                ("order", "order"),
                ("communal.order", "order"),
                ("communal.delivery", "delivery"),
            ];
            prefixes
                .iter()
                .filter(|(prefix, _)| action.starts_with(&format!("{prefix}.")))
                .max_by_key(|(prefix, _)| prefix.len())
                .map(|(_, d)| (*d).to_owned())
                .filter(|d| files.contains_key(d))
        }
    }
}

/// A read only when the title or name make it unmistakable.
fn safety_of(page: &Page) -> (Safety, String) {
    let title = page.title.as_deref().unwrap_or_default();
    let name = page.route.key().rsplit(['/', '.']).next().unwrap_or_default().to_ascii_lowercase();
    const WRITE_WORDS: &[&str] = &[
        "创建", "新增", "更新", "上送", "核销", "兑换", "消费", "支付", "删除", "取消", "修改", "添加",
        "同步", "充值", "绑定",
    ];
    const WRITE_NAMES: &[&str] = &[
        "add", "update", "edit", "create", "upload", "delete", "consume", "pay", "exchange", "vertify",
        "verify", "off", "write", "cancel", "submit", "save", "bind", "option", "request",
    ];
    const READ_WORDS: &[&str] = &["查询", "列表", "详情", "获取", "明细", "我的"];
    const READ_NAMES: &[&str] =
        &["list", "detail", "info", "query", "get", "search", "records", "bills", "status", "my-cards"];
    if let Some(w) = WRITE_WORDS.iter().find(|w| title.contains(*w)) {
        return (Safety::Write, format!("the title says {w}"));
    }
    if let Some(w) = WRITE_NAMES.iter().find(|w| name.contains(*w)) {
        return (Safety::Write, format!("the name says {w}"));
    }
    if let Some(w) = READ_WORDS.iter().find(|w| title.contains(*w)) {
        return (Safety::Read, format!("the title says {w}"));
    }
    if let Some(w) = READ_NAMES.iter().find(|w| name.contains(*w)) {
        return (Safety::Read, format!("the name says {w}"));
    }
    (Safety::Write, "not unmistakably a read: check by hand".to_owned())
}
