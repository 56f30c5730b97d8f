//! Small helpers shared by the tasks: the workspace root, running commands, timings.

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A task failure: what went wrong, shown once by `main`.
#[derive(Debug)]
pub struct Failure(pub String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

/// The result of a task.
pub type Result<T = ()> = std::result::Result<T, Failure>;

/// Returns early with a [`Failure`] built like `format!`.
macro_rules! bail {
    ($($arg:tt)*) => {
        return Err($crate::util::Failure(format!($($arg)*)))
    };
}
pub(crate) use bail;

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace root").to_path_buf()
}

/// The `cargo` that runs us (`$CARGO`), so a toolchain override applies to every step.
///
/// Without the variables `cargo run` set for xtask itself (`CARGO_MANIFEST_DIR`,
/// `CARGO_PKG_*`, …): build scripts that watch them (ring's does) would otherwise rerun, and
/// every `cargo xtask` would rebuild what a plain `cargo` had built, and back again.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(workspace_root());
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(set_by_cargo_run) {
            cmd.env_remove(name);
        }
    }
    cmd
}

/// Whether `cargo run` sets this variable for the binary it runs.
pub fn set_by_cargo_run(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || matches!(
            name,
            "CARGO_MANIFEST_DIR"
                | "CARGO_MANIFEST_PATH"
                | "CARGO_MANIFEST_LINKS"
                | "CARGO_CRATE_NAME"
                | "CARGO_BIN_NAME"
                | "CARGO_PRIMARY_PACKAGE"
                | "CARGO_RUSTC_CURRENT_DIR"
        )
}

/// A command run in the workspace root.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(workspace_root());
    cmd
}

/// The command line as a user would type it (program name without its path).
pub fn display(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program()).file_name().unwrap_or(cmd.get_program());
    let mut shown = vec![program.to_string_lossy().into_owned()];
    shown.extend(cmd.get_args().map(|a| {
        let a = a.to_string_lossy();
        if a.contains(' ') || a.is_empty() { format!("'{a}'") } else { a.into_owned() }
    }));
    let envs: Vec<String> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some(format!("{}={}", k.to_string_lossy(), v?.to_string_lossy())))
        .collect();
    if envs.is_empty() { shown.join(" ") } else { format!("{} {}", envs.join(" "), shown.join(" ")) }
}

/// Runs `cmd` with inherited stdio; an error unless it exits with 0.
pub fn run(cmd: &mut Command) -> Result {
    let status = spawn_status(cmd)?;
    check_status(cmd, status)
}

/// Runs `cmd` and returns its stdout (stderr is inherited); an error unless it exits with 0.
pub fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Failure(format!("cannot start `{}`: {e}", display(cmd))))?;
    check_status(cmd, out.status)?;
    String::from_utf8(out.stdout).map_err(|_| Failure(format!("`{}` printed non-UTF-8", display(cmd))))
}

fn spawn_status(cmd: &mut Command) -> Result<ExitStatus> {
    cmd.stdin(Stdio::null()).status().map_err(|e| Failure(format!("cannot start `{}`: {e}", display(cmd))))
}

fn check_status(cmd: &Command, status: ExitStatus) -> Result {
    if status.success() {
        return Ok(());
    }
    let code = status.code().map_or_else(|| "a signal".to_owned(), |c| format!("code {c}"));
    bail!("`{}` failed (exit {code})", display(cmd))
}

/// `1.2s`, `3m07s`.
pub fn elapsed(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 { format!("{secs:.1}s") } else { format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60) }
}

/// Times `f`.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

/// Whether stdout is a terminal that understands colours.
fn colour() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// `text` in bold (cyan for headers, green, red) when stdout is a terminal.
pub fn paint(style: Style, text: &str) -> String {
    if !colour() {
        return text.to_owned();
    }
    let code = match style {
        Style::Header => "1;36",
        Style::Ok => "1;32",
        Style::Bad => "1;31",
        Style::Warn => "1;33",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// The styles of [`paint`].
#[derive(Debug, Clone, Copy)]
pub enum Style {
    /// A step header.
    Header,
    /// Success.
    Ok,
    /// Failure.
    Bad,
    /// A warning.
    Warn,
}

/// The porcelain status of the work tree (`git status --porcelain`).
pub fn git_status() -> Result<String> {
    output(command("git").args(["status", "--porcelain"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_formats() {
        assert_eq!(elapsed(Duration::from_millis(1234)), "1.2s");
        assert_eq!(elapsed(Duration::from_secs(187)), "3m07s");
    }

    #[test]
    fn drops_what_cargo_run_sets() {
        assert!(set_by_cargo_run("CARGO_MANIFEST_DIR") && set_by_cargo_run("CARGO_PKG_NAME"));
        assert!(!set_by_cargo_run("CARGO_TARGET_DIR") && !set_by_cargo_run("CARGO_HOME"));
        assert!(!set_by_cargo_run("CARGO_REGISTRY_TOKEN") && !set_by_cargo_run("CARGO"));
    }

    #[test]
    fn display_quotes_and_shows_env() {
        let mut cmd = Command::new("/usr/bin/cargo");
        cmd.args(["doc", "a b"]).env("RUSTDOCFLAGS", "-Dwarnings");
        assert_eq!(display(&cmd), "RUSTDOCFLAGS=-Dwarnings cargo doc 'a b'");
    }
}
