//! What `-v`, `-vv` and `-vvv` print on stderr.
//!
//! - `-v`, for people: one line per attempt, formatted by [`AttemptFormat`] from the SDK's own
//!   per-attempt events — method, endpoint, attempt n/m, the outcome (HTTP status, platform
//!   code, or why there was no response), the time it took, and the retry it leads to.
//! - `-vv`, for debugging: every SDK event with its span and fields.
//! - `-vvv`: also the HTTP libraries' own logs, at DEBUG.
//!
//! `RUST_LOG` adds to that, with one exception: an HTTP library's TRACE level, where ureq
//! hex-dumps request and response bodies (and so the token), is only turned on by naming
//! the library (`RUST_LOG=ureq=trace`, or one of its modules), never by a blanket
//! `RUST_LOG=trace` nor by a prefix of its name (`RUST_LOG=u=trace`). The SDK's events
//! carry no key and no token by construction.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;
use zv_api::zv_transport::http;

/// The SDK's own crates: their events never hold a secret.
const SDK_TARGETS: &[&str] = &["zv_api", "zv_mock", "zv_transport", "zv_types", "zv_sign", "zv_cli", "zv"];
/// The HTTP and TLS libraries under the SDK, shown at `-vvv`.
const HTTP_TARGETS: &[&str] =
    &["ureq", "ureq_proto", "rustls", "hyper", "hyper_util", "reqwest", "h2", "axum", "tower"];
/// Libraries whose TRACE level dumps bodies: on only when named in `RUST_LOG`.
const BODY_DUMPING_TARGETS: &[&str] = &["ureq", "ureq_proto"];

/// The log filter for a `-v` count and the `RUST_LOG` variable, or the reason `RUST_LOG` is
/// not a valid filter. `None` when nothing is to be logged.
pub fn log_filter(verbose: u8, rust_log: Option<&str>) -> Result<Option<Targets>, String> {
    let env: Targets = match rust_log.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => text.parse().map_err(|e| format!("RUST_LOG {text:?} is not a valid filter: {e}"))?,
        None => Targets::new(),
    };
    if verbose == 0 && env.iter().next().is_none() && env.default_level().is_none() {
        return Ok(None);
    }
    let mut levels: BTreeMap<String, LevelFilter> = BTreeMap::new();
    let sdk_level = match verbose {
        0 => None,
        1 => Some(LevelFilter::DEBUG),
        _ => Some(LevelFilter::TRACE),
    };
    if let Some(level) = sdk_level {
        let targets = if verbose == 1 { &["zv_api"][..] } else { SDK_TARGETS };
        levels.extend(targets.iter().map(|t| ((*t).to_owned(), level)));
    }
    if verbose >= 3 {
        levels.extend(HTTP_TARGETS.iter().map(|t| ((*t).to_owned(), LevelFilter::DEBUG)));
    }
    let default = env.default_level().unwrap_or(LevelFilter::OFF);
    // A level that is not theirs by name reaches the body-dumping libraries at DEBUG at most:
    // a blanket level, and a directive for a prefix of their names (`u=trace` covers `ureq`:
    // tracing matches targets by string prefix).
    let names_one = |target: &str| {
        BODY_DUMPING_TARGETS
            .iter()
            .any(|t| target == *t || target.strip_prefix(t).is_some_and(|r| r.starts_with("::")))
    };
    if !env.iter().any(|(target, _)| names_one(target)) {
        let covering = env
            .iter()
            .filter(|(target, _)| BODY_DUMPING_TARGETS.iter().any(|t| t.starts_with(target)))
            .map(|(_, level)| level)
            .fold(default, LevelFilter::max);
        if covering > LevelFilter::DEBUG {
            levels.extend(BODY_DUMPING_TARGETS.iter().map(|t| ((*t).to_owned(), LevelFilter::DEBUG)));
        }
    }
    // What RUST_LOG names, it gets.
    levels.extend(env.iter().map(|(target, level)| (target.to_owned(), level)));
    Ok(Some(Targets::new().with_default(default).with_targets(levels)))
}

