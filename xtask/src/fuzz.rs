//! `cargo xtask fuzz`: builds the cargo-fuzz project in `fuzz/` with nightly and runs each
//! target for a fixed time; any crash, leak, timeout or out-of-memory fails the task.
//!
//! Each target runs as `cargo +nightly fuzz run T WORK SEEDS -- -max_total_time=N …`: libFuzzer
//! reads the committed seeds (`fuzz/corpus/T`, never written) and grows its own corpus in
//! `WORK` under the target directory, which persists between runs. Its output goes to a log
//! beside it; what a failure left (`crash-…`, `leak-…`, `timeout-…`) is in `fuzz/artifacts/T`.

use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util::{self, Failure, Result, Style, bail, elapsed, paint, workspace_root};

/// Seconds of fuzzing per target when `--seconds` is not given.
pub const DEFAULT_SECONDS: u64 = 60;
/// libFuzzer's per-input limit (`-timeout`): an input that runs longer is a failure.
const INPUT_TIMEOUT_SECS: u64 = 10;
/// libFuzzer's memory limit (`-rss_limit_mb`); AddressSanitizer alone takes about 500 MB.
const RSS_LIMIT_MB: u64 = 2048;
/// The crash inputs up to this size are printed in hex in the summary.
const HEX_SHOWN: usize = 256;

/// Options of `cargo xtask fuzz`.
#[derive(Debug, Clone, clap::Args)]
pub struct FuzzArgs {
    /// How long each target runs, in seconds.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SECONDS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub seconds: u64,
    /// Run only this target (repeatable); all of `cargo fuzz list` by default.
    #[arg(long = "target", value_name = "T")]
    pub targets: Vec<String>,
}

/// `cargo +nightly …` in the workspace root, through rustup's `cargo` proxy: `$CARGO` is the
/// toolchain that runs xtask (stable), which takes no `+nightly`. Without the variables
/// `cargo run` set for xtask, like [`util::cargo`].
fn nightly_cargo() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(workspace_root()).arg("+nightly").env_remove("CARGO").env_remove("RUSTUP_TOOLCHAIN");
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(util::set_by_cargo_run) {
            cmd.env_remove(name);
        }
    }
    cmd
}

fn succeeds(mut cmd: Command) -> bool {
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// `Ok` when the nightly toolchain and cargo-fuzz are both installed, else one line that says
/// what is missing and how to install it.
pub fn tools() -> std::result::Result<(), String> {
    let mut nightly = nightly_cargo();
    nightly.arg("--version");
    if !succeeds(nightly) {
        return Err("the nightly toolchain is not installed: `rustup toolchain install nightly`".into());
    }
    let mut fuzz = nightly_cargo();
    fuzz.args(["fuzz", "--version"]);
    if !succeeds(fuzz) {
        return Err("cargo-fuzz is not installed: `cargo install cargo-fuzz --locked`".into());
    }
    Ok(())
}

/// Where the fuzz builds, the growing corpora and the logs go: `fuzz` in the target directory.
fn fuzz_dir() -> PathBuf {
    let root = workspace_root();
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |t| root.join(t));
    target.join("fuzz")
}

/// How one target's run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Ok,
    Crash,
    Leak,
    Timeout,
    OutOfMemory,
    /// A non-zero exit whose log names none of the above.
    Failed(String),
}

impl Verdict {
    fn label(&self) -> String {
        match self {
            Verdict::Ok => "ok".into(),
            Verdict::Crash => "CRASH".into(),
            Verdict::Leak => "LEAK".into(),
            Verdict::Timeout => "TIMEOUT".into(),
            Verdict::OutOfMemory => "OUT OF MEMORY".into(),
            Verdict::Failed(exit) => format!("FAILED ({exit})"),
        }
    }
}

/// What a libFuzzer log says about a run that exited with `exit` (`None` for success).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Report {
    verdict: Verdict,
    executions: Option<u64>,
    /// The input written by libFuzzer on a failure.
    artifact: Option<PathBuf>,
    /// The index of the line that first reports the failure.
    first_error: Option<usize>,
}

