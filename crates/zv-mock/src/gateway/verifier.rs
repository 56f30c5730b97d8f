//! One request through the checks, the route (the endpoint table, or the recording proxy's
//! route check), the rate limit, then answered by the endpoint and logged: without I/O, so
//! the server ([`admit`], [`answer`]) and the [`Verifier`] share it.

use bytes::Bytes;
use http::{Method, StatusCode};

use super::checks;
use super::config::MockConfig;
use super::endpoints::{self, Run};
use super::faults::{self, Shaped};
use super::handlers::text;
use super::rate::{self, THROTTLED_CODE};
use super::state::Gateway;
use crate::model::{
    Check, Incoming, LogEntry, MAX_REQUEST_BYTES, Rejection, Representation, RouteKey, Verdict, Verified,
    lock,
};

/// An answer the mock wrote itself: a refusal or a throttled request.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
    /// Whether it says `Retry-After: 1` (throttled).
    pub(crate) retry_after: bool,
}

/// What the checks, the route and the rate limit make of a request.
pub(crate) enum Admitted {
    /// Answered already (refused or throttled), and logged.
    Done(Reply),
    /// For the recording proxy.
    #[cfg_attr(not(feature = "record"), allow(dead_code))]
    Forward(LogEntry, RouteKey, Verified),
    /// For the endpoint: [`answer`] writes its body.
    Run(LogEntry, Run, Verified),
}

/// The answers' style: messy or not (seeded), with the request's `traceId`.
pub(crate) fn style(shared: &Gateway, entry: &LogEntry, seed: u64) -> Representation {
    Representation::new(shared.messy, seed).traced(entry.trace_id.as_deref().unwrap_or_default())
}

/// Checks 1 to 9 (the checks, the route and its params), and the rate limit: a request
/// refused or throttled is answered and logged here. When `forwarding` (the recording
/// proxy), the route is one the SDK could send upstream instead of one of the table.
pub(crate) fn admit(
    shared: &Gateway,
    mut entry: LogEntry,
    incoming: Incoming<'_>,
    forwarding: bool,
) -> Admitted {
    entry.trace_id = Some(shared.trace_id());
    let verified = match checks::verify(&shared.policy, &shared.nonces, &mut entry, incoming) {
        Ok(verified) => verified,
        Err(rejection) => return Admitted::Done(reject(shared, entry, &rejection)),
    };
    let route = RouteKey::of_request(&entry.path, &verified);
    let strict = shared.policy.strict;
    let run = match forwarding {
        true => route
            .sdk_route()
            .and_then(|_| checks::documented(strict, &route, &verified.params))
            .map(|()| None),
        false => shared.endpoints.route(&entry.path, &verified, strict).map(Some),
    };
    let run = match run {
        Ok(run) => run,
        Err(rejection) => return Admitted::Done(reject(shared, entry, &rejection)),
    };
    let now = (shared.monotonic)();
    if let Err(limit) = lock(&shared.rate).admit(&route.to_string(), now) {
        let body =
            style(shared, &entry, 0).error(false, THROTTLED_CODE, &rate::message(&route.to_string(), limit));
        entry.verdict = Verdict::Throttled { limit };
        entry.http_status = StatusCode::TOO_MANY_REQUESTS.as_u16();
        shared.record(entry);
        return Admitted::Done(Reply { status: StatusCode::TOO_MANY_REQUESTS, body, retry_after: true });
    }
    match run {
        Some(run) => Admitted::Run(entry, run, verified),
        None => Admitted::Forward(entry, route, verified),
    }
}

/// The body of the endpoint's answer to an admitted request; a refusal of its params by the
/// endpoint itself is written into `entry`'s verdict.
pub(crate) fn answer(shared: &Gateway, run: Run, verified: &Verified, entry: &mut LogEntry) -> Vec<u8> {
    let now = shared.policy.clock.now_unix_seconds();
    let mut answer_style = style(shared, entry, verified.nonce);
    endpoints::run(run, &verified.params, &shared.fixtures, now, &mut answer_style).unwrap_or_else(
        |rejection| {
            entry.verdict = verdict(&rejection);
            rejection.body(&style(shared, entry, 0))
        },
    )
}

