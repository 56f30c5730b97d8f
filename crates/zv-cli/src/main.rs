//! `zv`: the zvcms / 企迈 (Qmai) OpenAPI from the command line.
//!
//! Typed calls (gift cards, coupons, exchange codes), an untyped call for any endpoint, request
//! signing for debugging a signature with the vendor, an offline `--sandbox`, and `zv mock`,
//! a signature-verifying local gateway any language can test against. It never prints the
//! `openKey` or a request token (except `zv sign`, whose job is the token, and `zv mock`,
//! which prints its own sandbox key so a client can be configured). Every failure is one
//! line on stderr and a documented exit code.

mod cli;
mod mock_cmd;
mod output;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use serde_json::json;
use zv_api::{ErrorKind, UntypedRequest};
use zv_sign::{Credentials, Signer};
use zv_types::{Basket, BasketItem, CouponListParams, CouponStatusFilter, GiftCardListParams, Money};

use zv_cli::input;
use zv_cli::render::Data;
use zv_cli::report::error_line;
use zv_cli::term;
use zv_cli::verbose::{self, MaxAttempts};

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
        let mut message = error_line(&e);
        if let Some(hint) = hint(&e) {
            message.push_str("; ");
            message.push_str(hint);
        }
        Failure { message, code }
    }
}

/// The likely fix for an error, when there is one.
fn hint(e: &zv_api::Error) -> Option<&'static str> {
    use zv_api::zv_transport::TransportErrorKind as T;
    if let Some(t) = e.transport_error() {
        return match t.kind() {
            T::Connect => Some("is the base URL (--base-url, ZV_BASE_URL) right and reachable?"),
            T::Timeout => Some("try a longer --timeout, or more --retries"),
            T::Tls => Some("is the base URL's host and scheme right? the certificate was not accepted"),
            _ => None,
        };
    }
    if let Some(status) = e.http_status()
        && (status.is_server_error() || status.as_u16() == 429)
        && e.api_code().is_none()
    {
        return Some("the gateway is failing or busy: try again later, or with more --retries");
    }
    if e.kind() == ErrorKind::ApiSystem {
        let text = e.to_string();
        // 110004 验签失败 is the gateway's bad-signature answer.
        let signature = e.api_code().is_some_and(|c| c.to_string() == "110004")
            || ["验签", "签名", "signature", "token"].iter().any(|w| text.contains(w));
        if signature {
            return Some(
                "check ZV_OPEN_ID, ZV_GRANT_CODE and ZV_OPEN_KEY and the system clock; `zv sign` shows what is signed",
            );
        }
    }
    None
}

impl From<zv_mock::MockError> for Failure {
    fn from(e: zv_mock::MockError) -> Self {
        Failure { message: format!("mock gateway: {}", error_line(&e)), code: exit::USAGE }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(e),
    };
    match init_logging(cli.global.verbose).and_then(|attempts| run(cli, &attempts)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            report(&f.message);
            ExitCode::from(f.code)
        }
    }
}

/// One line on stderr: `error: ` (red on a terminal that wants colour) and the message.
fn report(message: &str) {
    let stderr = std::io::stderr();
    let style = if term::wants_color(&stderr) {
        anstyle::AnsiColor::Red.on_default().bold()
    } else {
        anstyle::Style::new()
    };
    let _ = writeln!(stderr.lock(), "{style}error:{style:#} {}", zv_cli::render::sanitize(message));
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
            report(&format!("{message} (see --help)"));
            ExitCode::from(exit::USAGE)
        }
    }
}

