//! The gateway's checks before routing: method, JSON, envelope, credentials, timestamp,
//! signature, nonce (checks 1 to 7; the route and params checks are the endpoint table's),
//! and the strict mode's params check. They take what they need ([`Policy`], the nonces),
//! not the whole state.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::de::IgnoredAny;
use serde_json::Value;
use serde_json::value::RawValue;
use zv_sign::{Clock, Credentials, Signer};
use zv_types::Protocol;

use super::nonces::NonceStore;
use crate::model::{
    Check, Incoming, LogEntry, MESSAGE_CHARS, Rejection, RouteKey, V2_PATH, Verified, lock, printable,
};

/// What the checks hold a request to: the credentials (and their signer), the clock and its
/// skew window, strict mode, and whether replays pass.
pub(crate) struct Policy {
    pub(crate) credentials: Credentials,
    pub(crate) signer: Signer,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) skew: Duration,
    /// Only the documented wire form ([`MockConfig::strict`](crate::MockConfig::strict)).
    pub(crate) strict: bool,
    /// Replayed nonces pass ([`MockConfig::allow_replay`](crate::MockConfig::allow_replay)).
    pub(crate) allow_replay: bool,
    /// A request without `Content-Type` fails the `json` check (the recording proxy: a web
    /// page cannot send `application/json` to another origin without asking first).
    pub(crate) content_type_required: bool,
}

/// The envelope keys of a protocol, in the vendor pages' order.
struct Keys {
    open_id: &'static str,
    grant_code: &'static str,
    timestamp: &'static str,
    nonce: &'static str,
    token: &'static str,
    action: Option<&'static str>,
    params: &'static str,
}

const V3_KEYS: Keys = Keys {
    open_id: "openId",
    grant_code: "grantCode",
    timestamp: "timestamp",
    nonce: "nonce",
    token: "token",
    action: None,
    params: "params",
};
const V2_KEYS: Keys = Keys {
    open_id: "OpenId",
    grant_code: "GrantCode",
    timestamp: "Timestamp",
    nonce: "Nonce",
    token: "Token",
    action: Some("Action"),
    params: "Params",
};

impl Keys {
    fn of(protocol: Protocol) -> &'static Keys {
        match protocol {
            Protocol::V2 => &V2_KEYS,
            _ => &V3_KEYS,
        }
    }

    fn all(&self) -> Vec<&'static str> {
        let mut all = vec![self.open_id, self.grant_code, self.timestamp, self.nonce, self.token];
        all.extend(self.action);
        all.push(self.params);
        all
    }

    /// `V3 (openId, grantCode, timestamp, nonce, token, params)`.
    fn describe(&self, protocol: Protocol) -> String {
        let name = if protocol == Protocol::V2 { "V2" } else { "V3" };
        format!("{name} envelope ({})", self.all().join(", "))
    }
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
    raw_params: Box<RawValue>,
}

impl Envelope {
    /// Reads the envelope of `protocol` from the body. Strict: only the documented form.
    fn read(protocol: Protocol, body: &[u8], strict: bool) -> Result<Envelope, String> {
        let keys = Keys::of(protocol);
        let fields: HashMap<String, Box<RawValue>> = serde_json::from_slice(body)
            .map_err(|_| format!("the body must be a JSON object: the {}", keys.describe(protocol)))?;
        let other = Keys::of(if protocol == Protocol::V2 { Protocol::V3 } else { Protocol::V2 });
        let field = |key: &str| -> Result<&RawValue, String> {
            fields.get(key).map(|raw| &**raw).ok_or_else(|| {
                let hint = if fields.contains_key(other.open_id) {
                    let v = if protocol == Protocol::V2 { "V3" } else { "V2" };
                    format!(" (this looks like a {v} envelope: V2 goes to {V2_PATH}, V3 to /v3/<path>)")
                } else {
                    String::new()
                };
                format!("`{key}` is missing: not the {}{hint}", keys.describe(protocol))
            })
        };
        let text = |key: &str| -> Result<String, String> {
            let raw = field(key)?;
            serde_json::from_str::<String>(raw.get())
                .map_err(|_| format!("`{key}` must be a string, not {}", excerpt(raw.get())))
        };
        let number = |key: &str| -> Result<u64, String> {
            let raw = field(key)?;
            decimal(key, raw.get(), strict)
        };
        if strict && let Some(extra) = fields.keys().find(|k| !keys.all().contains(&k.as_str())) {
            return Err(format!(
                "`{}` is not a key of the {}: strict mode takes only the documented keys",
                printable(extra, 64),
                keys.describe(protocol)
            ));
        }
        let raw_params = field(keys.params)?.to_owned();
        let params: Value =
            serde_json::from_str(raw_params.get()).map_err(|e| format!("`{}`: {e}", keys.params))?;
        if strict && !params.is_object() {
            return Err(format!(
                "`{}` must be an object (the vendor's `array`), not {}: strict mode takes only the documented form",
                keys.params,
                excerpt(raw_params.get())
            ));
        }
        Ok(Envelope {
            open_id: text(keys.open_id)?,
            grant_code: text(keys.grant_code)?,
            timestamp: number(keys.timestamp)?,
            nonce: number(keys.nonce)?,
            token: text(keys.token)?,
            action: keys.action.map(text).transpose()?,
            params,
            raw_params,
        })
    }
}

