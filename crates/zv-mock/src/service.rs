//! The axum service: one request through the checks, the endpoint table (or the recording
//! proxy), the rate limit and the faults, then logged.

use std::sync::Arc;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use http::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use http::{Method, StatusCode};

use crate::checks::{self, Incoming, MAX_REQUEST_BYTES, Rejection, Verified};
use crate::record::{self, Outcome};
use crate::render::{JSON, Representation, json_response, respond};
use crate::routing::RouteKey;
use crate::state::{Shared, lock};
use crate::{LogEntry, THROTTLED_CODE, Verdict, fault, handlers, rate, routing};

/// The axum handler for every method and path.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let mut entry = LogEntry::new(parts.method.as_str(), parts.uri.path());
    let trace = shared.trace_id();
    entry.trace_id = Some(trace.clone());
    let style = |seed| Representation::new(shared.messy, seed).traced(&trace);
    let body = if parts.method == Method::POST { Some(read_body(&shared, body).await) } else { None };
    // A header that is not text is not JSON's either: the check names it as unreadable.
    let content_type = parts.headers.get(CONTENT_TYPE).map(|v| v.to_str().unwrap_or("(not text)"));

    let verified = match checks::verify(&shared, &mut entry, Incoming { body, content_type }) {
        Ok(verified) => verified,
        Err(rejection) => return reject(&shared, entry, &rejection, &style(0)),
    };
    let route = RouteKey::of_request(&entry.path, &verified);
    let run = match &shared.recorder {
        Some(_) => record::upstream_request(&route, &verified.raw_params).map(|_| None),
        None => shared.endpoints.route(&entry.path, &verified).map(Some),
    };
    let run = match run.and_then(|run| checks::documented(&shared, &route, &verified.params).map(|()| run)) {
        Ok(run) => run,
        Err(rejection) => return reject(&shared, entry, &rejection, &style(0)),
    };
    let now = (shared.monotonic)();
    if let Err(limit) = lock(&shared.rate).admit(&route.to_string(), now) {
        entry.verdict = Verdict::Throttled { limit };
        entry.http_status = StatusCode::TOO_MANY_REQUESTS.as_u16();
        shared.record(entry);
        let body = style(0).error(false, THROTTLED_CODE, &rate::message(&route.to_string(), limit));
        let mut response = respond(StatusCode::TOO_MANY_REQUESTS, JSON, Body::from(body));
        response.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    }
    let Some(run) = run else {
        return forward(shared.clone(), entry, route, verified, style(0)).await;
    };

    let user_id = handlers::text(&verified.params["user_id"]);
    let applied = lock(&shared.faults).take(user_id.as_deref());
    let mut answer_style = style(verified.nonce);
    let answer = |entry: &mut LogEntry| {
        let now = shared.clock.now_unix_seconds();
        routing::run(run, &verified.params, &shared.fixtures, now, &mut answer_style).unwrap_or_else(
            |rejection| {
                let body = rejection.body(&style(0));
                entry.verdict = verdict(&rejection);
                body
            },
        )
    };
    fault::respond(&shared, entry, applied, &style(0), answer).await
}

/// The answer of a rejected request, logged.
fn reject(shared: &Shared, mut entry: LogEntry, rejection: &Rejection, style: &Representation) -> Response {
    let body = rejection.body(style);
    entry.verdict = verdict(rejection);
    shared.record(entry);
    json_response(body)
}

/// The recording proxy's answer: the upstream's, unchanged, or the mock's own error.
async fn forward(
    shared: Arc<Shared>,
    mut entry: LogEntry,
    route: RouteKey,
    verified: Verified,
    style: Representation,
) -> Response {
    let worker = Arc::clone(&shared);
    // The SDK's blocking client, off the server's threads.
    let outcome = tokio::task::spawn_blocking(move || {
        worker.recorder.as_ref().map(|recorder| recorder.forward(&route, &verified.raw_params))
    })
    .await;
    let (status, content_type, body, note) = match outcome {
        Ok(Some(Ok(Outcome::Upstream { status, content_type, body, note }))) => {
            (status, content_type, body, note)
        }
        Ok(Some(Ok(Outcome::Failed { status, code, message, note }))) => {
            let content_type = Some(HeaderValue::from_static(JSON));
            (status, content_type, style.error(false, code, &message), note.to_owned())
        }
        Ok(Some(Err(rejection))) => return reject(&shared, entry, &rejection, &style),
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

/// The body, at most [`MAX_REQUEST_BYTES`], if it arrives within the header timeout.
async fn read_body(shared: &Shared, body: Body) -> Result<Bytes, String> {
    let limit = shared.header_timeout;
    match tokio::time::timeout(limit, to_bytes(body, MAX_REQUEST_BYTES)).await {
        Ok(read) => {
            read.map_err(|e| format!("cannot read the body (at most {MAX_REQUEST_BYTES} bytes): {e}"))
        }
        Err(_) => Err(format!("the body did not arrive within {limit:?}")),
    }
}

fn verdict(rejection: &Rejection) -> Verdict {
    Verdict::Rejected { check: rejection.check, message: rejection.message.clone() }
}
