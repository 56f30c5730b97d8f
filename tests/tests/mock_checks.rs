//! The mock rejects what the gateway rejects: crafted requests through the raw transport.

use std::time::Duration;

use serde_json::{Value, json};
use zv_api::sansio;
use zv_integration_tests::Env;
use zv_mock::{Check, MockConfig, Verdict};
use zv_sign::{Clock, Credentials, FixedClock, SystemClock};
use zv_transport::{Transport, TransportConfig, UreqTransport};
use zv_types::{ExchangeCodeParams, GetExchangeCodeStatus};

fn post(env: &Env, path: &str, body: &Value) -> Value {
    let t = UreqTransport::new(TransportConfig::default()).unwrap();
    let req = http::Request::post(format!("{}{path}", env.mock.base_url()))
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body).unwrap())
        .unwrap();
    let resp = t.send(req).unwrap();
    serde_json::from_slice(resp.body()).unwrap()
}

fn send(req: http::Request<Vec<u8>>) -> Value {
    let t = UreqTransport::new(TransportConfig::default()).unwrap();
    serde_json::from_slice(t.send(req).unwrap().body()).unwrap()
}

fn last_check(env: &Env) -> Option<Check> {
    match env.mock.log().last().map(|e| e.verdict.clone()) {
        Some(Verdict::Rejected { check, .. }) => Some(check),
        _ => None,
    }
}

fn signed(env: &Env, creds: &Credentials, ts: u64, nonce: u64) -> http::Request<Vec<u8>> {
    let config = zv_api::blocking::Client::builder()
        .base_url(env.mock.base_url())
        .credentials(creds.clone())
        .build_config()
        .unwrap();
    sansio::prepare::<GetExchangeCodeStatus>(&config, &ExchangeCodeParams::new("1"), ts, nonce).unwrap()
}

fn rejected(answer: &Value) -> bool {
    answer["status"] == false && answer["code"].as_i64().is_some_and(|c| c != 0)
}

#[test]
fn a_wrong_token_is_rejected() {
    let env = Env::new(MockConfig::new());
    let c = env.mock.credentials();
    let forged = Credentials::new(c.open_id(), c.grant_code(), "not-the-key");
    let answer = send(signed(&env, &forged, SystemClock.now_unix_seconds(), 11));
    assert!(rejected(&answer), "{answer}");
    assert_eq!(last_check(&env), Some(Check::Signature));
    assert_eq!(env.mock.log().last().unwrap().params, None, "an unsigned request's params are not kept");
}

#[test]
fn a_stale_timestamp_is_rejected() {
    let env = Env::new(MockConfig::new().clock(FixedClock(2_000_000_000)).skew(Duration::from_secs(300)));
    let creds = env.mock.credentials().clone();
    let answer = send(signed(&env, &creds, 2_000_000_000 - 301, 12));
    assert!(rejected(&answer), "{answer}");
    assert_eq!(last_check(&env), Some(Check::Timestamp));
    let answer = send(signed(&env, &creds, 2_000_000_000 + 301, 13));
    assert!(rejected(&answer));
    let answer = send(signed(&env, &creds, 2_000_000_000 - 299, 14));
    assert!(!rejected(&answer), "inside the window: {answer}");
}

#[test]
fn a_replayed_nonce_is_rejected() {
    let env = Env::new(MockConfig::new());
    let creds = env.mock.credentials().clone();
    let now = SystemClock.now_unix_seconds();
    let first = signed(&env, &creds, now, 4242);
    let again = signed(&env, &creds, now, 4242);
    assert!(!rejected(&send(first)));
    let answer = send(again);
    assert!(rejected(&answer), "{answer}");
    assert_eq!(last_check(&env), Some(Check::Nonce));
}

#[test]
fn a_wrong_envelope_is_rejected() {
    let env = Env::new(MockConfig::new());
    let c = env.mock.credentials().clone();
    let now = SystemClock.now_unix_seconds().to_string();
    let token = zv_sign::Signer::new(&c).sign(now.parse().unwrap(), 7).token().to_owned();
    // a V2 (PascalCase) body on a V3 path
    let v2_body = json!({"OpenId": c.open_id(), "GrantCode": c.grant_code(), "Timestamp": now, "Nonce": "7",
        "Token": token, "Action": "x", "Params": {}});
    assert!(rejected(&post(&env, "/v3/coupon/exchange/getExchangeCodeStatus", &v2_body)));
    assert_eq!(last_check(&env), Some(Check::Envelope));
    // numbers instead of decimal strings
    let numbers = json!({"openId": c.open_id(), "grantCode": c.grant_code(), "timestamp": now.parse::<u64>().unwrap(),
        "nonce": 8, "token": token, "params": {"exchangeCode": "1"}});
    assert!(rejected(&post(&env, "/v3/coupon/exchange/getExchangeCodeStatus", &numbers)));
    assert_eq!(last_check(&env), Some(Check::Envelope));
    // an unknown Action
    let unknown = json!({"OpenId": c.open_id(), "GrantCode": c.grant_code(), "Timestamp": now, "Nonce": "9",
        "Token": zv_sign::Signer::new(&c).sign(now.parse().unwrap(), 9).token(), "Action": "no.such-action", "Params": {}});
    assert!(rejected(&post(&env, "/api/v2", &unknown)));
    assert_eq!(last_check(&env), Some(Check::Route));
}
