//! Every gateway check, over raw HTTP: each rejection has its code and its log entry.

use crate::common::*;
use serde_json::json;
use zv_mock::{Check, DEMO_MEMBER, Fault, MockConfig, REDEEM_PATH, Verdict};
use zv_sign::{Credentials, FixedClock};
use zv_transport::http::Method;

fn cards_params() -> serde_json::Value {
    json!({"user_id": DEMO_MEMBER, "needCycleCard": 0})
}

#[test]
fn a_correct_request_passes_every_check() {
    let mock = start(MockConfig::new());
    let (status, body) =
        post(&mock, GIFT_CARDS, &v3_body(mock.credentials(), now(), nonce(), cards_params()));
    assert_eq!(status, 200);
    assert_eq!(body["status"], true, "{body}");
    assert_eq!(body["code"], 0);
    let entry = mock.log().pop().unwrap();
    assert_eq!(entry.verdict, Verdict::Ok);
    assert_eq!(entry.open_id.as_deref(), Some(zv_mock::DEMO_OPEN_ID));
    assert_eq!(entry.params, Some(cards_params()));
}

#[test]
fn method() {
    let mock = start(MockConfig::new());
    let (status, body) = send(&mock, Method::GET, GIFT_CARDS, Vec::new());
    assert_rejected(&mock, (status, serde_json::from_slice(&body).unwrap()), Check::Method);
    let (status, body) = send(&mock, Method::PUT, "/nowhere", b"not json".to_vec());
    assert_rejected(&mock, (status, serde_json::from_slice(&body).unwrap()), Check::Method);
}

#[test]
fn json() {
    let mock = start(MockConfig::new());
    let (status, body) = send(&mock, Method::POST, GIFT_CARDS, b"openId=1&token=2".to_vec());
    assert_rejected(&mock, (status, serde_json::from_slice(&body).unwrap()), Check::Json);
    let (status, body) = send(&mock, Method::POST, GIFT_CARDS, Vec::new());
    assert_rejected(&mock, (status, serde_json::from_slice(&body).unwrap()), Check::Json);
}

#[test]
fn envelope() {
    let mock = start(MockConfig::new());
    let creds = mock.credentials().clone();
    // A V2 body on a V3 path.
    let v2 = v2_body(&creds, now(), nonce(), COUPONS, json!({}));
    assert_rejected(&mock, post(&mock, GIFT_CARDS, &v2), Check::Envelope);
    // A V3 body on the V2 path.
    let v3 = v3_body(&creds, now(), nonce(), json!({}));
    assert_rejected(&mock, post(&mock, "/api/v2", &v3), Check::Envelope);
    // Not a decimal, not an integer, missing params, not an object.
    let mut signed = v3_body(&creds, now(), nonce(), cards_params());
    signed["timestamp"] = json!("-5");
    assert_rejected(&mock, post(&mock, GIFT_CARDS, &signed), Check::Envelope);
    let mut signed = v3_body(&creds, now(), nonce(), cards_params());
    signed["nonce"] = json!(1.5);
    assert_rejected(&mock, post(&mock, GIFT_CARDS, &signed), Check::Envelope);
    let mut signed = v3_body(&creds, now(), nonce(), cards_params());
    signed["token"] = json!(7);
    assert_rejected(&mock, post(&mock, GIFT_CARDS, &signed), Check::Envelope);
    let mut no_params = v3_body(&creds, now(), nonce(), cards_params());
    no_params.as_object_mut().unwrap().remove("params");
    assert_rejected(&mock, post(&mock, GIFT_CARDS, &no_params), Check::Envelope);
    let array = json!(["a", "b", "1", "2", "t", {}]);
    assert_rejected(&mock, post(&mock, GIFT_CARDS, &array), Check::Envelope);
    assert!(mock.log().iter().all(|e| !e.verdict.is_ok()));
}

