//! `cargo xtask release`: checks, packages and (only when asked explicitly) publishes every
//! publishable crate of the workspace in dependency order.
//!
//! The pure parts (reading `cargo metadata`, the checks, the order, the changelog and the
//! version bump on manifest text) are functions of strings and values, tested below; the
//! rest runs commands.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{self, Failure, Result, Style, bail, cargo, command, paint};

/// Options of `cargo xtask release`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReleaseArgs {
    /// Check and package only; change nothing and publish nothing (the default without
    /// `--execute`).
    #[arg(long, conflicts_with = "execute")]
    pub dry_run: bool,
    /// The version to release (default: the current workspace version).
    #[arg(long, value_name = "X.Y.Z")]
    pub version: Option<String>,
    /// Really release: bump, commit, tag and publish in order. Needs a clean work tree and
    /// `CARGO_REGISTRY_TOKEN`; refused under CI.
    #[arg(long)]
    pub execute: bool,
    /// Keep the temporary copy of the workspace the packages are built from.
    #[arg(long)]
    pub keep_temp: bool,
}

// ---------------------------------------------------------------------------------------
// The workspace as `cargo metadata --no-deps` describes it.

/// The kind of a dependency edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepKind {
    /// `[dependencies]`.
    Normal,
    /// `[dev-dependencies]` (stripped on publish when it has no version).
    Dev,
    /// `[build-dependencies]`.
    Build,
}

/// One dependency of a workspace crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    pub name: String,
    /// The version requirement (`*` when the manifest gives none).
    pub req: String,
    pub kind: DepKind,
}

/// A workspace member.
#[derive(Debug, Clone, Default)]
pub struct Crate {
    pub name: String,
    pub version: String,
    pub publish: bool,
    pub manifest_path: PathBuf,
    pub deps: Vec<Dep>,
    /// crates.io metadata, by `cargo metadata` key (`description`, `license`, …).
    pub meta: BTreeMap<String, Value>,
}

impl Crate {
    fn dir(&self) -> &Path {
        self.manifest_path.parent().unwrap_or(Path::new("."))
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.meta.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
    }

    fn list(&self, key: &str) -> Vec<&str> {
        self.meta.get(key).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect()
    }
}

const META_KEYS: &[&str] = &[
    "description",
    "license",
    "license_file",
    "repository",
    "homepage",
    "readme",
    "keywords",
    "categories",
    "rust_version",
];