/// `timestamp` or `nonce`: a decimal string, or (not strict) a JSON integer.
fn decimal(key: &str, raw: &str, strict: bool) -> Result<u64, String> {
    let documented = "a decimal string such as \"1547186244\"";
    if let Ok(s) = serde_json::from_str::<String>(raw) {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{key}` must be {documented}, not {}", excerpt(raw)));
        }
        return s.parse().map_err(|_| format!("`{key}` {} is too large", excerpt(raw)));
    }
    match serde_json::from_str::<u64>(raw) {
        Ok(_) if strict => Err(format!(
            "`{key}` is the JSON number {}: strict mode takes only the documented form, {documented}",
            excerpt(raw)
        )),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{key}` must be {documented} or a JSON integer, not {}", excerpt(raw))),
    }
}

/// A short, printable quote of what the client sent.
fn excerpt(text: &str) -> Cow<'_, str> {
    printable(text, 64)
}

/// The media type of a `Content-Type`, and whether it has parameters other than a UTF-8
/// charset; `None` when it is not JSON or names another charset.
fn json_content_type(value: &str) -> Option<bool> {
    let mut parts = value.split(';').map(str::trim);
    if !parts.next().is_some_and(|t| t.eq_ignore_ascii_case("application/json")) {
        return None;
    }
    let mut parameters = false;
    for p in parts.filter(|p| !p.is_empty()) {
        let (name, v) = p.split_once('=')?;
        let v = v.trim().trim_matches('"');
        if !name.trim().eq_ignore_ascii_case("charset")
            || !(v.eq_ignore_ascii_case("utf-8") || v.eq_ignore_ascii_case("utf8"))
        {
            return None;
        }
        parameters = true;
    }
    Some(parameters)
}

/// The `Content-Type` check (part of check 2): JSON, with or without a UTF-8 charset (strict:
/// exactly `application/json`); an absent header passes unless strict.
fn content_type(value: Option<&str>, strict: bool) -> Result<(), String> {
    let documented = "`Content-Type: application/json`";
    match (value, strict) {
        (None, false) => Ok(()),
        (None, true) => Err(format!("no Content-Type: strict mode takes only the documented {documented}")),
        (Some(v), _) => match json_content_type(v) {
            None => Err(format!("Content-Type {:?} is not JSON: send {documented}", printable(v, 64))),
            Some(true) if strict => Err(format!(
                "Content-Type {:?}: strict mode takes only the documented {documented}, without parameters",
                printable(v, 64)
            )),
            Some(_) => Ok(()),
        },
    }
}

/// Check 6: the token, URL-decoded as PHP's `urldecode` does and compared in constant time
/// with the signature (strict: compared as sent with PHP `urlencode`'s form).
fn signature(policy: &Policy, env: &Envelope) -> Result<(), String> {
    if policy.signer.verify(env.timestamp, env.nonce, &env.token) {
        return Ok(());
    }
    let decoded = zv_sign::php_urldecode(&env.token);
    let decodes =
        decoded.as_ref().is_ok_and(|sig| policy.signer.verify_signature(env.timestamp, env.nonce, sig));
    match (decodes, policy.strict) {
        (true, false) => Ok(()),
        (true, true) => Err("the token is the signature, but not written as PHP `urlencode` writes it \
             (`+` as %2B, `/` as %2F, `=` as %3D, upper-case hex): strict mode takes only that form"
            .into()),
        (false, _) if decoded.is_err() => {
            Err("token does not match: it is not URL-encoded text (a `%` without two hex digits)".into())
        }
        (false, _) => Err("token does not match".into()),
    }
}