/// Reads libFuzzer's output: the executions from the final `stat::number_of_executed_units`
/// (else the last `#N` status line), the failure kind from its `ERROR:` line, the input it
/// saved from `Test unit written to PATH`.
fn read_log(log: &str, exit: Option<&str>) -> Report {
    let (mut stats, mut last_status) = (None, None);
    let mut artifact = None;
    let (mut kind, mut first_error) = (None, None);
    for (i, line) in log.lines().enumerate() {
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            stats = n.trim().parse().ok().or(stats);
        } else if let Some(status) = line.strip_prefix('#') {
            // `#32922\tDONE   cov: …`, `#1024\tpulse …`
            let n = status.split(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse().ok());
            last_status = n.or(last_status);
        }
        if let Some((_, path)) = line.split_once("Test unit written to ") {
            artifact = Some(PathBuf::from(path.trim()));
        }
        if kind.is_none() {
            kind = if line.contains("ERROR: libFuzzer: timeout") {
                Some(Verdict::Timeout)
            } else if line.contains("ERROR: LeakSanitizer") {
                Some(Verdict::Leak)
            } else if line.contains("ERROR: libFuzzer: out-of-memory")
                || line.contains("ERROR: libFuzzer: malloc")
            {
                Some(Verdict::OutOfMemory)
            } else if line.contains("ERROR: libFuzzer: deadly signal")
                || line.contains("ERROR: AddressSanitizer")
                || line.contains("panicked at")
            {
                Some(Verdict::Crash)
            } else {
                None
            };
            first_error = kind.as_ref().map(|_| i);
        }
    }
    let verdict = match exit {
        None => Verdict::Ok,
        Some(exit) => kind.unwrap_or_else(|| Verdict::Failed(exit.to_owned())),
    };
    Report { verdict, executions: stats.or(last_status), artifact, first_error }
}

/// One target's run, for the summary.
struct Outcome {
    target: String,
    report: Report,
    took: std::time::Duration,
    log: PathBuf,
}

/// Runs one target for `seconds`, its output into a log; the report of how it ended.
fn run_target(target: &str, seconds: u64, dir: &Path) -> Result<Outcome> {
    let work = dir.join("corpus").join(target);
    let logs = dir.join("logs");
    std::fs::create_dir_all(&work)?;
    std::fs::create_dir_all(&logs)?;
    let log_path = logs.join(format!("{target}.log"));
    let log = File::create(&log_path)?;
    let mut cmd = nightly_cargo();
    cmd.args(["fuzz", "run", "--target-dir"]).arg(dir).arg(target).arg(&work);
    cmd.arg(Path::new("fuzz").join("corpus").join(target));
    cmd.arg("--").args([
        format!("-max_total_time={seconds}"),
        format!("-timeout={INPUT_TIMEOUT_SECS}"),
        format!("-rss_limit_mb={RSS_LIMIT_MB}"),
        "-detect_leaks=1".into(),
        "-print_final_stats=1".into(),
    ]);
    let header = format!("==> fuzz {target} for {seconds}s: {}", util::display(&cmd));
    println!("{}", paint(Style::Header, &header));
    let (status, took) =
        util::timed(|| cmd.stdin(Stdio::null()).stdout(log.try_clone()?).stderr(log).status());
    let status = status.map_err(|e| Failure(format!("cannot start `{}`: {e}", util::display(&cmd))))?;
    let text = String::from_utf8_lossy(&std::fs::read(&log_path)?).into_owned();
    let exit =
        (!status.success()).then(|| status.code().map_or_else(|| "a signal".into(), |c| format!("exit {c}")));
    let report = read_log(&text, exit.as_deref());
    if report.verdict != Verdict::Ok {
        // The panic or sanitizer report, from its first line (else the end of the log).
        let lines: Vec<&str> = text.lines().collect();
        let from = report.first_error.map_or(lines.len().saturating_sub(30), |i| i.saturating_sub(1));
        for line in lines.iter().skip(from).take(30) {
            println!("    {line}");
        }
    }
    let runs = report.executions.map_or_else(|| "?".into(), |n| n.to_string());
    println!("    {} after {runs} executions in {}", paint_verdict(&report.verdict), elapsed(took));
    Ok(Outcome { target: target.to_owned(), report, took, log: log_path })
}

fn paint_verdict(verdict: &Verdict) -> String {
    let style = if *verdict == Verdict::Ok { Style::Ok } else { Style::Bad };
    paint(style, &verdict.label())
}

/// The targets of `fuzz/` (`cargo fuzz list`).
fn list_targets() -> Result<Vec<String>> {
    let mut cmd = nightly_cargo();
    cmd.args(["fuzz", "list"]);
    Ok(util::output(&mut cmd)?.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect())
}

