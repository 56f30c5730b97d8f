//! Helpers of the mock's own tests: hand-made signed envelopes and raw HTTP over real
//! sockets (no SDK client: the client-driven scenarios live in the workspace's `tests/`).
#![allow(dead_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use zv_mock::{Check, MockConfig, MockServer};
use zv_sign::{Credentials, Signer};
use zv_transport::{Transport, TransportConfig, TransportError, UreqTransport, http};
use zv_types::Endpoint;

pub fn start(config: MockConfig) -> MockServer {
    MockServer::start(config).expect("the mock starts")
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
pub const V2: &str = "/api/v2";

/// A raw HTTP transport that trusts the mock's certificate, with this response cap and
/// timeout.
pub fn transport_with(mock: &MockServer, max_bytes: u64, timeout: Duration) -> UreqTransport {
    let mut config = TransportConfig::default().with_timeout(timeout).with_max_response_bytes(max_bytes);
    if let Some(der) = mock.certificate_der() {
        config = config.with_root_certificate(der);
    }
    UreqTransport::new(config).unwrap()
}

/// Sends a raw request through `transport`.
pub fn try_send(
    transport: &UreqTransport,
    mock: &MockServer,
    method: http::Method,
    path: &str,
    body: impl Into<Vec<u8>>,
) -> Result<(u16, Vec<u8>), TransportError> {
    let request = http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", mock.base_url()))
        .header("content-type", "application/json")
        .body(body.into())
        .unwrap();
    let response = transport.send(request)?;
    Ok((response.status().as_u16(), response.into_body()))
}

/// Sends a raw request; returns the status and the body.
pub fn send(mock: &MockServer, method: http::Method, path: &str, body: impl Into<Vec<u8>>) -> (u16, Vec<u8>) {
    let transport = transport_with(mock, 64 << 20, Duration::from_secs(30));
    try_send(&transport, mock, method, path, body).expect("the mock answers")
}

/// POSTs a JSON body; returns the status and the body as JSON.
pub fn post(mock: &MockServer, path: &str, body: &Value) -> (u16, Value) {
    let (status, bytes) = send(mock, http::Method::POST, path, serde_json::to_vec(body).unwrap());
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes))),
    )
}

/// A correctly signed V3 request with a fresh nonce at `path`: the status and raw body.
pub fn call_raw(mock: &MockServer, path: &str, params: Value) -> (u16, Vec<u8>) {
    let body = v3_body(mock.credentials(), now(), nonce(), params);
    send(mock, http::Method::POST, path, serde_json::to_vec(&body).unwrap())
}

/// A correctly signed V3 request with a fresh nonce at `path`: the status and JSON body.
pub fn call(mock: &MockServer, path: &str, params: Value) -> (u16, Value) {
    post(mock, path, &v3_body(mock.credentials(), now(), nonce(), params))
}

/// A correctly signed V2 request with a fresh nonce for `action`: the JSON body.
pub fn call_v2(mock: &MockServer, action: &str, params: Value) -> Value {
    post(mock, V2, &v2_body(mock.credentials(), now(), nonce(), action, params)).1
}

/// The body of a correctly signed request for endpoint `E` with `params`.
pub fn body_of<E: Endpoint>(mock: &MockServer, params: Value) -> Vec<u8> {
    let route = E::ROUTE;
    let json = match route.action() {
        None => v3_body(mock.credentials(), now(), nonce(), params),
        Some(action) => v2_body(mock.credentials(), now(), nonce(), action, params),
    };
    let (status, body) =
        send(mock, http::Method::POST, &route.url_path(), serde_json::to_vec(&json).unwrap());
    assert_eq!(status, 200);
    body
}

/// The `data` of endpoint `E` for `params`, read with the SDK's own decoder.
pub fn data<E: Endpoint>(mock: &MockServer, params: Value) -> E::Data {
    let body = body_of::<E>(mock, params);
    zv_types::decode_endpoint::<E>(&body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&body)))
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

/// Asserts a business error with this code.
pub fn assert_business(body: &Value, code: i64) {
    assert_eq!((&body["status"], &body["code"]), (&json!(true), &json!(code)), "{body}");
}

/// `body` without its `traceId`, after checking it is there: 32 hex digits, last.
pub fn without_trace(body: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(body).unwrap();
    let (head, tail) = text.rsplit_once(r#","traceId":""#).unwrap_or_else(|| panic!("no traceId: {text}"));
    let id = tail.strip_suffix(r#""}"#).unwrap_or_else(|| panic!("traceId not last: {text}"));
    assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    format!("{head}}}").into_bytes()
}

/// A JSON answer without its `traceId` (see [`without_trace`]).
pub fn untraced(value: &Value) -> Value {
    serde_json::from_slice(&without_trace(&serde_json::to_vec(value).unwrap())).unwrap()
}

/// Collects everything `tracing` prints (a writer for `tracing_subscriber`), from every
/// thread.
#[derive(Clone, Default)]
pub struct Captured(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    /// What was written, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
