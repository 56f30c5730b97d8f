//! The same behavioural suite run against every enabled backend, over real
//! sockets to scripted servers on 127.0.0.1. The async reqwest backend is
//! driven through a small blocking adapter so that one suite covers both.
#![cfg(any(feature = "ureq", feature = "reqwest"))]

use std::time::Duration;

use crate::support::{ClosedPort, Reply, Server};
use zv_transport::http::{self, Request};
use zv_transport::{Transport, TransportConfig, TransportErrorKind};

/// Builds a backend (as a blocking transport) from a config.
type Make = fn(TransportConfig) -> Box<dyn Transport>;

fn post(url: &str, body: &[u8]) -> Request<Vec<u8>> {
    Request::post(url).header("content-type", "application/json").body(body.to_vec()).expect("valid request")
}

/// Method, target, body and headers arrive; status, headers and body come back.
fn post_round_trip(make: Make) {
    let server = Server::start(|request| Reply::Full {
        status: 200,
        headers: vec![
            ("content-type", "application/json".into()),
            ("x-echo-length", request.body.len().to_string()),
        ],
        body: br#"{"code":0,"data":{"ok":true}}"#.to_vec(),
    });
    let transport = make(TransportConfig::default().with_user_agent("zv-test/1.0"));
    let body = br#"{"shopId":"42"}"#;
    let response = transport.send(post(&server.url("/v3/shop/info?ts=1"), body)).expect("round trip");

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-echo-length"], body.len().to_string().as_str());
    assert_eq!(response.headers()[http::header::CONTENT_TYPE], "application/json");
    assert_eq!(response.body(), br#"{"code":0,"data":{"ok":true}}"#);

    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].target, "/v3/shop/info?ts=1");
    assert_eq!(seen[0].body, body);
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    assert_eq!(seen[0].header("user-agent"), Some("zv-test/1.0"));
}

/// The default user agent is `zv/<version>`.
fn default_user_agent(make: Make) {
    let server = Server::start(|_| Reply::ok("{}"));
    make(TransportConfig::default()).send(post(&server.url("/"), b"{}")).expect("round trip");
    assert_eq!(server.requests()[0].header("user-agent"), Some(zv_transport::DEFAULT_USER_AGENT));
}

/// A gateway error page is a response, not an error.
fn status_502_is_a_response(make: Make) {
    let html = b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec();
    let page = html.clone();
    let server = Server::start(move |_| Reply::Full {
        status: 502,
        headers: vec![("content-type", "text/html".into())],
        body: page.clone(),
    });
    let response = make(TransportConfig::default())
        .send(post(&server.url("/v3/x"), b"{}"))
        .expect("a 502 is a response");
    assert_eq!(response.status(), 502);
    assert_eq!(response.headers()[http::header::CONTENT_TYPE], "text/html");
    assert_eq!(response.body(), &html);
}

/// Redirects are returned, not followed (a POST must not turn into a GET).
fn redirect_is_returned(make: Make) {
    let server = Server::start(|_| Reply::Full {
        status: 302,
        headers: vec![("location", "/elsewhere".into())],
        body: Vec::new(),
    });
    let response = make(TransportConfig::default())
        .send(post(&server.url("/v3/x"), b"{}"))
        .expect("a 302 is a response");
    assert_eq!(response.status(), 302);
    assert_eq!(server.requests().len(), 1);
}

