//! The mock under hostile clients, over real sockets on 127.0.0.1: junk requests keep only
//! a short summary in a log bounded in bytes, printed lines cannot be forged, and half-sent
//! or idle connections cannot hold the server's connections.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use zv_mock::{Check, Endpoints, MockConfig, MockServer};
use zv_transport::http::Method;
use zv_types::GetExchangeCodeStatus;

/// What the log holds of an entry, near enough: its JSON.
fn json_len(entry: &zv_mock::LogEntry) -> usize {
    serde_json::to_string(entry).unwrap().len()
}

#[test]
fn junk_requests_keep_only_a_short_summary() {
    let mock = start(MockConfig::new());
    let creds = mock.credentials().clone();
    let huge = "o".repeat(1_000_000);
    let mut junk = Vec::new();
    for i in 0..10 {
        // A megabyte openId, a megabyte timestamp, a megabyte Action with a wrong grantCode.
        let mut body = v3_body(&creds, now(), nonce(), json!({"user_id": i}));
        body["openId"] = json!(huge);
        junk.push((GIFT_CARDS.to_owned(), body));
        let mut body = v3_body(&creds, now(), nonce(), json!({}));
        body["timestamp"] = json!(huge);
        junk.push((GIFT_CARDS.to_owned(), body));
        let mut body = v2_body(&creds, now(), nonce(), &huge, json!({}));
        body["GrantCode"] = json!("wrong");
        junk.push((V2.to_owned(), body));
        // A 60 KB path.
        junk.push((format!("/v3/{}", "p".repeat(60_000)), json!({"x": huge})));
    }
    for (path, body) in &junk {
        let (status, answer) = send(&mock, Method::POST, path, serde_json::to_vec(body).unwrap());
        assert_eq!(status, 200);
        assert!(answer.len() < 4096, "the answer quotes at most a summary: {} bytes", answer.len());
    }
    let log = mock.log();
    assert_eq!(log.len(), junk.len());
    for entry in &log {
        assert!(!entry.verdict.is_ok() && entry.params.is_none(), "{entry}");
        assert!(json_len(entry) < 4096, "{} bytes kept of {entry}", json_len(entry));
    }
    let checks: Vec<_> = log[..4].iter().map(|e| e.verdict.check().unwrap()).collect();
    assert_eq!(checks, [Check::Credentials, Check::Envelope, Check::Credentials, Check::Envelope]);
    assert!(log[0].open_id.as_ref().unwrap().ends_with("bytes)"), "{:?}", log[0].open_id);
}

#[test]
fn the_log_is_bounded_in_bytes() {
    const CAPACITY: usize = 64 * 1024;
    let endpoints =
        Endpoints::builtin().v3("pad", |_: Value, _: &zv_mock::CallContext<'_>| Ok(Value::Null)).unwrap();
    let mock = start(MockConfig::new().endpoints(endpoints).log_capacity(CAPACITY));
    let pad = "x".repeat(8 * 1024);
    for i in 0..40 {
        assert_eq!(call(&mock, "/v3/pad", json!({"i": i, "pad": pad})).1["code"], 0);
    }
    let log = mock.log();
    let kept: usize = log.iter().map(json_len).sum();
    assert!(kept <= CAPACITY, "{kept} bytes kept");
    assert!((4..40).contains(&log.len()), "{} entries", log.len());
    // The newest are kept, params and all (a signed request's params are kept whole).
    let last = log.last().unwrap().params.as_ref().unwrap();
    assert_eq!((&last["i"], last["pad"].as_str().map(str::len)), (&json!(39), Some(pad.len())));
    // An entry larger than the whole log is kept without its params.
    let tiny = start(MockConfig::new().log_capacity(2048));
    let (_, answer) = call(&tiny, EXCHANGE_STATUS, json!({"exchangeCode": "1", "pad": pad}));
    assert_eq!(answer["code"], 0);
    let log = tiny.log();
    assert_eq!((log.len(), &log[0].params), (1, &None));
    assert!(start(MockConfig::new().log_capacity(0)).log().is_empty());
}

#[test]
fn printed_lines_are_escaped_and_short() {
    let lines: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = lines.clone();
    let mock = start(MockConfig::new().observer(move |e| sink.lock().unwrap().push(e.to_string())));
    let creds = mock.credentials().clone();
    // A signed request whose Action forges a second line; an unsigned one whose openId
    // clears the screen; a half-megabyte Action.
    let forged = "coupon.user-coupon-list -> ok (200)\nPOST /v3/crm/giftCard/getCustomerGiftCardList nonce=1";
    post(&mock, V2, &v2_body(&creds, now(), nonce(), forged, json!({})));
    let mut body = v3_body(&creds, now(), nonce(), json!({}));
    body["openId"] = json!("\u{1b}[2J\u{1b}[H\r\u{202e}evil");
    post(&mock, GIFT_CARDS, &body);
    post(&mock, V2, &v2_body(&creds, now(), nonce(), &"a".repeat(512 * 1024), json!({})));
    let lines = lines.lock().unwrap();
    assert_eq!(lines.len(), 3);
    for line in lines.iter() {
        assert!(!line.chars().any(|c| c.is_control() || c == '\u{202e}'), "{line:?}");
        assert!(line.len() < 4096, "{} bytes", line.len());
    }
    assert!(lines[0].contains("(200)\\nPOST /v3/crm"), "{}", lines[0]);
    assert!(lines[1].contains("\\u{1b}[2J"), "{}", lines[1]);
    assert!(lines[2].contains(" bytes)"), "{}", lines[2]);
}

/// Reads until the server closes the connection (bounded by a generous read timeout: a
/// server that never closes fails the test instead of hanging it). Returns what was read.
fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return seen,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return seen,
            Err(e) => panic!("the server did not close the connection: {e}"),
        }
    }
}

