//! When to try again: a pure decision, testable without I/O, plus the sleepers that wait.

use std::time::Duration;

use http::StatusCode;
use zv_transport::{BoxFuture, TransportError, TransportErrorKind};
use zv_types::{ApiErrorKind, ResponseCode};

use crate::error::Error;

/// How a client retries. Every attempt is a new request: new timestamp, nonce and token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 2, so at most 3 attempts).
    pub max_retries: u32,
    /// The first backoff delay (default 200 ms); doubled each retry.
    pub base_delay: Duration,
    /// The longest backoff delay (default 5 s).
    pub max_delay: Duration,
    /// The longest `Retry-After` the client will wait (default 30 s); a server asking for
    /// longer gets no retry: the error is returned at once.
    pub max_retry_after: Duration,
    /// System-error codes (status false) that are transient and worth retrying for a read.
    /// Empty by default: the vendor publishes no list of transient codes.
    pub transient_system_codes: Vec<i64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
            transient_system_codes: Vec::new(),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..RetryPolicy::default() }
    }

    /// The default policy with `max_retries` retries.
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// Also retry system errors with these codes (for retry-safe endpoints).
    pub fn with_transient_system_codes(mut self, codes: impl IntoIterator<Item = i64>) -> Self {
        self.transient_system_codes = codes.into_iter().collect();
        self
    }

    /// The backoff before retry number `retry` (1-based): `base · 2^(retry-1)` capped at
    /// `max_delay`, then "equal jitter": half fixed, half scaled by `jitter` in `[0, 1)`.
    pub fn backoff(&self, retry: u32, jitter: f64) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << retry.saturating_sub(1).min(20)).min(self.max_delay);
        let half = exp / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

/// What one attempt came to, as the retry decision sees it.
#[derive(Debug, Clone, Copy)]
pub enum AttemptOutcome<'a> {
    /// A typed success.
    Success,
    /// No complete response.
    Transport(&'a TransportError),
    /// An HTTP status that is not a success (and not a platform error).
    Http {
        /// The status.
        status: StatusCode,
        /// The server's `Retry-After`, if it sent one that could be read.
        retry_after: Option<Duration>,
    },
    /// A platform error.
    Api {
        /// Business or system.
        kind: ApiErrorKind,
        /// The platform's code.
        code: &'a ResponseCode,
    },
    /// A body that could not be decoded (not transient).
    Decode,
    /// The request could not even be built (not transient).
    Invalid,
}

/// Try again after a delay, or stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Send a new attempt after this delay.
    Retry(Duration),
    /// Return the outcome as it is.
    Stop,
}

/// Transport failures worth retrying: connect failures, timeouts, I/O errors (never TLS
/// errors or oversized bodies).
pub fn is_transient_transport(kind: TransportErrorKind) -> bool {
    matches!(kind, TransportErrorKind::Connect | TransportErrorKind::Timeout | TransportErrorKind::Io)
}

/// HTTP statuses worth retrying: 429, 502, 503, 504.
pub fn is_transient_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// The retry decision, a pure function.
///
/// - `attempts`: attempts made so far (1 after the first).
/// - `retry_safe`: whether the endpoint may be sent twice (reads). An unsafe call is retried
///   only after a failure that certainly never reached the server (a refused connection).
/// - `jitter`: a number in `[0, 1)` for the backoff.
///
/// Never retried: successes, business errors, decode errors, TLS errors, oversized bodies,
/// HTTP statuses other than 429/502/503/504, system errors not listed as transient.
pub fn decide(
    policy: &RetryPolicy,
    attempts: u32,
    outcome: &AttemptOutcome<'_>,
    retry_safe: bool,
    jitter: f64,
) -> RetryDecision {
    if attempts > policy.max_retries {
        return RetryDecision::Stop;
    }
    let (transient, reached_server, retry_after) = match *outcome {
        AttemptOutcome::Success | AttemptOutcome::Decode | AttemptOutcome::Invalid => {
            return RetryDecision::Stop;
        }
        AttemptOutcome::Transport(e) => (is_transient_transport(e.kind()), e.may_have_reached_server(), None),
        AttemptOutcome::Http { status, retry_after } => (is_transient_status(status), true, retry_after),
        AttemptOutcome::Api { kind: ApiErrorKind::Business, .. } => return RetryDecision::Stop,
        AttemptOutcome::Api { kind: ApiErrorKind::System, code } => {
            (code.as_i64().is_some_and(|c| policy.transient_system_codes.contains(&c)), true, None)
        }
    };
    if !transient || (reached_server && !retry_safe) {
        return RetryDecision::Stop;
    }
    let backoff = policy.backoff(attempts, jitter);
    match retry_after {
        Some(wait) if wait > policy.max_retry_after => RetryDecision::Stop,
        Some(wait) => RetryDecision::Retry(wait.max(backoff)),
        None => RetryDecision::Retry(backoff),
    }
}

/// Reads a `Retry-After` value: delta-seconds, or an HTTP date compared with `now_unix`.
pub fn parse_retry_after(value: &str, now_unix: u64) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    let at = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(at.saturating_sub(now_unix)))
}

impl Error {
    /// This error as a retry outcome (`now_unix` reads an HTTP-date `Retry-After`).
    pub fn outcome(&self, now_unix: u64) -> AttemptOutcome<'_> {
        match self {
            Error::Config(_) | Error::InvalidRequest(_) => AttemptOutcome::Invalid,
            Error::Transport { source, .. } => AttemptOutcome::Transport(source),
            Error::Http { response, .. } => http_outcome(response, now_unix),
            Error::Decode { .. } => AttemptOutcome::Decode,
            // A 429/502/503/504 says "try later" even when its body is a platform error.
            Error::Api { response, .. } if is_transient_status(response.status()) => {
                http_outcome(response, now_unix)
            }
            Error::Api { error, .. } => AttemptOutcome::Api { kind: error.kind, code: &error.code },
            Error::Page { source, .. } => source.outcome(now_unix),
            Error::Paging { .. } if self.kind() == crate::ErrorKind::InvalidRequest => {
                AttemptOutcome::Invalid
            }
            Error::Paging { .. } => AttemptOutcome::Decode,
        }
    }
}

fn http_outcome(response: &crate::HttpResponse, now_unix: u64) -> AttemptOutcome<'_> {
    AttemptOutcome::Http {
        status: response.status(),
        retry_after: response
            .headers()
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, now_unix)),
    }
}

/// Waits between attempts of a blocking call. Replace it in tests to never really sleep.
pub trait Sleeper: Send + Sync {
    /// Blocks the current thread for `duration`.
    fn sleep(&self, duration: Duration);
}

/// Waits with `std::thread::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadSleeper;

impl Sleeper for ThreadSleeper {
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

impl<F: Fn(Duration) + Send + Sync> Sleeper for F {
    fn sleep(&self, duration: Duration) {
        self(duration);
    }
}

/// Waits between attempts of an async call. Replace it in tests to never really sleep.
pub trait AsyncSleeper: Send + Sync {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// Waits with `tokio::time::sleep` on a tokio runtime; elsewhere (another executor with a
/// custom transport) with a timer thread, so a retry never panics for want of a runtime.
#[cfg(feature = "reqwest")]
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

#[cfg(feature = "reqwest")]
impl AsyncSleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Box::pin(tokio::time::sleep(duration));
        }
        let (done, wait) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            std::thread::sleep(duration);
            let _ = done.send(());
        });
        Box::pin(async move {
            let _ = wait.await;
        })
    }
}

impl<F, Fut> AsyncSleeper for F
where
    F: Fn(Duration) -> Fut + Send + Sync,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(self(duration))
    }
}
