//! `zv mock`: the verifying mock gateway, until interrupted.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;
use zv_cli::input;
use zv_cli::report::error_line;
use zv_mock::{Endpoints, Fixtures, LogEntry, MockConfig, MockServer, Stubs};

use crate::cli::Global;
use crate::{Failure, exit};

/// The examples at the end of `zv mock --help`.
pub const MOCK_EXAMPLES: &str = r#"Examples:
  zv mock
  zv mock --addr 127.0.0.1:8080 --messy
  zv mock --stubs stubs.json --fixtures fixtures.json"#;

/// The options of `zv mock`.
#[derive(Debug, Args)]
pub struct MockArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,
    /// Serve data the way messy real gateways do (numbers as strings, "" for empty, …).
    #[arg(long)]
    pub messy: bool,
    /// Fixtures JSON file (members with gift cards and coupons, exchange codes).
    #[arg(long, value_name = "FILE")]
    pub fixtures: Option<PathBuf>,
    /// Stubs JSON file: canned answers for any path, {"stubs": [{"path": "v3/…", "match": {…}, "data"|"error"|"items": …}]}.
    #[arg(long, value_name = "FILE")]
    pub stubs: Option<PathBuf>,
}

/// Reads a JSON file argument (a regular file within the size limit) with `read`.
fn read_arg<T>(
    what: &str,
    path: &Path,
    g: &Global,
    read: impl FnOnce(&str) -> Result<T, zv_mock::MockError>,
) -> Result<T, Failure> {
    let text = input::read_file(what, path, g.max_input_bytes).map_err(|e| Failure::usage(error_line(&e)))?;
    read(&text).map_err(|e| Failure::usage(format!("{what} file {}: {}", path.display(), error_line(&e))))
}

/// Runs the mock until Ctrl-C (or SIGTERM), after printing the ready line on `out`.
pub fn run(args: MockArgs, g: &Global, out: &mut impl Write) -> Result<(), Failure> {
    let mut endpoints = Endpoints::builtin().catalogue_hints(true);
    if let Some(path) = &args.stubs {
        endpoints = endpoints.stubs(&read_arg("--stubs", path, g, Stubs::from_json)?);
    }
    let mut config = MockConfig::new().addr(args.addr).messy(args.messy).endpoints(endpoints).observer(
        |entry: &LogEntry| {
            let _ = writeln!(std::io::stderr(), "{entry}");
        },
    );
    if let Some(path) = &args.fixtures {
        config = config.fixtures(read_arg("--fixtures", path, g, Fixtures::from_json)?);
    }
    // The mock always uses its own sandbox credentials: ZV_* usually hold real ones, which
    // must never be adopted by a local test server, let alone printed.
    let (stop_tx, stop_rx) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .map_err(|e| Failure {
        message: format!("cannot install the signal handler: {e}"),
        code: exit::INTERNAL,
    })?;
    let mock = MockServer::start(config)?;
    let creds = mock.credentials();
    let ready = json!({
        "base_url": mock.base_url(),
        "open_id": creds.open_id(),
        "grant_code": creds.grant_code(),
        "open_key": creds.expose_open_key(),
    });
    writeln!(out, "{ready}")
        .and_then(|()| out.flush())
        .map_err(|e| Failure { message: format!("cannot write the output: {e}"), code: exit::INTERNAL })?;
    let _ = writeln!(std::io::stderr(), "zv mock: listening on {} (Ctrl-C to stop)", mock.base_url());
    let _ = stop_rx.recv();
    let _ = writeln!(std::io::stderr(), "zv mock: stopped");
    mock.shutdown();
    Ok(())
}
