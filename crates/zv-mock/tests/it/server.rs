//! The server itself: starting and stopping (blocking and async), TLS, the observer, and
//! secrets that never show. Raw HTTP only.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
use serde_json::json;
use zv_mock::{DEMO_EXCHANGE_CODE, DEMO_MEMBER, DEMO_OPEN_KEY, LogEntry, MockConfig, MockError, MockServer};
use zv_sign::Credentials;
use zv_transport::{TransportErrorKind, http::Method};
use zv_types::{GetCustomerGiftCardList, GetExchangeCodeStatus, UserCouponList};

fn cards_params() -> serde_json::Value {
    json!({"user_id": DEMO_MEMBER, "needCycleCard": 0})
}

#[test]
fn tls_serves_by_ip_and_by_name_and_only_to_those_who_trust_it() {
    let mock = start(MockConfig::new().tls(true));
    assert!(mock.base_url().starts_with("https://127.0.0.1:"), "{}", mock.base_url());
    let der = mock.certificate_der().expect("a certificate");
    assert!(!der.is_empty());
    assert_eq!(data::<GetCustomerGiftCardList>(&mock, cards_params()).len(), 5);
    let canuse = data::<UserCouponList>(&mock, json!({"user_id": 10001, "expire": "canuse"}));
    assert_eq!(canuse.item_list.len(), 2);

    // Also by name (in the certificate too), and refused without trusting it.
    let trusting = transport_with(&mock, 1 << 20, Duration::from_secs(10));
    let request = |base: &str| {
        let body = v3_body(mock.credentials(), now(), nonce(), json!({"exchangeCode": DEMO_EXCHANGE_CODE}));
        zv_transport::http::Request::post(format!("{base}{EXCHANGE_STATUS}"))
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&body).unwrap())
            .unwrap()
    };
    let by_name = format!("https://localhost:{}", mock.addr().port());
    let answer = zv_transport::Transport::send(&trusting, request(&by_name)).unwrap();
    let status = zv_types::decode_endpoint::<GetExchangeCodeStatus>(answer.body()).unwrap();
    assert!(status.redeemable);
    let untrusting = zv_transport::UreqTransport::new(zv_transport::TransportConfig::default()).unwrap();
    let error = zv_transport::Transport::send(&untrusting, request(mock.base_url())).unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Tls, "{error}");
    assert!(start(MockConfig::new()).certificate_der().is_none());
}

#[test]
fn tls_with_start_async() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let mock = MockServer::start_async(MockConfig::new().tls(true)).await.unwrap();
        let mock = Arc::new(mock);
        let client_side = mock.clone();
        let status = tokio::task::spawn_blocking(move || {
            data::<GetExchangeCodeStatus>(&client_side, json!({"exchangeCode": DEMO_EXCHANGE_CODE}))
        })
        .await
        .unwrap();
        assert!(status.redeemable);
    });
}

#[cfg(target_os = "linux")]
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|s| s.trim().to_owned())
        .collect()
}

#[test]
fn drop_stops_the_server_frees_the_port_and_joins_the_thread() {
    let mock = start(MockConfig::new());
    let addr = mock.addr();
    assert_ne!(addr.port(), 0);
    assert_eq!(mock.base_url(), format!("http://127.0.0.1:{}", addr.port()));
    assert_eq!(call(&mock, GIFT_CARDS, cards_params()).1["code"], 0);
    let name = format!("zv-mock-{}", addr.port());
    #[cfg(target_os = "linux")]
    assert!(thread_names().contains(&name), "{name}");
    drop(mock);
    #[cfg(target_os = "linux")]
    assert!(!thread_names().contains(&name), "the server thread was joined");
    let again = std::net::TcpListener::bind(addr).expect("the port is free after drop");
    drop(again);

    // The same address again, explicitly, then shutdown().
    let mock = start(MockConfig::new().addr(addr));
    assert_eq!(mock.addr(), addr);
    let busy = MockServer::start(MockConfig::new().addr(addr)).unwrap_err();
    assert!(matches!(busy, MockError::Bind { .. }), "{busy}");
    assert!(busy.to_string().contains(&addr.to_string()));
    mock.shutdown();
    std::net::TcpListener::bind(addr).expect("free after shutdown");
}

