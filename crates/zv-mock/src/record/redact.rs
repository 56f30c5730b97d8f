//! What keeps credentials out of a recording: the secrets of a session (the keys, the
//! upstream's `openId` and `grantCode`, and the tokens of the requests it signs), and the
//! redaction of a stub's JSON text, which finds them in any spelling JSON allows.
//!
//! A secret is looked for in the parsed values, not only in the text: every string (keys
//! too) once JSON has decoded its escapes (`\/` as PHP's `json_encode` writes `/`,
//! `\u002f`, `\u0041`, …) and once more percent-decoded (`%2F`, `%2f`, `%252F` — up to three
//! rounds), every number's text, and every value under a credential's name (`token`,
//! `openKey`, `grantCode`, …). The text is first cleaned where the secret is written as is
//! (or JSON-escaped as serde writes it), keeping everything else byte for byte; only if a
//! secret survives that is the stub rebuilt from its parsed values, with each string that
//! holds one replaced; and if one still survives, the stub is not recorded.

use std::cell::RefCell;

use serde_json::Value;
use zv_sign::{Clock, Credentials, NonceSource, RandomNonce, Signer, SystemClock};
use zv_types::text::REDACTED;

/// The most nonces one exchange draws (it is sent once: one).
const DRAWN_PER_EXCHANGE: usize = 16;

thread_local! {
    /// The nonces drawn on this thread since [`Issued::take_drawn`], with the second each
    /// was drawn at: the blocking client signs on the thread that sends.
    static DRAWN: RefCell<Vec<(u64, u64)>> = const { RefCell::new(Vec::new()) };
}

/// The nonce source of the upstream client: random nonces, each remembered (on the thread
/// that drew it) with the second it was drawn at, so the tokens of the request an exchange
/// signed can be told.
#[derive(Default)]
pub(crate) struct Issued {
    nonces: RandomNonce,
}

impl NonceSource for Issued {
    fn next_nonce(&self) -> u64 {
        let nonce = self.nonces.next_nonce();
        DRAWN.with_borrow_mut(|drawn| {
            if drawn.len() == DRAWN_PER_EXCHANGE {
                drawn.remove(0);
            }
            drawn.push((nonce, SystemClock.now_unix_seconds()));
        });
        nonce
    }
}

impl Issued {
    /// The nonces drawn on this thread since the last call (and forgets them).
    pub(crate) fn take_drawn() -> Vec<(u64, u64)> {
        DRAWN.with_borrow_mut(std::mem::take)
    }
}

/// Everything a session's recording must not hold.
pub(crate) struct Secrets {
    fixed: Vec<String>,
    signer: Signer,
}

impl Secrets {
    /// The secrets of a session forwarding with `upstream` for clients of a mock keyed
    /// with `mock`.
    pub(crate) fn new(upstream: &Credentials, mock: &Credentials) -> Secrets {
        let fixed =
            [upstream.open_id(), upstream.grant_code(), upstream.expose_open_key(), mock.expose_open_key()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        Secrets { fixed, signer: Signer::new(upstream) }
    }

    /// The secrets of one exchange: the fixed ones, `also` (the client's token), and the
    /// tokens (as sent and as signatures) of the request it signed for upstream, whose
    /// nonces were `drawn` (at the second each was drawn and the seconds around it).
    pub(crate) fn of_exchange(&self, also: &[&str], drawn: &[(u64, u64)]) -> Vec<String> {
        let mut all = self.fixed.clone();
        all.extend(also.iter().filter(|s| !s.is_empty()).map(|s| (*s).to_owned()));
        for &(nonce, at) in drawn {
            for ts in at.saturating_sub(1)..=at.saturating_add(1) {
                let signature = self.signer.sign(ts, nonce);
                all.push(signature.token().to_owned());
                all.push(signature.signature().to_owned());
            }
        }
        all
    }
}

/// `text` (a stub, as JSON) with every secret replaced with `[redacted]`, and whether any
/// was; `None` when one cannot be taken out.
pub(crate) fn redact(text: &str, secrets: &[String]) -> Option<(String, bool)> {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        for form in written_forms(secret) {
            if out.contains(&form) {
                out = out.replace(&form, REDACTED);
            }
        }
    }
    // A secret written as a number leaves `[redacted]` bare: not JSON any more.
    if let Ok(value) = serde_json::from_str::<Value>(&out)
        && !holds_secret(&value, secrets)
    {
        let redacted = out != text;
        return Some((out, redacted));
    }
    let mut value: Value = serde_json::from_str(text).ok()?;
    scrub(&mut value, secrets);
    let out = serde_json::to_string(&value).ok()?;
    let again: Value = serde_json::from_str(&out).ok()?;
    (!holds_secret(&again, secrets)).then_some((out, true))
}

