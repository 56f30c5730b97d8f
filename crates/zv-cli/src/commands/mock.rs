//! `zv mock`: the verifying mock gateway, until interrupted.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::input;
use crate::report::error_line;
use serde_json::json;
use zv_mock::{Endpoints, Fixtures, LogEntry, MockConfig, MockServer, Recording, Stubs};

use super::Context;
use crate::failure::{self, Failure};
use crate::global::Global;

/// The examples at the end of `zv mock --help`.
pub const EXAMPLES: &str = r#"Examples:
  zv mock --addr 127.0.0.1:8080 --messy --qps 10
  zv mock --strict --stubs stubs.json --fixtures fixtures.json
  zv mock --record recorded.json --upstream https://openapi.qmai.cn"#;

/// The options of `zv mock`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0", value_parser = parse_addr)]
    pub addr: SocketAddr,
    /// Serve data the way messy real gateways do (numbers as strings, "" for empty, …).
    #[arg(long)]
    pub messy: bool,
    /// Fixtures JSON file (members with gift cards and coupons, exchange codes).
    #[arg(long, value_name = "FILE")]
    pub fixtures: Option<PathBuf>,
    /// Stubs JSON file: canned answers for any path, {"stubs": [{"path": "v3/…", "match": {…}, "data"|"error"|"items": …}]}; replays a --record file.
    #[arg(long, value_name = "FILE")]
    pub stubs: Option<PathBuf>,
    /// Accept only the documented wire form: timestamp and nonce as strings, the PHP-encoded token, Content-Type application/json, documented params.
    #[arg(long)]
    pub strict: bool,
    /// Accept a nonce used again within the window (the real gateway may not refuse replays).
    #[arg(long)]
    pub allow_replay: bool,
    /// Allow at most N requests per second per endpoint; the excess gets HTTP 429 (限流).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub qps: Option<u32>,
    /// Record: forward every request to --upstream, signed with the real credentials (ZV_OPEN_ID, ZV_GRANT_CODE, ZV_OPEN_KEY), and append each exchange to FILE as stubs.
    #[arg(long, value_name = "FILE", requires = "upstream", conflicts_with = "stubs")]
    pub record: Option<PathBuf>,
    /// The gateway a recording forwards to, e.g. `https://openapi.qmai.cn`.
    #[arg(long, value_name = "URL", requires = "record")]
    pub upstream: Option<String>,
    /// Forward writes too while recording (they change the upstream's data); without it they are refused.
    #[arg(long, requires = "record")]
    pub record_writes: bool,
}

/// Reads a JSON file argument (a regular file within the size limit) with `read`.
fn read_arg<T>(
    what: &str,
    path: &Path,
    g: &Global,
    read: impl FnOnce(&str) -> Result<T, zv_mock::MockError>,
) -> Result<T, Failure> {
    let text = input::read_file(what, path, g.max_input_bytes).map_err(|e| Failure::usage(error_line(&e)))?;
    read(&text).map_err(|mut e| {
        // The text was read here, so zv-mock calls its origin `<json text>`: name the file.
        if let zv_mock::MockError::Stubs { origin, .. } | zv_mock::MockError::Fixtures { origin, .. } = &mut e
        {
            *origin = path.display().to_string();
        }
        Failure::usage(format!("{what}: {}", error_line(&e)))
    })
}

/// `--addr`: an IP address and a port, with an example when it is not one.
fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("expected IP:PORT, e.g. 127.0.0.1:8080 (port 0: any free port), not {s:?}"))
}

/// Runs the mock until Ctrl-C (or SIGTERM), after printing the ready line on `out`.
///
/// `upstream_credentials` gives the real credentials a recording signs with (flags, then
/// `ZV_*`, then the profile); it is asked only with `--record`.
pub(crate) fn run(args: Args, cx: &Context<'_>, out: &mut impl Write) -> Result<(), Failure> {
    let upstream = || crate::gateway::credentials(&crate::config::resolve(cx.global, cx.inputs, cx.store)?);
    serve(args, cx.global, upstream, out)
}

/// [`run`] with the options and a source of upstream credentials.
fn serve(
    args: Args,
    g: &Global,
    upstream_credentials: impl FnOnce() -> Result<zv_sign::Credentials, Failure>,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let mut endpoints = Endpoints::builtin().catalogue_hints(true);
    if let Some(path) = &args.stubs {
        endpoints = endpoints.stubs(&read_arg("--stubs", path, g, Stubs::from_json)?);
    }
    let mut config = MockConfig::new()
        .addr(args.addr)
        .messy(args.messy)
        .strict(args.strict)
        .allow_replay(args.allow_replay)
        .qps(args.qps.unwrap_or(0))
        .endpoints(endpoints)
        .observer(|entry: &LogEntry| {
            let _ = writeln!(std::io::stderr(), "{entry}");
        });
    if let Some(path) = &args.fixtures {
        config = config.fixtures(read_arg("--fixtures", path, g, Fixtures::from_json)?);
    }
    if let (Some(file), Some(upstream)) = (&args.record, &args.upstream) {
        // A recording proxy signs with the real credentials whatever reaches it, and its own
        // key is printed for anyone: it must not listen beyond this machine.
        if !args.addr.ip().is_loopback() {
            return Err(Failure::usage(format!(
                "--record signs with your real credentials for any client that reaches it, so it \
                 listens only on a loopback address (127.0.0.1 or ::1), not {}",
                args.addr.ip()
            )));
        }
        // The real credentials come from the flags, ZV_* or the profile; they sign only what
        // is forwarded upstream, and are never printed or recorded.
        let real = upstream_credentials().map_err(|f| {
            Failure::usage(format!("--record needs the upstream's credentials: {}", f.message))
        })?;
        let recording = Recording::new(file, upstream, real).forward_writes(args.record_writes);
        config = config.record(recording);
    }
    // The mock always uses its own sandbox credentials: ZV_* usually hold real ones, which
    // must never be adopted by a local test server, let alone printed.
    let (stop_tx, stop_rx) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .map_err(|e| Failure {
        message: format!("cannot install the signal handler: {e}"),
        code: failure::INTERNAL,
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
        .map_err(|e| Failure { message: format!("cannot write the output: {e}"), code: failure::INTERNAL })?;
    let _ = writeln!(std::io::stderr(), "zv mock: listening on {} (Ctrl-C to stop)", mock.base_url());
    if let (Some(file), Some(upstream)) = (&args.record, &args.upstream) {
        let writes = if args.record_writes { "reads and writes" } else { "reads only" };
        let _ = writeln!(
            std::io::stderr(),
            "zv mock: recording to {} what {upstream} answers ({writes})",
            file.display()
        );
    }
    let _ = stop_rx.recv();
    let _ = writeln!(std::io::stderr(), "zv mock: stopped");
    mock.shutdown();
    Ok(())
}