#[test]
fn start_async_inside_a_runtime() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let addr = rt.block_on(async {
        let mock = Arc::new(MockServer::start_async(MockConfig::new()).await.unwrap());
        // A blocking server started from async code works too.
        let inner = Arc::new(MockServer::start(MockConfig::new()).unwrap());
        let (outer, inner_side) = (mock.clone(), inner.clone());
        let (cards, redeemable) = tokio::task::spawn_blocking(move || {
            let cards = data::<GetCustomerGiftCardList>(&outer, cards_params());
            let status =
                data::<GetExchangeCodeStatus>(&inner_side, json!({"exchangeCode": DEMO_EXCHANGE_CODE}));
            (cards, status.redeemable)
        })
        .await
        .unwrap();
        assert_eq!(cards.len(), 5);
        assert!(redeemable);
        let addr = mock.addr();
        drop(mock);
        // Dropping signals the task; it lets go of the port as soon as it runs.
        for _ in 0..100 {
            if std::net::TcpListener::bind(addr).is_ok() {
                return addr;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the port of a dropped async server stays busy");
    });
    rt.shutdown_timeout(Duration::from_secs(1));
    std::net::TcpListener::bind(addr).unwrap();
}

#[test]
fn observer_sees_each_request_once_after_the_verdict() {
    let seen: Arc<Mutex<Vec<LogEntry>>> = Arc::default();
    let sink = seen.clone();
    let mock = start(MockConfig::new().observer(move |e| sink.lock().unwrap().push(e.clone())));
    call(&mock, GIFT_CARDS, cards_params());
    let _ = send(&mock, Method::GET, "/", Vec::new());
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen.iter().map(ToString::to_string).collect::<Vec<_>>(),
        mock.log().iter().map(ToString::to_string).collect::<Vec<_>>()
    );
    assert!(
        seen[0].to_string().starts_with("POST /v3/crm/giftCard/getCustomerGiftCardList nonce="),
        "{}",
        seen[0]
    );
    assert!(seen[0].to_string().ends_with("-> ok (200)"), "{}", seen[0]);
    assert!(seen[1].to_string().starts_with("GET / -> rejected: method: "), "{}", seen[1]);
    mock.clear_log();
    assert!(mock.log().is_empty());
}

#[test]
fn the_key_never_shows() {
    const KEY: &str = "Zz-UNMISTAKABLE-open-key-0f9e8d7c";
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    for (config, key) in [
        (MockConfig::new(), DEMO_OPEN_KEY),
        (MockConfig::new().credentials(Credentials::new("oid", "grant", KEY)).tls(true).messy(true), KEY),
    ] {
        let shown = format!("{config:?} {config:#?}");
        assert!(!shown.contains(key), "{shown}");
        let mock = start(config);
        let shown = format!("{mock:?} {mock:#?}");
        assert!(!shown.contains(key), "{shown}");
        assert!(shown.contains(mock.credentials().open_id()));
        // A good request, a replay, a forged signature.
        call(&mock, GIFT_CARDS, cards_params());
        let creds = mock.credentials().clone();
        let (ts, n) = (now(), nonce());
        let body = v3_body(&creds, ts, n, json!({"exchangeCode": DEMO_EXCHANGE_CODE}));
        let mut forged = v3_body(&creds, ts, nonce(), json!({"exchangeCode": DEMO_EXCHANGE_CODE}));
        forged["token"] =
            json!(token(&Credentials::new(creds.open_id(), creds.grant_code(), "other"), ts, n));
        let tokens =
            [body["token"].as_str().unwrap().to_owned(), forged["token"].as_str().unwrap().to_owned()];
        for b in [&body, &body, &forged] {
            let (_, answer) = post(&mock, EXCHANGE_STATUS, b);
            let answer = answer.to_string();
            assert!(!answer.contains(key) && !tokens.iter().any(|t| answer.contains(t)), "{answer}");
        }
        let log = mock.log();
        assert_eq!(log.len(), 4);
        assert_eq!(log[2].verdict.check(), Some(zv_mock::Check::Nonce));
        assert_eq!(log[3].verdict.check(), Some(zv_mock::Check::Signature));
        for entry in log {
            for text in [entry.to_string(), format!("{entry:?}"), serde_json::to_string(&entry).unwrap()] {
                assert!(!text.contains(key), "{text}");
                assert!(!tokens.iter().any(|t| text.contains(t)), "{text}");
            }
        }
        drop(mock);
    }
    let traced = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(traced.contains("rejected: signature"), "the mock traces each request: {traced}");
    assert!(!traced.contains(KEY) && !traced.contains(DEMO_OPEN_KEY), "{traced}");
}
