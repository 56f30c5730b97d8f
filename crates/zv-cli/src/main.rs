//! `zv`: the zvcms / 企迈 (Qmai) OpenAPI from the command line.
//!
//! Typed calls (gift cards, coupons, exchange codes), an untyped call for any endpoint, request
//! signing for debugging a signature with the vendor, an offline `--sandbox`, and `zv mock`,
//! a signature-verifying local gateway any language can test against. It never prints the
//! `openKey` or a request token (except `zv sign`, whose job is the token, and `zv mock`,
//! which prints its own sandbox key so a client can be configured). Every failure is one
//! line on stderr and a documented exit code.

mod api_cmd;
mod batch_cmd;
mod cli;
mod commands;
mod doctor_cmd;
mod mock_cmd;
mod output;
mod profile_cmd;

use std::io::Write;
use std::process::ExitCode;

use serde_json::json;
use zv_sign::{Credentials, Signer};
use zv_types::{Basket, BasketItem, CouponListParams, CouponStatusFilter, GiftCardListParams, Money};

use zv_cli::exit;
use zv_cli::format::{Format, Printer};
use zv_cli::input;
use zv_cli::profile::{Config, KeyStore, Profile};
use zv_cli::report::error_line;
use zv_cli::settings::{Given, Inputs, Settings, Source};
use zv_cli::term;
use zv_cli::verbose::{self, MaxAttempts};

use crate::cli::{Cli, Command, Global};

/// A failure: its one-line message and exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Failure { message: message.into(), code: exit::USAGE }
    }

    fn internal(message: impl Into<String>) -> Self {
        Failure { message: message.into(), code: exit::INTERNAL }
    }

    /// Stdout could not be written. A reader that went away (`zv endpoints | head`) is not
    /// a failure: the command stops quietly, as the tools it is piped to expect.
    fn output(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure { message: String::new(), code: 0 };
        }
        Failure::internal(format!("cannot write the output: {e}"))
    }
}

impl Failure {
    /// The failure of a call that was not retry-safe: when its outcome is unknown, the line
    /// says the write may have been applied.
    fn of_write(e: zv_api::Error, retry_safe: bool) -> Self {
        let unknown = !retry_safe && e.outcome() == zv_api::Outcome::Unknown;
        let mut failure = Failure::from(e);
        if unknown {
            failure.message.push_str(
                "; outcome unknown: the write may have been applied, check before sending it again",
            );
        }
        failure
    }
}

impl From<zv_api::Error> for Failure {
    fn from(e: zv_api::Error) -> Self {
        let code = exit::for_error(&e);
        let mut message = error_line(&e);
        // The vendor's support asks for the gateway's traceId: shown whenever it sent one.
        if let Some(id) = zv_cli::report::trace_id(&e) {
            message.push_str(&format!(" (traceId {id})"));
        }
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
    if let Some(api) = e.api_error() {
        return zv_cli::hints::for_platform_error(Some(&api.code.to_string()), &api.message);
    }
    match e.http_status() {
        Some(status) if status.as_u16() == 429 => Some(zv_cli::hints::THROTTLE_HINT),
        Some(status) if status.is_server_error() => {
            Some("the gateway is failing or busy: try again later, or with more --retries")
        }
        _ => None,
    }
}

impl From<zv_mock::MockError> for Failure {
    fn from(e: zv_mock::MockError) -> Self {
        Failure { message: format!("mock gateway: {}", error_line(&e)), code: exit::USAGE }
    }
}

fn main() -> ExitCode {
    let parsed = <Cli as clap::CommandFactory>::command().try_get_matches().and_then(|matches| {
        <Cli as clap::FromArgMatches>::from_arg_matches(&matches).map(|cli| (cli, matches))
    });
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return clap_exit(e),
    };
    let inputs = inputs(&cli.global, &matches);
    match init_logging(cli.global.verbose).and_then(|attempts| run(cli, &inputs, &attempts)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) if f.code == 0 => ExitCode::SUCCESS,
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
    let _ = writeln!(stderr.lock(), "{style}error:{style:#} {}", zv_cli::render::replace_unsafe(message));
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
pub(crate) struct Gateway {
    client: zv_api::blocking::Client,
    /// Kept alive for the duration of the command; dropped (stopped) at the end.
    _sandbox: Option<zv_mock::MockServer>,
}

/// What the flags and the environment gave for the connection settings, and which gave it.
fn inputs(g: &Global, matches: &clap::ArgMatches) -> Inputs {
    let given = |id: &str, var: &'static str, value: &Option<String>| {
        let source = match matches.value_source(id) {
            Some(clap::parser::ValueSource::EnvVariable) => Source::Env(var),
            _ => Source::Flag,
        };
        value.clone().map(|value| Given { value, source })
    };
    Inputs {
        base_url: given("base_url", "ZV_BASE_URL", &g.base_url),
        open_id: given("open_id", "ZV_OPEN_ID", &g.open_id),
        grant_code: given("grant_code", "ZV_GRANT_CODE", &g.grant_code),
        open_key: given("open_key", "ZV_OPEN_KEY", &g.open_key),
    }
}