/// The workspace members of a `cargo metadata --format-version 1 --no-deps` document.
pub fn parse_metadata(doc: &Value) -> Result<Vec<Crate>> {
    let members: BTreeSet<&str> =
        doc["workspace_members"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let mut crates = Vec::new();
    for p in doc["packages"].as_array().into_iter().flatten() {
        if !members.contains(p["id"].as_str().unwrap_or_default()) {
            continue;
        }
        let name = p["name"].as_str().ok_or_else(|| Failure("a package without a name".into()))?;
        let deps = p["dependencies"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| Dep {
                name: d["name"].as_str().unwrap_or_default().to_owned(),
                req: d["req"].as_str().unwrap_or("*").to_owned(),
                kind: match d["kind"].as_str() {
                    Some("dev") => DepKind::Dev,
                    Some("build") => DepKind::Build,
                    _ => DepKind::Normal,
                },
            })
            .collect();
        crates.push(Crate {
            name: name.to_owned(),
            version: p["version"].as_str().unwrap_or_default().to_owned(),
            // `publish`: null = anywhere, [] = nowhere (`publish = false`), [..] = registries.
            publish: p["publish"].as_array().is_none_or(|r| !r.is_empty()),
            manifest_path: PathBuf::from(p["manifest_path"].as_str().unwrap_or_default()),
            deps,
            meta: META_KEYS.iter().map(|k| ((*k).to_owned(), p[*k].clone())).collect(),
        });
    }
    crates.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(crates)
}

// ---------------------------------------------------------------------------------------
// Checks.

/// Whether `req` pins exactly `version` as a caret (`^X.Y.Z`, `X.Y.Z`) or exact (`=X.Y.Z`)
/// requirement.
pub fn req_matches(req: &str, version: &str) -> bool {
    let base = req.trim().trim_start_matches(['^', '=']).trim();
    base == version
}

/// Whether `v` is `X.Y.Z` (optionally with a `-pre` suffix).
pub fn is_semver(v: &str) -> bool {
    let core = v.split_once('-').map_or(v, |(c, pre)| if pre.is_empty() { "" } else { c });
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && parts.iter().all(|p| p.len() == 1 || !p.starts_with('0'))
}

/// Whether a crates.io keyword is valid: ASCII, at most 20 characters, starting with a
/// letter, then letters, digits, `_`, `-` or `+`.
fn valid_keyword(k: &str) -> bool {
    k.len() <= 20
        && k.starts_with(|c: char| c.is_ascii_alphabetic())
        && k.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
}

/// Everything that would make the release of `version` wrong or incomplete, one line each.
pub fn check_crates(crates: &[Crate], version: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let by_name: BTreeMap<&str, &Crate> = crates.iter().map(|c| (c.name.as_str(), c)).collect();
    for c in crates.iter().filter(|c| c.publish) {
        let n = &c.name;
        if c.version != version {
            problems.push(format!("{n}: version {} is not the workspace version {version}", c.version));
        }
        for d in &c.deps {
            let Some(target) = by_name.get(d.name.as_str()) else { continue };
            let path_only_dev = d.kind == DepKind::Dev && d.req == "*";
            if path_only_dev {
                continue; // cargo strips it from the published manifest
            }
            if !target.publish {
                problems.push(format!("{n}: depends on `{}`, which is not published", d.name));
            } else if !req_matches(&d.req, version) {
                problems.push(format!(
                    "{n}: requires {} `{}`, expected `^{version}` (every inter-crate requirement names the \
                     release version)",
                    d.name, d.req
                ));
            }
        }
        for key in ["description", "repository", "rust_version"] {
            if c.text(key).is_none() {
                problems.push(format!("{n}: missing `{}` in [package]", key.replace('_', "-")));
            }
        }
        if c.text("license").is_none() && c.text("license_file").is_none() {
            problems.push(format!("{n}: missing `license` in [package]"));
        }
        match c.text("readme") {
            None => problems.push(format!("{n}: missing `readme` in [package] (and no README.md beside it)")),
            Some(r) if !c.dir().join(r).is_file() => {
                problems.push(format!("{n}: readme `{r}` does not exist in {}", c.dir().display()));
            }
            Some(_) => {}
        }
        let keywords = c.list("keywords");
        if keywords.is_empty() || keywords.len() > 5 {
            problems.push(format!("{n}: needs 1 to 5 `keywords` (has {})", keywords.len()));
        }
        if let Some(bad) = keywords.iter().find(|k| !valid_keyword(k)) {
            problems.push(format!("{n}: keyword `{bad}` is not valid on crates.io"));
        }
        let categories = c.list("categories");
        if categories.is_empty() || categories.len() > 5 {
            problems.push(format!("{n}: needs 1 to 5 `categories` (has {})", categories.len()));
        }
    }
    problems
}

/// The publishable crates in an order where each comes after the crates it needs: normal
/// and build dependencies, and dev-dependencies that carry a version (those must be on the
/// registry too) unless that would make a cycle. Ties go alphabetically.
pub fn publish_order(crates: &[Crate]) -> Result<Vec<&Crate>> {
    let publishable: BTreeMap<&str, &Crate> =
        crates.iter().filter(|c| c.publish).map(|c| (c.name.as_str(), c)).collect();
    let edges = |with_dev: bool| -> BTreeMap<&str, BTreeSet<&str>> {
        publishable
            .values()
            .map(|c| {
                let needs = c
                    .deps
                    .iter()
                    .filter(|d| publishable.contains_key(d.name.as_str()) && d.name != c.name)
                    .filter(|d| d.kind != DepKind::Dev || (with_dev && d.req != "*"))
                    .map(|d| d.name.as_str())
                    .collect();
                (c.name.as_str(), needs)
            })
            .collect()
    };
    let order = topological(&edges(true)).or_else(|_| topological(&edges(false)))?;
    Ok(order.into_iter().map(|n| publishable[n]).collect())
}

/// Kahn's algorithm over `node → the nodes it needs`; alphabetical among the ready ones.
pub fn topological<'a>(needs: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Result<Vec<&'a str>> {
    let mut left = needs.clone();
    let mut order = Vec::with_capacity(needs.len());
    while !left.is_empty() {
        let ready: Vec<&str> = left.iter().filter(|(_, n)| n.is_empty()).map(|(k, _)| *k).collect();
        if ready.is_empty() {
            let stuck: Vec<&str> = left.keys().copied().collect();
            bail!("dependency cycle among {}", stuck.join(", "));
        }
        let first = ready[0];
        left.remove(first);
        for n in left.values_mut() {
            n.remove(first);
        }
        order.push(first);
    }
    Ok(order)
}

// ---------------------------------------------------------------------------------------
// CHANGELOG.md (Keep a Changelog).

/// One `## [...]` heading of a changelog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangelogEntry {
    /// `Unreleased` or a version.
    pub version: String,
    /// `YYYY-MM-DD` when given.
    pub date: Option<String>,
    /// The 1-based line of the heading.
    pub line: usize,
}

/// The `## [X.Y.Z] - YYYY-MM-DD` / `## [Unreleased]` headings of a changelog.
pub fn parse_changelog(text: &str) -> Vec<ChangelogEntry> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let rest = line.strip_prefix("## [")?;
            let (version, after) = rest.split_once(']')?;
            let date =
                after.trim().strip_prefix('-').map(str::trim).filter(|d| is_date(d)).map(str::to_owned);
            Some(ChangelogEntry { version: version.trim().to_owned(), date, line: i + 1 })
        })
        .collect()
}

