//! Helpers shared by the integration tests: clients pointed at a mock, hand-made signed
//! envelopes, raw HTTP.
#![allow(dead_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use zv_api::{Async, Blocking, ClientBuilder, Mode, RetryPolicy};
use zv_mock::{Check, MockConfig, MockServer};
use zv_sign::{Credentials, Signer};
use zv_transport::{Transport, TransportConfig, UreqTransport, http};

pub fn start(config: MockConfig) -> MockServer {
    MockServer::start(config).expect("the mock starts")
}

/// A fast retry policy: `retries` retries, 10 ms base delay.
pub fn fast_retries(retries: u32) -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
    .with_max_retries(retries)
}

/// `builder` pointed at `mock`: its URL, credentials and certificate, fast retries.
fn pointed_at<M: Mode>(mut builder: ClientBuilder<M>, mock: &MockServer) -> ClientBuilder<M> {
    builder = builder
        .base_url(mock.base_url())
        .credentials(mock.credentials().clone())
        .retry_policy(fast_retries(2));
    if let Some(der) = mock.certificate_der() {
        builder = builder.add_root_certificate(der);
    }
    builder
}

pub fn blocking_builder(mock: &MockServer) -> ClientBuilder<Blocking> {
    pointed_at(zv_api::blocking::Client::builder(), mock)
}

pub fn async_builder(mock: &MockServer) -> ClientBuilder<Async> {
    pointed_at(zv_api::Client::builder(), mock)
}

pub fn blocking(mock: &MockServer) -> zv_api::blocking::Client {
    blocking_builder(mock).build().expect("client")
}

pub fn asynch(mock: &MockServer) -> zv_api::Client {
    async_builder(mock).build().expect("client")
}

/// Runs a future on a fresh current-thread runtime.
pub fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// A fresh nonce that no other test uses (time-based, plus a counter).
pub fn nonce() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64 / 1000
        + NEXT.fetch_add(1, Ordering::Relaxed)
}

pub fn token(creds: &Credentials, timestamp: u64, nonce: u64) -> String {
    Signer::new(creds).sign(timestamp, nonce).token().to_owned()
}

/// A correctly signed V3 body.
pub fn v3_body(creds: &Credentials, timestamp: u64, nonce: u64, params: Value) -> Value {
    json!({
        "openId": creds.open_id(),
        "grantCode": creds.grant_code(),
        "timestamp": timestamp.to_string(),
        "nonce": nonce.to_string(),
        "token": token(creds, timestamp, nonce),
        "params": params,
    })
}

/// A correctly signed V2 body.
pub fn v2_body(creds: &Credentials, timestamp: u64, nonce: u64, action: &str, params: Value) -> Value {
    json!({
        "OpenId": creds.open_id(),
        "GrantCode": creds.grant_code(),
        "Timestamp": timestamp.to_string(),
        "Nonce": nonce.to_string(),
        "Token": token(creds, timestamp, nonce),
        "Action": action,
        "Params": params,
    })
}

pub const GIFT_CARDS: &str = "/v3/crm/giftCard/getCustomerGiftCardList";
pub const EXCHANGE_STATUS: &str = "/v3/coupon/exchange/getExchangeCodeStatus";
pub const COUPONS: &str = "coupon.user-coupon-list";

/// Sends a raw request; returns the status and the body.
pub fn send(mock: &MockServer, method: http::Method, path: &str, body: impl Into<Vec<u8>>) -> (u16, Vec<u8>) {
    let mut config = TransportConfig::default().with_timeout(Duration::from_secs(10));
    if let Some(der) = mock.certificate_der() {
        config = config.with_root_certificate(der);
    }
    let transport = UreqTransport::new(config).unwrap();
    let request = http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", mock.base_url()))
        .header("content-type", "application/json")
        .body(body.into())
        .unwrap();
    let response = transport.send(request).expect("the mock answers");
    (response.status().as_u16(), response.into_body())
}

/// POSTs a JSON body; returns the status and the body as JSON.
pub fn post(mock: &MockServer, path: &str, body: &Value) -> (u16, Value) {
    let (status, bytes) = send(mock, http::Method::POST, path, serde_json::to_vec(body).unwrap());
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes))),
    )
}

/// Asserts the platform's system-error answer for `check` and that the log's last entry
/// records it.
pub fn assert_rejected(mock: &MockServer, (status, body): (u16, Value), check: Check) {
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], false, "{body}");
    assert_eq!(body["code"], check.code(), "{body}");
    assert!(body["message"].as_str().unwrap().starts_with(check.label()), "{body}");
    let last = mock.log().pop().expect("logged");
    assert_eq!(last.verdict.check(), Some(check), "{last}");
    assert_eq!(last.http_status, 200);
}

/// Asserts an SDK error is the system error of `check`, and the log agrees.
pub fn assert_sdk_rejected(mock: &MockServer, error: &zv_api::Error, check: Check) {
    assert_eq!(error.kind(), zv_api::ErrorKind::ApiSystem, "{error}");
    assert_eq!(error.api_code().and_then(|c| c.as_i64()), Some(check.code()), "{error}");
    let last = mock.log().pop().expect("logged");
    assert_eq!(last.verdict.check(), Some(check), "{last}");
}