/// The number of attempts a call may make, shown as the `m` of "attempt n/m". The clients'
/// events carry the attempt number but not the maximum, so the CLI sets it from the client
/// it built; an event's own `max_attempts` field wins when there is one.
#[derive(Debug, Clone, Default)]
pub struct MaxAttempts(Arc<AtomicU32>);

impl MaxAttempts {
    /// Sets the maximum.
    pub fn set(&self, attempts: u32) {
        self.0.store(attempts, Ordering::Relaxed);
    }

    fn get(&self) -> Option<u32> {
        Some(self.0.load(Ordering::Relaxed)).filter(|&n| n > 0)
    }
}

/// The `-v` line format: one concise line per attempt event, one plain line for any other.
#[derive(Debug, Clone, Default)]
pub struct AttemptFormat {
    max_attempts: MaxAttempts,
}

impl AttemptFormat {
    /// A format that reads the maximum number of attempts from `max_attempts`.
    pub fn new(max_attempts: MaxAttempts) -> Self {
        AttemptFormat { max_attempts }
    }
}

/// The fields of an event that the `-v` line uses.
#[derive(Debug, Default)]
struct Fields {
    message: String,
    method: Option<String>,
    endpoint: Option<String>,
    attempt: Option<u64>,
    max_attempts: Option<u64>,
    http_status: Option<u16>,
    code: Option<String>,
    elapsed_ms: Option<f64>,
    retry_in_ms: Option<u64>,
    error: Option<String>,
    other: Vec<(&'static str, String)>,
}

impl Visit for Fields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        match field.name() {
            "elapsed_ms" => self.elapsed_ms = Some(value),
            "total_ms" => {}
            name => self.other.push((name, format!("{value:.0}"))),
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "attempt" => self.attempt = Some(value),
            "max_attempts" => self.max_attempts = Some(value),
            "http_status" => self.http_status = u16::try_from(value).ok(),
            "retry_in_ms" => self.retry_in_ms = Some(value),
            name => self.other.push((name, value.to_string())),
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        // As text, not as a quoted Debug string.
        self.record_debug(field, &format_args!("{value}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        match field.name() {
            "message" => self.message = text,
            "endpoint" => self.endpoint = Some(text),
            "error" => self.error = Some(text),
            "method" => self.method = Some(text),
            "code" => self.code = Some(text),
            "url" | "total_ms" => {}
            name => self.other.push((name, text)),
        }
    }
}

impl<S, N> FormatEvent<S, N> for AttemptFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let color = writer.has_ansi_escapes();
        let level = *event.metadata().level();
        let line = match (fields.attempt, fields.endpoint.as_deref()) {
            (Some(attempt), Some(endpoint)) => {
                let max = fields.max_attempts.and_then(|m| u32::try_from(m).ok()).or(self.max_attempts.get());
                attempt_line(&fields, endpoint, attempt, max)
            }
            _ => other_line(&fields, level),
        };
        let line = crate::output::render::replace_unsafe(&line);
        if color {
            let style = match level {
                Level::ERROR => anstyle::AnsiColor::Red.on_default(),
                Level::WARN => anstyle::AnsiColor::Yellow.on_default(),
                _ => anstyle::Style::new().dimmed(),
            };
            writeln!(writer, "{style}{line}{style:#}")
        } else {
            writeln!(writer, "{line}")
        }
    }
}

/// `POST /v3/x  attempt 1/3  HTTP 503 Service Unavailable  2 ms  → retry in 180 ms`
fn attempt_line(f: &Fields, endpoint: &str, attempt: u64, max: Option<u32>) -> String {
    // Every gateway call is a POST (see `zv_types::Route`); an event's own `method` wins.
    let method = f.method.as_deref().unwrap_or("POST");
    let mut line = format!("{method} {endpoint}  attempt {attempt}");
    if let Some(max) = max {
        let _ = write!(line, "/{max}");
    }
    line.push_str("  ");
    line.push_str(&outcome(f, endpoint));
    if let Some(ms) = f.elapsed_ms {
        let _ = write!(line, "  {ms:.0} ms");
    }
    if let Some(ms) = f.retry_in_ms {
        let _ = write!(line, "  → retry in {ms} ms");
    }
    line
}

