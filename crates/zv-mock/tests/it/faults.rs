//! Every injected fault as it reaches the wire (raw HTTP), and what the log says of it. How
//! the SDK's clients take them lives in the workspace's `tests/`.

use std::time::Duration;

use crate::common::*;
use serde_json::{Value, json};
use zv_mock::{DEMO_EXCHANGE_CODE, DEMO_MEMBER, Fault, MockConfig, MockServer, REDEEM_PATH};
use zv_transport::TransportErrorKind;
use zv_transport::http::Method;

fn cards() -> Value {
    json!({"user_id": DEMO_MEMBER, "needCycleCard": 0})
}

fn cards_of(user_id: &str) -> Value {
    json!({"user_id": user_id, "needCycleCard": 0})
}

/// A signed gift-card request for `params` through `transport`.
fn try_cards(
    transport: &zv_transport::UreqTransport,
    mock: &MockServer,
    params: Value,
) -> Result<(u16, Vec<u8>), zv_transport::TransportError> {
    let body = serde_json::to_vec(&v3_body(mock.credentials(), now(), nonce(), params)).unwrap();
    try_send(transport, mock, Method::POST, GIFT_CARDS, body)
}

fn is_success(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body).is_ok_and(|v| v["code"] == 0 && v["status"] == true)
}

#[test]
fn a_delay_answers_late_and_survives_a_client_that_gave_up() {
    let mock = start(MockConfig::new());
    let impatient = transport_with(&mock, 1 << 20, Duration::from_millis(300));
    // A delay far longer than the timeout: a client that waited for it would hang the test.
    mock.push_fault(Fault::Delay(Duration::from_secs(600)));
    let error = try_cards(&impatient, &mock, cards()).unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Timeout, "{error}");
    // The server survives the dropped connection and answers the next request.
    assert!(is_success(&try_cards(&impatient, &mock, cards()).unwrap().1));
    let log = mock.log();
    assert_eq!(log[0].fault.as_deref(), Some("delay 600s"));
    assert_eq!(log[1].fault, None);

    // A short delay is just slow; the endpoint runs (a write takes effect) before the wait.
    mock.push_fault(Fault::Delay(Duration::from_millis(50)));
    let (_, body) = call(&mock, REDEEM_PATH, json!({"exchangeCode": DEMO_EXCHANGE_CODE}));
    assert_eq!(body["data"]["redeemed"], true, "{body}");
    assert!(!mock.fixtures().exchange_codes[DEMO_EXCHANGE_CODE]);
    assert_eq!(mock.log()[2].fault.as_deref(), Some("delay 50ms"));
}