fn is_date(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// What is wrong with the changelog for releasing `version`.
pub fn check_changelog(text: &str, version: &str) -> Vec<String> {
    let entries = parse_changelog(text);
    let mut problems = Vec::new();
    if !text.lines().any(|l| l.trim() == "# Changelog") {
        problems.push("CHANGELOG.md: no `# Changelog` title (Keep a Changelog format)".to_owned());
    }
    if !entries.iter().any(|e| e.version.eq_ignore_ascii_case("unreleased")) {
        problems.push("CHANGELOG.md: no `## [Unreleased]` section".to_owned());
    }
    match entries.iter().find(|e| e.version == version) {
        None => problems.push(format!(
            "CHANGELOG.md: no `## [{version}] - YYYY-MM-DD` entry (`## [Unreleased]` is not enough: move its \
             items under a `## [{version}]` heading)"
        )),
        Some(e)
            if !text
                .lines()
                .skip(e.line)
                .take_while(|l| !l.starts_with("## "))
                .any(|l| l.starts_with("- ")) =>
        {
            problems.push(format!("CHANGELOG.md: the `## [{version}]` entry lists no change"));
        }
        Some(_) => {}
    }
    problems
}

/// Sets the date of the `## [version]` heading, and points the `[Unreleased]` and
/// `[version]` link references (when the changelog has them) at the new tag.
pub fn set_release_date(text: &str, version: &str, date: &str) -> Result<String> {
    let heading = format!("## [{version}]");
    let mut found = false;
    // (repository URL, previous tag) from `[Unreleased]: <repo>/compare/<tag>...HEAD`.
    let mut previous: Option<(String, String)> = None;
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let after = line.strip_prefix(heading.as_str()).map(str::trim_start);
        if after.is_some_and(|a| a.is_empty() || a.starts_with('-')) {
            found = true;
            out.push(format!("{heading} - {date}"));
            continue;
        }
        let compare = line
            .strip_prefix("[Unreleased]: ")
            .and_then(|url| url.rsplit_once("/compare/"))
            .and_then(|(repo, range)| Some((repo, range.split_once("...")?.0)));
        match compare {
            Some((repo, old)) => {
                previous = Some((repo.to_owned(), old.to_owned()));
                out.push(format!("[Unreleased]: {repo}/compare/v{version}...HEAD"));
            }
            None => out.push(line.to_owned()),
        }
    }
    if !found {
        bail!("CHANGELOG.md has no `{heading}` heading");
    }
    let link = format!("[{version}]: ");
    if let Some((repo, old)) = previous
        && old != format!("v{version}")
        && !out.iter().any(|l| l.starts_with(&link))
    {
        let at = out.iter().position(|l| l.starts_with("[Unreleased]: ")).map_or(out.len(), |i| i + 1);
        out.insert(at, format!("{link}{repo}/compare/{old}...v{version}"));
    }
    Ok(rejoin(out, text))
}

/// The lines joined again, with a final newline when `original` had one.
fn rejoin(lines: Vec<String>, original: &str) -> String {
    let mut joined = lines.join("\n");
    if original.ends_with('\n') {
        joined.push('\n');
    }
    joined
}

// ---------------------------------------------------------------------------------------
// Bumping versions in manifest text.

/// Rewrites a `Cargo.toml`: with `own_version`, the `version` of `[package]` or
/// `[workspace.package]` (when it is a literal) becomes `new`; every requirement on one of
/// `crates` in a dependency table (inline `name = { version = "…" }`, `name = "…"` or a
/// `[dependencies.name]` table) names `new`, keeping its operator. Comments and layout are
/// kept.
pub fn bump_manifest(text: &str, crates: &[&str], new: &str, own_version: bool) -> String {
    let mut table = String::new();
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            table = trimmed.trim_start_matches('[').split(']').next().unwrap_or_default().trim().to_owned();
            out.push(line.to_owned());
            continue;
        }
        let key = trimmed.split(['=', ' ', '\t']).next().unwrap_or_default().trim_matches('"');
        let dep_table = table.ends_with("dependencies");
        let dotted_dep = table
            .rsplit_once('.')
            .is_some_and(|(t, name)| t.ends_with("dependencies") && crates.contains(&name));
        let own = own_version && (table == "package" || table == "workspace.package");
        let rewritten = if (own || dotted_dep) && key == "version" {
            replace_version_value(line, new)
        } else if dep_table && crates.contains(&key) {
            replace_dep_version(line, new)
        } else {
            None
        };
        out.push(rewritten.unwrap_or_else(|| line.to_owned()));
    }
    rejoin(out, text)
}

/// `version = "^0.1.0"` → `version = "^NEW"` (the first string after `=`).
fn replace_version_value(line: &str, new: &str) -> Option<String> {
    let eq = line.find('=')?;
    replace_quoted_version(line, eq, new)
}