/// What an attempt came to, each fact once: the HTTP status, the platform's code and
/// message, or why there was no usable response.
fn outcome(f: &Fields, endpoint: &str) -> String {
    let status = f.http_status.map(|s| format!("HTTP {s}"));
    match (&f.error, &f.code) {
        (None, _) => status.unwrap_or_else(|| "ok".to_owned()),
        (Some(error), Some(code)) => {
            // "API system error 40003: 签名错误" → "code 40003 签名错误"
            let message = error.split_once(&format!("{code}: ")).map_or("", |(_, m)| m);
            let platform = format!("code {code} {message}").trim_end().to_owned();
            match status {
                Some(status) => format!("{status}, {platform}"),
                None => platform,
            }
        }
        (Some(error), None) => match f.http_status.map(http::StatusCode::from_u16) {
            // An HTTP error: its status says why (the body is an error page, in the error line).
            Some(Ok(s)) if !s.is_success() => {
                format!("HTTP {} {}", s.as_u16(), s.canonical_reason().unwrap_or_default())
                    .trim_end()
                    .to_owned()
            }
            _ => {
                let why = without_endpoint(error, endpoint);
                match status {
                    Some(status) => format!("{status}, {why}"),
                    None => why,
                }
            }
        },
    }
}

/// The error's text without the endpoint the line already shows:
/// "transport error calling /v3/x: timed out" → "transport error: timed out".
fn without_endpoint(error: &str, endpoint: &str) -> String {
    let Some((before, after)) = error.split_once(endpoint) else {
        return error.to_owned();
    };
    let before = before.trim_end();
    let before =
        ["calling", "from", "of"].iter().find_map(|w| before.strip_suffix(w)).unwrap_or(before).trim_end();
    let after = after.trim_start();
    if after.starts_with(':') || after.is_empty() {
        format!("{before}{after}")
    } else {
        format!("{before} {after}")
    }
}

/// Any other event: its level (when not INFO), message and fields on one line.
fn other_line(f: &Fields, level: Level) -> String {
    let mut line = String::new();
    if level != Level::INFO {
        let _ = write!(line, "{level}: ");
    }
    line.push_str(&f.message);
    for (name, value) in &f.other {
        let _ = write!(line, " {name}={value}");
    }
    if let Some(error) = &f.error {
        let _ = write!(line, " error={error}");
    }
    line
}