/// Installs the `-v` logger (see [`zv_cli::verbose`]) on stderr; plain text unless stderr
/// is a terminal that wants colour.
fn init_logging(verbose: u8) -> Result<MaxAttempts, Failure> {
    use tracing_subscriber::prelude::*;
    let attempts = MaxAttempts::default();
    let rust_log = std::env::var("RUST_LOG").ok();
    let Some(filter) = verbose::log_filter(verbose, rust_log.as_deref()).map_err(Failure::usage)? else {
        return Ok(attempts);
    };
    let color = term::wants_color(&std::io::stderr());
    let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(color);
    let layer = if verbose == 1 {
        layer.event_format(verbose::AttemptFormat::new(attempts.clone())).boxed()
    } else {
        layer.without_time().boxed()
    };
    let _ = tracing_subscriber::registry().with(layer.with_filter(filter)).try_init();
    Ok(attempts)
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

fn gateway(g: &Global, attempts: &MaxAttempts) -> Result<Gateway, Failure> {
    let mut builder = zv_api::blocking::Client::builder();
    let sandbox = if g.sandbox {
        let endpoints = zv_mock::Endpoints::builtin().catalogue_hints(true);
        let mock = zv_mock::MockServer::start(zv_mock::MockConfig::new().endpoints(endpoints))?;
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
    let client = builder.build()?;
    attempts.set(client.config().retry_policy().max_retries.saturating_add(1));
    Ok(Gateway { client, _sandbox: sandbox })
}

/// Reads a JSON argument given inline or as `@file` (a regular file within the size limit).
fn json_arg(g: &Global, what: &str, arg: &str) -> Result<serde_json::Value, Failure> {
    let text = input::text_arg(what, arg, g.max_input_bytes).map_err(|e| Failure::usage(error_line(&e)))?;
    serde_json::from_str(&text).map_err(|e| Failure::usage(format!("{what} is not valid JSON: {e}")))
}

fn run(cli: Cli, attempts: &MaxAttempts) -> Result<(), Failure> {
    let g = &cli.global;
    let layout = term::stdout_layout();
    let mut out = std::io::stdout().lock();
    let written = match cli.command {
        Command::GiftCards { user_id, include_recycled } => {
            let cards = gateway(g, attempts)?
                .client
                .gift_cards(&GiftCardListParams::new(user_id).include_recycled(include_recycled))?;
            if g.json { output::json(&mut out, &cards) } else { output::gift_cards(&mut out, &cards, layout) }
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
                    serde_json::from_value(json_arg(g, "--basket", &b)?).map_err(|e| {
                        Failure::usage(format!(
                            "--basket is not a list of {{bar_code, offline_price, buy_num}}: {e}"
                        ))
                    })?;
                p = p.basket(Basket::new(items).map_err(|e| Failure::usage(format!("--basket: {e}")))?);
            }
            let list = gateway(g, attempts)?.client.coupons(&p)?;
            if g.json { output::json(&mut out, &list) } else { output::coupons(&mut out, &list, layout) }
        }
        Command::ExchangeCode { code } => {
            let status = gateway(g, attempts)?.client.exchange_code_status(&code)?;
            if g.json {
                output::json(&mut out, &json!({"code": code, "redeemable": status.redeemable}))
            } else {
                output::exchange_code(&mut out, &code, status.redeemable)
            }
        }
        Command::Call { action, path, params, idempotent } => {
            let params = json_arg(g, "--params", &params)?;
            let request = match (&action, &path) {
                (Some(a), _) => UntypedRequest::v2(a, params)?,
                (None, Some(p)) => UntypedRequest::v3(p, params)?,
                (None, None) => return Err(Failure::usage("give --action or --path")),
            }
            .retry_safe(idempotent);
            let response = gateway(g, attempts)?.client.send_untyped(&request)?;
            if g.json {
                output::json(&mut out, &response.data)
            } else {
                // The raw `data` text keeps the gateway's key order (the decoded value sorts it).
                let raw = response.http.data_json().map_or("null", |d| d.get());
                let data = Data::from_json(raw).map_err(|e| Failure {
                    message: format!("cannot read the response data: {e}"),
                    code: exit::DECODE,
                })?;
                write!(out, "{}", data.render(layout))
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
        Command::Mock(args) => return mock_cmd::run(args, g, &mut out),
    };
    written.map_err(|e| Failure { message: format!("cannot write the output: {e}"), code: exit::INTERNAL })
}