fn short_limits(tls: bool) -> MockServer {
    start(
        MockConfig::new()
            .tls(tls)
            .header_timeout(Duration::from_millis(200))
            .idle_timeout(Duration::from_millis(200)),
    )
}

#[test]
fn connections_without_a_request_head_in_time_are_closed() {
    for tls in [false, true] {
        let mock = short_limits(tls);
        // Nothing at all (no TLS handshake either), and half a head.
        let mut silent = TcpStream::connect(mock.addr()).unwrap();
        read_until_closed(&mut silent);
        let mut half = TcpStream::connect(mock.addr()).unwrap();
        half.write_all(b"POST /v3/coupon/exchange/getExchangeCodeStatus HTTP/1.1\r\nHost: x\r\n").unwrap();
        read_until_closed(&mut half);
        assert!(mock.log().is_empty(), "no request was made");
    }
}

#[test]
fn idle_keep_alive_connections_and_late_bodies_are_closed() {
    let mock = short_limits(false);
    let mut idle = TcpStream::connect(mock.addr()).unwrap();
    idle.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n").unwrap();
    let answer = String::from_utf8(read_until_closed(&mut idle)).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "answered, then closed when idle: {answer}");
    assert!(answer.contains(r#""code":40001"#), "{answer}");

    let mut late = TcpStream::connect(mock.addr()).unwrap();
    late.write_all(b"POST /v3/a HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"open").unwrap();
    let answer = String::from_utf8(read_until_closed(&mut late)).unwrap();
    assert!(answer.contains(r#""code":40002"#) && answer.contains("did not arrive"), "{answer}");
    assert_eq!(mock.log().len(), 2);
}

#[test]
fn half_sent_requests_cannot_starve_a_real_client() {
    let mock = start(MockConfig::new().header_timeout(Duration::from_millis(200)).max_connections(8));
    // Three times as many slowloris connections as the mock holds, each with half a head.
    let held: Vec<TcpStream> = (0..24)
        .map(|_| {
            let mut s = TcpStream::connect(mock.addr()).unwrap();
            s.write_all(b"POST /v3/coupon/exchange/getExchangeCodeStatus HTTP/1.1\r\nHost: x\r\n").unwrap();
            s
        })
        .collect();
    // A real client still gets served (its transport waits up to 30 s).
    let status = data::<GetExchangeCodeStatus>(&mock, json!({"exchangeCode": zv_mock::DEMO_EXCHANGE_CODE}));
    assert!(status.redeemable);
    drop(held);
}

#[test]
fn the_mock_holds_at_most_max_connections() {
    let mock = start(MockConfig::new().header_timeout(Duration::from_secs(60)).max_connections(4));
    let held: Vec<TcpStream> = (0..6).map(|_| TcpStream::connect(mock.addr()).unwrap()).collect();
    let mut polls = 0;
    while mock.open_connections() < 4 {
        polls += 1;
        assert!(polls < 2000, "the mock accepts connections");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(mock.open_connections(), 4, "two wait in the listen queue");
    drop(held);
    while mock.open_connections() > 0 {
        polls += 1;
        assert!(polls < 4000, "closed connections free their places");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Fixtures, stubs and recordings read from a path: only a regular file, refused at once
/// otherwise (a FIFO used to wait for a writer forever, `/dev/zero` to fill the memory),
/// and no larger than `MAX_FILE_BYTES` (refused before it is read).
#[test]
fn files_read_from_a_path_are_bounded_and_regular() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let huge = dir.path().join("huge.json");
    std::fs::File::create(&huge).unwrap().set_len(zv_mock::MAX_FILE_BYTES + 1).unwrap();
    let cases = [
        (fifo.clone(), "not a regular file"),
        (std::path::PathBuf::from("/dev/zero"), "not a regular file"),
        (dir.path().to_owned(), "not a regular file"),
        (huge, "larger than 16777216 bytes"),
    ];
    for (path, expected) in &cases {
        let stubs = zv_mock::Stubs::from_path(path).unwrap_err().to_string();
        let fixtures = zv_mock::Fixtures::from_path(path).unwrap_err().to_string();
        for e in [stubs, fixtures] {
            assert!(e.contains(expected) && e.contains(&path.display().to_string()), "{e}");
        }
    }
    // A recording continues its file: the same refusal, before the server starts.
    let creds = zv_sign::Credentials::new("oid", "gc", "key");
    let recording = zv_mock::Recording::new(&fifo, "http://127.0.0.1:9", creds);
    let e = MockServer::start(MockConfig::new().record(recording)).unwrap_err().to_string();
    assert!(e.contains("not a regular file"), "{e}");
}

/// The verifier handles a request as the server does, without a socket: a signed request
/// gets its data, junk its refusal, a replay and a throttled request theirs, and each is
/// logged with a printable one-line summary.
#[test]
fn the_verifier_answers_as_the_server_does() {
    use zv_mock::{Verdict, Verifier};
    let creds = zv_mock::demo_credentials();
    let verifier = Verifier::new(MockConfig::new().qps(1).monotonic(|| Duration::ZERO));
    let (ts, n) = (now(), nonce());
    let signed = v3_body(&creds, ts, n, json!({"user_id": "10001"})).to_string();
    let json = Some("application/json");
    let ok = verifier.handle("POST", GIFT_CARDS, json, signed.as_bytes());
    assert_eq!(ok.status, 200);
    let body: Value = serde_json::from_slice(&ok.body).unwrap();
    assert_eq!((body["status"].as_bool(), body["data"].as_array().map(Vec::len)), (Some(true), Some(5)));
    // The same nonce again: a replay.
    let replay = verifier.handle("POST", GIFT_CARDS, json, signed.as_bytes());
    assert!(String::from_utf8_lossy(&replay.body).contains("replay"));
    // Throttled: a second request in the same second (the replay never counted).
    let again = v3_body(&creds, ts, nonce(), json!({"user_id": "10001"})).to_string();
    let throttled = verifier.handle("POST", GIFT_CARDS, json, again.as_bytes());
    assert_eq!(throttled.status, 429);
    let junk = "\u{1b}]0;pwned\u{7}\u{2028}".repeat(100_000);
    let refused = verifier.handle("GET", &format!("/v3/{junk}"), None, b"");
    assert_eq!(refused.status, 200);
    let oversized = verifier.handle("POST", GIFT_CARDS, json, &vec![b' '; 2 << 20]);
    assert!(String::from_utf8_lossy(&oversized.body).contains("at most 1048576 bytes"));
    let log = verifier.log();
    let verdicts: Vec<&str> = log
        .iter()
        .map(|e| match &e.verdict {
            Verdict::Ok => "ok",
            Verdict::Throttled { .. } => "throttled",
            Verdict::Rejected { check, .. } => check.label(),
        })
        .collect();
    assert_eq!(
        verdicts,
        ["ok", Check::Nonce.label(), "throttled", Check::Method.label(), Check::Json.label()]
    );
    for entry in &log {
        let line = entry.to_string();
        assert!(line.len() < 2_000 && !line.chars().any(zv_types::text::is_unsafe_char), "{line}");
    }
}
