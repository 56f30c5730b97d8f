//! Project automation for the zv workspace, run as `cargo xtask <task>` (see
//! `.cargo/config.toml` and `xtask/README.md`).

mod bench;
mod catalogue;
mod ci;
mod fuzz;
mod modules;
mod release;
mod util;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "zv workspace tasks: ci, bench, release, catalogue", version)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// What CI runs: fmt, clippy -D warnings, tests, doctests, docs with warnings denied, and
    /// the feature matrix. Stops at the first failure.
    Ci(ci::CiArgs),
    /// Measures the SDK against its floors (release build of `zv-bench`) and writes the report.
    Bench(bench::BenchArgs),
    /// Runs every cargo-fuzz target of `fuzz/` for `--seconds` (nightly and cargo-fuzz needed).
    Fuzz(fuzz::FuzzArgs),
    /// Checks, packages in dependency order and, with `--execute`, publishes every crate.
    Release(release::ReleaseArgs),
    /// Compiles `catalogue/*.toml` into zv-types' endpoint table and `docs/endpoints.md`;
    /// `--check` only verifies that they are current.
    Catalogue(catalogue::CatalogueArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match &cli.task {
        Task::Ci(args) => ci::run(args),
        Task::Bench(args) => bench::run(args),
        Task::Fuzz(args) => fuzz::run(args),
        Task::Release(args) => release::run(args),
        Task::Catalogue(args) => catalogue::run(args),
    };
    if let Err(e) = result {
        eprintln!("{} {e}", util::paint(util::Style::Bad, "error:"));
        std::process::exit(1);
    }
}
