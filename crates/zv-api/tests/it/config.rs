//! Configuration edge cases: timeouts, user agent precedence, routes written by hand,
//! the retry sleeper off a tokio runtime.

use crate::common;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use crate::common::*;
use zv_api::zv_transport::TransportConfig;
use zv_api::{AsyncSleeper, ErrorKind};
use zv_types::{Endpoint, ExchangeCodeParams, ExchangeCodeStatus, Route};

#[test]
fn zero_and_absurd_timeouts_are_configuration_errors() {
    let script = Script::new(vec![Reply::Json("{}")]);
    for (timeout, connect) in [
        (Duration::ZERO, Duration::from_secs(1)),
        (Duration::MAX, Duration::from_secs(1)),
        (Duration::from_secs(1), Duration::from_secs(u64::MAX / 2)),
        (Duration::from_secs(86_401), Duration::from_secs(1)),
    ] {
        let e = script.blocking_builder().timeout(timeout).connect_timeout(connect).build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "{timeout:?}/{connect:?}: {e}");
        // the real backends are never reached with such values
        let e = zv_api::blocking::Client::builder()
            .credentials(credentials())
            .timeout(timeout)
            .connect_timeout(connect)
            .build();
        assert!(e.is_err());
        let e = zv_api::Client::builder()
            .credentials(credentials())
            .timeout(timeout)
            .connect_timeout(connect)
            .build();
        assert!(e.is_err());
    }
    assert!(script.blocking_builder().timeout(zv_api::MAX_TIMEOUT).build().is_ok());
}

#[test]
fn user_agent_precedence() {
    let ok = r#"{"status":true,"code":0,"data":{"status":"true"}}"#;
    let script = Script::new(vec![Reply::Json(ok)]);
    let c = script
        .blocking_builder()
        .transport_config(TransportConfig::default().with_user_agent("shop/2"))
        .build()
        .unwrap();
    c.exchange_code_status("1").unwrap();
    let c = script
        .blocking_builder()
        .transport_config(TransportConfig::default().with_user_agent("shop/2"))
        .user_agent("shop/3")
        .build()
        .unwrap();
    c.exchange_code_status("1").unwrap();
    let agents: Vec<_> =
        script.requests().iter().map(|r| r.headers()["user-agent"].to_str().unwrap().to_owned()).collect();
    assert_eq!(agents, ["shop/2", "shop/3"]);
}

struct Prefixed;
impl Endpoint for Prefixed {
    type Params = ExchangeCodeParams;
    type Data = ExchangeCodeStatus;
    const ROUTE: Route<'static> = Route::v3_static("/v3/coupon/exchange/getExchangeCodeStatus");
    const SAFETY: zv_types::Safety = zv_types::Safety::Read;
}

/// A constant route is normalized when it is made; a bad one does not compile (the
/// `compile_fail` doctest on `Route`), and at run time `Route::v3` refuses it.
#[test]
fn constant_routes_are_normalized_and_bad_ones_refused() {
    let ok = r#"{"status":true,"code":0,"data":{"status":"true"}}"#;
    let script = Script::new(vec![Reply::Json(ok)]);
    let c = script.blocking();
    c.call::<Prefixed>(&ExchangeCodeParams::new("1")).unwrap();
    assert_eq!(script.requests()[0].uri(), "http://gateway.test/v3/coupon/exchange/getExchangeCodeStatus");
    assert_eq!(Prefixed::ROUTE, Route::v3("coupon/exchange/getExchangeCodeStatus").unwrap());
    let e = Route::v3("coupon/../../admin").unwrap_err();
    assert_eq!(e.reason(), "empty, `.` or `..` path segment");
    let panicked = std::panic::catch_unwind(|| Route::v3_static("coupon/../../admin"));
    assert!(panicked.is_err(), "a bad route called at run time panics (never reaches a URL)");
}

struct ThreadWaker(std::thread::Thread);
impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// A minimal executor that is not tokio.
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

#[test]
fn the_default_sleeper_works_off_a_tokio_runtime() {
    let start = std::time::Instant::now();
    block_on(zv_api::sleep::TokioSleeper.sleep(Duration::from_millis(20)));
    assert!(start.elapsed() >= Duration::from_millis(20));
    // and an async client with a custom transport retries under that executor
    let script = Script::new(vec![
        Reply::Status(503, "busy"),
        Reply::Json(r#"{"status":true,"code":0,"data":{"status":"true"}}"#),
    ]);
    let s = script.clone();
    let client = zv_api::Client::builder()
        .credentials(credentials())
        .base_url("http://gateway.test")
        .retry_policy(zv_api::RetryPolicy { base_delay: Duration::from_millis(2), ..Default::default() })
        .transport(zv_api::zv_transport::async_transport_fn(move |r| {
            let result = s.send(r);
            async move { result }
        }))
        .build()
        .unwrap();
    assert!(block_on(client.exchange_code_status("1")).unwrap().redeemable);
    assert_eq!(script.requests().len(), 2);
}

/// An unusable root certificate says which one and why, through the chain, for both clients.
#[test]
fn an_unusable_root_certificate_says_which_and_why() {
    let blocking = zv_api::blocking::Client::builder()
        .credentials(common::credentials())
        .add_root_certificate(b"not a certificate".to_vec())
        .build()
        .unwrap_err();
    let asynch = zv_api::Client::builder()
        .credentials(common::credentials())
        .add_root_certificate(b"not a certificate".to_vec())
        .build()
        .unwrap_err();
    for e in [blocking, asynch] {
        assert_eq!(e.kind(), ErrorKind::Config);
        let chain = zv_api::Report(&e).to_string();
        assert!(
            chain.starts_with(
                "cannot build the HTTP transport: TLS error: extra root certificate #0 (17 bytes of DER) is not usable: "
            ),
            "{chain}"
        );
        assert!(chain.len() > 110, "and why: {chain}");
    }
}

#[test]
fn a_base_url_with_an_invalid_authority_is_refused_before_any_lookup() {
    // `user:pa` would parse as host `user`, port `pa`: a DNS lookup of `user`, and the
    // password in the error. Refused as configuration, with nothing after the scheme shown
    // but the host it would have reached.
    for url in [
        "http://user:pa/ss@127.0.0.1:1",
        "http://user:pa/ss@127.0.0.1:1/prefix",
        "http://127.0.0.1:pa",
        "http://127.0.0.1:70000",
        "http://127.0.0.1:0",
        "http://host name",
    ] {
        let e =
            zv_api::blocking::Client::builder().base_url(url).credentials(credentials()).build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "{url}: {e}");
        let text = e.to_string();
        assert!(!text.contains("pa/ss") && !text.contains("\"http://user"), "{url}: {text}");
    }
    for url in ["http://127.0.0.1:1", "https://[::1]:8443/p", "http://gw_1.example.com"] {
        assert!(zv_api::validate_base_url(url).is_ok(), "{url}");
    }
}
