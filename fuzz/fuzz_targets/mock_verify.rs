//! zv-mock's handling of a request, without a server: `zv_mock::Verifier::handle` on any
//! method, path, `Content-Type` and body.
//!
//! The first byte picks the mock (bit 0: strict, bit 1: messy, bit 2: with stubs) and the
//! form of the rest, which is lines:
//! * bit 3 clear, a raw request: method, path, `Content-Type` (empty: none), then the body;
//! * bit 3 set, a signed request: path, V2 `Action` (for `/api/v2`), then the params text,
//!   wrapped here in an envelope signed with the demo credentials (so the fuzzer reaches the
//!   routing, the params and the answers behind the signature check).
//!
//! Checked: no panic; the answer is HTTP 200 (or 429) with an envelope body (`status`,
//! `traceId`); a request signed here never fails the credentials, timestamp, signature or
//! nonce check; every log line is one printable line of bounded length.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde::de::IgnoredAny;
use zv_mock::{Check, Endpoints, MockConfig, Stubs, Verdict, Verifier};
use zv_sign::{FixedClock, Signer};

/// The mock's clock, and the timestamp of every request signed here.
const NOW: u64 = 1_700_000_000;
/// Stubs answering with data, an error and pages, matching on params.
const STUBS: &str = r#"{"stubs": [
  {"path": "v3/crm/member/getMemberInfo", "match": {"user_id": 10001, "vip": true}, "data": {"n": 164822200532619796511}},
  {"path": "v3/crm/member/getMemberInfo", "match": {"basket": [{"id": 1}]}, "error": {"code": 20001, "message": "无"}},
  {"path": "v3/goods/item/getItemList", "items": [{"id": 1}, {"id": 2}, {"id": 3}]},
  {"action": "coupon.user-coupon-list", "match": {"user_id": "1"}, "error": {"status": false, "code": "E1", "message": "busy"}}
]}"#;
/// The longest log line accepted: the summary's fields are each capped.
const MAX_LINE: usize = 8 * 1024;

/// One verifier per combination of the mode bits 0 to 2, made once.
fn verifiers() -> &'static [Verifier; 8] {
    static VERIFIERS: OnceLock<[Verifier; 8]> = OnceLock::new();
    VERIFIERS.get_or_init(|| {
        std::array::from_fn(|mode| {
            let mut endpoints = Endpoints::builtin().catalogue_hints(true);
            if mode & 4 != 0 {
                endpoints = endpoints.stubs(&Stubs::from_json(STUBS).expect("valid stubs"));
            }
            Verifier::new(
                MockConfig::new()
                    .strict(mode & 1 != 0)
                    .messy(mode & 2 != 0)
                    .endpoints(endpoints)
                    .clock(FixedClock(NOW))
                    .allow_replay(true)
                    .log_capacity(16 << 10),
            )
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let verifier = &verifiers()[usize::from(mode & 7)];
    let signed = mode & 8 != 0;
    let mut lines = rest.splitn(if signed { 3 } else { 4 }, |&b| b == b'\n');
    let mut line = || String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let answered = if signed {
        let (path, action) = (line(), line());
        let params = lines.next().unwrap_or_default();
        let body = signed_envelope(&path, &action, params);
        let answered = verifier.handle("POST", &path, Some("application/json"), &body);
        let last = verifier.log().pop();
        let well_formed = serde_json::from_slice::<IgnoredAny>(params).is_ok();
        if let Some(Verdict::Rejected { check, message }) = last.map(|e| e.verdict) {
            let forged = matches!(check, Check::Credentials | Check::Timestamp | Check::Signature | Check::Nonce);
            assert!(!(well_formed && forged), "a request signed here failed {check:?}: {message}");
        }
        answered
    } else {
        let (method, path, content_type) = (line(), line(), line());
        let body = lines.next().unwrap_or_default();
        let content_type = (!content_type.is_empty()).then_some(content_type.as_str());
        verifier.handle(&method, &path, content_type, body)
    };
    assert!(answered.status == 200 || answered.status == 429, "status {}", answered.status);
    let body: serde_json::Value = serde_json::from_slice(&answered.body).expect("the answer is JSON");
    assert!(body.get("status").is_some() && body["traceId"].is_string(), "not an envelope: {body}");
    for entry in verifier.log().iter().rev().take(1) {
        let shown = entry.to_string();
        assert!(shown.len() <= MAX_LINE, "a log line of {} bytes", shown.len());
        assert!(!shown.chars().any(zv_types::text::is_unsafe_char), "unsafe log line: {shown:?}");
    }
});

/// The params text in a V3 envelope (a V2 one for `/api/v2`) signed with the demo
/// credentials; its nonce is fresh for each input.
fn signed_envelope(path: &str, action: &str, params: &[u8]) -> Vec<u8> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NONCE: AtomicU64 = AtomicU64::new(1);
    let nonce = NONCE.fetch_add(1, Ordering::Relaxed);
    let creds = zv_mock::demo_credentials();
    let v2 = path == "/api/v2";
    // Both protocols sign the same canonical string (lower camel names), as zv-api does.
    let signer = Signer::new(&creds);
    let signature = signer.sign(NOW, nonce);
    let fields = [
        (if v2 { "OpenId" } else { "openId" }, creds.open_id()),
        (if v2 { "GrantCode" } else { "grantCode" }, creds.grant_code()),
        (if v2 { "Timestamp" } else { "timestamp" }, &NOW.to_string()),
        (if v2 { "Nonce" } else { "nonce" }, &nonce.to_string()),
        (if v2 { "Token" } else { "token" }, signature.token()),
    ];
    let mut body = b"{".to_vec();
    for (name, value) in fields {
        body.extend(serde_json::to_vec(name).unwrap_or_default());
        body.push(b':');
        body.extend(serde_json::to_vec(value).unwrap_or_default());
        body.push(b',');
    }
    if v2 {
        body.extend(br#""Action":"#);
        body.extend(serde_json::to_vec(action).unwrap_or_default());
        body.push(b',');
    }
    body.extend(if v2 { &br#""Params":"#[..] } else { &br#""params":"#[..] });
    body.extend_from_slice(if params.is_empty() { b"{}" } else { params });
    body.push(b'}');
    body
}