/// A secret as it may be written in JSON text as is: raw, escaped as serde writes it, and
/// with `/` escaped as PHP writes it.
fn written_forms(secret: &str) -> Vec<String> {
    let escaped = serde_json::to_string(secret).unwrap_or_default();
    let escaped = escaped[1..escaped.len().saturating_sub(1).max(1)].to_owned();
    let php = escaped.replace('/', "\\/");
    let mut forms = vec![secret.to_owned(), escaped, php];
    forms.sort();
    forms.dedup();
    forms.retain(|f| !f.is_empty());
    forms
}

/// Whether a key names a credential (`token`, `openKey`, `grant_code`, `accessToken`, …),
/// whatever its case and separators.
fn is_credential_key(key: &str) -> bool {
    let name: String =
        key.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    matches!(
        name.as_str(),
        "token"
            | "openkey"
            | "grantcode"
            | "accesstoken"
            | "refreshtoken"
            | "secret"
            | "appsecret"
            | "password"
    )
}

/// `text` percent-decoded (`%2F`, `%2f`), up to three rounds (`%252F`); each round that
/// changes it.
fn percent_decodings(text: &str) -> Vec<String> {
    let mut rounds = Vec::new();
    let mut current = text.to_owned();
    for _ in 0..3 {
        let next = percent_decode(&current);
        if next == current {
            break;
        }
        rounds.push(next.clone());
        current = next;
    }
    rounds
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b, ..) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether `text` holds a secret, as is or percent-decoded.
fn text_holds(text: &str, secrets: &[String]) -> bool {
    let hit = |t: &str| secrets.iter().any(|s| !s.is_empty() && t.contains(s.as_str()));
    hit(text) || percent_decodings(text).iter().any(|t| hit(t))
}

/// Whether a credential's value is there (anything but nothing or `[redacted]`).
fn is_unredacted(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty() && s != REDACTED,
        _ => true,
    }
}

fn holds_secret(value: &Value, secrets: &[String]) -> bool {
    match value {
        Value::String(s) => text_holds(s, secrets),
        Value::Number(n) => text_holds(&n.to_string(), secrets),
        Value::Array(items) => items.iter().any(|v| holds_secret(v, secrets)),
        Value::Object(map) => map.iter().any(|(k, v)| {
            text_holds(k, secrets) || (is_credential_key(k) && is_unredacted(v)) || holds_secret(v, secrets)
        }),
        Value::Bool(_) | Value::Null => false,
    }
}

/// `text` without its secrets: each one written as is replaced, and the whole text if one
/// is only there percent-encoded.
fn scrubbed(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(secret.as_str(), REDACTED);
    }
    if text_holds(&out, secrets) { REDACTED.to_owned() } else { out }
}

