//! When to try again: a pure decision, testable without I/O. (The waiting is in
//! [`crate::sleep`].)
//!
//! One rule says what is transient ([`is_transient`]); both the client's decision
//! ([`decide`]) and [`Error::is_retryable`](crate::Error::is_retryable) come from it.
//!
//! # Throttling
//!
//! A throttle answer — HTTP 429, or a platform error whose message contains 限流 ("rate
//! limited"), 繁忙 ("busy") or 频繁 ("too frequent"), the words the gateway's throttle
//! uses ([`is_throttle_message`]) — is retried for **writes as well as reads**, after its
//! `Retry-After` when it sends one, within the policy's `max_throttle_retries` (three times
//! `max_retries` by default: a throttle says "later", not "never"). The reasoning: a
//! throttle is the gateway's admission control, which refuses a request *before* passing
//! it to the service behind it, so nothing was done and sending it again cannot do it
//! twice. (A write whose response was lost, or that met a 5xx, is still never sent again:
//! that outcome is unknown.)
//!
//! Each throttle retry waits the `Retry-After` (or the backoff, whichever is longer) **plus**
//! up to `throttle_spread` (default 1 s, the gateway's window) scaled by the jitter: clients
//! throttled together (parallel processes, each with a limiter of its own) come back spread
//! over a window instead of all at once, and most of them fit in the next one.

use std::time::Duration;

use http::StatusCode;
use zv_transport::{TransportError, TransportErrorKind};
use zv_types::{ApiErrorKind, ResponseCode};

/// How a client retries. Every attempt is a new request: new timestamp, nonce and token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 2, so at most 3 attempts).
    pub max_retries: u32,
    /// Retries after a throttle answer (default 6, three times `max_retries`): a throttle
    /// did nothing and says "later", so it is worth more patience than a failure. A call
    /// makes at most [`max_attempts`](Self::max_attempts) attempts in all.
    pub max_throttle_retries: u32,
    /// The most added to a throttle retry's wait, scaled by the jitter (default 1 s): see
    /// [the module](self).
    pub throttle_spread: Duration,
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
            max_throttle_retries: 2 * THROTTLE_RETRY_FACTOR,
            throttle_spread: Duration::from_secs(1),
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
            transient_system_codes: Vec::new(),
        }
    }
}

/// How many times more retries a throttle answer gets than other transient failures, when
/// the retries are set with [`RetryPolicy::with_max_retries`] (or the builders'
/// `max_retries`).
pub const THROTTLE_RETRY_FACTOR: u32 = 3;

