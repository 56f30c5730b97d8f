//! Every kind of answer, through both clients, into the right typed result.

use crate::common::*;
use zv_api::{Error, ErrorKind};
use zv_types::{ApiErrorKind, GiftCardListParams, GiftCardStatus, Money, ResponseCode};

fn gift_cards(replies: Vec<Reply>) -> [Result<Vec<zv_types::GiftCard>, Error>; 2] {
    let p = GiftCardListParams::new("10001");
    let [(a, _), (b, _)] = both(replies, |c| c.gift_cards(&p), async |c| c.gift_cards(&p).await);
    [a, b]
}

#[test]
fn canonical_and_messy_successes_decode_the_same() {
    let canonical = r#"{"status":true,"code":0,"message":"ok","data":[{"id":"8800001","par_value":"100.50","status":"4"}]}"#;
    let messy = r#"{"status":"true","code":"0","data":[{"id":8800001,"par_value":100.5,"status":4,"isErp":"","new":{}}]}"#;
    for r in gift_cards(vec![Reply::Json(canonical)]).into_iter().chain(gift_cards(vec![Reply::Json(messy)]))
    {
        let cards = r.unwrap();
        assert_eq!(cards.len(), 1);
        assert_eq!(cards[0].id, "8800001");
        assert_eq!(cards[0].par_value, Some(Money::from_fen(10050)));
        assert_eq!(cards[0].status, Some(GiftCardStatus::Bound));
    }
}

#[test]
fn unknown_fields_stay_reachable_in_the_raw_data() {
    let body = r#"{"status":true,"code":0,"data":[{"id":"1","brand_new_field":{"x":1}}]}"#;
    let p = GiftCardListParams::new("1");
    for (r, _) in both(
        vec![Reply::Json(body)],
        |c| c.send::<zv_types::GetCustomerGiftCardList>(&p),
        async |c| c.send::<zv_types::GetCustomerGiftCardList>(&p).await,
    ) {
        let r = r.unwrap();
        assert_eq!(r.data[0].id, "1");
        let raw: serde_json::Value = serde_json::from_str(r.http.data_json().unwrap().get()).unwrap();
        assert_eq!(raw[0]["brand_new_field"]["x"], 1);
    }
}

#[test]
fn business_error() {
    let body = r#"{"status":true,"code":"20001","message":"查询的信息不存在"}"#;
    for r in gift_cards(vec![Reply::Json(body)]) {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ApiBusiness);
        assert_eq!(e.to_string(), "API business error 20001: 查询的信息不存在");
        let api = e.api_error().unwrap();
        assert_eq!((api.kind, &api.code), (ApiErrorKind::Business, &ResponseCode::Num(20001)));
        assert_eq!(e.http_status(), Some(http::StatusCode::OK));
        assert!(!e.is_retryable());
    }
}

#[test]
fn system_error() {
    let body = r#"{"status":false,"code":40003,"message":"签名错误"}"#;
    for r in gift_cards(vec![Reply::Json(body)]) {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ApiSystem);
        assert_eq!(e.to_string(), "API system error 40003: 签名错误");
    }
}

#[test]
fn a_platform_error_under_an_http_error_status_is_reported_as_the_platform_error() {
    let body = r#"{"status":false,"code":"429001","message":"请求过于频繁"}"#;
    for r in gift_cards(vec![Reply::Status(403, body)]) {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ApiSystem);
        assert_eq!(e.http_status(), Some(http::StatusCode::FORBIDDEN));
    }
}

#[test]
fn html_502_from_a_proxy() {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    for r in gift_cards(vec![Reply::Status(502, html)]) {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Http);
        assert_eq!(e.http_status(), Some(http::StatusCode::BAD_GATEWAY));
        let msg = e.to_string();
        assert!(
            msg.starts_with(
                "HTTP 502 Bad Gateway from /v3/crm/giftCard/getCustomerGiftCardList: <html> <head>"
            ),
            "{msg}"
        );
        assert!(!msg.contains('\n'), "one line: {msg}");
        assert!(e.is_retryable());
        assert_eq!(e.http_response().unwrap().body(), html.as_bytes());
    }
}

#[test]
fn empty_bodies() {
    for r in gift_cards(vec![Reply::Json("")]) {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.to_string().ends_with("(body: (empty body))"), "{e}");
    }
    for r in gift_cards(vec![Reply::Status(500, "")]) {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Http);
        assert_eq!(
            e.to_string(),
            "HTTP 500 Internal Server Error from /v3/crm/giftCard/getCustomerGiftCardList: (empty body)"
        );
        assert!(!e.is_retryable());
    }
}

#[test]
fn truncated_json_names_the_path() {
    let body = r#"{"status":true,"code":0,"data":[{"id":"1","par_value":"10.00"},{"id":"2","par_va"#;
    for r in gift_cards(vec![Reply::Json(body)]) {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        let Error::Decode { source, .. } = &e else { panic!() };
        assert_eq!(source.path().map(|p| p.starts_with("data")), Some(true), "{e}");
        assert!(zv_api::Report(&e).to_string().contains("EOF"), "{e}");
    }
}

#[test]
fn decode_errors_name_the_json_path_and_show_the_body() {
    let body = r#"{"status":true,"code":0,"data":[{"id":"1","par_value":"ten yuan"}]}"#;
    for r in gift_cards(vec![Reply::Json(body)]) {
        let e = r.unwrap_err();
        let msg = zv_api::Report(&e).to_string();
        assert!(msg.starts_with(r#"cannot decode the response of /v3/crm/giftCard/getCustomerGiftCardList (body: {"status":true"#), "{msg}");
        assert!(msg.contains("}]}): at `data[0].par_value`: "), "{msg}");
    }
}

#[test]
fn a_body_over_the_cap_is_refused_even_from_a_custom_transport() {
    let body = r#"{"status":true,"code":0,"data":[]}"#;
    let script = Script::new(vec![Reply::Json(body)]);
    let client = script.blocking_builder().max_response_bytes(10).build().unwrap();
    let e = client.gift_cards(&GiftCardListParams::new("1")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert_eq!(e.transport_error().unwrap().kind(), zv_api::zv_transport::TransportErrorKind::BodyTooLarge);
    assert_eq!(script.requests().len(), 1, "not retried");
}
