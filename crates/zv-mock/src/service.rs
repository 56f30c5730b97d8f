//! The axum service: one request through the checks, the endpoint table (or the recording
//! proxy), the rate limit and the faults, then logged. The part without I/O ([`admit`] and
//! [`answer`]) is also the [`Verifier`]'s: the mock's handling of a request without a server.

use std::sync::Arc;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use http::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use http::{Method, StatusCode};

use crate::checks::{self, Incoming, MAX_REQUEST_BYTES, Rejection, Verified};
use crate::record::{self, Outcome};
use crate::render::{JSON, Representation, respond};
use crate::routing::{RouteKey, Run};
use crate::state::{Shared, lock};
use crate::{LogEntry, MockConfig, THROTTLED_CODE, Verdict, fault, handlers, rate, routing};

/// The axum handler for every method and path.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let entry = LogEntry::new(parts.method.as_str(), parts.uri.path());
    let body = if parts.method == Method::POST { Some(read_body(&shared, body).await) } else { None };
    // A header that is not text is not JSON's either: the check names it as unreadable.
    let content_type = parts.headers.get(CONTENT_TYPE).map(|v| v.to_str().unwrap_or("(not text)"));
    match admit(&shared, entry, Incoming { body, content_type }) {
        Admitted::Done(reply) => reply.into_response(),
        Admitted::Forward(entry, route, verified) => forward(shared.clone(), entry, route, verified).await,
        Admitted::Run(entry, run, verified) => {
            let user_id = handlers::text(&verified.params["user_id"]);
            let applied = lock(&shared.faults).take(user_id.as_deref());
            let style = style(&shared, &entry, 0);
            fault::respond(&shared, entry, applied, &style, |entry| answer(&shared, run, &verified, entry))
                .await
        }
    }
}

/// An answer the mock wrote itself: a refusal or a throttled request.
pub(crate) struct Reply {
    status: StatusCode,
    body: Vec<u8>,
    /// Whether it says `Retry-After: 1` (throttled).
    retry_after: bool,
}