#[test]
fn numbers_pass_by_default_and_strict_mode_wants_the_documented_strings() {
    let lenient = start(MockConfig::new());
    let strict = start(MockConfig::new().strict(true));
    for mock in [&lenient, &strict] {
        let creds = mock.credentials().clone();
        let (ts, n) = (now(), nonce());
        let mut numeric = v3_body(&creds, ts, n, cards_params());
        numeric["timestamp"] = json!(ts);
        numeric["nonce"] = json!(n);
        let answer = post(mock, GIFT_CARDS, &numeric);
        if std::ptr::eq(mock, &strict) {
            let message = answer.1["message"].as_str().unwrap().to_owned();
            assert!(
                message.contains("`timestamp` is the JSON number") && message.contains("strict mode"),
                "{message}"
            );
            assert_rejected(mock, answer, Check::Envelope);
        } else {
            assert_eq!(answer.1["code"], 0, "{}", answer.1);
            assert_eq!(mock.log().pop().unwrap().nonce, Some(n));
        }
    }
}

#[test]
fn credentials() {
    let mock = start(MockConfig::new());
    let stranger = Credentials::new("ffffffffffffffffffffffffffffffff", mock.credentials().grant_code(), "k");
    assert_rejected(
        &mock,
        post(&mock, GIFT_CARDS, &v3_body(&stranger, now(), nonce(), cards_params())),
        Check::Credentials,
    );
    let wrong_grant =
        Credentials::new(mock.credentials().open_id(), "WrongGrant", mock.credentials().expose_open_key());
    assert_rejected(
        &mock,
        post(&mock, GIFT_CARDS, &v3_body(&wrong_grant, now(), nonce(), cards_params())),
        Check::Credentials,
    );
    // V2 too.
    let v2 = v2_body(&stranger, now(), nonce(), COUPONS, json!({"user_id": 10001}));
    assert_rejected(&mock, post(&mock, V2, &v2), Check::Credentials);
}

#[test]
fn timestamp() {
    // The mock's clock an hour ahead of the client's.
    let mock = start(MockConfig::new().clock(FixedClock(now() + 3600)));
    assert_rejected(&mock, call(&mock, GIFT_CARDS, cards_params()), Check::Timestamp);
    let message = mock.log().pop().unwrap().verdict;
    assert!(format!("{message:?}").contains("behind the server clock"), "{message:?}");

    // The client's clock stale; the window is ±300 s inclusive.
    let t = 1_700_000_000;
    let mock = start(MockConfig::new().clock(FixedClock(t)));
    let at = |ts| post(&mock, GIFT_CARDS, &v3_body(mock.credentials(), ts, nonce(), cards_params()));
    assert_rejected(&mock, at(t - 301), Check::Timestamp);
    assert_rejected(&mock, at(t + 301), Check::Timestamp);
    assert_eq!(at(t - 300).1["code"], 0);
    assert_eq!(at(t + 300).1["code"], 0);

    // A narrower window.
    let mock = start(MockConfig::new().clock(FixedClock(t)).skew(std::time::Duration::from_secs(5)));
    let body = v3_body(mock.credentials(), t - 6, nonce(), cards_params());
    assert_rejected(&mock, post(&mock, GIFT_CARDS, &body), Check::Timestamp);
}

