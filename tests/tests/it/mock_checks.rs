//! The mock rejects what the gateway rejects: crafted requests through the raw transport,
//! and the SDK's clients reading each rejection as the platform's system error.

use std::time::Duration;

use serde_json::{Value, json};
use zv_api::{UntypedRequest, sansio};
use zv_integration_tests::{BACKENDS, Backend, Env, call};
use zv_mock::{Check, MockConfig, Verdict};
use zv_sign::{Clock, Credentials, FixedClock, SystemClock};
use zv_transport::{Transport, TransportConfig, UreqTransport};
use zv_types::{ExchangeCodeParams, GetExchangeCodeStatus, GiftCardListParams};

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

/// Asserts the SDK read the mock's rejection as the system error of `check`, and the log
/// agrees.
fn assert_sdk_rejected(env: &Env, error: &zv_api::Error, check: Check) {
    assert_eq!(error.kind(), zv_api::ErrorKind::ApiSystem, "{error}");
    assert_eq!(error.api_code().and_then(|c| c.as_i64()), Some(check.code()), "{error}");
    assert!(error.api_error().unwrap().message.starts_with(check.label()), "{error}");
    assert_eq!(last_check(env), Some(check));
}

fn gift_cards(env: &Env, backend: Backend) -> Result<Vec<zv_types::GiftCard>, zv_api::Error> {
    call!(env, backend, gift_cards(&GiftCardListParams::new("10001")))
}

#[test]
fn the_sdk_with_a_wrong_open_id_gets_the_credentials_error() {
    let stranger = Credentials::new("ffffffffffffffffffffffffffffffff", zv_mock::DEMO_GRANT_CODE, "k");
    let env = Env::with(
        MockConfig::new(),
        |b| b.credentials(stranger.clone()),
        |a| a.credentials(stranger.clone()),
    );
    for backend in BACKENDS {
        assert_sdk_rejected(&env, &gift_cards(&env, backend).unwrap_err(), Check::Credentials);
    }
}

#[test]
fn the_sdk_with_a_clock_out_of_the_window_gets_the_timestamp_error() {
    // The mock's clock an hour ahead of the clients'.
    let env = Env::new(MockConfig::new().clock(FixedClock(SystemClock.now_unix_seconds() + 3600)));
    for backend in BACKENDS {
        assert_sdk_rejected(&env, &gift_cards(&env, backend).unwrap_err(), Check::Timestamp);
    }
    // A client whose clock is off by more than the window (±300 s, inclusive).
    let t = 1_700_000_000;
    let env = Env::new(MockConfig::new().clock(FixedClock(t)));
    let client = |ts| {
        zv_api::blocking::Client::builder()
            .base_url(env.mock.base_url())
            .credentials(env.mock.credentials().clone())
            .clock(FixedClock(ts))
            .build()
            .unwrap()
    };
    for ts in [t - 301, t + 301] {
        let error = client(ts).gift_cards(&GiftCardListParams::new("10001")).unwrap_err();
        assert_sdk_rejected(&env, &error, Check::Timestamp);
    }
    for ts in [t - 300, t + 300] {
        assert!(!client(ts).gift_cards(&GiftCardListParams::new("10001")).unwrap().is_empty());
    }
}

#[test]
fn the_sdk_calling_an_unknown_route_gets_the_route_error_listing_the_table() {
    let env = Env::new(MockConfig::new());
    let v3 = UntypedRequest::v3("crm/giftCard/noSuchThing", json!({})).unwrap();
    let v2 = UntypedRequest::v2("coupon.no-such-action", json!({})).unwrap();
    for backend in BACKENDS {
        let error = call!(env, backend, send_untyped(&v3)).unwrap_err();
        assert_sdk_rejected(&env, &error, Check::Route);
        let message = &error.api_error().unwrap().message;
        assert!(message.contains("the mock serves /v3/coupon/exchange/getExchangeCodeStatus, "), "{message}");
        let error = call!(env, backend, send_untyped(&v2)).unwrap_err();
        assert_sdk_rejected(&env, &error, Check::Route);
        let entry = env.mock.log().pop().unwrap();
        assert_eq!(entry.action.as_deref(), Some("coupon.no-such-action"));
        assert_eq!(entry.protocol, Some(zv_types::Protocol::V2));
    }
}

#[test]
fn the_sdk_sending_bad_params_gets_the_params_error() {
    let env = Env::new(MockConfig::new());
    // As the vendor documents it, a basket counts only with shopping = 1 (it is ignored
    // otherwise), and then it is required.
    let basket_without_shopping = json!({"user_id": 10001, "shopping": 0, "checked": r#"[{"bar_code":"A","offline_price":100,"buy_num":1}]"#});
    let coupons = |params: Value| UntypedRequest::v2("coupon.user-coupon-list", params).unwrap();
    for backend in BACKENDS {
        assert!(call!(env, backend, send_untyped(&coupons(basket_without_shopping.clone()))).is_ok());
        // (Every params rejection of the mock is in its own tests; two kinds here.)
        for bad in [json!({"user_id": 10001, "shopping": 1}), json!({"user_id": 10001, "expire": "someday"})]
        {
            let error = call!(env, backend, send_untyped(&coupons(bad))).unwrap_err();
            assert_sdk_rejected(&env, &error, Check::Params);
        }
        for (path, params) in [
            ("coupon/exchange/getExchangeCodeStatus", json!({})),
            (zv_mock::REDEEM_PATH, json!({"user_id": "10001"})),
        ] {
            let request = UntypedRequest::v3(path, params).unwrap();
            let error = call!(env, backend, send_untyped(&request)).unwrap_err();
            assert_sdk_rejected(&env, &error, Check::Params);
        }
    }
}
