//! Both real backends against a minimal local HTTP server on 127.0.0.1 port 0.
#![cfg(all(feature = "ureq", feature = "reqwest"))]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::common::*;
use zv_types::{CouponListParams, GiftCardListParams, Money};

/// Answers each request by its path with a canonned body; records the request bodies.
/// Keep-alive: serves many requests per connection, for as long as the test runs.
fn serve() -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let log = log.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut stream = stream;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
                    let mut len = 0;
                    loop {
                        let mut h = String::new();
                        reader.read_line(&mut h).unwrap();
                        if h == "\r\n" {
                            break;
                        }
                        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                            len = v.trim().parse().unwrap();
                        }
                    }
                    let mut body = vec![0; len];
                    reader.read_exact(&mut body).unwrap();
                    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    let verified = {
                        let (ts, nonce, token) = if path == "/api/v2" {
                            (&json["Timestamp"], &json["Nonce"], &json["Token"])
                        } else {
                            (&json["timestamp"], &json["nonce"], &json["token"])
                        };
                        signer().verify(
                            ts.as_str().unwrap().parse().unwrap(),
                            nonce.as_str().unwrap().parse().unwrap(),
                            token.as_str().unwrap(),
                        )
                    };
                    log.lock().unwrap().push(json);
                    let answer = match (verified, path.as_str()) {
                        (false, _) => r#"{"status":false,"code":40003,"message":"签名错误"}"#,
                        (true, "/v3/crm/giftCard/getCustomerGiftCardList") => {
                            r#"{"status":"true","code":"0","data":[{"id":"8800001","gift_title":"生日卡","par_value":"100.50","status":"4"}]}"#
                        }
                        (true, "/api/v2") => {
                            r#"{"status":true,"code":0,"data":{"item_list":[{"id":1,"status":0,"coupon":{"min_amount_use":10000}}]}}"#
                        }
                        (true, "/v3/coupon/exchange/getExchangeCodeStatus") => {
                            r#"{"status":"true","code":"0","data":{"status":"true"}}"#
                        }
                        _ => r#"{"status":false,"code":404,"message":"unknown path"}"#,
                    };
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                        answer.len()
                    );
                    stream.write_all(head.as_bytes()).unwrap();
                    stream.write_all(answer.as_bytes()).unwrap();
                }
            });
        }
    });
    (url, seen)
}

#[test]
fn blocking_ureq_client_over_a_real_socket() {
    let (url, seen) = serve();
    let client =
        zv_api::blocking::Client::builder().base_url(&url).credentials(credentials()).build().unwrap();
    let cards = client.gift_cards(&GiftCardListParams::new("10001")).unwrap();
    assert_eq!(cards[0].par_value, Some(Money::from_fen(10050)));
    let coupons = client.coupons(&CouponListParams::new().user_id(10001)).unwrap();
    assert_eq!(coupons.item_list[0].coupon.as_ref().unwrap().min_amount_use, Some(Money::from_fen(10000)));
    assert!(client.exchange_code_status("164822200532619796511").unwrap().redeemable);
    assert_eq!(seen.lock().unwrap().len(), 3);
    // a wrong key is refused by the server and surfaces as a system error
    let bad = zv_api::blocking::Client::builder()
        .base_url(&url)
        .credentials(zv_api::zv_sign::Credentials::new(OPEN_ID, GRANT_CODE, "wrong"))
        .build()
        .unwrap();
    let e = bad.exchange_code_status("1").unwrap_err();
    assert_eq!(e.to_string(), "API system error 40003: 签名错误");
}

#[test]
fn async_reqwest_client_over_a_real_socket() {
    let (url, seen) = serve();
    run(async {
        let client = zv_api::Client::builder().base_url(&url).credentials(credentials()).build().unwrap();
        let cards = client.gift_cards(&GiftCardListParams::new("10001")).await.unwrap();
        assert_eq!(cards[0].gift_title, "生日卡");
        let coupons = client.coupons(&CouponListParams::new().user_id(10001)).await.unwrap();
        assert_eq!(coupons.item_list.len(), 1);
        assert!(client.exchange_code_status("164822200532619796511").await.unwrap().redeemable);
    });
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[test]
fn connect_refused_through_a_real_backend_is_a_transport_error_and_retried() {
    let closed = ClosedPort::new();
    let slept = Arc::new(Mutex::new(0));
    let s = slept.clone();
    let client = zv_api::blocking::Client::builder()
        .base_url(closed.url())
        .credentials(credentials())
        // Counts the backoffs only: the sleeper does not let time pass for a rate limiter.
        .no_rate_limit()
        .sleeper(move |_| *s.lock().unwrap() += 1)
        .build()
        .unwrap();
    let e = client.exchange_code_status("1").unwrap_err();
    assert_eq!(e.kind(), zv_api::ErrorKind::Transport);
    assert_eq!(e.to_string(), "transport error calling /v3/coupon/exchange/getExchangeCodeStatus");
    let chain = zv_api::Report(&e).to_string();
    assert!(
        chain.starts_with(
            "transport error calling /v3/coupon/exchange/getExchangeCodeStatus: could not connect to the server: "
        ),
        "{chain}"
    );
    assert_eq!(*slept.lock().unwrap(), 2, "two retries");
}