#[test]
fn signature() {
    let mock = start(MockConfig::new());
    let creds = mock.credentials().clone();
    let (ts, n) = (now(), nonce());
    let mut forged = v3_body(&creds, ts, n, cards_params());
    let other_key = Credentials::new(creds.open_id(), creds.grant_code(), "not-the-key");
    forged["token"] = json!(token(&other_key, ts, n));
    let answer = post(&mock, GIFT_CARDS, &forged);
    let text = answer.1.to_string();
    assert!(!text.contains(forged["token"].as_str().unwrap()), "the token is never echoed: {text}");
    assert_rejected(&mock, answer, Check::Signature);

    // A token signed for another nonce, and one URL-decoded on the way.
    let mut replayed_token = v3_body(&creds, ts, n, cards_params());
    replayed_token["nonce"] = json!((n + 1).to_string());
    assert_rejected(&mock, post(&mock, GIFT_CARDS, &replayed_token), Check::Signature);
    // Strict: the token only as PHP's urlencode writes it, not decoded.
    let strict = start(MockConfig::new().strict(true));
    let mut decoded = v3_body(&creds, ts, n, cards_params());
    // (`+` kept escaped: URL-decoding reads a bare one as a space.)
    let plain = zv_sign::php_urldecode(decoded["token"].as_str().unwrap()).unwrap().replace('+', "%2B");
    decoded["token"] = json!(plain);
    let answer = post(&strict, GIFT_CARDS, &decoded);
    assert!(
        answer.1["message"].as_str().unwrap().contains("not written as PHP `urlencode` writes it"),
        "{}",
        answer.1
    );
    assert_rejected(&strict, answer, Check::Signature);
    // Not URL-encoded text at all.
    let mut malformed = v3_body(&creds, ts, n, cards_params());
    malformed["token"] = json!("%G1");
    let answer = post(&mock, GIFT_CARDS, &malformed);
    assert!(answer.1["message"].as_str().unwrap().contains("not URL-encoded text"), "{}", answer.1);
    assert_rejected(&mock, answer, Check::Signature);

    // The nonce of a request with a bad signature was not recorded: the genuine request with
    // the same nonce goes through.
    let (status, body) = post(&mock, GIFT_CARDS, &v3_body(&creds, ts, n, cards_params()));
    assert_eq!((status, body["code"].clone()), (200, json!(0)), "{body}");

    // V2 is signed over the same four lowerCamel names.
    let mut v2 = v2_body(&creds, ts, nonce(), COUPONS, json!({"user_id": 10001}));
    v2["Token"] = json!(token(&other_key, ts, 1));
    assert_rejected(&mock, post(&mock, "/api/v2", &v2), Check::Signature);
}

#[test]
fn nonce_replay() {
    let mock = start(MockConfig::new());
    let body = v3_body(mock.credentials(), now(), nonce(), cards_params());
    let (status, first) = post(&mock, GIFT_CARDS, &body);
    assert_eq!((status, first["code"].clone()), (200, json!(0)));
    assert_rejected(&mock, post(&mock, GIFT_CARDS, &body), Check::Nonce);
    // Per openId and across endpoints: the same nonce on another path is a replay too.
    let again = v3_body(
        mock.credentials(),
        now(),
        body["nonce"].as_str().unwrap().parse().unwrap(),
        json!({"exchangeCode": "1"}),
    );
    assert_rejected(&mock, post(&mock, EXCHANGE_STATUS, &again), Check::Nonce);
    let log = mock.log();
    assert_eq!(log.len(), 3);
    assert!(log[0].verdict.is_ok());
}

#[test]
fn route() {
    let mock = start(MockConfig::new());
    let (_, body) = call(&mock, "/v3/crm/giftCard/noSuchThing", json!({}));
    let message = body["message"].as_str().unwrap().to_owned();
    assert_rejected(&mock, (200, body), Check::Route);
    // The message lists the table.
    assert!(message.contains("no endpoint at /v3/crm/giftCard/noSuchThing: the mock serves "), "{message}");
    for route in [GIFT_CARDS, EXCHANGE_STATUS, REDEEM_PATH, "/api/v2 Action coupon.user-coupon-list"] {
        assert!(message.contains(route), "{message}");
    }
    let body = call_v2(&mock, "coupon.no-such-action", json!({}));
    assert!(body["message"].as_str().unwrap().contains("unknown Action \"coupon.no-such-action\""), "{body}");
    assert_rejected(&mock, (200, body), Check::Route);
    let entry = mock.log().pop().unwrap();
    assert_eq!(entry.action.as_deref(), Some("coupon.no-such-action"));
    assert_eq!(entry.protocol, Some(zv_types::Protocol::V2));
    // Any path other than /api/v2 is read as V3, then has no route.
    let body = v3_body(mock.credentials(), now(), nonce(), json!({}));
    assert_rejected(&mock, post(&mock, "/v4/whatever", &body), Check::Route);
}