/// The answer to a request admitted for the endpoint: the fault it gets (the member's, or the
/// next queued one) applied to the endpoint's answer; logged.
pub(crate) fn respond(shared: &Gateway, entry: LogEntry, run: Run, verified: &Verified) -> Shaped {
    let user_id = text(&verified.params["user_id"]);
    let applied = lock(&shared.faults).take(user_id.as_deref());
    let style = style(shared, &entry, 0);
    faults::shape(
        |entry| shared.record(entry),
        entry,
        applied,
        &style,
        |entry| answer(shared, run, verified, entry),
    )
}

/// The answer of a rejected request, logged.
pub(crate) fn reject(shared: &Gateway, mut entry: LogEntry, rejection: &Rejection) -> Reply {
    let body = rejection.body(&style(shared, &entry, 0));
    entry.verdict = verdict(rejection);
    shared.record(entry);
    Reply { status: StatusCode::OK, body, retry_after: false }
}

/// Why a body over [`MAX_REQUEST_BYTES`] is not read.
pub(crate) fn body_too_large(reason: impl std::fmt::Display) -> String {
    format!("cannot read the body (at most {MAX_REQUEST_BYTES} bytes): {reason}")
}

pub(crate) fn verdict(rejection: &Rejection) -> Verdict {
    Verdict::Rejected { check: rejection.check, message: rejection.message.clone() }
}

/// The mock's handling of one request, without a server or a socket: the checks (method,
/// JSON, envelope, credentials, timestamp, signature, nonce), the route and its params, the
/// rate limit, and the endpoint's answer — what [`MockServer`](crate::MockServer) does with a
/// request, but the connection, the [faults](crate::Fault) and the recording proxy (a
/// [`MockConfig::record`] is not opened). Each request is logged as the server logs it
/// ([`Verifier::log`], the observer). For fuzzing the request parsing, and for tests.
///
/// ```
/// use zv_mock::{Check, MockConfig, Verdict, Verifier};
///
/// let verifier = Verifier::new(MockConfig::new());
/// let answer = verifier.handle("POST", "/v3/coupon/exchange/getExchangeCodeStatus", Some("application/json"), b"{}");
/// assert_eq!(answer.status, 200);
/// assert!(answer.body.starts_with(br#"{"status":false"#));
/// let logged = verifier.log().pop().unwrap();
/// assert!(matches!(logged.verdict, Verdict::Rejected { check: Check::Envelope, .. }));
/// ```
pub struct Verifier {
    gateway: Gateway,
}

/// What the mock answers to one request ([`Verifier::handle`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    /// The HTTP status: 200, or 429 for a throttled request.
    pub status: u16,
    /// The body: the platform's envelope, with `data` or an error.
    pub body: Vec<u8>,
}

impl Verifier {
    /// A verifier configured as a [`MockServer`](crate::MockServer) started with `config`
    /// would be (its address, TLS, connection limits and recording are not used).
    pub fn new(config: MockConfig) -> Verifier {
        Verifier { gateway: Gateway::new(config) }
    }

    /// Handles one request: its method, URL path, `Content-Type` and body (a body larger
    /// than the server reads is refused as the server refuses it; a method other than
    /// `POST` has its body ignored).
    pub fn handle(&self, method: &str, path: &str, content_type: Option<&str>, body: &[u8]) -> Answered {
        let shared = &self.gateway;
        let entry = LogEntry::new(method, path);
        let body = (method == Method::POST.as_str()).then(|| match body.len() {
            n if n > MAX_REQUEST_BYTES => Err(body_too_large("length limit exceeded")),
            _ => Ok(Bytes::copy_from_slice(body)),
        });
        let reply = match admit(shared, entry, Incoming { body, content_type }, false) {
            Admitted::Done(reply) => reply,
            // The recorder is never set here.
            Admitted::Forward(entry, ..) => {
                let rejection = Rejection::new(Check::Route, "no recording proxy here");
                reject(shared, entry, &rejection)
            }
            Admitted::Run(mut entry, run, verified) => {
                let body = answer(shared, run, &verified, &mut entry);
                shared.record(entry);
                Reply { status: StatusCode::OK, body, retry_after: false }
            }
        };
        Answered { status: reply.status.as_u16(), body: reply.body }
    }

    /// The requests handled so far (the newest that fit the log's capacity).
    pub fn log(&self) -> Vec<LogEntry> {
        self.gateway.log()
    }
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier").finish_non_exhaustive()
    }
}