impl RetryPolicy {
    /// No retries at all, not even after a throttle.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, max_throttle_retries: 0, ..RetryPolicy::default() }
    }

    /// This policy with `max_retries` retries, and [`THROTTLE_RETRY_FACTOR`] times as many
    /// after a throttle answer (so `0` means no retry at all).
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self.max_throttle_retries = max_retries.saturating_mul(THROTTLE_RETRY_FACTOR);
        self
    }

    /// This policy with `retries` retries after a throttle answer.
    pub fn with_max_throttle_retries(mut self, retries: u32) -> Self {
        self.max_throttle_retries = retries;
        self
    }

    /// The most attempts a call makes: one, and the larger of the two retry counts.
    ///
    /// ```
    /// use zv_api::RetryPolicy;
    /// assert_eq!(RetryPolicy::default().max_attempts(), 7);
    /// assert_eq!(RetryPolicy::none().max_attempts(), 1);
    /// ```
    pub fn max_attempts(&self) -> u32 {
        self.max_retries.max(self.max_throttle_retries).saturating_add(1)
    }

    /// The jitter added to a throttle retry's wait: `throttle_spread` scaled by `jitter`
    /// (clamped into `[0, 1]` like [`backoff`](Self::backoff)'s).
    pub fn throttle_jitter(&self, jitter: f64) -> Duration {
        let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.0 };
        Duration::try_from_secs_f64(self.throttle_spread.as_secs_f64() * jitter)
            .map_or(self.throttle_spread, |d| d.min(self.throttle_spread))
    }

    /// Also retry system errors with these codes (for retry-safe endpoints).
    pub fn with_transient_system_codes(mut self, codes: impl IntoIterator<Item = i64>) -> Self {
        self.transient_system_codes = codes.into_iter().collect();
        self
    }

    /// The backoff before retry number `retry` (1-based): `base · 2^(retry-1)` capped at
    /// `max_delay`, then "equal jitter": half fixed, half scaled by `jitter` in `[0, 1]`.
    ///
    /// Total: any `jitter` (NaN and infinities count as 0, the rest is clamped into
    /// `[0, 1]`) and any durations give a delay, never a panic.
    pub fn backoff(&self, retry: u32, jitter: f64) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << retry.saturating_sub(1).min(20)).min(self.max_delay);
        let half = exp / 2;
        let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.0 };
        let extra = Duration::try_from_secs_f64(half.as_secs_f64() * jitter).map_or(half, |d| d.min(half));
        half.saturating_add(extra)
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
    /// The gateway refused the attempt for its rate limit before acting on it: HTTP 429,
    /// or a platform error whose message says so ([`is_throttle_message`]). Retried for
    /// reads and writes alike.
    Throttled {
        /// The server's `Retry-After`, if it sent one that could be read.
        retry_after: Option<Duration>,
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

/// The substrings of a platform message that mark a throttle answer: 限流 (rate limited),
/// 繁忙 (busy), 频繁 (too frequent).
pub const THROTTLE_MARKERS: [&str; 3] = ["限流", "繁忙", "频繁"];

/// Whether a platform error's message (as the platform sent it, not a display form) marks
/// a throttle answer: it contains one of [`THROTTLE_MARKERS`].
///
/// ```
/// use zv_api::retry::is_throttle_message;
/// assert!(is_throttle_message("接口限流,请稍后再试"));
/// assert!(is_throttle_message("系统繁忙"));
/// assert!(is_throttle_message("请求过于频繁"));
/// assert!(!is_throttle_message("查询的信息不存在"));
/// ```
pub fn is_throttle_message(message: &str) -> bool {
    THROTTLE_MARKERS.iter().any(|marker| message.contains(marker))
}

/// What the retry rule reads from a failed attempt that may be worth another.
struct Transience {
    /// Whether the failure is of a transient kind.
    transient: bool,
    /// Whether the request may have been acted on (it may have reached the server and was
    /// not refused at the door): then only a retry-safe call is sent again.
    may_have_acted: bool,
    /// The server's `Retry-After`.
    retry_after: Option<Duration>,
    /// Whether the gateway refused it for its rate limit.
    throttle: bool,
}

/// The one rule: `None` for an outcome never retried, else what matters for a retry.
fn transience(policy: &RetryPolicy, outcome: &AttemptOutcome<'_>) -> Option<Transience> {
    let throttle = is_throttle(outcome);
    let (transient, may_have_acted, retry_after) = match *outcome {
        AttemptOutcome::Success
        | AttemptOutcome::Decode
        | AttemptOutcome::Invalid
        | AttemptOutcome::Api { kind: ApiErrorKind::Business, .. } => return None,
        AttemptOutcome::Transport(e) => (is_transient_transport(e.kind()), e.may_have_reached_server(), None),
        // Refused at the door: nothing was done, whatever the call.
        AttemptOutcome::Throttled { retry_after }
        | AttemptOutcome::Http { status: StatusCode::TOO_MANY_REQUESTS, retry_after } => {
            (true, false, retry_after)
        }
        AttemptOutcome::Http { status, retry_after } => (is_transient_status(status), true, retry_after),
        AttemptOutcome::Api { kind: ApiErrorKind::System, code } => {
            (code.as_i64().is_some_and(|c| policy.transient_system_codes.contains(&c)), true, None)
        }
    };
    Some(Transience { transient, may_have_acted, retry_after, throttle })
}

/// Whether `outcome` is a throttle answer: [`AttemptOutcome::Throttled`] or HTTP 429.
pub fn is_throttle(outcome: &AttemptOutcome<'_>) -> bool {
    matches!(
        outcome,
        AttemptOutcome::Throttled { .. } | AttemptOutcome::Http { status: StatusCode::TOO_MANY_REQUESTS, .. }
    )
}

/// Whether `outcome` is a transient failure under `policy` (whether the call may be sent
/// again is [`decide`]'s business: it also weighs retry safety, attempts and `Retry-After`).
pub fn is_transient(policy: &RetryPolicy, outcome: &AttemptOutcome<'_>) -> bool {
    transience(policy, outcome).is_some_and(|t| t.transient)
}

/// The retry decision, a pure function.
///
/// - `attempts`: attempts made so far (1 after the first).
/// - `retry_safe`: whether the endpoint may be sent twice (reads). An unsafe call is retried
///   only after a failure that certainly did nothing: a refused connection, or a throttle
///   answer ([`AttemptOutcome::Throttled`], HTTP 429; see [the module](self)).
/// - `jitter`: a number in `[0, 1)` for the backoff.
///
/// The delay is the backoff, or the server's `Retry-After` when that is longer (one longer
/// than the policy's `max_retry_after` means no retry); a throttle answer's delay has
/// [`RetryPolicy::throttle_jitter`] added, and it is retried up to `max_throttle_retries`
/// times instead of `max_retries`. Never retried: successes, business
/// errors that are not throttles, decode errors, TLS errors, oversized bodies, HTTP
/// statuses other than 429/502/503/504, system errors not throttles nor listed as transient.
pub fn decide(
    policy: &RetryPolicy,
    attempts: u32,
    outcome: &AttemptOutcome<'_>,
    retry_safe: bool,
    jitter: f64,
) -> RetryDecision {
    let Some(t) = transience(policy, outcome) else {
        return RetryDecision::Stop;
    };
    let max = if t.throttle { policy.max_throttle_retries } else { policy.max_retries };
    if attempts > max || !t.transient || (t.may_have_acted && !retry_safe) {
        return RetryDecision::Stop;
    }
    let backoff = policy.backoff(attempts, jitter);
    let delay = match t.retry_after {
        Some(wait) if wait > policy.max_retry_after => return RetryDecision::Stop,
        Some(wait) => wait.max(backoff),
        None => backoff,
    };
    if t.throttle {
        RetryDecision::Retry(delay.saturating_add(policy.throttle_jitter(jitter)))
    } else {
        RetryDecision::Retry(delay)
    }
}

/// Reads a `Retry-After` value: delta-seconds, or an HTTP date compared with `now_unix`.
///
/// Fractional seconds (`1.5`, sent by some servers) round up. A number too large to
/// represent is [`Duration::MAX`] — "too long", so [`decide`] does not retry — never
/// "absent". `None` only for a value that is neither a number nor a date.
///
/// ```
/// use std::time::Duration;
/// use zv_api::retry::parse_retry_after;
/// assert_eq!(parse_retry_after("1.2", 0), Some(Duration::from_secs(2)));
/// assert_eq!(parse_retry_after("99999999999999999999999", 0), Some(Duration::MAX));
/// assert_eq!(parse_retry_after("soon", 0), None);
/// ```
pub fn parse_retry_after(value: &str, now_unix: u64) -> Option<Duration> {
    let v = value.trim();
    let (whole, fraction) = match v.split_once('.') {
        Some((_, "")) => ("", ""), // `1.` is not a number
        Some(parts) => parts,
        None => (v, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !whole.is_empty() && digits(whole) && digits(fraction) {
        let Ok(secs) = whole.parse::<u64>() else {
            return Some(Duration::MAX); // only digits, so too many of them
        };
        let round_up = u64::from(fraction.bytes().any(|b| b != b'0'));
        return Some(secs.checked_add(round_up).map_or(Duration::MAX, Duration::from_secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    let at = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(at.saturating_sub(now_unix)))
}

/// Where the backoff's jitter comes from, injected like the clock and the nonce source
/// (tests pass a constant). Any `Fn() -> f64` is one.
pub trait Jitter: Send + Sync {
    /// A number in `[0, 1)`; anything else is clamped into it.
    fn next_jitter(&self) -> f64;
}

/// Uniformly random jitter (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomJitter;

impl Jitter for RandomJitter {
    fn next_jitter(&self) -> f64 {
        fastrand::f64()
    }
}

impl<F: Fn() -> f64 + Send + Sync> Jitter for F {
    fn next_jitter(&self) -> f64 {
        self()
    }
}
