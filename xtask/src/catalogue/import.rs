//! `cargo xtask catalogue import [--dry-run] [--domain D] PAGE...`: reads vendor reference
//! pages ([`crate::catalogue::page`]) into `catalogue/*.toml`.
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

use crate::catalogue::page::{Page, parse_page};
use crate::catalogue::write_toml;
use crate::catalogue::{DataDef, DomainFile, EndpointDef, ParamDef, RouteKey, Safety};
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
    let dir = workspace_root().join("catalogue");
    let wrote = import_into(&dir, args, &mut |line| println!("{line}"), &mut |line| eprintln!("{line}"))?;
    if wrote { crate::catalogue::run(&crate::catalogue::CatalogueArgs::default()) } else { Ok(()) }
}

/// Imports the pages into the catalogue files of `dir`: says what it did through `say`
/// (the TOML with `--dry-run`), what a page could not give through `warn`. Whether it wrote
/// a file.
fn import_into(
    dir: &std::path::Path,
    args: &ImportArgs,
    say: &mut dyn FnMut(String),
    warn: &mut dyn FnMut(String),
) -> Result<bool> {
    let mut files = read_files(dir)?;
    let mut pages = Vec::new();
    for path in &args.pages {
        let text = read_page(path)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let page = parse_page(&text, &name).map_err(|why| Failure(format!("{}: {why}", path.display())))?;
        for line in &page.unread {
            warn(format!("{}: {line}", path.display()));
        }
        pages.push(page);
    }
    // V3 pages first: their domain follows from their path, and a V2 twin follows it.
    pages.sort_by_key(|p| std::cmp::Reverse(p.version));
    let mut touched = Vec::new();
    for page in &pages {
        touched.push(import(&mut files, page, args.domain.as_deref(), say)?);
    }
    fill_from_twins(&mut files, say);
    // The result must still compile.
    let sources: Vec<(String, String)> =
        files.iter().map(|(stem, file)| (stem.clone(), write_toml::domain_file(file))).collect();
    crate::catalogue::build(&sources)?;
    if args.dry_run {
        for (domain, key) in &touched {
            if let Some(e) = files.get(domain).and_then(|f| f.endpoints.iter().find(|e| route_key(e) == *key))
            {
                let mut out = format!("# catalogue/{domain}.toml\n");
                write_toml::endpoint(&mut out, e);
                say(out);
            }
        }
        return Ok(false);
    }
    let mut wrote = false;
    for (stem, text) in &sources {
        let path = dir.join(format!("{stem}.toml"));
        if std::fs::read_to_string(&path).is_ok_and(|old| old == *text) {
            continue;
        }
        std::fs::write(&path, text).map_err(|e| Failure(format!("cannot write {}: {e}", path.display())))?;
        say(format!("wrote catalogue/{stem}.toml"));
        wrote = true;
    }
    Ok(wrote)
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

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    /// A catalogue directory of its own, removed on drop.
    struct Dir(PathBuf);

    impl Dir {
        fn new(name: &str) -> Dir {
            let dir = std::env::temp_dir().join(format!("zv-import-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Dir(dir)
        }
        fn write(&self, name: &str, text: &str) {
            std::fs::write(self.0.join(name), text).unwrap();
        }
        fn read(&self, name: &str) -> String {
            std::fs::read_to_string(self.0.join(name)).unwrap()
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const MEMBER: &str = r#"domain = "member"
title = "会员"
description = "Members."

[[endpoint]]
path = "v3/crm/demo/other"
title = "其他"
safety = "read"
seen_in = "a test"

[[endpoint]]
path = "v3/crm/demo/findMember"
title = "hand-written title"
safety = "read"
seen_in = "a public client"
params = [
  { name = "type", type = "string", description = "hand-written" },
  { name = "mine", type = "string" },
]
"#;

    const MARKETING: &str = "domain = \"marketing\"\ntitle = \"营销\"\ndescription = \"Marketing.\"\n";

    fn page(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/pages").join(name)
    }

    fn setup(name: &str) -> Dir {
        let dir = Dir::new(name);
        dir.write("member.toml", &format!("{}\n{MEMBER}", write_toml::HEADER));
        dir.write("marketing.toml", &format!("{}\n{MARKETING}", write_toml::HEADER));
        dir
    }

    fn args(pages: &[&str], dry_run: bool) -> ImportArgs {
        ImportArgs { dry_run, domain: None, pages: pages.iter().map(|p| page(p)).collect() }
    }

    fn run_in(dir: &Dir, args: &ImportArgs) -> (Result<bool>, Vec<String>, Vec<String>) {
        let (mut said, mut warned) = (Vec::new(), Vec::new());
        let result = import_into(&dir.0, args, &mut |l| said.push(l), &mut |l| warned.push(l));
        (result, said, warned)
    }

    #[test]
    fn a_dry_run_prints_the_toml_and_writes_nothing() {
        let dir = setup("dry");
        let before = (dir.read("member.toml"), dir.read("marketing.toml"));
        let (result, said, warned) = run_in(&dir, &args(&["doc3-901.txt", "doc2-902.txt"], true));
        assert!(!result.unwrap());
        assert_eq!((dir.read("member.toml"), dir.read("marketing.toml")), before);
        let toml = said.join("\n");
        assert!(
            toml.contains("# catalogue/member.toml\n[[endpoint]]\npath = \"v3/crm/demo/findMember\""),
            "{toml}"
        );
        // a page never seen before becomes a new entry, in the domain its Action's prefix says
        assert!(
            toml.contains("# catalogue/marketing.toml\n[[endpoint]]\naction = \"coupn.demo-detail\""),
            "{toml}"
        );
        assert!(
            toml.contains("marketing: coupn.demo-detail: new entry, read (the name says detail)"),
            "{toml}"
        );
        assert!(warned.iter().any(|w| w.contains("doc2-902.txt") && w.contains("guessed")), "{warned:?}");
    }

    #[test]
    fn an_import_keeps_hand_curated_facts_and_says_where_the_page_differs() {
        let dir = setup("keep");
        let (result, said, _) = run_in(&dir, &args(&["doc3-901.txt"], false));
        assert!(result.unwrap());
        let member = dir.read("member.toml");
        // kept, with the difference printed
        assert!(member.contains("title = \"hand-written title\""), "{member}");
        assert!(
            said.iter().any(|l| l.contains("title: kept \"hand-written title\", the page says \"查找会员\"")),
            "{said:?}"
        );
        assert!(member.contains("{ name = \"type\", type = \"string\", description = \"hand-written\", values = [[\"1\", \"会员码\"], [\"2\", \"手机号\"]] }"), "{member}");
        assert!(
            said.iter().any(|l| l.contains("param \"type\" type: kept String, the page says Integer")),
            "{said:?}"
        );
        assert!(said.iter().any(|l| l.contains("\"mine\": kept, not on the page")), "{said:?}");
        // filled in: what the entry did not say
        assert!(member.contains("vendor_page = \"doc3/901\""), "{member}");
        assert!(member.contains("{ name = \"tradeMarks[].price\", type = \"integer\", description = \"商品单价\", money_unit = \"fen\" }"), "{member}");
        assert!(member.contains("[endpoint.data]\nshape = \"object\"\ntruncated = true\n"), "{member}");
        // the untouched entry is as it was
        assert!(member.contains("[[endpoint]]\npath = \"v3/crm/demo/other\"\ntitle = \"其他\"\nsafety = \"read\"\nseen_in = \"a test\"\n"));
        // importing again changes nothing
        let (result, _, _) = run_in(&dir, &args(&["doc3-901.txt"], false));
        assert!(!result.unwrap());
        assert_eq!(dir.read("member.toml"), member);
    }

    #[test]
    fn a_new_v3_page_goes_to_the_domain_of_the_nearest_path_and_twins_share_required() {
        let dir = setup("twins");
        // doc3-903 (cy/demo/choose) has no catalogued neighbour: its domain must be given
        let (result, _, _) = run_in(&dir, &args(&["doc3-903.txt"], false));
        let why = result.unwrap_err().0;
        assert!(
            why.contains("cannot tell the domain of v3/cy/demo/choose") && why.contains("--domain"),
            "{why}"
        );
        let mut with_domain = args(&["doc3-903.txt"], false);
        with_domain.domain = Some("member".into());
        assert!(run_in(&dir, &with_domain).0.unwrap());
        let member = dir.read("member.toml");
        assert!(
            member.contains("path = \"v3/cy/demo/choose\"\ntitle = \"筛选\"\nsafety = \"write\""),
            "{member}"
        );
        // an unknown domain is refused
        let mut wrong = args(&["doc2-902.txt"], false);
        wrong.domain = Some("nope".into());
        assert!(run_in(&dir, &wrong).0.unwrap_err().0.contains("no catalogue/nope.toml"));
    }

    #[test]
    fn a_page_that_cannot_be_read_stops_the_import_before_anything_is_written() {
        let dir = setup("bad");
        let before = dir.read("member.toml");
        let bad = dir.0.join("doc3-1.txt");
        std::fs::write(&bad, "no address here").unwrap();
        let mut both = args(&["doc3-901.txt"], false);
        both.pages.push(bad);
        assert!(run_in(&dir, &both).0.unwrap_err().0.contains("no request address"));
        let missing = args(&["no-such-page.txt"], false);
        assert!(run_in(&dir, &missing).0.unwrap_err().0.contains("cannot read"));
        let not_text = dir.0.join("doc3-2.txt");
        std::fs::write(&not_text, [0xff, 0xfe, 0x00]).unwrap();
        let not_text = ImportArgs { dry_run: false, domain: None, pages: vec![not_text] };
        assert!(run_in(&dir, &not_text).0.unwrap_err().0.contains("not UTF-8"));
        assert_eq!(dir.read("member.toml"), before);
    }

    #[test]
    fn safety_is_a_read_only_when_the_page_says_so() {
        let page = |title: Option<&str>, route: RouteKey| Page {
            version: 3,
            article: 1,
            breadcrumb: None,
            title: title.map(str::to_owned),
            route,
            params: Vec::new(),
            params_truncated: false,
            data: None,
            unread: Vec::new(),
        };
        let v3 = |p: &str| RouteKey::V3(p.to_owned());
        assert_eq!(safety_of(&page(Some("获取分类列表"), v3("a/list"))).0, Safety::Read);
        assert_eq!(safety_of(&page(Some("创建门店"), v3("a/getList"))).0, Safety::Write);
        assert_eq!(safety_of(&page(None, v3("a/goodsDetail"))).0, Safety::Read);
        assert_eq!(safety_of(&page(None, v3("a/updateStatus"))).0, Safety::Write);
        assert_eq!(safety_of(&page(Some("会员识别"), v3("a/identity"))).0, Safety::Write);
    }
}
