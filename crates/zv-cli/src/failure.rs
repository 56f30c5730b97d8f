//! A failure of a command: its one-line message and `zv`'s exit code (the codes are also
//! listed at the end of `zv --help`).

use zv_api::ErrorKind;

use std::io::Write;
use std::process::ExitCode;

use crate::output::terminal;
use crate::report::error_line;

/// A failure: its one-line message and exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The line shown after `error: ` (empty when nothing is to be shown).
    pub(crate) message: String,
    /// The exit code.
    pub(crate) code: u8,
}

impl Failure {
    /// A usage or configuration error (exit 2).
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Failure { message: message.into(), code: USAGE }
    }

    /// An internal or I/O error (exit 1).
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Failure { message: message.into(), code: INTERNAL }
    }

    /// Stdout could not be written. A reader that went away (`zv endpoints | head`) is not
    /// a failure: the command stops quietly, as the tools it is piped to expect.
    pub(crate) fn output(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure { message: String::new(), code: SUCCESS };
        }
        Failure::internal(format!("cannot write the output: {e}"))
    }

    /// The failure of a call that was not retry-safe: when its outcome is unknown, the line
    /// says the write may have been applied.
    pub(crate) fn of_write(e: zv_api::Error, retry_safe: bool) -> Self {
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
        let code = for_error(&e);
        let mut message = error_line(&e);
        // The vendor's support asks for the gateway's traceId: shown whenever it sent one.
        if let Some(id) = crate::report::trace_id(&e) {
            message.push_str(&format!(" (traceId {id})"));
        }
        if let Some(hint) = hint(&e) {
            message.push_str("; ");
            message.push_str(hint);
        }
        Failure { message, code }
    }
}

impl From<zv_mock::MockError> for Failure {
    fn from(e: zv_mock::MockError) -> Self {
        Failure { message: format!("mock gateway: {}", error_line(&e)), code: USAGE }
    }
}

/// The likely fix for an error, when there is one: the SDK's ([`zv_api::Error::hint`]: a
/// platform error code, throttling), else the CLI's for a transport failure or a failing
/// gateway, which name the CLI's own options.
pub(crate) fn hint(e: &zv_api::Error) -> Option<&'static str> {
    use zv_api::zv_transport::TransportErrorKind as T;
    if let Some(t) = e.transport_error() {
        return match t.kind() {
            T::Connect => Some("is the base URL (--base-url, ZV_BASE_URL) right and reachable?"),
            T::Timeout => Some("try a longer --timeout, or more --retries"),
            T::Tls => Some("is the base URL's host and scheme right? the certificate was not accepted"),
            _ => None,
        };
    }
    if let Some(hint) = e.hint() {
        return Some(hint);
    }
    match e.http_status() {
        Some(status) if status.is_server_error() => {
            Some("the gateway is failing or busy: try again later, or with more --retries")
        }
        _ => None,
    }
}

/// Everything went well.
pub const SUCCESS: u8 = 0;
/// An internal or I/O error (e.g. the output could not be written).
pub const INTERNAL: u8 = 1;
/// A usage or configuration error, or a bad input file: nothing was sent because of it.
pub const USAGE: u8 = 2;
/// An API business error (status true, code ≠ 0).
pub const BUSINESS: u8 = 3;
/// An API system error (status false).
pub const SYSTEM: u8 = 4;
/// A transport or HTTP error.
pub const TRANSPORT: u8 = 5;
/// The response could not be decoded.
pub const DECODE: u8 = 6;
/// A batch left writes whose outcome is unknown (sent, and no outcome recorded, or an
/// unknown one): they were not sent again; `--resend-unknown` sends them.
pub const UNKNOWN_OUTCOME: u8 = 7;
/// Interrupted (Ctrl-C, SIGTERM, SIGHUP): 128 + SIGINT, as shells report it.
pub const INTERRUPTED: u8 = 130;

/// The exit code of a failed call, by the family of its error.
///
pub fn for_error(e: &zv_api::Error) -> u8 {
    for_kind(e.kind())
}

/// The exit code of an error of this family.
pub fn for_kind(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Config | ErrorKind::InvalidRequest => USAGE,
        ErrorKind::ApiBusiness => BUSINESS,
        ErrorKind::ApiSystem => SYSTEM,
        ErrorKind::Transport | ErrorKind::Http => TRANSPORT,
        ErrorKind::Decode => DECODE,
        _ => INTERNAL,
    }
}

/// The name of an error's family in machine-readable output (the `kind` of a batch's
/// result line): `config`, `invalid_request`, `transport`, `http`, `decode`,
/// `api_business`, `api_system` (`other` for a family this version does not know).
pub fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Config => "config",
        ErrorKind::InvalidRequest => "invalid_request",
        ErrorKind::Transport => "transport",
        ErrorKind::Http => "http",
        ErrorKind::Decode => "decode",
        ErrorKind::ApiBusiness => "api_business",
        ErrorKind::ApiSystem => "api_system",
        _ => "other",
    }
}

/// One line on stderr: `error: ` (red on a terminal that wants colour) and the message.
pub(crate) fn report(message: &str) {
    let stderr = std::io::stderr();
    let style = if terminal::wants_color(&stderr) {
        anstyle::AnsiColor::Red.on_default().bold()
    } else {
        anstyle::Style::new()
    };
    let _ =
        writeln!(stderr.lock(), "{style}error:{style:#} {}", crate::output::render::replace_unsafe(message));
}

/// Help and version print as clap prints them; a usage error becomes one line.
pub(crate) fn clap_exit(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind as K;
    match e.kind() {
        K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            if e.kind() == K::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(USAGE)
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
            ExitCode::from(USAGE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_request_exits_as_a_usage_error() {
        let e = zv_api::Error::InvalidRequest("params".into());
        assert_eq!(for_error(&e), USAGE);
        assert_eq!(Failure::from(e).code, USAGE);
    }
}
