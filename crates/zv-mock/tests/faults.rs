//! Every injected fault, through the SDK's clients over real sockets.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use zv_api::{ErrorKind, UntypedRequest};
use zv_mock::{DEMO_EXCHANGE_CODE, DEMO_MEMBER, Fault, MockConfig, REDEEM_PATH};
use zv_transport::TransportErrorKind;
use zv_types::GiftCardListParams;

fn cards() -> GiftCardListParams {
    GiftCardListParams::new(DEMO_MEMBER)
}

/// A blocking client that never retries.
fn once(mock: &zv_mock::MockServer) -> zv_api::blocking::Client {
    blocking_builder(mock).max_retries(0).build().unwrap()
}

#[test]
fn delay_past_the_client_timeout() {
    let mock = start(MockConfig::new());
    let client = blocking_builder(&mock).max_retries(0).timeout(Duration::from_millis(300)).build().unwrap();
    // A delay far longer than the timeout: a client that waited for it would hang the test.
    mock.push_fault(Fault::Delay(Duration::from_secs(600)));
    let error = client.gift_cards(&cards()).unwrap_err();
    assert_eq!(error.transport_error().map(|e| e.kind()), Some(TransportErrorKind::Timeout), "{error}");
    // The server survives the dropped connection and answers the next request.
    assert_eq!(client.gift_cards(&cards()).unwrap().len(), 5);
    let log = mock.log();
    assert_eq!(log[0].fault.as_deref(), Some("delay 600s"));
    assert_eq!(log[1].fault, None);

    // The async client gives up the same way.
    mock.push_fault(Fault::Delay(Duration::from_secs(600)));
    let client = async_builder(&mock).max_retries(0).timeout(Duration::from_millis(300)).build().unwrap();
    let error = run(client.gift_cards(&cards())).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert_eq!(run(client.gift_cards(&cards())).unwrap().len(), 5);

    // A delay shorter than the timeout is just slow.
    mock.push_fault(Fault::Delay(Duration::from_millis(100)));
    let started = Instant::now();
    once(&mock).gift_cards(&cards()).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(100));
}

#[test]
fn an_unsafe_call_that_timed_out_is_not_sent_again() {
    let mock = start(MockConfig::new());
    // Retries allowed, but the redeem is not retry-safe and did reach the server.
    let client = blocking_builder(&mock).timeout(Duration::from_millis(300)).build().unwrap();
    mock.push_fault(Fault::fail_times(3, Fault::Delay(Duration::from_millis(800))));
    let redeem =
        UntypedRequest::v3(REDEEM_PATH, json!({"exchangeCode": DEMO_EXCHANGE_CODE, "user_id": DEMO_MEMBER}))
            .unwrap();
    let error = client.send_untyped(&redeem).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    let redeems = mock.log().iter().filter(|e| e.path == REDEEM_PATH).count();
    assert_eq!(redeems, 1, "sent once");
    // The write happened (the answer was only late).
    assert!(!mock.fixtures().exchange_codes[DEMO_EXCHANGE_CODE]);
}

#[test]
fn http_status_with_an_html_page() {
    let mock = start(MockConfig::new());
    mock.push_fault(Fault::HttpStatus(502));
    let error = once(&mock).gift_cards(&cards()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Http, "{error}");
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(502));
    let raw = error.http_response().unwrap();
    assert!(raw.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(raw.text().contains("<center><h1>502 Bad Gateway</h1></center>"), "{}", raw.text());
    assert!(error.to_string().contains("502"), "{error}");
    assert_eq!(mock.log()[0].http_status, 502);
    // A 4xx is not retried, even by a retrying client; then the queue is empty.
    mock.push_fault(Fault::HttpStatus(404));
    let error = blocking(&mock).gift_cards(&cards()).unwrap_err();
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(404));
    assert_eq!(mock.log().len(), 2);
    assert!(blocking(&mock).gift_cards(&cards()).is_ok());
}