/// `name = { …, version = "0.1.0", … }` or `name = "0.1.0"`.
fn replace_dep_version(line: &str, new: &str) -> Option<String> {
    let eq = line.find('=')?;
    let value = line[eq + 1..].trim_start();
    if value.starts_with('"') {
        return replace_quoted_version(line, eq, new);
    }
    // The `version` key of the inline table: after `{` or `,`, followed by `=`.
    let mut from = eq;
    loop {
        let at = from + line[from..].find("version")?;
        let before = line[..at].trim_end();
        let after = line[at + "version".len()..].trim_start();
        if (before.ends_with('{') || before.ends_with(',')) && after.starts_with('=') {
            return replace_quoted_version(line, line.len() - after.len(), new);
        }
        from = at + 1;
    }
}

/// Replaces the string that follows position `eq` with `new`, keeping an `^`, `=` or `~`.
fn replace_quoted_version(line: &str, eq: usize, new: &str) -> Option<String> {
    let open = eq + line[eq..].find('"')? + 1;
    let close = open + line[open..].find('"')?;
    let old = &line[open..close];
    let op: String = old.chars().take_while(|c| matches!(c, '^' | '=' | '~' | ' ')).collect();
    Some(format!("{}{op}{new}{}", &line[..open], &line[close..]))
}

/// The `version` of `[workspace.package]` in the root manifest, if literal.
pub fn workspace_version(root_manifest: &str) -> Option<String> {
    let mut in_table = false;
    for line in root_manifest.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_table = t == "[workspace.package]";
        } else if in_table && t.split(['=', ' ']).next() == Some("version") {
            let value = t.split_once('=')?.1.trim().strip_prefix('"')?;
            return value.split_once('"').map(|(v, _)| v.to_owned());
        }
    }
    None
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    civil_date(secs / 86_400)
}

/// `YYYY-MM-DD` of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_date(days: u64) -> String {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

// ---------------------------------------------------------------------------------------
// Running it.

fn metadata(dir: &Path) -> Result<Value> {
    let mut cmd = cargo();
    cmd.current_dir(dir).args(["metadata", "--format-version", "1", "--no-deps"]);
    Ok(serde_json::from_str(&util::output(&mut cmd)?)?)
}