/// The summary table: one line per target, then the inputs that failed.
fn summary(outcomes: &[Outcome], dir: &Path) -> String {
    let width = outcomes.iter().map(|o| o.target.len()).max().unwrap_or(0).max("target".len());
    let mut out = format!("  {:<width$}  {:<13}  {:>12}  {:>7}\n", "target", "result", "executions", "time");
    for o in outcomes {
        let runs = o.report.executions.map_or_else(|| "?".into(), |n| n.to_string());
        let took = elapsed(o.took);
        let _ =
            writeln!(out, "  {:<width$}  {:<13}  {runs:>12}  {took:>7}", o.target, o.report.verdict.label());
    }
    for o in outcomes.iter().filter(|o| o.report.verdict != Verdict::Ok) {
        let _ = writeln!(out, "  {}: log {}", o.target, o.log.display());
        if let Some(input) = &o.report.artifact {
            let _ = writeln!(out, "    input {} ({})", input.display(), hex_of(input));
            let _ = writeln!(
                out,
                "    reproduce: cargo +nightly fuzz run --target-dir {} {} {}",
                dir.display(),
                o.target,
                input.display()
            );
        }
    }
    out
}

/// The file's bytes in hex when it is small, else its size.
fn hex_of(path: &Path) -> String {
    let path = if path.is_absolute() { path.to_path_buf() } else { workspace_root().join(path) };
    match std::fs::read(&path) {
        Ok(bytes) if bytes.len() <= HEX_SHOWN => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            format!("hex {}", if hex.is_empty() { "(empty)" } else { &hex })
        }
        Ok(bytes) => format!("{} bytes", bytes.len()),
        Err(e) => format!("unreadable: {e}"),
    }
}

/// Builds every target, runs the chosen ones for `--seconds` each, prints the summary; an
/// error if the tools are missing, a target is unknown or any run failed.
pub fn run(args: &FuzzArgs) -> Result {
    if let Err(missing) = tools() {
        bail!("{missing}");
    }
    let all = list_targets()?;
    if let Some(unknown) = args.targets.iter().find(|t| !all.contains(t)) {
        bail!("no fuzz target `{unknown}`; the targets are {}", all.join(", "));
    }
    let chosen: Vec<&String> =
        if args.targets.is_empty() { all.iter().collect() } else { args.targets.iter().collect() };
    let dir = fuzz_dir();
    let mut build = nightly_cargo();
    build.args(["fuzz", "build", "--target-dir"]).arg(&dir);
    println!("{}", paint(Style::Header, &format!("==> build: {}", util::display(&build))));
    let (built, took) = util::timed(|| util::run(&mut build));
    built?;
    println!("    {} in {}", paint(Style::Ok, "built"), elapsed(took));

    let mut outcomes = Vec::with_capacity(chosen.len());
    for target in chosen {
        outcomes.push(run_target(target, args.seconds, &dir)?);
    }
    println!();
    print!("{}", summary(&outcomes, &dir));
    let failed: Vec<&str> =
        outcomes.iter().filter(|o| o.report.verdict != Verdict::Ok).map(|o| o.target.as_str()).collect();
    if !failed.is_empty() {
        bail!("fuzz: {} of {} targets failed: {}", failed.len(), outcomes.len(), failed.join(", "));
    }
    let done = format!("fuzz: {} targets, {}s each, no crash, leak or timeout", outcomes.len(), args.seconds);
    println!("{}", paint(Style::Ok, &done));
    Ok(())
}