/// A redirect to another host, whatever its kind (307 and 308 keep the method and body),
/// is returned as it is: nothing, credentials least of all, reaches the other host.
fn cross_host_redirect_is_not_followed(make: Make) {
    let elsewhere = Server::start(|_| Reply::ok(b"{}".to_vec()));
    let target = elsewhere.url("/steal").replace("127.0.0.1", "localhost");
    let transport = make(TransportConfig::default());
    for status in [301, 302, 303, 307, 308] {
        let location = target.clone();
        let server = Server::start(move |_| Reply::Full {
            status,
            headers: vec![("location", location.clone())],
            body: Vec::new(),
        });
        let response = transport
            .send(post(&server.url("/v3/x"), br#"{"token":"T0KEN","grantCode":"GRANT"}"#))
            .expect("a redirect is a response");
        assert_eq!(response.status(), status);
        assert_eq!(server.requests().len(), 1);
    }
    assert_eq!(elsewhere.accepts(), 0, "the other host was contacted");
}

/// A certificate valid for another name (trusted, but not for the host in the URL) fails
/// the handshake as a TLS error that did not reach the server.
fn tls_to_a_wrong_host_name(make: Make) {
    let server = Server::start_tls_for(&["zv-other-host.test"], |request| Reply::ok(request.body.clone()));
    let cert = server.cert_der.clone().expect("tls server");
    let error = make(TransportConfig::default().with_root_certificate(cert))
        .send(post(&server.url("/v3/x"), b"{}"))
        .expect_err("the name does not match");
    assert_eq!(error.kind(), TransportErrorKind::Tls, "{error:?}");
    assert!(!error.may_have_reached_server());
    assert!(server.requests().is_empty());
}

fn connect_refused(make: Make) {
    let closed = ClosedPort::new();
    let error = make(TransportConfig::default())
        .send(post(&format!("{}/v3/unreachable", closed.url()), b"{}"))
        .expect_err("nothing listens there");
    assert_eq!(error.kind(), TransportErrorKind::Connect, "{error:?}");
    assert!(!error.may_have_reached_server());
}

/// A name under `.invalid` never resolves (RFC 6761), and fails at once offline: the
/// request never reached a server, so even a write may be retried.
fn dns_failure_never_reached(make: Make) {
    let config = TransportConfig::default().with_connect_timeout(Duration::from_secs(5));
    let error =
        make(config).send(post("http://zv-parity-test.invalid/v3/x", b"{}")).expect_err("no such host");
    assert_eq!(
        (error.kind(), error.may_have_reached_server()),
        (TransportErrorKind::Connect, false),
        "{error:?}"
    );
}

/// A reset once the request was read: it may have reached the server.
fn reset_after_send_may_have_reached(make: Make) {
    let server = Server::start(|_| Reply::Reset);
    let error = make(TransportConfig::default()).send(post(&server.url("/v3/x"), b"{}")).expect_err("reset");
    assert_eq!((error.kind(), error.may_have_reached_server()), (TransportErrorKind::Io, true), "{error:?}");
    assert_eq!(server.requests().len(), 1, "the request did reach the server");
}

fn no_answer_times_out(make: Make) {
    let server = Server::start(|_| Reply::Hang);
    let config = TransportConfig::default().with_timeout(Duration::from_millis(300));
    let error =
        make(config).send(post(&server.url("/v3/slow"), b"{}")).expect_err("the server never answers");
    assert_eq!(error.kind(), TransportErrorKind::Timeout, "{error:?}");
    assert!(error.may_have_reached_server());
    assert_eq!(server.requests().len(), 1, "the request did reach the server");
}

/// Headers, then a body that never comes (a slow drip at its slowest): the overall timeout
/// ends it, as a timeout that may have reached the server, on both backends.
fn stalled_body_times_out(make: Make) {
    let server = Server::start(|_| Reply::AnnounceOnly(100));
    let config = TransportConfig::default().with_timeout(Duration::from_millis(300));
    let error = make(config).send(post(&server.url("/v3/drip"), b"{}")).expect_err("the body never comes");
    assert_eq!(
        (error.kind(), error.may_have_reached_server()),
        (TransportErrorKind::Timeout, true),
        "{error:?}"
    );
}

/// A reply that is not HTTP broke the exchange after the request was sent: both backends
/// call it an I/O error that may have reached the server (so the same retry decision).
fn garbage_reply_is_io_that_reached(make: Make) {
    let server = Server::start(|_| Reply::Garbage(b"HELLO WORLD\r\n\r\n"));
    let error =
        make(TransportConfig::default()).send(post(&server.url("/v3/x"), b"{}")).expect_err("not HTTP");
    assert_eq!(error.kind(), TransportErrorKind::Io, "{error:?}");
    assert!(error.may_have_reached_server());
}

/// A `Content-Length` over the cap is refused from the headers alone: the
/// server never sends the body, so reading it would end in a timeout instead.
fn content_length_over_cap(make: Make) {
    let server = Server::start(|_| Reply::AnnounceOnly(300 * 1024 * 1024));
    let config =
        TransportConfig::default().with_max_response_bytes(1024 * 1024).with_timeout(Duration::from_secs(20));
    let error = make(config).send(post(&server.url("/v3/big"), b"{}")).expect_err("too large");
    assert_eq!(error.kind(), TransportErrorKind::BodyTooLarge, "{error:?}");
    assert_eq!(error.body_limit(), Some(1024 * 1024));
    assert!(error.to_string().contains("1048576-byte limit"), "{error}");
}

/// A chunked 300 MB body is cut off at the cap: the client stops reading and
/// the server's stream breaks long before its end.
fn chunked_over_cap(make: Make) {
    const TOTAL: u64 = 300 * 1024 * 1024;
    let server = Server::start(|_| Reply::Chunked { total: TOTAL, chunk: 64 * 1024 });
    let config = TransportConfig::default().with_max_response_bytes(1024 * 1024);
    let error = make(config).send(post(&server.url("/v3/stream"), b"{}")).expect_err("too large");
    assert_eq!(error.kind(), TransportErrorKind::BodyTooLarge, "{error:?}");
    assert!(server.wait_streams_finished(1), "server still streaming after 10 s");
    let streamed = server.stats.bytes_streamed.load(std::sync::atomic::Ordering::SeqCst);
    assert!(streamed < TOTAL / 4, "server streamed {streamed} bytes");
}

/// Bodies exactly at the cap pass, with and without `Content-Length`.
fn body_exactly_at_cap(make: Make) {
    const CAP: u64 = 100_000;
    let server = Server::start(|request| {
        if request.target == "/chunked" {
            Reply::Chunked { total: CAP, chunk: 7_000 }
        } else {
            Reply::ok(vec![b'a'; CAP as usize])
        }
    });
    let transport = make(TransportConfig::default().with_max_response_bytes(CAP));
    for path in ["/sized", "/chunked"] {
        let response = transport.send(post(&server.url(path), b"{}")).expect(path);
        assert_eq!(response.body().len() as u64, CAP, "{path}");
    }
    let one_less = make(TransportConfig::default().with_max_response_bytes(CAP - 1));
    for path in ["/sized", "/chunked"] {
        let error = one_less.send(post(&server.url(path), b"{}")).expect_err(path);
        assert_eq!(error.kind(), TransportErrorKind::BodyTooLarge, "{path}");
    }
}

/// Two sequential calls through one transport share one TCP connection.
fn keep_alive(make: Make) {
    let server = Server::start(|request| Reply::ok(request.body.clone()));
    let transport = make(TransportConfig::default());
    for body in [&b"first"[..], b"second"] {
        let response = transport.send(post(&server.url("/v3/echo"), body)).expect("call");
        assert_eq!(response.body(), body);
    }
    assert_eq!(server.requests().len(), 2);
    assert_eq!(server.accepts(), 1, "the second call opened a new connection");
}

/// HTTPS to a self-signed certificate works once it is an extra root, and
/// fails as a TLS error that did not reach the server otherwise.
fn https_with_extra_root(make: Make) {
    let server = Server::start_tls(|request| Reply::ok(request.body.clone()));
    let cert = server.cert_der.clone().expect("tls server");

    let trusted = make(TransportConfig::default().with_root_certificate(cert));
    for body in [&b"{\"tls\":1}"[..], b"{\"tls\":2}"] {
        let response = trusted.send(post(&server.url("/v3/secure"), body)).expect("https");
        assert_eq!(response.status(), 200);
        assert_eq!(response.body(), body);
    }
    assert_eq!(server.accepts(), 1, "TLS connection not reused");

    let untrusted = make(TransportConfig::default());
    let error = untrusted.send(post(&server.url("/v3/secure"), b"{}")).expect_err("unknown issuer");
    assert_eq!(error.kind(), TransportErrorKind::Tls, "{error:?}");
    assert!(!error.may_have_reached_server());
    assert_eq!(server.requests().len(), 2);
}

fn relative_uri_is_invalid(make: Make) {
    let error = make(TransportConfig::default()).send(post("/v3/no-host", b"{}")).expect_err("no host");
    assert_eq!(error.kind(), TransportErrorKind::InvalidRequest, "{error:?}");
    assert!(!error.may_have_reached_server());
}

fn unusable_extra_root_is_refused_up_front(
    make: fn(TransportConfig) -> Result<(), zv_transport::TransportError>,
) {
    let error = make(TransportConfig::default().with_root_certificate(b"not a certificate".to_vec()))
        .expect_err("garbage root");
    assert_eq!(error.kind(), TransportErrorKind::Tls);
}

/// One `#[test]` per suite case for a backend.
macro_rules! suite {
    ($make:expr, $build:expr) => {
        #[test]
        fn post_round_trip() {
            super::post_round_trip($make)
        }
        #[test]
        fn default_user_agent() {
            super::default_user_agent($make)
        }
        #[test]
        fn status_502_is_a_response() {
            super::status_502_is_a_response($make)
        }
        #[test]
        fn redirect_is_returned() {
            super::redirect_is_returned($make)
        }
        #[test]
        fn cross_host_redirect_is_not_followed() {
            super::cross_host_redirect_is_not_followed($make)
        }
        #[test]
        fn tls_to_a_wrong_host_name() {
            super::tls_to_a_wrong_host_name($make)
        }
        #[test]
        fn stalled_body_times_out() {
            super::stalled_body_times_out($make)
        }
        #[test]
        fn connect_refused() {
            super::connect_refused($make)
        }
        #[test]
        fn garbage_reply_is_io_that_reached() {
            super::garbage_reply_is_io_that_reached($make)
        }
        #[test]
        fn dns_failure_never_reached() {
            super::dns_failure_never_reached($make)
        }
        #[test]
        fn reset_after_send_may_have_reached() {
            super::reset_after_send_may_have_reached($make)
        }
        #[test]
        fn no_answer_times_out() {
            super::no_answer_times_out($make)
        }
        #[test]
        fn content_length_over_cap() {
            super::content_length_over_cap($make)
        }
        #[test]
        fn chunked_over_cap() {
            super::chunked_over_cap($make)
        }
        #[test]
        fn body_exactly_at_cap() {
            super::body_exactly_at_cap($make)
        }
        #[test]
        fn keep_alive() {
            super::keep_alive($make)
        }
        #[test]
        fn https_with_extra_root() {
            super::https_with_extra_root($make)
        }
        #[test]
        fn relative_uri_is_invalid() {
            super::relative_uri_is_invalid($make)
        }
        #[test]
        fn unusable_extra_root_is_refused_up_front() {
            super::unusable_extra_root_is_refused_up_front($build)
        }
    };
}

#[cfg(feature = "ureq")]
mod ureq_backend {
    use zv_transport::{Transport, TransportConfig, TransportError, UreqTransport};

    pub(super) fn make(config: TransportConfig) -> Box<dyn Transport> {
        Box::new(UreqTransport::new(config).expect("ureq transport"))
    }

    fn build(config: TransportConfig) -> Result<(), TransportError> {
        UreqTransport::new(config).map(drop)
    }

    suite!(make, build);

    #[test]
    fn debug_is_small() {
        let shown = format!("{:?}", UreqTransport::new(TransportConfig::default()).unwrap());
        assert!(shown.starts_with("UreqTransport") && shown.len() < 100, "{shown}");
    }

    #[test]
    fn with_agent_keeps_the_cap() {
        let server = super::Server::start(|_| super::Reply::ok(vec![b'x'; 5000]));
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
        let config = TransportConfig::default().with_max_response_bytes(4999);
        let transport = UreqTransport::with_agent(agent, config);
        let error = transport.send(super::post(&server.url("/"), b"{}")).expect_err("over the cap");
        assert_eq!(error.kind(), zv_transport::TransportErrorKind::BodyTooLarge);
    }
}

#[cfg(feature = "reqwest")]
mod reqwest_backend {
    use std::sync::Arc;

    use zv_transport::http::{Request, Response};
    use zv_transport::{AsyncTransport, ReqwestTransport, Transport, TransportConfig, TransportError};

    /// Drives the async backend from blocking tests.
    struct Blocking {
        runtime: tokio::runtime::Runtime,
        inner: Arc<dyn AsyncTransport>,
    }

    /// hyper hands a finished HTTP/1 connection back to its pool from a
    /// background task; a call made in the very same instant can race it and
    /// dial a second connection (on a loaded 2-core machine it sometimes
    /// does). Real callers are never that tight, so the adapter leaves the
    /// pool a moment after each response before the suite's next call.
    const POOL_SETTLE: std::time::Duration = std::time::Duration::from_millis(100);

    impl Transport for Blocking {
        fn send(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportError> {
            let response = self.runtime.block_on(self.inner.send(request))?;
            std::thread::sleep(POOL_SETTLE);
            Ok(response)
        }
    }

    pub(super) fn make(config: TransportConfig) -> Box<dyn Transport> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let inner = Arc::new(ReqwestTransport::new(config).expect("reqwest transport"));
        Box::new(Blocking { runtime, inner })
    }

    fn build(config: TransportConfig) -> Result<(), TransportError> {
        ReqwestTransport::new(config).map(drop)
    }

    suite!(make, build);

    #[test]
    fn debug_is_small() {
        let shown = format!("{:?}", ReqwestTransport::new(TransportConfig::default()).unwrap());
        assert!(shown.starts_with("ReqwestTransport") && shown.len() < 100, "{shown}");
    }

    /// The future is `'static + Send`: it can be spawned from an
    /// `Arc<dyn AsyncTransport>` and outlive the borrow of the transport.
    #[tokio::test]
    async fn spawned_through_arc_dyn() {
        let server = super::Server::start(|request| super::Reply::ok(request.body.clone()));
        let transport: Arc<dyn AsyncTransport> =
            Arc::new(ReqwestTransport::new(TransportConfig::default()).unwrap());
        let future = transport.send(super::post(&server.url("/v3/spawned"), b"{\"a\":1}"));
        drop(transport);
        let response = tokio::spawn(future).await.expect("task").expect("response");
        assert_eq!(response.body(), b"{\"a\":1}");
    }

    #[tokio::test]
    async fn with_client_keeps_the_cap() {
        let server = super::Server::start(|_| super::Reply::ok(vec![b'x'; 5000]));
        let config = TransportConfig::default().with_max_response_bytes(4999);
        // With `rustls-no-provider`, `reqwest::Client::new()` panics unless a
        // process-wide provider is installed: a caller's client brings its TLS.
        let tls =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth();
        let client = reqwest::Client::builder().tls_backend_preconfigured(tls).build().unwrap();
        let transport = ReqwestTransport::with_client(client, config);
        let error = transport.send(super::post(&server.url("/"), b"{}")).await.expect_err("over the cap");
        assert_eq!(error.kind(), zv_transport::TransportErrorKind::BodyTooLarge);
    }
}

/// The parity table: every failure is classified alike by both backends (kind, and whether
/// the request may have reached the server), so the retry decision is the same whichever
/// client is used.
#[cfg(all(feature = "ureq", feature = "reqwest"))]
#[test]
fn both_backends_classify_alike() {
    let reset = Server::start(|_| Reply::Reset);
    let hang = Server::start(|_| Reply::Hang);
    let garbage = Server::start(|_| Reply::Garbage(b"HELLO\r\n\r\n"));
    let config = TransportConfig::default().with_timeout(Duration::from_millis(300));
    let closed = ClosedPort::new();
    let scenarios = [
        (
            "dns failure",
            "http://zv-parity-test.invalid/v3/x".to_owned(),
            (TransportErrorKind::Connect, false),
        ),
        ("refused", format!("{}/v3/unreachable", closed.url()), (TransportErrorKind::Connect, false)),
        ("reset after send", reset.url("/v3/x"), (TransportErrorKind::Io, true)),
        ("timeout after send", hang.url("/v3/x"), (TransportErrorKind::Timeout, true)),
        ("not HTTP after send", garbage.url("/v3/x"), (TransportErrorKind::Io, true)),
    ];
    let backends: [(&str, Make); 2] = [("ureq", ureq_backend::make), ("reqwest", reqwest_backend::make)];
    for (name, url, expected) in &scenarios {
        for (backend, make) in &backends {
            let error = make(config.clone()).send(post(url, b"{}")).expect_err(name);
            assert_eq!(
                (error.kind(), error.may_have_reached_server()),
                *expected,
                "{backend}, {name}: {error:?}"
            );
        }
    }
}

/// Both backends in one process, over TLS, interleaved: each passes the ring
/// provider explicitly, so no process-wide provider is needed or consulted.
#[cfg(all(feature = "ureq", feature = "reqwest"))]
#[test]
fn both_backends_share_a_process() {
    let server = Server::start_tls(|request| Reply::ok(request.body.clone()));
    let config = TransportConfig::default().with_root_certificate(server.cert_der.clone().unwrap());
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    let backends: [Make; 2] = [ureq_backend::make, reqwest_backend::make];
    let transports: Vec<_> = backends.iter().map(|make| make(config.clone())).collect();
    for round in 0..2 {
        for (i, transport) in transports.iter().enumerate() {
            let body = format!("{{\"backend\":{i},\"round\":{round}}}");
            let response = transport.send(post(&server.url("/v3/both"), body.as_bytes())).expect("https");
            assert_eq!(response.body(), body.as_bytes());
        }
    }
    assert_eq!(server.accepts(), 2, "one pooled connection per backend");
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
}