#[test]
fn truncated_json_and_empty_body() {
    let mock = start(MockConfig::new());
    mock.push_fault(Fault::TruncatedJson);
    mock.push_fault(Fault::EmptyBody);
    let client = once(&mock);
    let error = client.gift_cards(&cards()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    let body = error.http_response().unwrap().text().into_owned();
    assert!(body.starts_with(r#"{"status":true,"code":0,"message":"success","data":[{"#), "{body}");
    assert!(serde_json::from_str::<serde_json::Value>(&body).is_err());
    let error = client.gift_cards(&cards()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    assert!(error.http_response().unwrap().body().is_empty());
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(200));
    assert_eq!(client.gift_cards(&cards()).unwrap().len(), 5);
}

/// The peak resident memory of this process (which runs the mock too), in KiB.
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn huge_bodies_are_streamed_and_refused_by_the_client_cap() {
    const HUGE: u64 = 300 * 1024 * 1024;
    let peak_before = peak_memory_kib();
    let mock = start(MockConfig::new());
    let client = blocking_builder(&mock).max_retries(0).max_response_bytes(1024 * 1024).build().unwrap();
    for content_length in [true, false] {
        mock.push_fault(Fault::HugeBody { bytes: HUGE, content_length });
        let error = client.gift_cards(&cards()).unwrap_err();
        let kind = error.transport_error().map(|e| e.kind());
        assert_eq!(kind, Some(TransportErrorKind::BodyTooLarge), "{error}");
    }
    let async_client = async_builder(&mock).max_retries(0).max_response_bytes(1024 * 1024).build().unwrap();
    for content_length in [true, false] {
        mock.push_fault(Fault::HugeBody { bytes: HUGE, content_length });
        let error = run(async_client.gift_cards(&cards())).unwrap_err();
        assert_eq!(
            error.transport_error().map(|e| e.kind()),
            Some(TransportErrorKind::BodyTooLarge),
            "{error}"
        );
    }
    // 4 × 300 MB were never produced: the server stops as soon as the client does (the
    // memory bound below; a server that kept streaming would also keep the test running).
    if let (Some(before), Some(after)) = (peak_memory_kib(), peak_before) {
        let grown_mib = before.saturating_sub(after) / 1024;
        assert!(grown_mib < 64, "peak memory grew by {grown_mib} MiB");
    }
    assert_eq!(client.gift_cards(&cards()).unwrap().len(), 5, "the server is still fine");
    let faults: Vec<_> = mock.log().iter().filter_map(|e| e.fault.clone()).collect();
    assert_eq!(faults[0], format!("huge body {HUGE} bytes (content-length)"));
    assert_eq!(faults[1], format!("huge body {HUGE} bytes (chunked)"));

    // A body within the cap arrives whole, the size announced or not.
    for content_length in [true, false] {
        mock.push_fault(Fault::HugeBody { bytes: 200_000, content_length });
        let (status, body) = send(
            &mock,
            zv_transport::http::Method::POST,
            GIFT_CARDS,
            serde_json::to_vec(&v3_body(mock.credentials(), now(), nonce(), json!({"user_id": DEMO_MEMBER})))
                .unwrap(),
        );
        assert_eq!((status, body.len()), (200, 200_000));
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["status"], true);
    }
}

#[test]
fn business_and_system_errors() {
    let mock = start(MockConfig::new().messy(true));
    mock.push_fault(Fault::business(30001, "会员已冻结"));
    mock.push_fault(Fault::system(50000, "系统繁忙"));
    let client = once(&mock);
    let error = client.gift_cards(&cards()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ApiBusiness, "{error}");
    assert_eq!(error.api_code().and_then(|c| c.as_i64()), Some(30001));
    assert_eq!(error.api_error().unwrap().message, "会员已冻结");
    let error = client.gift_cards(&cards()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ApiSystem, "{error}");
    assert_eq!(error.api_code().and_then(|c| c.as_i64()), Some(50000));
    assert!(mock.log().iter().all(|e| e.verdict.is_ok()));
}

#[test]
fn fail_times_then_success_with_fresh_nonces() {
    let mock = start(MockConfig::new());
    mock.push_fault(Fault::fail_times(2, Fault::HttpStatus(503)));
    let client = blocking_builder(&mock).retry_policy(fast_retries(2)).build().unwrap();
    assert_eq!(client.gift_cards(&cards()).unwrap().len(), 5, "succeeds on the 3rd attempt");
    let log = mock.log();
    assert_eq!(log.len(), 3);
    assert!(log.iter().all(|e| e.verdict.is_ok()));
    let nonces: BTreeSet<u64> = log.iter().filter_map(|e| e.nonce).collect();
    assert_eq!(nonces.len(), 3, "every attempt is signed anew");
    assert_eq!(log.iter().map(|e| e.http_status).collect::<Vec<_>>(), [503, 503, 200]);
    assert!(log[0].fault.as_deref().unwrap().starts_with("http 503"));
    assert_eq!(log[2].fault, None);

    // The same through the async client; with one retry too few, the 503 comes back.
    mock.clear_log();
    mock.push_fault(Fault::fail_times(2, Fault::HttpStatus(503)));
    let client = async_builder(&mock).retry_policy(fast_retries(1)).build().unwrap();
    let error = run(client.gift_cards(&cards())).unwrap_err();
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(503));
    assert_eq!(mock.log().len(), 2);
    assert_eq!(run(client.gift_cards(&cards())).unwrap().len(), 5);
}

#[test]
fn a_member_fault_hits_only_that_member() {
    let mock = start(MockConfig::new());
    mock.fault_for_member("10002", Fault::HttpStatus(500));
    let client = once(&mock);
    for _ in 0..2 {
        assert_eq!(client.gift_cards(&cards()).unwrap().len(), 5);
        let error = client.gift_cards(&GiftCardListParams::new("10002")).unwrap_err();
        assert_eq!(error.http_status().map(|s| s.as_u16()), Some(500));
    }
    assert!(client.exchange_code_status(DEMO_EXCHANGE_CODE).unwrap().redeemable);
    // The member's fault wins over the queue and leaves it alone.
    mock.push_fault(Fault::EmptyBody);
    let error = client.gift_cards(&GiftCardListParams::new("10002")).unwrap_err();
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(500));
    assert_eq!(client.gift_cards(&cards()).unwrap_err().kind(), ErrorKind::Decode);
    mock.clear_faults();
    assert_eq!(client.gift_cards(&GiftCardListParams::new("10002")).unwrap().len(), 1);
    // Coupons carry user_id as a number: the member matches all the same.
    mock.fault_for_member("10001", Fault::fail_times(1, Fault::business(1, "x")));
    let coupons = zv_types::CouponListParams::new().user_id(10001);
    assert_eq!(client.coupons(&coupons).unwrap_err().kind(), ErrorKind::ApiBusiness);
    assert_eq!(client.coupons(&coupons).unwrap().item_list.len(), 5);
}

#[test]
fn shutdown_ends_a_pending_delay() {
    let mock = start(MockConfig::new());
    mock.push_fault(Fault::Delay(Duration::from_secs(3600)));
    let client = blocking_builder(&mock).max_retries(0).build().unwrap();
    let waiting = std::thread::spawn(move || client.gift_cards(&cards()));
    while mock.log().is_empty() {
        std::thread::sleep(Duration::from_millis(10));
    }
    // An hour-long delay: a shutdown that waited for it would hang the test.
    drop(mock);
    // The delayed answer was cut short (sent at once, or the connection closed).
    let _ = waiting.join().unwrap();
}
