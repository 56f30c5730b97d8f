//! [`TransportError`] and [`TransportErrorKind`].

use std::error::Error as StdError;
use std::fmt;

/// A boxed, thread-safe error, the underlying cause kept by [`TransportError`].
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// What kind of failure a [`TransportError`] is.
///
/// The kind decides the default of [`TransportError::may_have_reached_server`]:
/// [`Connect`](Self::Connect), [`Tls`](Self::Tls) and
/// [`InvalidRequest`](Self::InvalidRequest) failures happen before a single byte
/// of the request is sent, everything else may happen after the server got it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be established (refused, DNS failure,
    /// unreachable host, proxy refused the tunnel).
    Connect,
    /// A configured timeout expired, while connecting or later.
    Timeout,
    /// TLS failed (untrusted certificate, handshake failure, bad configuration).
    Tls,
    /// The response body is larger than the configured cap.
    BodyTooLarge,
    /// An I/O error after the connection was established (reset, unexpected
    /// end of stream, malformed framing).
    Io,
    /// The request could not be sent as given (bad URI, header or method).
    InvalidRequest,
    /// Anything else.
    Other,
}

impl TransportErrorKind {
    /// Whether a failure of this kind may, by default, have happened after the
    /// server received the request.
    pub const fn may_have_reached_server_by_default(self) -> bool {
        !matches!(self, Self::Connect | Self::Tls | Self::InvalidRequest)
    }

    const fn as_str(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Timeout => "timeout",
            Self::Tls => "tls",
            Self::BodyTooLarge => "body too large",
            Self::Io => "io",
            Self::InvalidRequest => "invalid request",
            Self::Other => "other",
        }
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an HTTP exchange failed: a [`kind`](Self::kind), whether the request
/// [may have reached the server](Self::may_have_reached_server), and the
/// underlying error as [`source`](std::error::Error::source).
///
/// `Display` is one line saying what happened; it does not repeat the source,
/// so print the whole chain (e.g. with `{:#}` in `anyhow`) for details.
///
/// ```
/// use zv_transport::{TransportError, TransportErrorKind};
///
/// let e = TransportError::connect("connection refused");
/// assert_eq!(e.kind(), TransportErrorKind::Connect);
/// assert!(!e.may_have_reached_server());
///
/// let e = TransportError::timeout("no answer").with_reached_server(false);
/// assert!(!e.may_have_reached_server());
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{}", Message(self))]
pub struct TransportError {
    kind: TransportErrorKind,
    reached_server: bool,
    /// For `BodyTooLarge`: the cap, and how many bytes were announced or seen.
    body_limit: Option<(u64, Option<u64>)>,
    #[source]
    source: Option<BoxError>,
}

/// The `Display` of a [`TransportError`].
struct Message<'a>(&'a TransportError);

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        if let Some((limit, seen)) = e.body_limit {
            write!(f, "response body exceeds the {limit}-byte limit")?;
            if let Some(seen) = seen {
                write!(f, " (at least {seen} bytes)")?;
            }
            return Ok(());
        }
        f.write_str(match (e.kind, e.reached_server) {
            (TransportErrorKind::Connect, _) => "could not connect to the server",
            (TransportErrorKind::Timeout, false) => "timed out before the request was sent",
            (TransportErrorKind::Timeout, true) => "timed out waiting for the server",
            (TransportErrorKind::Tls, _) => "TLS error",
            (TransportErrorKind::BodyTooLarge, _) => "response body is too large",
            (TransportErrorKind::Io, _) => "I/O error during the HTTP exchange",
            (TransportErrorKind::InvalidRequest, _) => "invalid HTTP request",
            (TransportErrorKind::Other, _) => "HTTP transport error",
        })
    }
}

impl TransportError {
    /// An error of `kind` caused by `source`.
    ///
    /// `source` may be any error, or a `&str`/`String` message.
    /// [`may_have_reached_server`](Self::may_have_reached_server) defaults to
    /// [`TransportErrorKind::may_have_reached_server_by_default`]; override it
    /// with [`with_reached_server`](Self::with_reached_server).
    ///
    /// A `source` that is itself a `TransportError` (or an `io::Error` wrapping one) is
    /// unwrapped to its own cause, so that a chain never says the same thing twice.
    pub fn new(kind: TransportErrorKind, source: impl Into<BoxError>) -> Self {
        Self {
            kind,
            reached_server: kind.may_have_reached_server_by_default(),
            body_limit: None,
            source: unwrap_nested(source.into()),
        }
    }