fn scrub(value: &mut Value, secrets: &[String]) {
    match value {
        Value::String(s) => *s = scrubbed(s, secrets),
        Value::Number(n) if text_holds(&n.to_string(), secrets) => {
            *value = Value::String(REDACTED.to_owned())
        }
        Value::Array(items) => items.iter_mut().for_each(|v| scrub(v, secrets)),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut v) in entries {
                if is_credential_key(&key) && is_unredacted(&v) {
                    v = Value::String(REDACTED.to_owned());
                } else {
                    scrub(&mut v, secrets);
                }
                map.insert(scrubbed(&key, secrets), v);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> Vec<String> {
        vec!["oid/123".to_owned(), "k\"ey".to_owned(), "Ab+c/d=".to_owned(), "424242".to_owned()]
    }

    /// The text redacted, and proof that no secret survives in any decoding of it.
    fn clean(text: &str) -> String {
        let (out, redacted) = redact(text, &secrets()).unwrap_or_else(|| panic!("left out: {text}"));
        assert!(redacted, "{text}");
        let value: Value = serde_json::from_str(&out).unwrap();
        assert!(!holds_secret(&value, &secrets()), "{out}");
        out
    }

    #[test]
    fn secrets_written_as_is_are_replaced_and_the_rest_kept_byte_for_byte() {
        let out = clean(r#"{"a":"oid/123","b":"x k\"ey y","n":98765432109876543210}"#);
        assert_eq!(out, r#"{"a":"[redacted]","b":"x [redacted] y","n":98765432109876543210}"#);
        assert_eq!(redact(r#"{"n":1.50}"#, &secrets()), Some((r#"{"n":1.50}"#.to_owned(), false)));
    }

    #[test]
    fn every_json_spelling_is_found() {
        for text in [
            r#"{"a":"oid\/123"}"#,
            r#"{"a":"oid\u002f123"}"#,
            r#"{"a":"oid\u002F123"}"#,
            r#"{"a":"\u006fid/123"}"#,
            r#"{"a":"k\u0022ey"}"#,
            r#"{"a":"Ab\u002bc\/d\u003d"}"#,
            r#"{"a":"x oid\/123 y"}"#,
            r#"{"oid\/123":1}"#,
            r#"{"a":[{"b":"oid\u002f123"}]}"#,
        ] {
            let out = clean(text);
            assert!(out.contains(REDACTED), "{text}: {out}");
        }
    }

    #[test]
    fn percent_encodings_and_numbers_are_found() {
        for text in [
            r#"{"a":"oid%2F123"}"#,
            r#"{"a":"oid%2f123"}"#,
            r#"{"a":"oid%252F123"}"#,
            r#"{"a":"Ab%2Bc%2Fd%3D"}"#,
            r#"{"a":"token=Ab%2bc%2fd%3d&x=1"}"#,
            r#"{"a":"\u0025\u0032F"}"#,
            r#"{"a":"oid\u00252F123"}"#,
            r#"{"a":424242}"#,
        ] {
            if text == r#"{"a":"\u0025\u0032F"}"# {
                // `%2F` alone holds no secret.
                assert_eq!(redact(text, &secrets()).map(|(_, r)| r), Some(false));
                continue;
            }
            let out = clean(text);
            assert!(out.contains(REDACTED), "{text}: {out}");
        }
    }

    #[test]
    fn credential_names_are_redacted_whatever_they_hold() {
        let out = clean(
            r#"{"data":{"Token":"anything","open_key":"x","grantCode":7,"nested":{"ACCESS-TOKEN":"y"}}}"#,
        );
        assert_eq!(
            out,
            r#"{"data":{"Token":"[redacted]","grantCode":"[redacted]","nested":{"ACCESS-TOKEN":"[redacted]"},"open_key":"[redacted]"}}"#
        );
        // Nothing, or already redacted, is fine.
        assert_eq!(redact(r#"{"token":""}"#, &secrets()).map(|(_, r)| r), Some(false));
        assert_eq!(redact(r#"{"token":null}"#, &secrets()).map(|(_, r)| r), Some(false));
    }

    #[test]
    fn the_tokens_of_the_request_signed_for_upstream_are_secrets() {
        let upstream = Credentials::new("up-open-id", "up-grant", "up-key");
        let secrets = Secrets::new(&upstream, &Credentials::new("m", "g", "mock-key"));
        let issued = Issued::default();
        issued.next_nonce();
        assert_eq!(Issued::take_drawn().len(), 1);
        assert!(Issued::take_drawn().is_empty(), "taken once");
        issued.next_nonce();
        let drawn = Issued::take_drawn();
        let (nonce, at) = drawn[0];
        let all = secrets.of_exchange(&["client-token"], &drawn);
        for fixed in ["up-open-id", "up-grant", "up-key", "mock-key", "client-token"] {
            assert!(all.iter().any(|s| s == fixed), "{fixed}");
        }
        let signer = Signer::new(&upstream);
        for ts in [at - 1, at, at + 1] {
            let signature = signer.sign(ts, nonce);
            assert!(all.iter().any(|s| s == signature.token()));
            assert!(all.iter().any(|s| s == signature.signature()));
        }
        // Another thread's nonces are not this exchange's.
        std::thread::scope(|scope| {
            scope.spawn(|| issued.next_nonce());
        });
        assert!(Issued::take_drawn().is_empty());
        for _ in 0..DRAWN_PER_EXCHANGE + 10 {
            issued.next_nonce();
        }
        assert_eq!(Issued::take_drawn().len(), DRAWN_PER_EXCHANGE, "bounded");
    }
}
