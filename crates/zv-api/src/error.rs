//! The client's errors: one line of `Display` each, no secret and no token in any of them.
//! The response an error keeps is [`HttpResponse`] (its own module, `response`).
//!
//! Each level's `Display` says only what happened at that level; the cause is its
//! [`source()`](std::error::Error::source), never repeated. [`Report`] renders the whole
//! chain on one line, as error reporters do.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

use http::StatusCode;
use zv_transport::TransportError;
use zv_types::paging::PageError;
use zv_types::{ApiError, ApiErrorKind, DecodeError, ResponseCode};

use crate::response::HttpResponse;
use crate::retry::{AttemptOutcome, RetryPolicy, is_throttle_message, is_transient, is_transient_status};

/// A configuration problem: nothing was sent.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Required environment variables are not set (names them all).
    #[error("missing environment variable{}: {} (set {}, e.g. to the credentials `zv mock` prints for local tests)", if .0.len() > 1 { "s" } else { "" }, .0.join(", "), if .0.len() > 1 { "them" } else { "it" })]
    MissingEnv(Vec<&'static str>),
    /// No credentials were given to the builder.
    #[error(
        "no credentials: give the builder .credentials(Credentials::new(open_id, grant_code, open_key)) or .from_env()"
    )]
    MissingCredentials,
    /// The base URL cannot be used.
    #[error("invalid base URL \"{url}\": {reason}")]
    InvalidBaseUrl {
        /// The URL as given, for display: without its query, fragment or user info (which
        /// may hold secrets), sanitized.
        url: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A timeout of zero or longer than a day.
    #[error("invalid {name} {value:?}: it must be more than zero and at most a day")]
    InvalidTimeout {
        /// Which timeout.
        name: &'static str,
        /// The value given.
        value: std::time::Duration,
    },
    /// No transport is available for this client (a feature is off).
    #[error("no {0} transport: enable the matching zv-api feature or set one with `.transport(...)`")]
    NoTransport(&'static str),
    /// No sleeper is available for retries (async without the `reqwest` feature).
    #[error(
        "no async sleeper for retry delays: enable the `reqwest` feature or set one with `.sleeper(...)`"
    )]
    NoSleeper,
    /// A rate limit that cannot be used: a rate or burst of 0, or a path that is not a
    /// route.
    #[error("invalid rate limit for {}: {reason}", .path.as_deref().unwrap_or("every path"))]
    InvalidRateLimit {
        /// The path as given (sanitized), or `None` for the limit of every path.
        path: Option<String>,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A cap of 0 calls in flight.
    #[error("invalid max_in_flight 0: at least one call must be allowed in flight")]
    InvalidMaxInFlight,
    /// The HTTP backend could not be built (e.g. an unusable root certificate: the source
    /// says which one and why).
    #[error("cannot build the HTTP transport")]
    Transport(#[source] std::sync::Arc<TransportError>),
}

/// Which family an [`Error`] belongs to (e.g. to choose an exit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Bad configuration; nothing was sent.
    Config,
    /// The request could not be built (bad route or params); nothing was sent.
    InvalidRequest,
    /// No complete HTTP response (connect, timeout, TLS, body too large, I/O).
    Transport,
    /// An HTTP status that is not a success, without a platform error in the body.
    Http,
    /// The body could not be decoded.
    Decode,
    /// The platform refused: status true, code ≠ 0.
    ApiBusiness,
    /// The platform failed: status false.
    ApiSystem,
}

/// What became of a failed call's request ([`Error::outcome`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The request never left, or never reached the server: sending it again is safe.
    NotSent,
    /// The gateway answered and refused it (a platform error or an HTTP 4xx, throttling
    /// included): nothing was done.
    Rejected,
    /// It may have reached the gateway and been acted on: for a write, the write may have
    /// been applied.
    Unknown,
}

impl Outcome {
    /// `not_sent`, `rejected` or `unknown`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::NotSent => "not_sent",
            Outcome::Rejected => "rejected",
            Outcome::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::NotSent => "not sent",
            Outcome::Rejected => "rejected by the gateway",
            Outcome::Unknown => "outcome unknown (a write may have been applied)",
        })
    }
}