#[test]
fn params() {
    let mock = start(MockConfig::new());
    // As the vendor documents it, a basket counts only with shopping = 1 (it is ignored
    // otherwise), and then it is required.
    let basket_without_shopping = json!({"user_id": 10001, "shopping": 0, "checked": r#"[{"bar_code":"A","offline_price":100,"buy_num":1}]"#});
    assert_eq!(call_v2(&mock, COUPONS, basket_without_shopping)["code"], 0);
    for bad in [
        json!({"user_id": 10001, "shopping": 1}),
        json!({"user_id": 10001, "shopping": 1, "checked": "[]"}),
        json!({"user_id": 10001, "shopping": 1, "checked": "not json"}),
        json!({"user_id": 10001, "expire": "someday"}),
        json!({"user_id": "not-a-number"}),
    ] {
        assert_rejected(&mock, (200, call_v2(&mock, COUPONS, bad)), Check::Params);
    }
    assert_rejected(&mock, call(&mock, EXCHANGE_STATUS, json!({})), Check::Params);
    for bad in [json!({"user_id": "10001"}), json!({"exchangeCode": " "}), json!({"exchangeCode": []})] {
        let (status, body) = call(&mock, REDEEM_PATH, bad);
        assert!(body["message"].as_str().unwrap().contains("`exchangeCode` is required"), "{body}");
        assert_rejected(&mock, (status, body), Check::Params);
    }
    assert!(mock.fixtures().exchange_codes[zv_mock::DEMO_EXCHANGE_CODE], "nothing was redeemed");
}

#[test]
fn checks_run_in_order() {
    let mock = start(MockConfig::new().clock(FixedClock(1)));
    let creds = mock.credentials().clone();
    // Wrong openId and stale timestamp and bad token: credentials come first.
    let stranger = Credentials::new("x", "y", "z");
    assert_rejected(
        &mock,
        post(&mock, "/v3/nowhere", &v3_body(&stranger, now(), 1, json!(1))),
        Check::Credentials,
    );
    // Stale and unsigned: timestamp first.
    let mut body = v3_body(&creds, now(), 2, json!(1));
    body["token"] = json!("bad");
    assert_rejected(&mock, post(&mock, "/v3/nowhere", &body), Check::Timestamp);
    // Unsigned on an unknown route: signature first.
    let mut body = v3_body(&creds, 1, 3, json!(1));
    body["token"] = json!("bad");
    assert_rejected(&mock, post(&mock, "/v3/nowhere", &body), Check::Signature);
    // A replay on an unknown route: nonce before route.
    let body = v3_body(&creds, 1, 4, json!(1));
    assert_rejected(&mock, post(&mock, "/v3/nowhere", &body), Check::Route);
    assert_rejected(&mock, post(&mock, "/v3/nowhere", &body), Check::Nonce);
    // Route before params.
    assert_rejected(&mock, post(&mock, "/v3/nowhere", &v3_body(&creds, 1, 5, json!(1))), Check::Route);
    assert_rejected(&mock, post(&mock, EXCHANGE_STATUS, &v3_body(&creds, 1, 6, json!(1))), Check::Params);
}

#[test]
fn a_rejected_request_consumes_no_fault() {
    let mock = start(MockConfig::new());
    mock.push_fault(Fault::HttpStatus(502));
    let mut forged = v3_body(mock.credentials(), now(), nonce(), cards_params());
    forged["token"] = json!("AAAA");
    assert_rejected(&mock, post(&mock, GIFT_CARDS, &forged), Check::Signature);
    assert_eq!(mock.log()[0].fault, None);
    let (status, _) = send(
        &mock,
        Method::POST,
        GIFT_CARDS,
        serde_json::to_vec(&v3_body(mock.credentials(), now(), nonce(), cards_params())).unwrap(),
    );
    assert_eq!(status, 502);
    assert_eq!(mock.log()[1].fault.as_deref(), Some("http 502"));
}

#[test]
fn messy_mode_rejections_are_messy_too() {
    let mock = start(MockConfig::new().messy(true));
    let (status, body) = send(&mock, Method::GET, GIFT_CARDS, Vec::new());
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 200);
    assert_eq!(body["status"], "false");
    assert_eq!(body["code"], "40001");
}
