//! `zv`: the zvcms / 企迈 (Qmai) OpenAPI from the command line.
//!
//! Typed calls (gift cards, coupons, exchange codes), an untyped call for any endpoint, request
//! signing for debugging a signature with the vendor, an offline `--sandbox`, and `zv mock`,
//! a signature-verifying local gateway any language can test against. It never prints the
//! `openKey` or a request token (except `zv sign`, whose job is the token, and `zv mock`,
//! which prints its own sandbox key so a client can be configured). Every failure is one
//! line on stderr and a documented exit code.

mod cli;
mod output;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use serde_json::json;
use zv_api::{ErrorKind, UntypedRequest};
use zv_sign::{Credentials, Signer};
use zv_types::{Basket, BasketItem, CouponListParams, CouponStatusFilter, GiftCardListParams, Money};

use crate::cli::{Cli, Command, Global};

/// Exit codes (also in `--help`).
mod exit {
    pub const INTERNAL: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const BUSINESS: u8 = 3;
    pub const SYSTEM: u8 = 4;
    pub const TRANSPORT: u8 = 5;
    pub const DECODE: u8 = 6;
}

/// A failure: its one-line message and exit code.
#[derive(Debug)]
struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Failure { message: message.into(), code: exit::USAGE }
    }
}

impl From<zv_api::Error> for Failure {
    fn from(e: zv_api::Error) -> Self {
        let code = match e.kind() {
            ErrorKind::Config | ErrorKind::InvalidRequest => exit::USAGE,
            ErrorKind::ApiBusiness => exit::BUSINESS,
            ErrorKind::ApiSystem => exit::SYSTEM,
            ErrorKind::Transport | ErrorKind::Http => exit::TRANSPORT,
            ErrorKind::Decode => exit::DECODE,
            _ => exit::INTERNAL,
        };
        Failure { message: zv_api::Report(&e).to_string(), code }
    }
}

impl From<zv_mock::MockError> for Failure {
    fn from(e: zv_mock::MockError) -> Self {
        Failure { message: format!("mock gateway: {e}"), code: exit::USAGE }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(e),
    };
    init_logging(cli.global.verbose);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let line = f.message.replace(['\n', '\r'], " ");
            let _ = writeln!(std::io::stderr(), "error: {line}");
            ExitCode::from(f.code)
        }
    }
}

/// Help and version print as clap prints them; a usage error becomes one line.
fn clap_exit(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind as K;
    match e.kind() {
        K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            if e.kind() == K::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(exit::USAGE)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            // clap explains over several lines (e.g. the missing arguments on the next ones);
            // fold what comes before the usage section into one line.
            let text = e.render().to_string();
            let parts: Vec<&str> = text
                .lines()
                .take_while(|l| !l.starts_with("Usage:"))
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
                .collect();
            let message = parts.join(" ").replace(" tip: ", "; tip: ");
            let message = message.strip_prefix("error: ").unwrap_or(&message);
            let message = if message.is_empty() { "invalid usage" } else { message };
            let _ = writeln!(std::io::stderr(), "error: {message} (see --help)");
            ExitCode::from(exit::USAGE)
        }
    }
}

fn init_logging(verbose: u8) {
    if verbose == 0 {
        return;
    }
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    // Only the SDK's own events: they carry no key and no token by construction. Backend
    // crates' debug logs (which could include headers or bodies) stay off.
    let level = if verbose >= 2 { LevelFilter::TRACE } else { LevelFilter::DEBUG };
    let filter = Targets::new().with_target("zv_api", level).with_target("zv_mock", level);
    let layer =
        tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_target(false).without_time();
    let _ = tracing_subscriber::registry().with(filter).with(layer).try_init();
}

/// The gateway a command talks to: the configured one, or an in-process sandbox mock.
struct Gateway {
    client: zv_api::blocking::Client,
    /// Kept alive for the duration of the command; dropped (stopped) at the end.
    _sandbox: Option<zv_mock::MockServer>,
}

fn credentials(g: &Global) -> Result<Credentials, Failure> {
    match (&g.open_id, &g.grant_code, &g.open_key) {
        (Some(id), Some(code), Some(key)) if ![id, code, key].iter().any(|v| v.trim().is_empty()) => {
            Ok(Credentials::new(id.clone(), code.clone(), key.clone()))
        }
        _ => {
            let missing: Vec<&str> = [
                ("ZV_OPEN_ID (--open-id)", &g.open_id),
                ("ZV_GRANT_CODE (--grant-code)", &g.grant_code),
                ("ZV_OPEN_KEY (--open-key)", &g.open_key),
            ]
            .into_iter()
            .filter(|(_, v)| v.as_deref().is_none_or(|v| v.trim().is_empty()))
            .map(|(name, _)| name)
            .collect();
            Err(Failure::usage(format!(
                "missing credentials: {}; set them, or try --sandbox for the built-in demo gateway",
                missing.join(", ")
            )))
        }
    }
}