/// Everything that can go wrong with a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad configuration; nothing was sent.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The request could not be built; nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// No complete HTTP response.
    #[error("transport error calling {route}")]
    Transport {
        /// The endpoint called.
        route: String,
        /// What went wrong, with its cause.
        #[source]
        source: TransportError,
    },
    /// A non-success HTTP status without a platform error in the body.
    #[error("HTTP {} from {route}: {}", status_text(.response.status()), .response.excerpt())]
    Http {
        /// The endpoint called.
        route: String,
        /// The response.
        response: Box<HttpResponse>,
    },
    /// The body could not be decoded.
    #[error("cannot decode the response of {route} (body: {})", .response.excerpt())]
    Decode {
        /// The endpoint called.
        route: String,
        /// What failed, and where (JSON path).
        #[source]
        source: DecodeError,
        /// The response.
        response: Box<HttpResponse>,
    },
    /// The platform answered with a business or system error.
    #[error("{error}")]
    Api {
        /// The endpoint called.
        route: String,
        /// The platform's kind, code and message.
        error: ApiError,
        /// The response.
        response: Box<HttpResponse>,
    },
    /// The call for one page of a paged scan failed (the records of the pages before it
    /// were already yielded). Its kind, response and retryability are those of `source`.
    #[error("page {page}: {source}")]
    Page {
        /// The page number (the first page is 1).
        page: u32,
        /// How the call failed.
        #[source]
        source: Box<Error>,
    },
    /// A paged scan could not go on: bad paging params or options (nothing was sent: kind
    /// [`InvalidRequest`](ErrorKind::InvalidRequest)), or pages that do not read as a scan —
    /// a `data` not of the dialect, or more pages than the cap (kind
    /// [`Decode`](ErrorKind::Decode)).
    #[error("paging {route}: {source}")]
    Paging {
        /// The endpoint paged.
        route: String,
        /// What the pager refused; it names the page when it is about one.
        #[source]
        source: PageError,
        /// The response of the page refused, when it is about one that came back.
        response: Option<Box<HttpResponse>>,
    },
}

fn status_text(s: StatusCode) -> String {
    match s.canonical_reason() {
        Some(r) => format!("{} {r}", s.as_u16()),
        None => s.as_u16().to_string(),
    }
}