/// The profile in use: `--profile`/`ZV_PROFILE`, else the one called `default` if there is
/// one and the flags and environment do not name another account (see
/// [`Inputs::name_an_account`]).
fn selected_profile(g: &Global, inputs: &Inputs) -> Result<Option<(String, Profile)>, Failure> {
    if g.profile.is_none() && inputs.name_an_account() {
        return Ok(None);
    }
    let path = match (Config::default_path(), &g.profile) {
        (Ok(path), _) => path,
        (Err(_), None) => return Ok(None),
        (Err(e), Some(_)) => return Err(Failure::usage(e.to_string())),
    };
    let config = Config::load(&path).map_err(|e| Failure::usage(error_line(&e)))?;
    match &g.profile {
        Some(name) => {
            let profile = config.profile(name).map_err(|e| Failure::usage(e.to_string()))?;
            Ok(Some((name.clone(), profile.clone())))
        }
        None => Ok(config.profiles.get("default").map(|p| ("default".to_owned(), p.clone()))),
    }
}

/// The connection settings, each from a flag, the environment, the profile or the defaults.
fn settings(g: &Global, inputs: &Inputs, store: &KeyStore) -> Result<Settings, Failure> {
    let profile = selected_profile(g, inputs)?;
    let profile = profile.as_ref().map(|(name, p)| (name.as_str(), p));
    Ok(zv_cli::settings::resolve(inputs.clone(), profile, store, zv_api::DEFAULT_BASE_URL))
}

fn credentials(s: &Settings) -> Result<Credentials, Failure> {
    match (&s.open_id.value, &s.grant_code.value, &s.open_key.value) {
        (Some(id), Some(code), Some(key)) => Ok(Credentials::new(id.clone(), code.clone(), key.clone())),
        _ => {
            let missing: Vec<&str> = [
                ("ZV_OPEN_ID (--open-id)", &s.open_id),
                ("ZV_GRANT_CODE (--grant-code)", &s.grant_code),
                ("ZV_OPEN_KEY (--open-key)", &s.open_key),
            ]
            .into_iter()
            .filter(|(_, v)| v.value.is_none())
            .map(|(name, _)| name)
            .collect();
            let store = s.store_error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default();
            let them = if missing.len() == 1 { "it" } else { "them" };
            // With a profile in use, the fix is to complete that profile, not to add one.
            let profile = match &s.profile {
                Some(name) => format!(
                    "save {them} in profile {name} (`zv profile add {name}`, the key with --open-key-stdin)"
                ),
                None => "add a profile (`zv profile add`)".to_owned(),
            };
            Err(Failure::usage(format!(
                "missing credentials: {}{store}; set {them}, {profile}, or try --sandbox for the built-in demo gateway",
                missing.join(", ")
            )))
        }
    }
}

/// The gateway: the in-process sandbox with `--sandbox`, else the one the settings name.
fn gateway(g: &Global, settings: Option<&Settings>, attempts: &MaxAttempts) -> Result<Gateway, Failure> {
    gateway_within(g.timeout, g.retries, settings, attempts)
}