/// Installs the `-v` logger (see this module) on stderr; plain text unless stderr
/// is a terminal that wants colour.
pub(crate) fn init(verbose: u8) -> Result<MaxAttempts, crate::failure::Failure> {
    use tracing_subscriber::prelude::*;
    let attempts = MaxAttempts::default();
    let rust_log = std::env::var("RUST_LOG").ok();
    let Some(filter) = log_filter(verbose, rust_log.as_deref()).map_err(crate::failure::Failure::usage)?
    else {
        return Ok(attempts);
    };
    let color = crate::output::terminal::wants_color(&std::io::stderr());
    let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(color);
    let layer = if verbose == 1 {
        layer.event_format(AttemptFormat::new(attempts.clone())).boxed()
    } else {
        layer.without_time().boxed()
    };
    let _ = tracing_subscriber::registry().with(layer.with_filter(filter)).try_init();
    Ok(attempts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels(filter: &Targets) -> Vec<(String, LevelFilter)> {
        filter.iter().map(|(t, l)| (t.to_owned(), l)).collect()
    }

    #[test]
    fn nothing_without_v_or_rust_log() {
        assert!(log_filter(0, None).unwrap().is_none());
        assert!(log_filter(0, Some("  ")).unwrap().is_none());
    }

    #[test]
    fn v_shows_only_the_sdk_attempts_and_vvv_the_http_libraries_at_debug() {
        let v = log_filter(1, None).unwrap().unwrap();
        assert!(v.would_enable("zv_api::sansio", &Level::DEBUG));
        assert!(!v.would_enable("zv_mock", &Level::INFO));
        assert!(!v.would_enable("ureq", &Level::ERROR));
        let vv = log_filter(2, None).unwrap().unwrap();
        assert!(vv.would_enable("zv_mock", &Level::TRACE));
        assert!(!vv.would_enable("ureq", &Level::ERROR));
        let vvv = log_filter(3, None).unwrap().unwrap();
        assert!(vvv.would_enable("ureq::run", &Level::DEBUG));
        assert!(!vvv.would_enable("ureq::run", &Level::TRACE));
    }

    #[test]
    fn a_blanket_rust_log_never_turns_on_body_dumps_but_a_named_one_does() {
        let blanket = log_filter(0, Some("trace")).unwrap().unwrap();
        assert!(blanket.would_enable("some_crate", &Level::TRACE));
        assert!(!blanket.would_enable("ureq::unversioned::transport", &Level::TRACE));
        assert!(!blanket.would_enable("ureq_proto::client", &Level::TRACE));
        assert!(blanket.would_enable("ureq", &Level::DEBUG));
        let named = log_filter(1, Some("ureq=trace")).unwrap().unwrap();
        assert!(named.would_enable("ureq::unversioned::transport", &Level::TRACE));
        assert!(named.would_enable("zv_api", &Level::DEBUG), "{:?}", levels(&named));
        assert!(log_filter(1, Some("ureq=loud")).is_err());
        // A prefix of the name is not the name (tracing matches targets by string prefix).
        for prefix in ["u=trace", "ure", "ureq_p=trace", "zv=info,ureq_=trace"] {
            let filter = log_filter(0, Some(prefix)).unwrap().unwrap();
            assert!(!filter.would_enable("ureq_proto::util", &Level::TRACE), "{prefix}");
            assert!(!filter.would_enable("ureq::run", &Level::TRACE), "{prefix}");
        }
        for named in ["ureq_proto=trace", "ureq::run=trace,u=info", "ureq_proto::util"] {
            let filter = log_filter(0, Some(named)).unwrap().unwrap();
            let target = named.split(['=', ',']).next().unwrap();
            assert!(filter.would_enable(target, &Level::TRACE), "{named}");
        }
    }

    #[test]
    fn the_endpoint_is_said_once() {
        let e = "/v3/crm/x";
        assert_eq!(
            without_endpoint("transport error calling /v3/crm/x: timed out", e),
            "transport error: timed out"
        );
        assert_eq!(
            without_endpoint("HTTP 503 Service Unavailable from /v3/crm/x: busy", e),
            "HTTP 503 Service Unavailable: busy"
        );
        assert_eq!(
            without_endpoint("cannot decode the response of /v3/crm/x at `data[0]`: bad", e),
            "cannot decode the response at `data[0]`: bad"
        );
        assert_eq!(without_endpoint("something else", e), "something else");
    }

    #[test]
    fn an_attempt_line_has_each_fact_once() {
        let f = Fields {
            endpoint: Some("/v3/x".into()),
            attempt: Some(2),
            http_status: Some(200),
            code: Some("20001".into()),
            error: Some("API business error 20001: 查询的信息不存在".into()),
            elapsed_ms: Some(3.4),
            ..Fields::default()
        };
        assert_eq!(
            attempt_line(&f, "/v3/x", 2, Some(3)),
            "POST /v3/x  attempt 2/3  HTTP 200, code 20001 查询的信息不存在  3 ms"
        );
        let f = Fields {
            http_status: Some(503),
            error: Some("HTTP 503 Service Unavailable from /v3/x: busy".into()),
            retry_in_ms: Some(180),
            elapsed_ms: Some(1.0),
            ..Fields::default()
        };
        assert_eq!(
            attempt_line(&f, "/v3/x", 1, None),
            "POST /v3/x  attempt 1  HTTP 503 Service Unavailable  1 ms  → retry in 180 ms"
        );
    }
}