fn gateway(g: &Global) -> Result<Gateway, Failure> {
    let mut builder = zv_api::blocking::Client::builder();
    let sandbox = if g.sandbox {
        let mock = zv_mock::MockServer::start(zv_mock::MockConfig::new())?;
        builder = builder.base_url(mock.base_url()).credentials(mock.credentials().clone());
        Some(mock)
    } else {
        builder = builder.credentials(credentials(g)?);
        if let Some(url) = &g.base_url {
            builder = builder.base_url(url);
        }
        None
    };
    if let Some(t) = g.timeout {
        builder = builder.timeout(t);
    }
    if let Some(n) = g.retries {
        builder = builder.max_retries(n);
    }
    Ok(Gateway { client: builder.build()?, _sandbox: sandbox })
}

/// Reads a JSON argument given inline or as `@file`.
fn json_arg(what: &str, arg: &str) -> Result<serde_json::Value, Failure> {
    let text = match arg.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("cannot read {what} file {path}: {e}")))?,
        None => arg.to_owned(),
    };
    serde_json::from_str(&text).map_err(|e| Failure::usage(format!("{what} is not valid JSON: {e}")))
}

fn run(cli: Cli) -> Result<(), Failure> {
    let g = &cli.global;
    let mut out = std::io::stdout().lock();
    let written = match cli.command {
        Command::GiftCards { user_id, include_recycled } => {
            let cards = gateway(g)?
                .client
                .gift_cards(&GiftCardListParams::new(user_id).include_recycled(include_recycled))?;
            if g.json { output::json(&mut out, &cards) } else { output::gift_cards(&mut out, &cards) }
        }
        Command::Coupons { user_id, status, amount, basket, from_pay_page, store } => {
            let mut p = CouponListParams::new();
            if let Some(id) = user_id {
                p = p.user_id(id);
            }
            if from_pay_page {
                p = p.from_pay_page(true);
            }
            if let Some(sn) = store {
                p = p.multi_store_sn(sn);
            }
            if let Some(s) = status {
                p = p.status(s.parse::<CouponStatusFilter>().map_err(Failure::usage)?);
            }
            if let Some(fen) = amount {
                let fen = i64::try_from(fen).map_err(|_| Failure::usage("--amount is too large"))?;
                p = p.amount(Money::from_fen(fen));
            }
            if let Some(b) = basket {
                let items: Vec<BasketItem> =
                    serde_json::from_value(json_arg("--basket", &b)?).map_err(|e| {
                        Failure::usage(format!(
                            "--basket is not a list of {{bar_code, offline_price, buy_num}}: {e}"
                        ))
                    })?;
                p = p.basket(Basket::new(items).map_err(|e| Failure::usage(format!("--basket: {e}")))?);
            }
            let list = gateway(g)?.client.coupons(&p)?;
            if g.json { output::json(&mut out, &list) } else { output::coupons(&mut out, &list) }
        }
        Command::ExchangeCode { code } => {
            let status = gateway(g)?.client.exchange_code_status(&code)?;
            if g.json {
                output::json(&mut out, &json!({"code": code, "redeemable": status.redeemable}))
            } else {
                output::exchange_code(&mut out, &code, status.redeemable)
            }
        }
        Command::Call { action, path, params, idempotent } => {
            let params = json_arg("--params", &params)?;
            let request = match (&action, &path) {
                (Some(a), _) => UntypedRequest::v2(a, params)?,
                (None, Some(p)) => UntypedRequest::v3(p, params)?,
                (None, None) => return Err(Failure::usage("give --action or --path")),
            }
            .retry_safe(idempotent);
            let response = gateway(g)?.client.send_untyped(&request)?;
            if g.json {
                output::json(&mut out, &response.data)
            } else {
                output::pretty_json(&mut out, &response.data)
            }
        }
        Command::Sign { timestamp, nonce } => {
            let creds = if g.sandbox { zv_mock::demo_credentials() } else { credentials(g)? };
            let signer = Signer::new(&creds);
            let sig = signer.sign(timestamp, nonce);
            if g.json {
                output::json(
                    &mut out,
                    &json!({"canonical": sig.canonical(), "signature": sig.signature(), "token": sig.token()}),
                )
            } else {
                writeln!(
                    out,
                    "canonical: {}\nsignature: {}\ntoken:     {}",
                    sig.canonical(),
                    sig.signature(),
                    sig.token()
                )
            }
        }
        Command::Mock { addr, messy, fixtures } => return run_mock(addr, messy, fixtures, &mut out),
    };
    written.map_err(|e| Failure { message: format!("cannot write the output: {e}"), code: exit::INTERNAL })
}

fn run_mock(
    addr: std::net::SocketAddr,
    messy: bool,
    fixtures: Option<std::path::PathBuf>,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let mut config =
        zv_mock::MockConfig::new().addr(addr).messy(messy).observer(|entry: &zv_mock::LogEntry| {
            let _ = writeln!(std::io::stderr(), "{entry}");
        });
    if let Some(path) = fixtures {
        config = config.fixtures(zv_mock::Fixtures::from_path(&path)?);
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
    let mock = zv_mock::MockServer::start(config)?;
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