/// [`gateway`] with this timeout and number of retries (`zv doctor` bounds its probe).
fn gateway_within(
    timeout: Option<std::time::Duration>,
    retries: Option<u32>,
    settings: Option<&Settings>,
    attempts: &MaxAttempts,
) -> Result<Gateway, Failure> {
    let mut builder = zv_api::blocking::Client::builder();
    let sandbox = match settings {
        None => {
            let endpoints = zv_mock::Endpoints::builtin().catalogue_hints(true);
            let mock = zv_mock::MockServer::start(zv_mock::MockConfig::new().endpoints(endpoints))?;
            builder = builder.base_url(mock.base_url()).credentials(mock.credentials().clone());
            Some(mock)
        }
        Some(s) => {
            builder = builder.credentials(credentials(s)?);
            if let Some(url) = &s.base_url.value {
                builder = builder.base_url(url);
            }
            None
        }
    };
    if let Some(t) = timeout {
        builder = builder.timeout(t);
    }
    if let Some(n) = retries {
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

fn run(cli: Cli, inputs: &Inputs, attempts: &MaxAttempts) -> Result<(), Failure> {
    let g = &cli.global;
    // Tests set ZV_KEYRING=mock (or `none`): never the machine's credentials. Only test
    // and debug builds read it.
    let store = KeyStore::for_process(std::env::var_os("ZV_KEYRING").as_deref());
    let settings = || if g.sandbox { Ok(None) } else { settings(g, inputs, &store).map(Some) };
    let connect = || gateway(g, settings()?.as_ref(), attempts);
    let layout = term::stdout_layout();
    let terminal = term::stdout_is_terminal();
    let printer = |default| Printer { format: g.format_or(default), layout, terminal };
    let table = printer(Format::Table);
    let mut out = std::io::stdout().lock();
    let written = match cli.command {
        Command::GiftCards { user_id, include_recycled } => {
            let cards = connect()?
                .client
                .gift_cards(&GiftCardListParams::new(user_id).include_recycled(include_recycled))?;
            output::show(&mut out, &table, &cards, None, |out| output::gift_cards(out, &cards, layout))
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
            let list = connect()?.client.coupons(&p)?;
            output::show(&mut out, &table, &list, Some("item_list"), |out| {
                output::coupons(out, &list, layout)
            })
        }
        Command::ExchangeCode { code } => {
            let status = connect()?.client.exchange_code_status(&code)?;
            let value = json!({"code": code, "redeemable": status.redeemable});
            output::show(&mut out, &table, &value, None, |out| {
                output::exchange_code(out, &code, status.redeemable)
            })
        }
        Command::Call { action, path, params, idempotent, yes, no_validate } => {
            // The params' text goes as it is: every number exactly as written.
            let params = input::text_arg("--params", &params, g.max_input_bytes)
                .map_err(|e| Failure::usage(error_line(&e)))?;
            let route = match (action, path) {
                (Some(action), _) => format!("v2:{action}"),
                (None, Some(path)) => path,
                (None, None) => return Err(Failure::usage("give --action or --path")),
            };
            let options = api_cmd::CallOptions { idempotent, yes, no_validate };
            return api_cmd::call(&route, &params, options, &table, connect, &mut out);
        }
        Command::Endpoints { show: Some(cli::EndpointsCommand::Show { target }), .. } => {
            return api_cmd::endpoints_show(&target, &table, &mut out);
        }
        Command::Endpoints { query, domain, show: None } => {
            return api_cmd::endpoints(query.as_deref(), domain.as_deref(), &table, &mut out);
        }
        Command::Api(args) => {
            let resolved = settings()?;
            let shop_code = resolved.as_ref().and_then(|s| s.shop_code.value.clone());
            let context = api_cmd::ApiContext { shop_code, format: g.format_given() };
            let default = if args.all_pages { Format::Jsonl } else { Format::Json };
            let connect = || gateway(g, resolved.as_ref(), attempts);
            return api_cmd::api(args, context, g.max_input_bytes, &printer(default), connect, &mut out);
        }
        Command::Sign { timestamp, nonce } => {
            let creds = match settings()? {
                None => zv_mock::demo_credentials(),
                Some(s) => credentials(&s)?,
            };
            let signer = Signer::new(&creds);
            let sig = signer.sign(timestamp, nonce);
            let value =
                json!({"canonical": sig.canonical(), "signature": sig.signature(), "token": sig.token()});
            output::show(&mut out, &table, &value, None, |out| {
                writeln!(
                    out,
                    "canonical: {}\nsignature: {}\ntoken:     {}",
                    sig.canonical(),
                    sig.signature(),
                    sig.token()
                )
            })
        }
        Command::Profile(command) => return profile_cmd::run(command, inputs, &store, &table, &mut out),
        Command::Doctor => {
            let resolved = settings()?;
            // The probe is one more step within the deadline: one attempt unless --retries.
            let step = doctor_cmd::step_timeout(g.timeout);
            let connect =
                || gateway_within(Some(step), Some(g.retries.unwrap_or(0)), resolved.as_ref(), attempts);
            return doctor_cmd::run(resolved.as_ref(), g.timeout, connect, &table, &mut out);
        }
        Command::Completions { shell } => {
            // clap_complete panics when its writer fails (`zv completions bash | head`): it
            // writes into memory, and the one write to stdout reports its own error.
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "zv", &mut script);
            out.write_all(&script)
        }
        Command::Mock(args) => {
            let upstream = || credentials(&crate::settings(g, inputs, &store)?);
            return mock_cmd::run(args, g, upstream, &mut out);
        }
        Command::Mcp(args) => {
            drop(out); // the protocol writes stdout from another thread
            return commands::mcp::run(args, g, inputs, &store, attempts);
        }
        Command::Journal(command) => return commands::journal::run(command, g, inputs, &table, &mut out),
    };
    written.map_err(Failure::output)
}