/// Copies the files git would see (tracked and untracked, not ignored) to `to`.
fn copy_workspace(from: &Path, to: &Path) -> Result {
    let listing =
        util::output(command("git").args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"]))?;
    for rel in listing.split('\0').filter(|p| !p.is_empty()) {
        let src = from.join(rel);
        if !src.is_file() {
            continue; // deleted in the work tree
        }
        let dst = to.join(rel);
        if let Some(parent) = dst.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::copy(&src, &dst)?;
    }
    Ok(())
}

/// Applies the bump to every manifest under `root`: the root one, and each member's (the
/// unpublished members keep their own version, only their requirements change).
fn bump_tree(root: &Path, crates: &[Crate], new: &str) -> Result<Vec<PathBuf>> {
    let names: Vec<&str> = crates.iter().filter(|c| c.publish).map(|c| c.name.as_str()).collect();
    let mut manifests = vec![(root.join("Cargo.toml"), true)];
    manifests.extend(crates.iter().map(|c| (c.manifest_path.clone(), c.publish)));
    let mut changed = Vec::new();
    for (m, own_version) in manifests {
        let text = fs::read_to_string(&m)?;
        let bumped = bump_manifest(&text, &names, new, own_version);
        if bumped != text {
            fs::write(&m, bumped)?;
            changed.push(m);
        }
    }
    Ok(changed)
}

/// Where the packages are built (inside the workspace's target directory).
fn package_target_dir(meta: &Value) -> PathBuf {
    let target = meta["target_directory"]
        .as_str()
        .map_or_else(|| util::workspace_root().join("target"), PathBuf::from);
    target.join("xtask-release")
}

/// `cargo package` for `order` in `dir` (offline first), verifying that each builds.
fn package(dir: &Path, order: &[&Crate], target_dir: &Path) -> Result {
    let attempt = |offline: bool| {
        let mut cmd = cargo();
        cmd.current_dir(dir).arg("package").arg("--target-dir").arg(target_dir);
        for c in order {
            cmd.args(["-p", &c.name]);
        }
        if offline {
            cmd.arg("--offline");
        }
        println!("{}", paint(Style::Header, &format!("==> {}", util::display(&cmd))));
        util::run(&mut cmd)
    };
    attempt(true).or_else(|e| {
        println!("{}", paint(Style::Warn, &format!("    offline packaging failed ({e}); retrying online")));
        attempt(false)
    })
}

fn print_plan(order: &[&Crate], version: &str, execute: bool) {
    let width = order.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let names: BTreeSet<&str> = order.iter().map(|c| c.name.as_str()).collect();
    println!("{}", paint(Style::Header, &format!("Release plan for v{version}")));
    for (i, c) in order.iter().enumerate() {
        let needs: BTreeSet<&str> = c
            .deps
            .iter()
            .filter(|d| names.contains(d.name.as_str()) && (d.kind != DepKind::Dev || d.req != "*"))
            .map(|d| d.name.as_str())
            .collect();
        let needs =
            if needs.is_empty() { "-".to_owned() } else { needs.into_iter().collect::<Vec<_>>().join(", ") };
        println!("  {}. {:<width$}  {version}  needs: {needs}", i + 1, c.name);
    }
    println!("  tag: v{version} (annotated, on the release commit)");
    let verb = if execute { "will run" } else { "would run" };
    println!("  publish commands that {verb}, in order:");
    for c in order {
        println!("    cargo publish -p {}", c.name);
    }
}

/// Runs `cargo xtask release`.
pub fn run(args: &ReleaseArgs) -> Result {
    let root = util::workspace_root();
    let root_manifest = fs::read_to_string(root.join("Cargo.toml"))?;
    let current = workspace_version(&root_manifest)
        .ok_or_else(|| Failure("no literal `version` in [workspace.package] of Cargo.toml".into()))?;
    let version = args.version.clone().unwrap_or_else(|| current.clone());
    if !is_semver(&version) {
        bail!("`{version}` is not a version X.Y.Z");
    }
    if args.execute {
        preflight()?;
    }
    let status_before = util::git_status()?;
    let meta = metadata(&root)?;
    let crates = parse_metadata(&meta)?;
    let mode = if args.execute { "release" } else { "dry run: nothing is changed or published" };
    println!("zv release v{version} (current v{current}; {mode})");

    // Everything is checked and packaged in a copy, bumped when the version changes, so the
    // work tree stays as it is until a real release has passed all of it.
    let temp = std::env::temp_dir().join(format!("zv-release-{}", std::process::id()));
    let _ = fs::remove_dir_all(&temp);
    copy_workspace(&root, &temp)?;
    let result =
        check_and_package(&temp, &crates, &current, &version, &package_target_dir(&meta), args.execute);
    if args.keep_temp {
        println!("kept the copy in {}", temp.display());
    } else {
        let _ = fs::remove_dir_all(&temp);
    }
    let order = result?;

    let status_after = util::git_status()?;
    if status_after != status_before {
        let (before, after): (BTreeSet<&str>, BTreeSet<&str>) =
            (status_before.lines().collect(), status_after.lines().collect());
        let changed: Vec<&str> = before.symmetric_difference(&after).copied().collect();
        bail!(
            "`git status --porcelain` changed during the run ({}): xtask writes only to a temporary copy and \
             the target directory, so something else edited the work tree meanwhile",
            changed.join("; ")
        );
    }
    if !args.execute {
        println!(
            "{}",
            paint(
                Style::Ok,
                &format!("dry run ok: {} crates package and build; work tree unchanged", order.len())
            )
        );
        println!(
            "a real release: cargo xtask release --execute --version {version} (needs CARGO_REGISTRY_TOKEN)"
        );
        return Ok(());
    }
    execute(&root, &crates, &order, &current, &version)
}

/// Checks and packages in the copy at `dir`; returns the publish order (by name).
fn check_and_package(
    dir: &Path,
    crates: &[Crate],
    current: &str,
    version: &str,
    target_dir: &Path,
    execute: bool,
) -> Result<Vec<String>> {
    if version != current {
        let changed = bump_tree(dir, &rebase(crates, dir)?, version)?;
        println!("bumped {current} → {version} in {} manifest(s) (in a temporary copy)", changed.len());
    }
    let crates = parse_metadata(&metadata(dir)?)?;
    let mut problems = check_crates(&crates, version);
    match fs::read_to_string(dir.join("CHANGELOG.md")) {
        Ok(text) => problems.extend(check_changelog(&text, version)),
        Err(_) => problems.push("CHANGELOG.md is missing".to_owned()),
    }
    let order = publish_order(&crates)?;
    print_plan(&order, version, execute);
    if !problems.is_empty() {
        println!("{}", paint(Style::Bad, &format!("{} problems:", problems.len())));
        for p in &problems {
            println!("  - {p}");
        }
        bail!("release checks failed ({} problems)", problems.len());
    }
    println!("{}", paint(Style::Ok, "checks ok: versions, inter-crate requirements, metadata, changelog"));
    package(dir, &order, target_dir)?;
    let names: Vec<String> = order.iter().map(|c| c.name.clone()).collect();
    list_packages(target_dir, &names, version);
    Ok(names)
}

/// The crates with their manifest paths moved from the work tree into the copy at `dir`.
fn rebase(crates: &[Crate], dir: &Path) -> Result<Vec<Crate>> {
    let root = util::workspace_root();
    crates
        .iter()
        .map(|c| {
            let rel =
                c.manifest_path.strip_prefix(&root).map_err(|_| Failure(format!("{} is outside", c.name)))?;
            Ok(Crate { manifest_path: dir.join(rel), ..c.clone() })
        })
        .collect()
}

fn list_packages(target_dir: &Path, names: &[String], version: &str) {
    println!("packaged (verified by building each):");
    for name in names {
        let file = target_dir.join("package").join(format!("{name}-{version}.crate"));
        let size = fs::metadata(&file).map(|m| format!("{:.1} KiB", m.len() as f64 / 1024.0));
        println!("  {}  {}", file.display(), size.unwrap_or_else(|_| "missing".into()));
    }
}

fn preflight() -> Result {
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false") {
        bail!("refusing to release under CI (CI is set): releases are run by a maintainer");
    }
    if std::env::var("CARGO_REGISTRY_TOKEN").map_or(true, |t| t.trim().is_empty()) {
        bail!("a real release needs CARGO_REGISTRY_TOKEN");
    }
    if !util::git_status()?.trim().is_empty() {
        bail!("the work tree is not clean: commit or stash first (git status --porcelain)");
    }
    Ok(())
}

