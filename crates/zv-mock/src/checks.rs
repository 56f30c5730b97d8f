//! The gateway's checks before routing: method, JSON, envelope, credentials, timestamp,
//! signature, nonce (checks 1 to 7; the route and params checks are the table's, in
//! [`routing`](crate::routing)).

use std::time::Duration;

use axum::body::Bytes;
use serde::Deserialize;
use serde_json::Value;
use zv_types::{Protocol, V2Request, V3Request};

use crate::log::{MESSAGE_CHARS, printable};
use crate::render::Representation;
use crate::state::{Shared, lock};
use crate::{Check, LogEntry};

/// The largest request body read (1 MiB); a larger one, or one that does not arrive in time,
/// fails the `json` check.
pub(crate) const MAX_REQUEST_BYTES: usize = 1 << 20;
/// The URL path of every V2 request.
pub(crate) const V2_PATH: &str = "/api/v2";

/// A failed check.
#[derive(Debug)]
pub(crate) struct Rejection {
    pub(crate) check: Check,
    pub(crate) message: String,
}

impl Rejection {
    /// A rejection whose message is cut short and made printable: it may quote what the
    /// client sent, and is both answered and logged.
    pub(crate) fn new(check: Check, message: impl Into<String>) -> Rejection {
        let message = message.into();
        Rejection { check, message: printable(&message, MESSAGE_CHARS).into_owned() }
    }

    /// The platform's system-error answer: `{"status":false,"code":<code>,"message":"<label>: <detail>"}`.
    pub(crate) fn body(&self, messy: bool) -> Vec<u8> {
        let text = format!("{}: {}", self.check.label(), self.message);
        Representation::new(messy, 0).error(false, self.check.code(), &text)
    }
}

/// A request that passed checks 1 to 7: authentic, fresh, not a replay.
pub(crate) struct Verified {
    pub(crate) protocol: Protocol,
    /// The V2 `Action` (V2 only).
    pub(crate) action: Option<String>,
    pub(crate) nonce: u64,
    /// The business params, as sent.
    pub(crate) params: Value,
}

/// The common fields of both envelopes.
struct Envelope {
    open_id: String,
    grant_code: String,
    timestamp: u64,
    nonce: u64,
    token: String,
    action: Option<String>,
    params: Value,
}

impl Envelope {
    fn read(protocol: Protocol, json: &Value) -> Result<Envelope, String> {
        if !json.is_object() {
            return Err("the body must be a JSON object".into());
        }
        let (open_id, grant_code, timestamp, nonce, token, action, params) = match protocol {
            Protocol::V3 => {
                let r = V3Request::<Value>::deserialize(json).map_err(|e| {
                    format!("not a V3 envelope (openId, grantCode, timestamp, nonce, token, params): {e}")
                })?;
                (r.open_id, r.grant_code, r.timestamp, r.nonce, r.token, None, r.params)
            }
            Protocol::V2 => {
                let r = V2Request::<Value>::deserialize(json).map_err(|e| {
                    format!(
                        "not a V2 envelope (OpenId, GrantCode, Timestamp, Nonce, Token, Action, Params): {e}"
                    )
                })?;
                (
                    r.open_id,
                    r.grant_code,
                    r.timestamp,
                    r.nonce,
                    r.token,
                    Some(r.action.into_owned()),
                    r.params,
                )
            }
        };
        Ok(Envelope {
            open_id: open_id.into_owned(),
            grant_code: grant_code.into_owned(),
            timestamp,
            nonce,
            token: token.into_owned(),
            action,
            params,
        })
    }
}

/// Checks 1 to 7, in order: method, json, envelope, credentials, timestamp, signature,
/// nonce. `body` is `None` for a method other than `POST`. Fills `entry` with what it learns
/// on the way.
pub(crate) fn verify(
    shared: &Shared,
    entry: &mut LogEntry,
    body: Option<Result<Bytes, String>>,
) -> Result<Verified, Rejection> {
    let Some(body) = body else {
        return Err(Rejection::new(
            Check::Method,
            format!("{} is not allowed: every endpoint takes POST with a JSON body", entry.method),
        ));
    };
    let body = body.map_err(|e| Rejection::new(Check::Json, e))?;
    let json: Value = serde_json::from_slice(&body)
        .map_err(|e| Rejection::new(Check::Json, format!("the body is not JSON: {e}")))?;

    let protocol = if entry.path == V2_PATH { Protocol::V2 } else { Protocol::V3 };
    entry.protocol = Some(protocol);
    let env = Envelope::read(protocol, &json).map_err(|e| Rejection::new(Check::Envelope, e))?;
    entry.open_id = Some(env.open_id.clone());
    entry.timestamp = Some(env.timestamp);
    entry.nonce = Some(env.nonce);
    entry.action.clone_from(&env.action);

    if env.open_id != shared.credentials.open_id() {
        return Err(Rejection::new(Check::Credentials, format!("unknown openId {:?}", env.open_id)));
    }
    if env.grant_code != shared.credentials.grant_code() {
        return Err(Rejection::new(Check::Credentials, "the grantCode does not belong to this openId"));
    }

    let now = shared.clock.now_unix_seconds();
    let diff = now.abs_diff(env.timestamp);
    if Duration::from_secs(diff) > shared.skew {
        let side = if env.timestamp < now { "behind" } else { "ahead of" };
        return Err(Rejection::new(
            Check::Timestamp,
            format!(
                "timestamp {} is {diff} s {side} the server clock ({now}); allowed ±{} s",
                env.timestamp,
                shared.skew.as_secs()
            ),
        ));
    }

    if !shared.signer.verify(env.timestamp, env.nonce, &env.token) {
        return Err(Rejection::new(Check::Signature, "token does not match"));
    }
    // Only a signed request's params are kept in the log: an unauthenticated client cannot
    // fill the mock's memory through it.
    entry.params = Some(env.params.clone());

    let window = shared.skew.as_secs();
    if !lock(&shared.nonces).record(&env.open_id, env.nonce, env.timestamp, now, window) {
        return Err(Rejection::new(
            Check::Nonce,
            format!("nonce {} was already used within the last {window} s (replay)", env.nonce),
        ));
    }
    Ok(Verified { protocol, action: env.action, nonce: env.nonce, params: env.params })
}