/// Checks 1 to 7, in order: method, json, envelope, credentials, timestamp, signature,
/// nonce. Fills `entry` with what it learns on the way.
pub(crate) fn verify(
    policy: &Policy,
    nonces: &Mutex<NonceStore>,
    entry: &mut LogEntry,
    incoming: Incoming<'_>,
) -> Result<Verified, Rejection> {
    let Some(body) = incoming.body else {
        return Err(Rejection::new(
            Check::Method,
            format!("{} is not allowed: every endpoint takes POST with a JSON body", entry.method),
        ));
    };
    let body = body.map_err(|e| Rejection::new(Check::Json, e))?;
    if policy.content_type_required && incoming.content_type.is_none() {
        return Err(Rejection::new(
            Check::Json,
            "no Content-Type: the recording proxy takes only `Content-Type: application/json`",
        ));
    }
    content_type(incoming.content_type, policy.strict).map_err(|e| Rejection::new(Check::Json, e))?;
    serde_json::from_slice::<IgnoredAny>(&body)
        .map_err(|e| Rejection::new(Check::Json, format!("the body is not JSON: {e}")))?;

    let protocol = if entry.path == V2_PATH { Protocol::V2 } else { Protocol::V3 };
    entry.protocol = Some(protocol);
    let env =
        Envelope::read(protocol, &body, policy.strict).map_err(|e| Rejection::new(Check::Envelope, e))?;
    entry.open_id = Some(env.open_id.clone());
    entry.timestamp = Some(env.timestamp);
    entry.nonce = Some(env.nonce);
    entry.action.clone_from(&env.action);

    if env.open_id != policy.credentials.open_id() {
        return Err(Rejection::new(Check::Credentials, format!("unknown openId {:?}", env.open_id)));
    }
    if env.grant_code != policy.credentials.grant_code() {
        return Err(Rejection::new(Check::Credentials, "the grantCode does not belong to this openId"));
    }

    let now = policy.clock.now_unix_seconds();
    let diff = now.abs_diff(env.timestamp);
    if Duration::from_secs(diff) > policy.skew {
        let side = if env.timestamp < now { "behind" } else { "ahead of" };
        return Err(Rejection::new(
            Check::Timestamp,
            format!(
                "timestamp {} is {diff} s {side} the server clock ({now}); allowed ±{} s",
                env.timestamp,
                policy.skew.as_secs()
            ),
        ));
    }

    signature(policy, &env).map_err(|e| Rejection::new(Check::Signature, e))?;
    // Only a signed request's params are kept in the log: an unauthenticated client cannot
    // fill the mock's memory through it.
    entry.params = Some(env.params.clone());

    let window = policy.skew.as_secs();
    let fresh = lock(nonces).record(&env.open_id, env.nonce, env.timestamp, now, window);
    if !fresh && !policy.allow_replay {
        return Err(Rejection::new(
            Check::Nonce,
            format!(
                "nonce {} was already used within the last {window} s (replay); the real gateway may \
                 not refuse replays: `zv mock --allow-replay` (MockConfig::allow_replay) accepts them",
                env.nonce
            ),
        ));
    }
    Ok(Verified {
        protocol,
        action: env.action,
        nonce: env.nonce,
        params: env.params,
        raw_params: env.raw_params,
        token: env.token,
    })
}

/// How many problems a refusal of documented params lists before it says how many more.
const LISTED_PROBLEMS: usize = 6;