/// The CI smoke: every target for `seconds` when nightly and cargo-fuzz are installed; else
/// says why it was skipped and succeeds.
pub fn smoke(seconds: u64) -> Result {
    match tools() {
        Ok(()) => run(&FuzzArgs { seconds, targets: Vec::new() }),
        Err(missing) => {
            println!("    {} {missing}", paint(Style::Warn, "skipped:"));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    const DONE_LOG: &str = "\
INFO: Seed: 741800537
#7\tINITED cov: 182 ft: 241 corp: 6/156b exec/s: 0 rss: 42Mb
#268021\tDONE   cov: 318 ft: 1096 corp: 284/14435b lim: 837 exec/s: 24365 rss: 501Mb
Done 268021 runs in 11 second(s)
stat::number_of_executed_units: 268021
stat::average_exec_per_sec:     24365
";

    const CRASH_LOG: &str = "\
#1024\tpulse  cov: 700 ft: 1300 corp: 190/25Kb exec/s: 3400 rss: 450Mb

thread '<unnamed>' panicked at fuzz_targets/route.rs:31:13:
\"/v3/a\" was refused
==12345== ERROR: libFuzzer: deadly signal
MS: 1 ChangeByte-; base unit: 0000
artifact_prefix='/w/fuzz/artifacts/route/'; Test unit written to /w/fuzz/artifacts/route/crash-0a1b
Base64: L3YzL2E=
stat::number_of_executed_units: 1100
";

    #[test]
    fn reads_executions_of_a_clean_run() {
        let report = read_log(DONE_LOG, None);
        let want =
            Report { verdict: Verdict::Ok, executions: Some(268_021), artifact: None, first_error: None };
        assert_eq!(report, want);
        // Without the final stats, the last status line counts.
        let report = read_log("#7\tINITED cov: 1\n#5120\tpulse  cov: 2\n#9000\tDONE cov: 3\n", None);
        assert_eq!(report.executions, Some(9000));
        assert_eq!(read_log("no libFuzzer output", None).executions, None);
    }

    #[test]
    fn names_the_failure_and_its_input() {
        let report = read_log(CRASH_LOG, Some("exit 1"));
        assert_eq!(report.verdict, Verdict::Crash);
        assert_eq!(report.executions, Some(1100));
        assert_eq!(report.artifact, Some(PathBuf::from("/w/fuzz/artifacts/route/crash-0a1b")));
        assert_eq!(report.first_error, Some(2), "the panic line");
        let timeout = "==1== ERROR: libFuzzer: timeout after 11 seconds\nTest unit written to t/timeout-1\n";
        assert_eq!(read_log(timeout, Some("exit 70")).verdict, Verdict::Timeout);
        let leak = "==1==ERROR: LeakSanitizer: detected memory leaks\nTest unit written to t/leak-1\n";
        assert_eq!(read_log(leak, Some("exit 1")).verdict, Verdict::Leak);
        let oom = "==1== ERROR: libFuzzer: out-of-memory (used: 2100Mb; exceeds: 2048Mb)\n";
        assert_eq!(read_log(oom, Some("exit 1")).verdict, Verdict::OutOfMemory);
        assert_eq!(read_log(DONE_LOG, Some("exit 101")).verdict, Verdict::Failed("exit 101".into()));
    }

    #[test]
    fn the_summary_shows_counts_and_failed_inputs() {
        let ok = Outcome {
            target: "urlencode".into(),
            report: read_log(DONE_LOG, None),
            took: std::time::Duration::from_secs(61),
            log: PathBuf::from("target/fuzz/logs/urlencode.log"),
        };
        // A committed seed stands for the crash input.
        let input = workspace_root().join("fuzz/corpus/route/dot_dot");
        let mut crash_report = read_log(CRASH_LOG, Some("exit 1"));
        crash_report.artifact = Some(input.clone());
        let crash = Outcome {
            target: "route".into(),
            report: crash_report,
            took: std::time::Duration::from_secs(3),
            log: PathBuf::from("target/fuzz/logs/route.log"),
        };
        let table = summary(&[ok, crash], Path::new("/t/fuzz"));
        assert!(table.contains("urlencode  ok"), "{table}");
        assert!(table.contains("268021"), "{table}");
        assert!(table.contains("route      CRASH"), "{table}");
        assert!(table.contains("hex 63726d2f2e2e2f78"), "{table}");
        let reproduce = format!("cargo +nightly fuzz run --target-dir /t/fuzz route {}", input.display());
        assert!(table.contains(&reproduce), "{table}");
    }

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: FuzzArgs,
    }

    #[test]
    fn seconds_default_to_60_and_must_be_positive() {
        let cli = Cli::try_parse_from(["fuzz"]).unwrap();
        assert_eq!((cli.args.seconds, cli.args.targets.len()), (60, 0));
        let cli =
            Cli::try_parse_from(["fuzz", "--seconds", "5", "--target", "route", "--target", "urlencode"])
                .unwrap();
        assert_eq!(
            (cli.args.seconds, cli.args.targets),
            (5, vec!["route".to_owned(), "urlencode".to_owned()])
        );
        assert!(Cli::try_parse_from(["fuzz", "--seconds", "0"]).is_err());
    }
}
