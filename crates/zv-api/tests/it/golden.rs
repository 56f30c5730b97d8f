//! Golden requests: method, URL, headers, envelope keys and a token zv-sign verifies.

use crate::common::*;
use serde_json::{Value, json};
use zv_api::UntypedRequest;
use zv_types::{Basket, BasketItem, CouponListParams, CouponStatusFilter, GiftCardListParams, Money};

const GIFT_OK: &str = r#"{"status":true,"code":0,"data":[]}"#;
const COUPON_OK: &str = r#"{"status":true,"code":0,"data":{"item_list":[]}}"#;
const EXCHANGE_OK: &str = r#"{"status":"true","code":"0","data":{"status":"true"}}"#;

fn check_headers(req: &http::Request<Vec<u8>>, url: &str) {
    assert_eq!(req.method(), http::Method::POST);
    assert_eq!(req.uri(), url);
    assert_eq!(req.headers()["content-type"], "application/json");
    assert!(req.headers()["user-agent"].to_str().unwrap().starts_with("zv/"));
}

fn v3_envelope(body: &Value) -> (u64, u64, &str) {
    let obj = body.as_object().unwrap();
    let mut keys: Vec<_> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["grantCode", "nonce", "openId", "params", "timestamp", "token"]);
    assert_eq!(obj["openId"], OPEN_ID);
    assert_eq!(obj["grantCode"], GRANT_CODE);
    let ts: u64 = obj["timestamp"].as_str().expect("timestamp is a string").parse().unwrap();
    let nonce: u64 = obj["nonce"].as_str().expect("nonce is a string").parse().unwrap();
    (ts, nonce, obj["token"].as_str().unwrap())
}

fn v2_envelope<'a>(body: &'a Value, action: &str) -> (u64, u64, &'a str) {
    let obj = body.as_object().unwrap();
    let mut keys: Vec<_> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["Action", "GrantCode", "Nonce", "OpenId", "Params", "Timestamp", "Token"]);
    assert_eq!(obj["OpenId"], OPEN_ID);
    assert_eq!(obj["GrantCode"], GRANT_CODE);
    assert_eq!(obj["Action"], action);
    let ts: u64 = obj["Timestamp"].as_str().expect("Timestamp is a string").parse().unwrap();
    let nonce: u64 = obj["Nonce"].as_str().expect("Nonce is a string").parse().unwrap();
    (ts, nonce, obj["Token"].as_str().unwrap())
}

fn check_token(ts: u64, nonce: u64, token: &str) {
    assert_eq!(ts, NOW);
    assert!((1..=i32::MAX as u64).contains(&nonce), "nonce {nonce}");
    assert!(token.contains('%') || !token.contains(['+', '/', '=']), "token is URL-encoded: {token}");
    assert!(signer().verify(ts, nonce, token), "token verifies");
    assert!(!signer().verify(ts, nonce + 1, token));
}

#[test]
fn gift_cards_request() {
    for (_, script) in both(
        vec![Reply::Json(GIFT_OK)],
        |c| c.gift_cards(&GiftCardListParams::new("10001").include_recycled(true)).unwrap(),
        async |c| c.gift_cards(&GiftCardListParams::new("10001").include_recycled(true)).await.unwrap(),
    ) {
        let reqs = script.requests();
        assert_eq!(reqs.len(), 1);
        check_headers(&reqs[0], "http://gateway.test/v3/crm/giftCard/getCustomerGiftCardList");
        let body = &script.bodies()[0];
        let (ts, nonce, token) = v3_envelope(body);
        check_token(ts, nonce, token);
        assert_eq!(body["params"], json!({"user_id": "10001", "needCycleCard": 1}));
    }
}