/// The params of a catalogued endpoint with a params schema
/// ([`Entry::has_params_schema`](zv_types::catalogue::Entry::has_params_schema)), checked by
/// the catalogue's one validator
/// ([`Entry::check_params`](zv_types::catalogue::Entry::check_params), which bounds its
/// input first). An endpoint only seen in the field is not checked. In strict mode a
/// problem refuses the request as the gateway does ([`PARAMS_ERROR_CODE`](crate::PARAMS_ERROR_CODE)
/// 参数错误, naming the problems); otherwise the problems are only traced (debug). Params
/// too large to check are one of those problems, the same for the CLI.
pub(crate) fn documented(strict: bool, route: &RouteKey, params: &Value) -> Result<(), Rejection> {
    let traced = || tracing::enabled!(target: "zv_mock", tracing::Level::DEBUG);
    let Some(entry) = route.catalogue().filter(|e| e.has_params_schema() && (strict || traced())) else {
        return Ok(());
    };
    let Err(problems) = entry.check_params(params) else { return Ok(()) };
    let mut listed: Vec<String> = problems.iter().take(LISTED_PROBLEMS).map(ToString::to_string).collect();
    if problems.len() > LISTED_PROBLEMS {
        listed.push(format!("and {} more", problems.len() - LISTED_PROBLEMS));
    }
    let message = format!("{route}: {}", listed.join("; "));
    if strict {
        return Err(Rejection::gateway_params(message));
    }
    let message = printable(&message, MESSAGE_CHARS);
    tracing::debug!(target: "zv_mock", route = %route, "params accepted, not as documented: {message}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checks run on their own: a policy and a nonce store, no server state.
    #[test]
    fn the_checks_need_only_a_policy_and_the_nonces() {
        let credentials = crate::model::demo_credentials();
        let policy = Policy {
            signer: Signer::new(&credentials),
            credentials,
            clock: Arc::new(zv_sign::FixedClock(1_700_000_000)),
            skew: Duration::from_secs(300),
            strict: false,
            allow_replay: false,
            content_type_required: true,
        };
        let nonces = Mutex::new(NonceStore::default());
        let token = policy.signer.sign(1_700_000_000, 7).token().to_owned();
        let body = serde_json::json!({
            "openId": policy.credentials.open_id(), "grantCode": policy.credentials.grant_code(),
            "timestamp": "1700000000", "nonce": "7", "token": token, "params": {"user_id": "1"},
        })
        .to_string();
        let verify_with = |content_type: Option<&str>| {
            let mut entry = LogEntry::new("POST", "/v3/a/b");
            let incoming = Incoming { body: Some(Ok(body.clone().into())), content_type };
            verify(&policy, &nonces, &mut entry, incoming).map(|v| v.nonce).map_err(|r| r.check)
        };
        assert_eq!(verify_with(None), Err(Check::Json), "a Content-Type is required here");
        assert_eq!(verify_with(Some("application/json")), Ok(7));
        assert_eq!(verify_with(Some("application/json")), Err(Check::Nonce), "a replay");
        assert_eq!(
            documented(true, &RouteKey::V3("/v3/a/b".into()), &Value::Null).map_err(|r| r.check),
            Ok(())
        );
    }

    #[test]
    fn decimals_and_content_types() {
        assert_eq!(decimal("nonce", r#""42""#, true), Ok(42));
        assert_eq!(decimal("nonce", "42", false), Ok(42));
        assert!(decimal("nonce", "42", true).unwrap_err().contains("strict mode"));
        for bad in [r#""""#, r#""-1""#, r#""4 2""#, "-1", "1.5", "null", r#""99999999999999999999""#] {
            assert!(decimal("nonce", bad, false).is_err(), "{bad}");
        }
        assert_eq!(json_content_type("application/json"), Some(false));
        assert_eq!(json_content_type("Application/JSON; charset=UTF-8"), Some(true));
        assert_eq!(json_content_type("application/json;charset=\"utf-8\""), Some(true));
        assert_eq!(json_content_type("application/json; charset=gbk"), None);
        assert_eq!(json_content_type("text/plain"), None);
        assert_eq!(json_content_type("application/jsonx"), None);
        assert!(content_type(None, false).is_ok());
        assert!(content_type(None, true).is_err());
        assert!(content_type(Some("application/json; charset=utf-8"), false).is_ok());
        assert!(content_type(Some("application/json; charset=utf-8"), true).is_err());
        assert!(content_type(Some("application/x-www-form-urlencoded"), false).is_err());
    }
}