#[test]
fn http_status_with_an_html_page() {
    let mock = start(MockConfig::new());
    mock.push_fault(Fault::HttpStatus(502));
    mock.push_fault(Fault::HttpStatus(1000));
    let transport = transport_with(&mock, 1 << 20, Duration::from_secs(10));
    let body = serde_json::to_vec(&v3_body(mock.credentials(), now(), nonce(), cards())).unwrap();
    let request =
        zv_transport::http::Request::post(format!("{}{GIFT_CARDS}", mock.base_url())).body(body).unwrap();
    let answer = zv_transport::Transport::send(&transport, request).unwrap();
    assert_eq!(answer.status().as_u16(), 502);
    assert!(answer.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = String::from_utf8(answer.into_body()).unwrap();
    assert!(page.contains("<center><h1>502 Bad Gateway</h1></center>"), "{page}");
    assert_eq!(mock.log()[0].http_status, 502);
    assert_eq!(mock.log()[0].fault.as_deref(), Some("http 502"));
    // An invalid status becomes 500.
    assert_eq!(call_raw(&mock, GIFT_CARDS, cards()).0, 500);
    assert!(is_success(&call_raw(&mock, GIFT_CARDS, cards()).1), "the queue is empty");
}

#[test]
fn truncated_json_empty_body_and_a_given_response() {
    let mock = start(MockConfig::new());
    mock.push_fault(Fault::TruncatedJson);
    mock.push_fault(Fault::EmptyBody);
    mock.push_fault(Fault::Respond { status: 201, body: r#"{"anything":"at all"}"#.into() });
    let (status, body) = call_raw(&mock, GIFT_CARDS, cards());
    let text = String::from_utf8(body).unwrap();
    assert_eq!(status, 200);
    assert!(text.starts_with(r#"{"status":true,"code":0,"message":"success","data":[{"#), "{text}");
    assert!(serde_json::from_str::<Value>(&text).is_err());
    assert_eq!(call_raw(&mock, GIFT_CARDS, cards()), (200, Vec::new()));
    assert_eq!(call_raw(&mock, GIFT_CARDS, cards()), (201, br#"{"anything":"at all"}"#.to_vec()));
    let labels: Vec<_> = mock.log().into_iter().map(|e| e.fault.unwrap_or_default()).collect();
    assert_eq!(labels, ["truncated json", "empty body", "respond 201 (21 bytes)"]);
    assert!(is_success(&call_raw(&mock, GIFT_CARDS, cards()).1));
}

/// The peak resident memory of this process (which runs the mock too), in KiB.
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn huge_bodies_are_streamed_and_stop_when_the_client_does() {
    const HUGE: u64 = 300 * 1024 * 1024;
    let peak_before = peak_memory_kib();
    let mock = start(MockConfig::new());
    let capped = transport_with(&mock, 1 << 20, Duration::from_secs(30));
    for content_length in [true, false, true, false] {
        mock.push_fault(Fault::HugeBody { bytes: HUGE, content_length });
        let error = try_cards(&capped, &mock, cards()).unwrap_err();
        assert_eq!(error.kind(), TransportErrorKind::BodyTooLarge, "{error}");
    }
    // 4 × 300 MB were never produced: the server stops as soon as the client does (the
    // memory bound below; a server that kept streaming would also keep the test running).
    if let (Some(after), Some(before)) = (peak_memory_kib(), peak_before) {
        let grown_mib = after.saturating_sub(before) / 1024;
        assert!(grown_mib < 64, "peak memory grew by {grown_mib} MiB");
    }
    assert!(is_success(&try_cards(&capped, &mock, cards()).unwrap().1), "the server is still fine");
    let faults: Vec<_> = mock.log().iter().filter_map(|e| e.fault.clone()).collect();
    assert_eq!(faults[0], format!("huge body {HUGE} bytes (content-length)"));
    assert_eq!(faults[1], format!("huge body {HUGE} bytes (chunked)"));

    // A body within the cap arrives whole, the size announced or not.
    for content_length in [true, false] {
        mock.push_fault(Fault::HugeBody { bytes: 200_000, content_length });
        let (status, body) = call_raw(&mock, GIFT_CARDS, cards());
        assert_eq!((status, body.len()), (200, 200_000));
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["status"], true);
    }
}

#[test]
fn business_and_system_errors_in_the_platform_shape() {
    let mock = start(MockConfig::new());
    mock.push_fault(Fault::business(30001, "会员已冻结"));
    mock.push_fault(Fault::system(50000, "系统繁忙"));
    assert_eq!(
        untraced(&call(&mock, GIFT_CARDS, cards()).1),
        json!({"status": true, "code": 30001, "message": "会员已冻结"})
    );
    assert_eq!(
        untraced(&call(&mock, GIFT_CARDS, cards()).1),
        json!({"status": false, "code": 50000, "message": "系统繁忙"})
    );
    // Messy mode writes them messily too.
    let messy = start(MockConfig::new().messy(true));
    messy.push_fault(Fault::business(30001, "会员已冻结"));
    assert_eq!(
        untraced(&call(&messy, GIFT_CARDS, cards()).1),
        json!({"status": "true", "code": "30001", "message": "会员已冻结"})
    );
    assert!(mock.log().iter().chain(messy.log().iter()).all(|e| e.verdict.is_ok()));
}

#[test]
fn fail_times_then_success() {
    let mock = start(MockConfig::new());
    mock.push_fault(Fault::fail_times(2, Fault::HttpStatus(503)));
    let statuses: Vec<u16> = (0..3).map(|_| call_raw(&mock, GIFT_CARDS, cards()).0).collect();
    assert_eq!(statuses, [503, 503, 200]);
    let log = mock.log();
    assert_eq!(log.iter().map(|e| e.http_status).collect::<Vec<_>>(), [503, 503, 200]);
    assert_eq!(log[0].fault.as_deref(), Some("http 503 (fail-times, 1 left)"));
    assert_eq!(log[1].fault.as_deref(), Some("http 503 (fail-times, 0 left)"));
    assert_eq!(log[2].fault, None);
}

#[test]
fn a_member_fault_hits_only_that_member() {
    let mock = start(MockConfig::new());
    mock.fault_for_member("10002", Fault::HttpStatus(500));
    for _ in 0..2 {
        assert!(is_success(&call_raw(&mock, GIFT_CARDS, cards()).1));
        assert_eq!(call_raw(&mock, GIFT_CARDS, cards_of("10002")).0, 500);
    }
    let (_, status) = call(&mock, EXCHANGE_STATUS, json!({"exchangeCode": DEMO_EXCHANGE_CODE}));
    assert_eq!(status["data"]["status"], "true");
    // The member's fault wins over the queue and leaves it alone.
    mock.push_fault(Fault::EmptyBody);
    assert_eq!(call_raw(&mock, GIFT_CARDS, cards_of("10002")).0, 500);
    assert_eq!(call_raw(&mock, GIFT_CARDS, cards()), (200, Vec::new()));
    mock.clear_faults();
    assert!(is_success(&call_raw(&mock, GIFT_CARDS, cards_of("10002")).1));
    // Coupons carry user_id as a number: the member matches all the same.
    mock.fault_for_member("10001", Fault::fail_times(1, Fault::business(1, "x")));
    assert_business(&call_v2(&mock, COUPONS, json!({"user_id": 10001})), 1);
    assert_eq!(
        call_v2(&mock, COUPONS, json!({"user_id": 10001}))["data"]["item_list"].as_array().unwrap().len(),
        5
    );
}

#[test]
fn shutdown_ends_a_pending_delay() {
    let mock = start(MockConfig::new());
    mock.push_fault(Fault::Delay(Duration::from_secs(3600)));
    let body = serde_json::to_vec(&v3_body(mock.credentials(), now(), nonce(), cards())).unwrap();
    let transport = transport_with(&mock, 1 << 20, Duration::from_secs(7200));
    let url = format!("{}{GIFT_CARDS}", mock.base_url());
    let waiting = std::thread::spawn(move || {
        let request = zv_transport::http::Request::post(url).body(body).unwrap();
        zv_transport::Transport::send(&transport, request).map(|r| r.status())
    });
    while mock.log().is_empty() {
        std::thread::sleep(Duration::from_millis(10));
    }
    // An hour-long delay: a shutdown that waited for it would hang the test.
    drop(mock);
    // The delayed answer was cut short (sent at once, or the connection closed).
    let _ = waiting.join().unwrap();
}
