//! `cargo xtask ci`: everything CI checks, in order, stopping at the first failure.

use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::util::{self, Failure, Result, Style, bail, cargo, elapsed, paint};

/// Options of `cargo xtask ci`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CiArgs {
    /// Skip the feature matrix (quicker local runs; CI runs everything).
    #[arg(long)]
    pub skip_matrix: bool,
    /// Skip the feature matrix, `cargo doc` and the fuzz smoke.
    #[arg(long)]
    pub quick: bool,
    /// Run the tests with `cargo test` even when `cargo nextest` is installed.
    #[arg(long)]
    pub no_nextest: bool,
    /// Skip the steps whose name starts with this (fmt, catalogue, modules, deny, clippy,
    /// test, doctests, doc, matrix, fuzz); repeatable.
    #[arg(long, value_name = "STEP")]
    pub skip: Vec<String>,
}

/// What one step does: run a command, run `cargo tree` and refuse some crates in it, or
/// run a check of this binary in-process.
enum Action {
    Run(Command),
    /// `cargo tree …` must list none of these crates.
    TreeWithout(Command, &'static [&'static str]),
    /// A check run in this process, shown as the command that runs it on its own.
    InProcess(&'static str, fn() -> Result),
}

struct Step {
    name: String,
    action: Action,
}

impl Step {
    fn run(name: impl Into<String>, cmd: Command) -> Self {
        Step { name: name.into(), action: Action::Run(cmd) }
    }

    fn tree_without(name: impl Into<String>, cmd: Command, denied: &'static [&'static str]) -> Self {
        Step { name: name.into(), action: Action::TreeWithout(cmd, denied) }
    }

    fn in_process(name: impl Into<String>, shown: &'static str, check: fn() -> Result) -> Self {
        Step { name: name.into(), action: Action::InProcess(shown, check) }
    }

    /// The command line the step runs, as a person would type it.
    fn shown(&self) -> String {
        match &self.action {
            Action::Run(cmd) | Action::TreeWithout(cmd, _) => util::display(cmd),
            Action::InProcess(shown, _) => (*shown).to_owned(),
        }
    }

    fn execute(&mut self) -> Result {
        match &mut self.action {
            Action::Run(cmd) => util::run(cmd),
            Action::TreeWithout(cmd, denied) => {
                let tree = util::output(cmd)?;
                let found = crates_in_tree(&tree, denied);
                if found.is_empty() {
                    println!("    none of {} in the tree", denied.join(", "));
                    Ok(())
                } else {
                    let found: Vec<_> = found.into_iter().collect();
                    bail!("the tree must not contain {} (found: {})", denied.join(", "), found.join(", "))
                }
            }
            Action::InProcess(_, check) => check(),
        }
    }
}

/// `cargo <args…>` in the workspace root.
fn cargo_with(args: &[&str]) -> Command {
    let mut cmd = cargo();
    cmd.args(args);
    cmd
}

/// `cargo tree` over normal dependencies on every target, one crate name per line.
fn tree(args: &[&str]) -> Command {
    let mut cmd = cargo_with(&["tree"]);
    cmd.args(args).args(["-e", "normal", "--target", "all", "--prefix", "none", "--format", "{p}"]);
    cmd
}

/// The crates among `names` that appear in a `cargo tree --prefix none --format {p}` listing.
fn crates_in_tree<'a>(tree: &str, names: &[&'a str]) -> BTreeSet<&'a str> {
    let listed: BTreeSet<&str> = tree.lines().filter_map(|l| l.split_whitespace().next()).collect();
    names.iter().copied().filter(|n| listed.contains(n)).collect()
}

fn nextest_available() -> bool {
    cargo_subcommand_available("nextest")
}