/// Bumps, commits, tags and publishes in `order`. Only after every check passed.
fn execute(root: &Path, crates: &[Crate], order: &[String], current: &str, version: &str) -> Result {
    let mut files: Vec<PathBuf> =
        if version == current { Vec::new() } else { bump_tree(root, crates, version)? };
    let changelog = root.join("CHANGELOG.md");
    let text = fs::read_to_string(&changelog)?;
    let dated = set_release_date(&text, version, &today())?;
    if dated != text {
        fs::write(&changelog, dated)?;
        files.push(changelog);
    }
    // Refresh Cargo.lock for the new versions (offline: only workspace crates changed).
    util::run(cargo().args(["update", "--workspace", "--offline"]))?;
    let lock_tracked = !util::output(command("git").args(["ls-files", "Cargo.lock"]))?.trim().is_empty();
    if lock_tracked {
        files.push(root.join("Cargo.lock"));
    }
    let tag = format!("v{version}");
    if !files.is_empty() {
        util::run(command("git").arg("add").args(&files))?;
        util::run(command("git").args(["commit", "-m", &format!("Release {tag}")]))?;
    }
    util::run(command("git").args(["tag", "-a", &tag, "-m", &tag]))?;
    for (i, name) in order.iter().enumerate() {
        println!(
            "{}",
            paint(Style::Header, &format!("==> [{}/{}] publishing {name} {version}", i + 1, order.len()))
        );
        // `cargo publish` waits until the crate is in the index before returning.
        util::run(cargo().args(["publish", "-p", name]))?;
        if i + 1 < order.len() {
            std::thread::sleep(std::time::Duration::from_secs(10));
        }
    }
    println!("{}", paint(Style::Ok, &format!("released {tag}: push it with `git push --follow-tags`")));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dep(name: &str, req: &str, kind: DepKind) -> Dep {
        Dep { name: name.into(), req: req.into(), kind }
    }

    fn krate(name: &str, deps: Vec<Dep>) -> Crate {
        Crate { name: name.into(), version: "0.1.0".into(), publish: true, deps, ..Crate::default() }
    }

    fn names<'a>(order: &[&'a Crate]) -> Vec<&'a str> {
        order.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn order_follows_dependencies() {
        let n = DepKind::Normal;
        let crates = vec![
            krate("zv-mock-client", vec![dep("zv-api", "^0.1.0", n), dep("zv-mock", "^0.1.0", n)]),
            krate("zv-api", vec![dep("zv-types", "^0.1.0", n), dep("zv-sign", "^0.1.0", n)]),
            krate("zv-mock", vec![dep("zv-types", "^0.1.0", n), dep("zv-sign", "^0.1.0", n)]),
            krate("zv-types", vec![dep("serde", "^1", n)]),
            krate("zv-sign", vec![]),
            Crate { publish: false, ..krate("xtask", vec![dep("zv-api", "*", n)]) },
            // The binary-only CLI is not published.
            Crate {
                publish: false,
                ..krate("zv-cli", vec![dep("zv-api", "^0.1.0", n), dep("zv-mock", "^0.1.0", n)])
            },
        ];
        let order = publish_order(&crates).unwrap();
        assert_eq!(names(&order), ["zv-sign", "zv-types", "zv-api", "zv-mock", "zv-mock-client"]);
    }

    #[test]
    fn versioned_dev_dependencies_come_first_unless_they_cycle() {
        let (n, d) = (DepKind::Normal, DepKind::Dev);
        let crates = vec![krate("a", vec![dep("b", "^0.1.0", d)]), krate("b", vec![])];
        assert_eq!(names(&publish_order(&crates).unwrap()), ["b", "a"]);
        let path_only = vec![krate("a", vec![dep("b", "*", d)]), krate("b", vec![dep("a", "^0.1.0", n)])];
        assert_eq!(names(&publish_order(&path_only).unwrap()), ["a", "b"]);
        let cycle = vec![krate("a", vec![dep("b", "^0.1.0", d)]), krate("b", vec![dep("a", "^0.1.0", n)])];
        assert_eq!(names(&publish_order(&cycle).unwrap()), ["a", "b"]);
        let hard = vec![krate("a", vec![dep("b", "^0.1.0", n)]), krate("b", vec![dep("a", "^0.1.0", n)])];
        assert!(publish_order(&hard).unwrap_err().0.contains("cycle"));
    }

    #[test]
    fn version_checks() {
        assert!(req_matches("^0.1.0", "0.1.0"));
        assert!(req_matches("=0.1.0", "0.1.0"));
        assert!(req_matches("0.1.0", "0.1.0"));
        assert!(!req_matches("^0.1.0", "0.2.0"));
        assert!(!req_matches("*", "0.1.0"));
        assert!(is_semver("1.2.3") && is_semver("0.10.0-rc.1"));
        assert!(!is_semver("1.2") && !is_semver("01.2.3") && !is_semver("v1.2.3") && !is_semver("1.2.3-"));

        let n = DepKind::Normal;
        let mut old = krate("zv-api", vec![dep("zv-types", "^0.0.9", n), dep("xtask", "^0.0.0", n)]);
        old.version = "0.0.9".into();
        let crates = vec![old, krate("zv-types", vec![]), Crate { publish: false, ..krate("xtask", vec![]) }];
        let problems = check_crates(&crates, "0.1.0").join("\n");
        assert!(problems.contains("zv-api: version 0.0.9 is not the workspace version 0.1.0"), "{problems}");
        assert!(problems.contains("zv-api: requires zv-types `^0.0.9`, expected `^0.1.0`"), "{problems}");
        assert!(problems.contains("zv-api: depends on `xtask`, which is not published"), "{problems}");
        assert!(problems.contains("zv-types: missing `description`"), "{problems}");
        assert!(problems.contains("zv-types: missing `rust-version`"), "{problems}");
        assert!(!problems.contains("xtask:"), "unpublished crates are not checked: {problems}");
    }

    #[test]
    fn metadata_checks_pass_on_complete_crates() {
        let dir = std::env::temp_dir().join(format!("xtask-meta-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("README.md"), "# x\n").unwrap();
        let mut c = krate("zv-x", vec![dep("zv-y", "^0.1.0", DepKind::Dev)]);
        c.manifest_path = dir.join("Cargo.toml");
        for (k, v) in [
            ("description", json!("d")),
            ("license", json!("MIT OR Apache-2.0")),
            ("repository", json!("https://example.test/zv")),
            ("readme", json!("README.md")),
            ("keywords", json!(["zvcms", "api"])),
            ("categories", json!(["api-bindings"])),
            ("rust_version", json!("1.88")),
        ] {
            c.meta.insert(k.into(), v);
        }
        let y = krate("zv-y", vec![]);
        let problems = check_crates(&[c.clone(), y], "0.1.0");
        assert_eq!(problems.iter().filter(|p| p.starts_with("zv-x")).count(), 0, "{problems:?}");
        c.meta.insert("keywords".into(), json!(["Not valid!", "a", "b", "c", "d", "e"]));
        c.meta.insert("readme".into(), json!("MISSING.md"));
        let problems = check_crates(&[c], "0.1.0").join("\n");
        assert!(problems.contains("needs 1 to 5 `keywords` (has 6)"), "{problems}");
        assert!(problems.contains("keyword `Not valid!`"), "{problems}");
        assert!(problems.contains("readme `MISSING.md` does not exist"), "{problems}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn reads_cargo_metadata() {
        let doc = json!({
            "workspace_members": ["path+file:///w/crates/zv-api#0.1.0", "path+file:///w/xtask#0.0.0"],
            "packages": [
                {"id": "path+file:///w/crates/zv-api#0.1.0", "name": "zv-api", "version": "0.1.0", "publish": null,
                 "manifest_path": "/w/crates/zv-api/Cargo.toml", "description": "d", "keywords": ["a"],
                 "dependencies": [
                    {"name": "zv-types", "req": "^0.1.0", "kind": null, "path": "/w/crates/zv-types"},
                    {"name": "tokio", "req": "^1", "kind": "dev"}]},
                {"id": "path+file:///w/xtask#0.0.0", "name": "xtask", "version": "0.0.0", "publish": [],
                 "manifest_path": "/w/xtask/Cargo.toml", "dependencies": []},
                {"id": "registry+x#serde@1.0.0", "name": "serde", "version": "1.0.0", "publish": null,
                 "manifest_path": "/r/serde/Cargo.toml", "dependencies": []}
            ]
        });
        let crates = parse_metadata(&doc).unwrap();
        assert_eq!(crates.len(), 2);
        let api = &crates[1];
        assert_eq!((api.name.as_str(), api.publish, api.text("description")), ("zv-api", true, Some("d")));
        assert_eq!(api.deps, [dep("zv-types", "^0.1.0", DepKind::Normal), dep("tokio", "^1", DepKind::Dev)]);
        assert_eq!(api.list("keywords"), ["a"]);
        assert!(!crates[0].publish);
    }

    const CHANGELOG: &str = "# Changelog\n\n## [Unreleased]\n\n## [0.2.0]\n\n### Added\n- b\n\n\
        ## [0.1.0] - 2026-11-23\n\n### Added\n- a\n\n\
        [Unreleased]: https://example.test/zv/compare/v0.1.0...HEAD\n\
        [0.1.0]: https://example.test/zv/releases/tag/v0.1.0\n";

    #[test]
    fn changelog_parsing_and_checks() {
        let entries = parse_changelog(CHANGELOG);
        let versions: Vec<(&str, Option<&str>)> =
            entries.iter().map(|e| (e.version.as_str(), e.date.as_deref())).collect();
        assert_eq!(versions, [("Unreleased", None), ("0.2.0", None), ("0.1.0", Some("2026-11-23"))]);
        assert!(check_changelog(CHANGELOG, "0.1.0").is_empty());
        assert!(check_changelog(CHANGELOG, "0.2.0").is_empty());
        let missing = check_changelog(CHANGELOG, "0.3.0");
        assert!(missing[0].contains("no `## [0.3.0] - YYYY-MM-DD` entry"), "{missing:?}");
        let empty = "# Changelog\n\n## [Unreleased]\n- x\n\n## [0.3.0] - 2026-01-01\n\n### Added\n\n";
        assert!(check_changelog(empty, "0.3.0")[0].contains("lists no change"));
        let bare = "## [0.1.0] - 2026-01-01\n- x\n";
        assert_eq!(check_changelog(bare, "0.1.0").len(), 2, "no title, no Unreleased");
    }

    #[test]
    fn release_date_and_links() {
        let out = set_release_date(CHANGELOG, "0.2.0", "2027-01-02").unwrap();
        assert!(out.contains("\n## [0.2.0] - 2027-01-02\n"), "{out}");
        assert!(out.contains("\n[Unreleased]: https://example.test/zv/compare/v0.2.0...HEAD\n"), "{out}");
        assert!(out.contains("\n[0.2.0]: https://example.test/zv/compare/v0.1.0...v0.2.0\n"), "{out}");
        assert!(out.contains("## [0.1.0] - 2026-11-23"));
        assert!(out.ends_with('\n'));
        assert!(set_release_date(CHANGELOG, "0.4.0", "2027-01-02").is_err());
        // Re-dating an already dated entry replaces the date and adds no second link.
        let again = set_release_date(&out, "0.2.0", "2027-01-03").unwrap();
        assert!(again.contains("## [0.2.0] - 2027-01-03"));
        assert_eq!(again.matches("[0.2.0]: ").count(), 1);
    }

    #[test]
    fn bumps_manifests() {
        let root = r#"[workspace]
members = ["crates/*", "xtask"]

[workspace.package]
version = "0.1.0" # the release version
edition = "2024"

[workspace.dependencies]
zv-types = { path = "crates/zv-types", version = "0.1.0" }
zv-api = { path = "crates/zv-api", version = "=0.1.0", default-features = false }
serde = { version = "1", features = ["derive"] }
zv-typesx = { version = "0.1.0" }
"#;
        let bumped = bump_manifest(root, &["zv-types", "zv-api"], "0.2.0", true);
        assert!(bumped.contains("version = \"0.2.0\" # the release version"), "{bumped}");
        assert!(bumped.contains(r#"zv-types = { path = "crates/zv-types", version = "0.2.0" }"#), "{bumped}");
        assert!(bumped.contains(r#"version = "=0.2.0", default-features = false }"#), "{bumped}");
        assert!(bumped.contains(r#"serde = { version = "1", features = ["derive"] }"#), "{bumped}");
        assert!(bumped.contains(r#"zv-typesx = { version = "0.1.0" }"#), "{bumped}");
        assert!(bumped.contains("edition = \"2024\"\n") && bumped.ends_with("}\n"));
        assert_eq!(workspace_version(&bumped).as_deref(), Some("0.2.0"));

        let member = r#"[package]
name = "zv-mock"
version = "0.1.0"
edition.workspace = true

[dependencies]
zv-types = "^0.1.0"
zv-sign.workspace = true

[dependencies.zv-api]
path = "../zv-api"
version = "0.1.0"

[target.'cfg(unix)'.dev-dependencies]
zv-types = { version = "~0.1.0", path = "../zv-types" }
"#;
        let bumped = bump_manifest(member, &["zv-types", "zv-api", "zv-sign"], "1.0.0", true);
        assert!(bumped.contains("[package]\nname = \"zv-mock\"\nversion = \"1.0.0\""), "{bumped}");
        assert!(bumped.contains("zv-types = \"^1.0.0\""), "{bumped}");
        assert!(bumped.contains("zv-sign.workspace = true"), "{bumped}");
        assert!(bumped.contains("path = \"../zv-api\"\nversion = \"1.0.0\""), "{bumped}");
        assert!(bumped.contains(r#"zv-types = { version = "~1.0.0", path = "../zv-types" }"#), "{bumped}");
        let unchanged = "[package]\nversion.workspace = true\n";
        assert_eq!(bump_manifest(unchanged, &["zv-types"], "1.0.0", true), unchanged);
        // An unpublished member keeps its own version; its requirements still follow.
        let tool = "[package]\nname = \"xtask\"\nversion = \"0.0.0\"\n\n[dependencies]\nzv-api = \"0.1.0\"\n";
        let bumped = bump_manifest(tool, &["zv-api"], "1.0.0", false);
        assert_eq!(bumped, tool.replace("zv-api = \"0.1.0\"", "zv-api = \"1.0.0\""));
    }

    #[test]
    fn dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_780), "2026-11-23");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(today().len(), 10);
    }
}