/// An error and its causes on one line, each level's `Display` joined with `": "` (as
/// error reporters such as `anyhow`'s `{:#}` print them).
///
/// ```
/// let e = zv_api::Error::from(zv_api::ConfigError::MissingCredentials);
/// assert_eq!(zv_api::Report(&e).to_string(), e.to_string());
/// ```
#[derive(Clone, Copy)]
pub struct Report<'a>(pub &'a (dyn StdError + 'static));

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(s) = source {
            write!(f, ": {s}")?;
            source = s.source();
        }
        Ok(())
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Error {
    /// The likely fix for a platform error seen in the field, as one line for a person: by
    /// the error's code, then by what its message says (throttled, a refused signature), and
    /// for HTTP 429; `None` for everything else. The table is [`hints`](crate::hints).
    ///
    /// ```
    /// use zv_api::{Error, hints};
    /// let e = Error::from(zv_api::ConfigError::MissingCredentials);
    /// assert_eq!(e.hint(), None);
    /// # let _ = hints::THROTTLE_HINT;
    /// ```
    pub fn hint(&self) -> Option<&'static str> {
        if let Some(api) = self.api_error() {
            return crate::hints::for_platform_error(Some(&api.code.to_string()), &api.message);
        }
        (self.http_status() == Some(StatusCode::TOO_MANY_REQUESTS)).then_some(crate::hints::THROTTLE_HINT)
    }

    /// The family of the error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Config(_) => ErrorKind::Config,
            Error::InvalidRequest(_) => ErrorKind::InvalidRequest,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Http { .. } => ErrorKind::Http,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Api { error, .. } => match error.kind {
                ApiErrorKind::Business => ErrorKind::ApiBusiness,
                ApiErrorKind::System => ErrorKind::ApiSystem,
            },
            Error::Page { source, .. } => source.kind(),
            Error::Paging { source, .. } if source.page().is_none() => ErrorKind::InvalidRequest,
            Error::Paging { .. } => ErrorKind::Decode,
        }
    }

    /// The response, when there was one.
    pub fn http_response(&self) -> Option<&HttpResponse> {
        match self {
            Error::Http { response, .. } | Error::Decode { response, .. } | Error::Api { response, .. } => {
                Some(response)
            }
            Error::Page { source, .. } => source.http_response(),
            Error::Paging { response, .. } => response.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status, when there was a response.
    pub fn http_status(&self) -> Option<StatusCode> {
        self.http_response().map(HttpResponse::status)
    }

    /// The platform's error, for business and system errors.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api { error, .. } => Some(error),
            Error::Page { source, .. } => source.api_error(),
            _ => None,
        }
    }

    /// The platform's code, for business and system errors.
    pub fn api_code(&self) -> Option<&ResponseCode> {
        self.api_error().map(|e| &e.code)
    }

    /// The transport error, if that is what happened.
    pub fn transport_error(&self) -> Option<&TransportError> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::Page { source, .. } => source.transport_error(),
            _ => None,
        }
    }

    /// The page of a paged scan the error is about, if it is about one.
    pub fn page(&self) -> Option<u32> {
        match self {
            Error::Page { page, .. } => Some(*page),
            Error::Paging { source, .. } => source.page(),
            _ => None,
        }
    }

    /// Whether the failure is of a transient kind that the default policy retries for a
    /// read: connect failures, timeouts, I/O errors, HTTP 429/502/503/504 (whatever the
    /// body), throttle answers (a platform message with 限流, 繁忙 or 频繁; those are
    /// retried for writes too). (Other system errors count only when configured as
    /// transient in a [`RetryPolicy`].) The same rule as the clients'
    /// [`decide`](crate::retry::decide).
    pub fn is_retryable(&self) -> bool {
        is_transient(&RetryPolicy::default(), &self.attempt_outcome(0))
    }

    /// What became of the request: never sent, refused by the gateway, or unknown (it may
    /// have reached the gateway and been acted on). For a write, [`Outcome::Unknown`] means
    /// **the write may have been applied**: check before sending it again. The clients never
    /// re-send a write (a catalogued write, an uncatalogued path, or an endpoint not
    /// declared retry-safe) once its outcome is unknown.
    pub fn outcome(&self) -> Outcome {
        match self {
            Error::Config(_) | Error::InvalidRequest(_) => Outcome::NotSent,
            Error::Transport { source, .. } if !source.may_have_reached_server() => Outcome::NotSent,
            Error::Transport { .. } => Outcome::Unknown,
            // The gateway answered with a verdict: a platform error, or an HTTP refusal
            // (4xx, throttling included) that comes before any work.
            Error::Api { .. } => Outcome::Rejected,
            Error::Http { response, .. } if response.status().is_client_error() => Outcome::Rejected,
            // A 5xx page from whatever stands in front of the gateway, or a success that
            // could not be read: the work may have been done.
            Error::Http { .. } | Error::Decode { .. } => Outcome::Unknown,
            Error::Page { source, .. } => source.outcome(),
            Error::Paging { response: None, .. } => Outcome::NotSent,
            Error::Paging { .. } => Outcome::Unknown,
        }
    }

    /// The gateway's `traceId` of the response this error came from, if it sent one.
    pub fn trace_id(&self) -> Option<Cow<'_, str>> {
        self.http_response().and_then(HttpResponse::trace_id)
    }

    /// This error as a retry outcome (`now_unix` reads an HTTP-date `Retry-After`).
    pub fn attempt_outcome(&self, now_unix: u64) -> AttemptOutcome<'_> {
        match self {
            Error::Config(_) | Error::InvalidRequest(_) => AttemptOutcome::Invalid,
            Error::Transport { source, .. } => AttemptOutcome::Transport(source),
            Error::Http { response, .. } => response.attempt_outcome(now_unix),
            Error::Decode { .. } => AttemptOutcome::Decode,
            // The platform's own words for a throttle, read from its message as sent.
            Error::Api { error, response, .. } if is_throttle_message(&error.message) => {
                AttemptOutcome::Throttled { retry_after: response.retry_after(now_unix) }
            }
            // A 429/502/503/504 says "try later" even when its body is a platform error.
            Error::Api { response, .. } if is_transient_status(response.status()) => {
                response.attempt_outcome(now_unix)
            }
            Error::Api { error, .. } => AttemptOutcome::Api { kind: error.kind, code: &error.code },
            Error::Page { source, .. } => source.attempt_outcome(now_unix),
            Error::Paging { .. } if self.kind() == crate::ErrorKind::InvalidRequest => {
                AttemptOutcome::Invalid
            }
            Error::Paging { .. } => AttemptOutcome::Decode,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_errors_name_every_missing_variable() {
        let e = ConfigError::MissingEnv(vec!["ZV_OPEN_ID", "ZV_OPEN_KEY"]);
        assert_eq!(
            e.to_string(),
            "missing environment variables: ZV_OPEN_ID, ZV_OPEN_KEY (set them, e.g. to the credentials `zv mock` prints for local tests)"
        );
        assert_eq!(
            ConfigError::MissingEnv(vec!["ZV_GRANT_CODE"]).to_string(),
            "missing environment variable: ZV_GRANT_CODE (set it, e.g. to the credentials `zv mock` prints for local tests)"
        );
        // the builder's own methods, as they are called
        let line = ConfigError::MissingCredentials.to_string();
        assert!(line.contains(".credentials(Credentials::new(") && line.contains(".from_env()"), "{line}");
    }
}