    /// A [`TransportErrorKind::Connect`] error: the request did not reach the server.
    pub fn connect(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Connect, source)
    }

    /// A [`TransportErrorKind::Timeout`] error. The request may have reached
    /// the server; use `.with_reached_server(false)` for a timeout while connecting.
    pub fn timeout(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Timeout, source)
    }

    /// A [`TransportErrorKind::Tls`] error: the request did not reach the server.
    pub fn tls(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Tls, source)
    }

    /// A [`TransportErrorKind::Io`] error: the request may have reached the server.
    pub fn io(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Io, source)
    }

    /// A [`TransportErrorKind::InvalidRequest`] error: nothing was sent.
    pub fn invalid_request(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::InvalidRequest, source)
    }

    /// A [`TransportErrorKind::Other`] error: the request may have reached the server.
    pub fn other(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Other, source)
    }

    /// A [`TransportErrorKind::BodyTooLarge`] error: the response body exceeds
    /// `limit` bytes; `seen` is the announced `Content-Length` or the number of
    /// bytes received when the cap was passed, if known.
    ///
    /// ```
    /// let e = zv_transport::TransportError::body_too_large(16 * 1024 * 1024, None);
    /// assert_eq!(e.to_string(), "response body exceeds the 16777216-byte limit");
    /// ```
    pub fn body_too_large(limit: u64, seen: Option<u64>) -> Self {
        Self {
            kind: TransportErrorKind::BodyTooLarge,
            reached_server: true,
            body_limit: Some((limit, seen)),
            source: None,
        }
    }

    /// Overrides whether the request may have reached the server.
    ///
    /// Say `false` only when it certainly did not: a retry layer may re-send a
    /// non-idempotent call on the strength of it.
    #[must_use]
    pub fn with_reached_server(mut self, may_have_reached_server: bool) -> Self {
        self.reached_server = may_have_reached_server;
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether the server may have received (and acted on) the request.
    ///
    /// `false` means it certainly did not, so re-sending is safe even for a
    /// non-idempotent call; `true` is the conservative answer when unsure.
    pub fn may_have_reached_server(&self) -> bool {
        self.reached_server
    }

    /// For [`TransportErrorKind::BodyTooLarge`]: the cap that was exceeded.
    pub fn body_limit(&self) -> Option<u64> {
        self.body_limit.map(|(limit, _)| limit)
    }

    /// Classifies an I/O error met while exchanging data with the server.
    ///
    /// An `io::Error` wrapping a `TransportError` (as a reader may return to
    /// report a precise cause) is unwrapped; `TimedOut`/`WouldBlock` become
    /// [`TransportErrorKind::Timeout`]; anything else [`TransportErrorKind::Io`].
    /// All of them may have reached the server.
    pub(crate) fn from_exchange_io(e: std::io::Error) -> Self {
        if e.get_ref().is_some_and(|inner| inner.is::<TransportError>()) {
            let kind = e.kind();
            return match e.into_inner().map(|inner| inner.downcast::<TransportError>()) {
                Some(Ok(transport)) => *transport,
                Some(Err(other)) => Self::io(other),
                None => Self::io(std::io::Error::from(kind)),
            };
        }
        match e.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => Self::timeout(e),
            _ => Self::io(e),
        }
    }
}

/// The cause to keep for `source`: itself, or the cause of the `TransportError` it wraps.
fn unwrap_nested(source: BoxError) -> Option<BoxError> {
    let wraps_transport = |e: &std::io::Error| e.get_ref().is_some_and(|inner| inner.is::<TransportError>());
    let source = match source.downcast::<std::io::Error>() {
        Ok(io) if wraps_transport(&io) => match io.into_inner().map(|i| i.downcast::<TransportError>()) {
            Some(Ok(transport)) => return transport.source,
            Some(Err(other)) => other,
            None => return None,
        },
        Ok(io) => io as BoxError,
        Err(other) => other,
    };
    match source.downcast::<TransportError>() {
        Ok(transport) => transport.source,
        Err(other) => Some(other),
    }
}

/// Walks `err` and its sources (looking inside `io::Error`s, whose `source()`
/// skips the wrapped error) for an error of type `T`.
#[cfg(any(feature = "ureq", feature = "reqwest"))]
pub(crate) fn find_cause<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(found) = find_cause::<T>(inner)
        {
            return Some(found);
        }
        next = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_per_kind() {
        use TransportErrorKind::*;
        for (kind, reached) in [
            (Connect, false),
            (Tls, false),
            (InvalidRequest, false),
            (Timeout, true),
            (Io, true),
            (BodyTooLarge, true),
            (Other, true),
        ] {
            let e = TransportError::new(kind, "x");
            assert_eq!(e.kind(), kind);
            assert_eq!(e.may_have_reached_server(), reached, "{kind}");
            assert_eq!(e.with_reached_server(!reached).may_have_reached_server(), !reached);
        }
        assert!(TransportError::body_too_large(1, None).may_have_reached_server());
    }

    #[test]
    fn display_is_one_line_and_source_is_kept() {
        let e = TransportError::connect(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(e.to_string(), "could not connect to the server");
        let src = StdError::source(&e).expect("source kept");
        assert!(src.downcast_ref::<std::io::Error>().is_some());

        let e = TransportError::body_too_large(16 * 1024 * 1024, Some(20_000_000));
        assert_eq!(e.to_string(), "response body exceeds the 16777216-byte limit (at least 20000000 bytes)");
        assert_eq!(e.body_limit(), Some(16 * 1024 * 1024));
        assert!(StdError::source(&e).is_none());
        assert_eq!(TransportErrorKind::BodyTooLarge.to_string(), "body too large");
    }

    #[test]
    fn exchange_io_classification() {
        let e = TransportError::from_exchange_io(std::io::ErrorKind::TimedOut.into());
        assert_eq!(e.kind(), TransportErrorKind::Timeout);
        let e = TransportError::from_exchange_io(std::io::ErrorKind::ConnectionReset.into());
        assert_eq!(e.kind(), TransportErrorKind::Io);
        let wrapped = std::io::Error::other(TransportError::tls("bad").with_reached_server(true));
        let e = TransportError::from_exchange_io(wrapped);
        assert_eq!(e.kind(), TransportErrorKind::Tls);
        assert!(e.may_have_reached_server());
    }

    #[test]
    fn is_send_sync_static() {
        fn check<T: Send + Sync + 'static + StdError>() {}
        check::<TransportError>();
    }
}
