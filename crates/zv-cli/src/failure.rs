//! `zv`'s exit codes (also listed at the end of `zv --help`).

use zv_api::ErrorKind;

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
/// ```
/// let e = zv_api::Error::InvalidRequest("params".into());
/// assert_eq!(zv_cli::exit::for_error(&e), zv_cli::exit::USAGE);
/// ```
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