#[test]
fn coupons_request_with_status_filter_and_with_basket() {
    let status = CouponListParams::new()
        .user_id(10001)
        .status(CouponStatusFilter::CanUse)
        .amount(Money::from_fen(10000));
    let basket =
        CouponListParams::new().user_id(10001).from_pay_page(true).multi_store_sn("S01").basket(
            Basket::new(vec![BasketItem::new("P5C503FB51B4843301", Money::from_fen(120), 2)]).unwrap(),
        );
    for (params, wire) in [
        (status, json!({"user_id": 10001, "shopping": 0, "expire": "canuse", "amount": 10000})),
        (
            basket,
            json!({"user_id": 10001, "from_pay_page": 1, "shopping": 1, "multi_store_sn": "S01",
                   "checked": "[{\"bar_code\":\"P5C503FB51B4843301\",\"offline_price\":120,\"buy_num\":2}]"}),
        ),
    ] {
        let p2 = params.clone();
        for (_, script) in both(
            vec![Reply::Json(COUPON_OK)],
            |c| c.coupons(&params).unwrap(),
            async |c| c.coupons(&p2).await.unwrap(),
        ) {
            let reqs = script.requests();
            check_headers(&reqs[0], "http://gateway.test/api/v2");
            let body = &script.bodies()[0];
            let (ts, nonce, token) = v2_envelope(body, "coupon.user-coupon-list");
            check_token(ts, nonce, token);
            assert_eq!(body["Params"], wire);
        }
    }
}

#[test]
fn exchange_code_request() {
    for (status, script) in both(
        vec![Reply::Json(EXCHANGE_OK)],
        |c| c.exchange_code_status("164822200532619796511").unwrap(),
        async |c| c.exchange_code_status("164822200532619796511").await.unwrap(),
    ) {
        assert!(status.redeemable);
        check_headers(&script.requests()[0], "http://gateway.test/v3/coupon/exchange/getExchangeCodeStatus");
        let body = &script.bodies()[0];
        let (ts, nonce, token) = v3_envelope(body);
        check_token(ts, nonce, token);
        assert_eq!(body["params"], json!({"exchangeCode": "164822200532619796511"}));
    }
}