/// Whether `cargo <subcommand> --version` runs (the subcommand is installed).
fn cargo_subcommand_available(subcommand: &str) -> bool {
    cargo_with(&[subcommand, "--version"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The feature matrix: crates alone and `zv-api` with each transport, plus dependency-tree
/// assertions that keep the light crates light.
fn matrix() -> Vec<Step> {
    const API_ALONE: &[&str] = &["-p", "zv-api", "--no-default-features"];
    let api = |features: Option<&'static str>| {
        let mut args = API_ALONE.to_vec();
        if let Some(f) = features {
            args.extend(["--features", f]);
        }
        args
    };
    let check = |args: &[&str]| {
        let mut cmd = cargo_with(&["check"]);
        cmd.args(args);
        Step::run(format!("matrix: check {}", args.join(" ")), cmd)
    };
    let without = |args: &[&str], denied: &'static [&'static str]| {
        let name = format!("matrix: tree {} has no {}", args.join(" "), denied.join("/"));
        Step::tree_without(name, tree(args), denied)
    };
    vec![
        check(&["-p", "zv-types"]),
        without(&["-p", "zv-types"], &["reqwest", "ureq", "tokio", "hyper"]),
        check(&["-p", "zv-sign"]),
        without(&["-p", "zv-sign"], &["serde_json", "http"]),
        check(&["-p", "zv-transport", "--no-default-features"]),
        without(&["-p", "zv-transport", "--no-default-features"], &["reqwest", "ureq", "tokio", "hyper"]),
        check(&api(None)),
        check(&api(Some("ureq"))),
        without(&api(Some("ureq")), &["tokio", "hyper", "reqwest"]),
        check(&api(Some("reqwest"))),
        without(&api(Some("reqwest")), &["ureq"]),
        check(&api(Some("ureq,reqwest"))),
        // The mock without its recording proxy (feature `record`) pulls no HTTP client.
        check(&["-p", "zv-mock", "--no-default-features"]),
        without(&["-p", "zv-mock", "--no-default-features"], &["ureq", "zv-api", "axum"]),
    ]
}

/// The tests that measure a rate by the real clock: (package, test binary, test name).
/// nextest runs them alone (the `real-time` test group of `.config/nextest.toml`, which must
/// name each: a test checks it); the `cargo test` fallback runs them after the rest.
const REAL_TIME_TESTS: [(&str, &str, &str); 1] =
    [("zv-cli", "it", "batch::two_hundred_rows_at_the_documented_limit_each_sent_once_never_throttled")];

/// The cargo-deny checks CI runs: the licences, banned crates and duplicates, and the
/// sources of the tree (`deny.toml`). Advisories need the network and stay out.
const DENY_ARGS: [&str; 5] = ["deny", "check", "bans", "licenses", "sources"];
const DENY_SHOWN: &str = "cargo deny check bans licenses sources, if cargo-deny is installed";

/// `cargo deny check bans licenses sources`, or a line saying it was skipped.
fn deny() -> Result {
    if !cargo_subcommand_available("deny") {
        println!("    skipped: cargo-deny is not installed (cargo install --locked cargo-deny)");
        return Ok(());
    }
    util::run(&mut cargo_with(&DENY_ARGS))
}

/// Seconds per fuzz target in the CI smoke (which is skipped without nightly or cargo-fuzz).
const FUZZ_SMOKE_SECONDS: u64 = 10;
const FUZZ_SMOKE_SHOWN: &str = "cargo xtask fuzz --seconds 10, if nightly and cargo-fuzz are installed";

fn steps(args: &CiArgs) -> Vec<Step> {
    let mut steps = vec![
        Step::run("fmt", cargo_with(&["fmt", "--all", "--check"])),
        Step::in_process("catalogue", "cargo xtask catalogue --check", crate::catalogue::check),
        Step::in_process(
            "modules",
            "no import cycle, mock layers (xtask/src/modules.rs)",
            crate::modules::check,
        ),
        Step::in_process("deny", DENY_SHOWN, deny),
        Step::run("clippy", cargo_with(&["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])),
    ];
    if !args.no_nextest && nextest_available() {
        steps.push(Step::run("test (nextest)", cargo_with(&["nextest", "run", "--workspace"])));
        steps.push(Step::run("doctests", cargo_with(&["test", "--workspace", "--doc"])));
    } else {
        // `cargo test` runs a binary's tests on threads side by side: the real-time tests
        // run after the rest, alone, as the nextest configuration runs them.
        let mut all = cargo_with(&["test", "--workspace", "--"]);
        for (_, _, name) in REAL_TIME_TESTS {
            all.args(["--skip", name]);
        }
        steps.push(Step::run("test", all));
        for (package, binary, name) in REAL_TIME_TESTS {
            let alone = cargo_with(&["test", "-p", package, "--test", binary, "--", "--exact", name]);
            steps.push(Step::run(format!("test (real time) {name}"), alone));
        }
    }
    if !args.quick {
        let mut doc = cargo_with(&["doc", "--workspace", "--no-deps"]);
        let flags = std::env::var("RUSTDOCFLAGS").unwrap_or_default();
        doc.env("RUSTDOCFLAGS", format!("{flags} -D warnings").trim_start());
        steps.push(Step::run("doc", doc));
    }
    if !(args.quick || args.skip_matrix) {
        steps.extend(matrix());
    }
    if !args.quick {
        let smoke = || crate::fuzz::smoke(FUZZ_SMOKE_SECONDS);
        steps.push(Step::in_process("fuzz smoke", FUZZ_SMOKE_SHOWN, smoke));
    }
    steps.retain(|s| !args.skip.iter().any(|skip| s.name.starts_with(skip.as_str())));
    steps
}

/// Runs every step in order; the first failure ends the run with an error.
pub fn run(args: &CiArgs) -> Result {
    let started = Instant::now();
    let mut steps = steps(args);
    let total = steps.len();
    let mut timings: Vec<(String, Duration)> = Vec::with_capacity(total);
    for (i, step) in steps.iter_mut().enumerate() {
        let header = format!("==> [{}/{total}] {}: {}", i + 1, step.name, step.shown());
        println!("{}", paint(Style::Header, &header));
        let (result, took) = util::timed(|| step.execute());
        if let Err(Failure(why)) = result {
            let line = format!("==> FAILED [{}/{total}] {} after {}: {why}", i + 1, step.name, elapsed(took));
            println!("{}", paint(Style::Bad, &line));
            bail!("ci failed at step {}/{total} ({}) after {}", i + 1, step.name, elapsed(started.elapsed()));
        }
        println!("    {} in {}", paint(Style::Ok, "ok"), elapsed(took));
        timings.push((step.name.clone(), took));
    }
    let width = timings.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    println!();
    for (name, took) in &timings {
        println!("  {name:<width$}  {:>7}", elapsed(*took));
    }
    let done = format!("ci: all {total} steps passed in {}", elapsed(started.elapsed()));
    println!("{}", paint(Style::Ok, &done));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_denied_crates_by_exact_name() {
        let tree = "zv-api v0.1.0 (/w/crates/zv-api)\nhttp v1.3.1\nhyper-util v0.1.21\ntokio v1.54.1 (*)\n";
        let found = crates_in_tree(tree, &["tokio", "hyper", "reqwest"]);
        assert_eq!(found.into_iter().collect::<Vec<_>>(), ["tokio"]);
        assert!(crates_in_tree("", &["tokio"]).is_empty());
    }

    #[test]
    fn quick_skips_doc_and_matrix() {
        let names = |args: &CiArgs| steps(args).into_iter().map(|s| s.name).collect::<Vec<_>>();
        let real_time: Vec<String> =
            REAL_TIME_TESTS.iter().map(|(_, _, name)| format!("test (real time) {name}")).collect();
        let quick = names(&CiArgs { quick: true, no_nextest: true, ..CiArgs::default() });
        assert_eq!(quick[..6], ["fmt", "catalogue", "modules", "deny", "clippy", "test"]);
        assert_eq!(quick[6..], real_time);
        let full = names(&CiArgs { no_nextest: true, ..CiArgs::default() });
        assert!(full.contains(&"doc".to_owned()));
        assert!(
            full.iter()
                .any(|n| n.starts_with("matrix: tree -p zv-api --no-default-features --features ureq "))
        );
        assert_eq!(full.len(), 8 + REAL_TIME_TESTS.len() + matrix().len());
        assert_eq!(full.last().map(String::as_str), Some("fuzz smoke"));
        let skipped = names(&CiArgs {
            no_nextest: true,
            skip: vec!["doc".into(), "matrix".into(), "fuzz".into()],
            ..CiArgs::default()
        });
        assert_eq!(skipped[..6], ["fmt", "catalogue", "modules", "deny", "clippy", "test"]);
        assert_eq!(skipped.len(), 6 + REAL_TIME_TESTS.len());
        let without_deny = names(&CiArgs { quick: true, skip: vec!["deny".into()], ..CiArgs::default() });
        assert!(!without_deny.iter().any(|n| n == "deny"), "{without_deny:?}");
    }

    /// The fallback's real-time tests are the ones nextest runs alone, and the other way
    /// round: every test of the `real-time` group's overrides is listed here.
    #[test]
    fn the_real_time_tests_are_the_nextest_groups() {
        let config = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../.config/nextest.toml"))
            .expect(".config/nextest.toml");
        let grouped = config.lines().filter(|l| l.trim() == "test-group = 'real-time'").count();
        assert_eq!(grouped, REAL_TIME_TESTS.len(), "{config}");
        for (package, binary, name) in REAL_TIME_TESTS {
            let filter = format!("filter = 'package({package}) & binary({binary}) & test(={name})'");
            assert!(config.contains(&filter), "{filter} not in .config/nextest.toml");
        }
    }
}
