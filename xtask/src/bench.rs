//! `cargo xtask bench`: builds and runs the `zv-bench` harness in release mode.
//!
//! The harness is its own package (`xtask/bench`) so that `cargo xtask ci` and `cargo xtask
//! release` never compile its dependencies in release mode; see `xtask/bench/src/main.rs`
//! and `docs/benchmarks.md` for what it measures.

use std::path::PathBuf;

use crate::util::{self, Result, Style, cargo, paint};

/// Options of `cargo xtask bench`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BenchArgs {
    /// Fewer rounds and shorter rounds: done in under 3 minutes on 2 cores.
    #[arg(long)]
    pub quick: bool,
    /// Where to write the JSON report (relative paths are from the current directory).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Only the cases whose key contains this text (e.g. `sign`, `decode`, `blocking`, `async`).
    #[arg(long, value_name = "TEXT")]
    pub only: Option<String>,
}

/// Runs `cargo run --release -p zv-bench -- …`.
pub fn run(args: &BenchArgs) -> Result {
    let mut cmd = cargo();
    cmd.args(["run", "--release", "--quiet", "--package", "zv-bench", "--"]);
    if args.quick {
        cmd.arg("--quick");
    }
    if let Some(out) = &args.out {
        // The harness runs in the workspace root: hand it an absolute path.
        let out = if out.is_absolute() { out.clone() } else { std::env::current_dir()?.join(out) };
        cmd.arg("--out").arg(out);
    }
    if let Some(only) = &args.only {
        cmd.args(["--only", only]);
    }
    println!("{}", paint(Style::Header, &format!("==> {}", util::display(&cmd))));
    let (result, took) = util::timed(|| util::run(&mut cmd));
    result?;
    println!("bench: done in {} (build included)", util::elapsed(took));
    Ok(())
}