impl Reply {
    fn into_response(self) -> Response {
        let mut response = respond(self.status, JSON, Body::from(self.body));
        if self.retry_after {
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// What the checks, the route and the rate limit make of a request.
pub(crate) enum Admitted {
    /// Answered already (refused or throttled), and logged.
    Done(Reply),
    /// For the recording proxy.
    Forward(LogEntry, RouteKey, Verified),
    /// For the endpoint: [`answer`] writes its body.
    Run(LogEntry, Run, Verified),
}

/// The answers' style: messy or not (seeded), with the request's `traceId`.
fn style(shared: &Shared, entry: &LogEntry, seed: u64) -> Representation {
    Representation::new(shared.messy, seed).traced(entry.trace_id.as_deref().unwrap_or_default())
}

/// Checks 1 to 9 (the checks, the route and its params), and the rate limit: a request
/// refused or throttled is answered and logged here.
pub(crate) fn admit(shared: &Shared, mut entry: LogEntry, incoming: Incoming<'_>) -> Admitted {
    entry.trace_id = Some(shared.trace_id());
    let verified = match checks::verify(shared, &mut entry, incoming) {
        Ok(verified) => verified,
        Err(rejection) => return Admitted::Done(reject(shared, entry, &rejection)),
    };
    let route = RouteKey::of_request(&entry.path, &verified);
    let run = match &shared.recorder {
        Some(_) => record::upstream_request(&route, &verified.raw_params).map(|_| None),
        None => shared.endpoints.route(&entry.path, &verified).map(Some),
    };
    let run = match run.and_then(|run| checks::documented(shared, &route, &verified.params).map(|()| run)) {
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
pub(crate) fn answer(shared: &Shared, run: Run, verified: &Verified, entry: &mut LogEntry) -> Vec<u8> {
    let now = shared.clock.now_unix_seconds();
    let mut answer_style = style(shared, entry, verified.nonce);
    routing::run(run, &verified.params, &shared.fixtures, now, &mut answer_style).unwrap_or_else(
        |rejection| {
            entry.verdict = verdict(&rejection);
            rejection.body(&style(shared, entry, 0))
        },
    )
}

/// The answer of a rejected request, logged.
fn reject(shared: &Shared, mut entry: LogEntry, rejection: &Rejection) -> Reply {
    let body = rejection.body(&style(shared, &entry, 0));
    entry.verdict = verdict(rejection);
    shared.record(entry);
    Reply { status: StatusCode::OK, body, retry_after: false }
}

/// The recording proxy's answer: the upstream's, unchanged, or the mock's own error.
async fn forward(shared: Arc<Shared>, mut entry: LogEntry, route: RouteKey, verified: Verified) -> Response {
    let worker = Arc::clone(&shared);
    // The SDK's blocking client, off the server's threads.
    let outcome = tokio::task::spawn_blocking(move || {
        worker.recorder.as_ref().map(|recorder| recorder.forward(&route, &verified.raw_params))
    })
    .await;
    let style = style(&shared, &entry, 0);
    let (status, content_type, body, note) = match outcome {
        Ok(Some(Ok(Outcome::Upstream { status, content_type, body, note }))) => {
            (status, content_type, body, note)
        }
        Ok(Some(Ok(Outcome::Failed { status, code, message, note }))) => {
            let content_type = Some(HeaderValue::from_static(JSON));
            (status, content_type, style.error(false, code, &message), note.to_owned())
        }
        Ok(Some(Err(rejection))) => return reject(&shared, entry, &rejection).into_response(),
        Ok(None) | Err(_) => {
            let body = style.error(false, record::UPSTREAM_FAILED_CODE, "the recording proxy failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Some(HeaderValue::from_static(JSON)),
                body,
                "failed".to_owned(),
            )
        }
    };
    entry.upstream = Some(note);
    entry.http_status = status.as_u16();
    shared.record(entry);
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    if let Some(content_type) = content_type {
        response.headers_mut().insert(CONTENT_TYPE, content_type);
    }
    response
}

/// Why a body over [`MAX_REQUEST_BYTES`] is not read.
fn body_too_large(reason: impl std::fmt::Display) -> String {
    format!("cannot read the body (at most {MAX_REQUEST_BYTES} bytes): {reason}")
}

/// The body, at most [`MAX_REQUEST_BYTES`], if it arrives within the header timeout.
async fn read_body(shared: &Shared, body: Body) -> Result<Bytes, String> {
    let limit = shared.header_timeout;
    match tokio::time::timeout(limit, to_bytes(body, MAX_REQUEST_BYTES)).await {
        Ok(read) => read.map_err(body_too_large),
        Err(_) => Err(format!("the body did not arrive within {limit:?}")),
    }
}

fn verdict(rejection: &Rejection) -> Verdict {
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
    shared: Arc<Shared>,
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
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        Verifier { shared: Arc::new(Shared::new(MockConfig { record: None, ..config }, None, stopped)) }
    }

    /// Handles one request: its method, URL path, `Content-Type` and body (a body larger
    /// than the server reads is refused as the server refuses it; a method other than
    /// `POST` has its body ignored).
    pub fn handle(&self, method: &str, path: &str, content_type: Option<&str>, body: &[u8]) -> Answered {
        let shared = &self.shared;
        let entry = LogEntry::new(method, path);
        let body = (method == Method::POST.as_str()).then(|| match body.len() {
            n if n > MAX_REQUEST_BYTES => Err(body_too_large("length limit exceeded")),
            _ => Ok(Bytes::copy_from_slice(body)),
        });
        let reply = match admit(shared, entry, Incoming { body, content_type }) {
            Admitted::Done(reply) => reply,
            // The recorder is never set here.
            Admitted::Forward(entry, ..) => {
                let rejection = Rejection::new(crate::Check::Route, "no recording proxy here");
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
        lock(&self.shared.log).entries().cloned().collect()
    }
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier").finish_non_exhaustive()
    }
}
