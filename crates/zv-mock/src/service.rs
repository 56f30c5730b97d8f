//! The axum service: one request through the checks, the endpoint table and the faults,
//! then logged.

use std::sync::Arc;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use http::Method;

use crate::checks::{self, MAX_REQUEST_BYTES, Rejection};
use crate::render::{Representation, json_response};
use crate::state::{Shared, lock};
use crate::{LogEntry, Verdict, fault, handlers, routing};

/// The axum handler for every method and path.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let mut entry = LogEntry::new(parts.method.as_str(), parts.uri.path());
    let body = if parts.method == Method::POST { Some(read_body(&shared, body).await) } else { None };

    let routed = checks::verify(&shared, &mut entry, body)
        .and_then(|verified| Ok((shared.endpoints.route(&entry.path, &verified)?, verified)));
    let (run, verified) = match routed {
        Ok(routed) => routed,
        Err(rejection) => {
            let body = rejection.body(shared.messy);
            entry.verdict = verdict(rejection);
            shared.record(entry);
            return json_response(body);
        }
    };

    let user_id = handlers::text(&verified.params["user_id"]);
    let applied = lock(&shared.faults).take(user_id.as_deref());
    let mut style = Representation::new(shared.messy, verified.nonce);
    let answer = |entry: &mut LogEntry| {
        let now = shared.clock.now_unix_seconds();
        routing::run(run, &verified.params, &shared.fixtures, now, &mut style).unwrap_or_else(|rejection| {
            let body = rejection.body(shared.messy);
            entry.verdict = verdict(rejection);
            body
        })
    };
    fault::respond(&shared, entry, applied, answer).await
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

fn verdict(rejection: Rejection) -> Verdict {
    Verdict::Rejected { check: rejection.check, message: rejection.message }
}
