//! The service every connection runs: reads a request (its body bounded in size and time),
//! hands it to the gateway (or, recording, forwards it upstream), and sends the answer.

use std::sync::Arc;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST, HeaderValue, RETRY_AFTER};
use http::request::Parts;
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Limited};

use super::address::{base_url, is_address};
use super::body::{self, Body, full, respond};
use super::state::Shared;
use crate::gateway::{Admitted, Reply, admit, body_too_large};
use crate::model::{Incoming, JSON, LogEntry, MAX_REQUEST_BYTES};

/// The answer to one request.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    request: http::Request<hyper::body::Incoming>,
) -> http::Response<Body> {
    let (parts, body) = request.into_parts();
    let entry = LogEntry::new(parts.method.as_str(), parts.uri.path());
    if shared.forwarding()
        && let Some(reply) = foreign_host(&shared, &parts, entry.clone())
    {
        return into_response(reply);
    }
    let body = if parts.method == Method::POST { Some(read_body(&shared, body).await) } else { None };
    // A header that is not text is not JSON's either: the check names it as unreadable.
    let content_type = parts.headers.get(CONTENT_TYPE).map(|v| v.to_str().unwrap_or("(not text)"));
    let gateway = &shared.gateway;
    match admit(gateway, entry, Incoming { body, content_type }, shared.forwarding()) {
        Admitted::Done(reply) => into_response(reply),
        Admitted::Run(entry, run, verified) => {
            let shaped = crate::gateway::respond(gateway, entry, run, &verified);
            body::send(&shared, shaped).await
        }
        #[cfg(feature = "record")]
        Admitted::Forward(entry, route, verified) => forward(shared, entry, route, verified).await,
        #[cfg(not(feature = "record"))]
        Admitted::Forward(entry, ..) => {
            // `forwarding` is never true without the recorder.
            let rejection =
                crate::model::Rejection::new(crate::model::Check::Route, "no recording proxy here");
            into_response(crate::gateway::reject(gateway, entry, &rejection))
        }
    }
}

/// The HTTP response of an answer the mock wrote itself.
pub(crate) fn into_response(reply: Reply) -> http::Response<Body> {
    let mut response = respond(reply.status, HeaderValue::from_static(JSON), full(reply.body));
    if reply.retry_after {
        response.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

/// The recording proxy's answer: the upstream's, unchanged, or the mock's own error.
#[cfg(feature = "record")]
async fn forward(
    shared: Arc<Shared>,
    mut entry: LogEntry,
    route: crate::model::RouteKey,
    verified: crate::model::Verified,
) -> http::Response<Body> {
    use crate::record::Outcome;
    let worker = Arc::clone(&shared);
    // The SDK's blocking client, off the server's threads.
    let outcome = tokio::task::spawn_blocking(move || {
        worker
            .recorder
            .as_ref()
            .map(|recorder| recorder.forward(&route, &verified.raw_params, &verified.token))
    })
    .await;
    let gateway = &shared.gateway;
    let style = crate::gateway::style(gateway, &entry, 0);
    let json = || Some(HeaderValue::from_static(JSON));
    let (status, content_type, body, note) = match outcome {
        Ok(Some(Ok(Outcome::Upstream { status, content_type, body, note }))) => {
            (status, content_type, body, note)
        }
        Ok(Some(Ok(Outcome::Failed { status, code, message, note }))) => {
            (status, json(), style.error(false, code, &message), note.to_owned())
        }
        Ok(Some(Err(rejection))) => return into_response(crate::gateway::reject(gateway, entry, &rejection)),
        Ok(None) | Err(_) => {
            let body = style.error(false, crate::model::UPSTREAM_FAILED_CODE, "the recording proxy failed");
            (StatusCode::INTERNAL_SERVER_ERROR, json(), body, "failed".to_owned())
        }
    };
    entry.upstream = Some(note);
    entry.http_status = status.as_u16();
    gateway.record(entry);
    let mut response = http::Response::new(full(body));
    *response.status_mut() = status;
    if let Some(content_type) = content_type {
        response.headers_mut().insert(CONTENT_TYPE, content_type);
    }
    response
}

/// The recording proxy serves only requests addressed to the loopback address it listens
/// on: a web page that made its own host name resolve to 127.0.0.1 (DNS rebinding) sends
/// its own name as `Host`, and is refused here (HTTP 403), before anything is read.
fn foreign_host(shared: &Shared, parts: &Parts, mut entry: LogEntry) -> Option<Reply> {
    // Set before the server accepts its first connection.
    let local = *shared.local.get()?;
    // HTTP/2 names the authority in the URI; HTTP/1.1 in `Host`.
    let authority = parts
        .uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| parts.headers.get(HOST).and_then(|h| h.to_str().ok()).map(str::to_owned));
    if authority.as_deref().is_some_and(|a| is_address(a, local, shared.tls)) {
        return None;
    }
    let shown = authority.as_deref().map_or_else(|| "no Host".to_owned(), |a| format!("Host {a:?}"));
    let message = format!(
        "the recording proxy serves only requests to {}, not {shown}: it signs with real credentials, \
         so it does not answer another name for this address (DNS rebinding)",
        base_url(local, shared.tls)
    );
    let rejection = crate::model::Rejection::new(crate::model::Check::Credentials, message);
    entry.trace_id = Some(shared.gateway.trace_id());
    entry.http_status = StatusCode::FORBIDDEN.as_u16();
    let mut reply = crate::gateway::reject(&shared.gateway, entry, &rejection);
    reply.status = StatusCode::FORBIDDEN;
    Some(reply)
}

/// The body, at most [`MAX_REQUEST_BYTES`], if it arrives within the header timeout.
async fn read_body(shared: &Shared, body: hyper::body::Incoming) -> Result<Bytes, String> {
    let limit = shared.header_timeout;
    match tokio::time::timeout(limit, Limited::new(body, MAX_REQUEST_BYTES).collect()).await {
        Ok(read) => read.map(|collected| collected.to_bytes()).map_err(body_too_large),
        Err(_) => Err(format!("the body did not arrive within {limit:?}")),
    }
}