#[test]
fn raw_calls_v2_and_v3() {
    let v3 = UntypedRequest::v3("/v3/crm/member/getMemberInfo", json!({"user_id": "10001"})).unwrap();
    let v2 = UntypedRequest::v2("member.info", json!({"user_id": 10001})).unwrap();
    for (data, script) in both(
        vec![Reply::Json(r#"{"status":true,"code":0,"data":{"name":"张三","level":3}}"#)],
        |c| (c.send_untyped(&v3).unwrap().data, c.send_untyped(&v2).unwrap().data),
        async |c| (c.send_untyped(&v3).await.unwrap().data, c.send_untyped(&v2).await.unwrap().data),
    ) {
        assert_eq!(data.0.get(), r#"{"name":"张三","level":3}"#);
        assert_eq!(data.1.get(), data.0.get());
        let reqs = script.requests();
        assert_eq!(reqs[0].uri(), "http://gateway.test/v3/crm/member/getMemberInfo");
        assert_eq!(reqs[1].uri(), "http://gateway.test/api/v2");
        let bodies = script.bodies();
        let (ts, nonce, token) = v3_envelope(&bodies[0]);
        check_token(ts, nonce, token);
        assert_eq!(bodies[0]["params"], json!({"user_id": "10001"}));
        let (ts, nonce, token) = v2_envelope(&bodies[1], "member.info");
        check_token(ts, nonce, token);
        assert_eq!(bodies[1]["Params"], json!({"user_id": 10001}));
    }
}

#[test]
fn raw_call_without_data_gives_null_and_keeps_the_raw_body() {
    let req = UntypedRequest::v3("crm/x", json!({})).unwrap();
    let script = Script::new(vec![Reply::Json(r#"{"status":true,"code":0,"message":"ok"}"#)]);
    let r = script.blocking().send_untyped(&req).unwrap();
    assert_eq!(r.data.get(), "null");
    assert_eq!(r.http.status(), 200);
    assert!(r.http.data_json().is_none());
}

/// Untyped calls keep numbers exactly, both ways: integers beyond u64 and long decimals go
/// out and come back byte for byte (no `1.648222005326198e+20`).
#[test]
fn untyped_calls_keep_numbers_exactly() {
    let data = r#"{"exchange_code":164822200532619796511,"id":123456789012345678901234567890,"rate":0.12345678901234567890123,"small":-1e-400}"#;
    let body = format!(r#"{{"status":true,"code":0,"data":{data}}}"#);
    let body: &'static str = Box::leak(body.into_boxed_str());
    let params = r#"{"exchangeCode":164822200532619796511,"amount":12.345678901234567890}"#;
    let from_text = UntypedRequest::v3("coupon/exchange/check", params).unwrap();
    let from_raw = UntypedRequest::v3(
        "coupon/exchange/check",
        serde_json::value::RawValue::from_string(params.into()).unwrap(),
    )
    .unwrap();
    assert_eq!(from_text, from_raw);
    for (r, script) in both(
        vec![Reply::Json(body)],
        |c| c.send_untyped(&from_text).unwrap().data,
        async |c| c.send_untyped(&from_raw).await.unwrap().data,
    ) {
        assert_eq!(r.get(), data);
        let sent = String::from_utf8(script.requests()[0].body().clone()).unwrap();
        assert!(sent.ends_with(&format!(r#""params":{params}}}"#)), "{sent}");
    }
    // A Value still works, and bad JSON text is refused before sending.
    assert!(UntypedRequest::v2("a.b", json!({"x": 1})).is_ok());
    let e = UntypedRequest::v2("a.b", "{\"x\":").unwrap_err();
    assert_eq!(e.kind(), zv_api::ErrorKind::InvalidRequest);
}

#[test]
fn invalid_routes_are_refused_before_sending() {
    for bad in ["", "/v3/", "crm/../x", "crm//x", "crm/x?y=1", "crm/x y"] {
        let e = UntypedRequest::v3(bad, json!({})).unwrap_err();
        assert_eq!(e.kind(), zv_api::ErrorKind::InvalidRequest, "{bad}");
    }
    assert!(UntypedRequest::v2(" ", json!({})).is_err());
    assert!(UntypedRequest::v2("a\nb", json!({})).is_err());
}

#[test]
fn a_custom_base_url_with_a_path_prefix_and_user_agent() {
    let script = Script::new(vec![Reply::Json(EXCHANGE_OK)]);
    let client = script
        .blocking_builder()
        .base_url("https://gw.example/prefix/")
        .user_agent("my-shop/1.0")
        .build()
        .unwrap();
    client.exchange_code_status("1").unwrap();
    let req = &script.requests()[0];
    assert_eq!(req.uri(), "https://gw.example/prefix/v3/coupon/exchange/getExchangeCodeStatus");
    assert_eq!(req.headers()["user-agent"], "my-shop/1.0");
}

#[test]
fn sansio_prepare_is_deterministic_given_time_and_nonce() {
    let script = Script::new(vec![Reply::Json(EXCHANGE_OK)]);
    let config = script.blocking_builder().build_config().unwrap();
    let p = zv_types::ExchangeCodeParams::new("164822200532619796511");
    let a = zv_api::sansio::prepare::<zv_types::GetExchangeCodeStatus>(&config, &p, 1_547_186_244, 658_965)
        .unwrap();
    let b = zv_api::sansio::prepare::<zv_types::GetExchangeCodeStatus>(&config, &p, 1_547_186_244, 658_965)
        .unwrap();
    assert_eq!(a.body(), b.body());
    let token = signer().sign(1_547_186_244, 658_965).token().to_owned();
    assert_eq!(
        String::from_utf8(a.body().clone()).unwrap(),
        format!(
            r#"{{"openId":"{OPEN_ID}","grantCode":"{GRANT_CODE}","timestamp":"1547186244","nonce":"658965","token":"{token}","params":{{"exchangeCode":"164822200532619796511"}}}}"#
        )
    );
}
