//! The mock under hostile clients, over real sockets on 127.0.0.1: junk requests keep only
//! a short summary in a log bounded in bytes, printed lines cannot be forged, and half-sent
//! or idle connections cannot hold the server's connections.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
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
    #[cfg(feature = "record")]
    {
        let creds = zv_sign::Credentials::new("oid", "gc", "key");
        let recording = zv_mock::Recording::new(&fifo, "http://127.0.0.1:9", creds);
        let e = MockServer::start(MockConfig::new().record(recording)).unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
    }
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

/// The upstream of a recording proxy: a second mock whose credentials are the "real" ones,
/// answering a catalogued read with every credential of its own written in JSON spellings
/// (escapes, PHP's `\/`, percent-encodings, under credential names).
#[cfg(feature = "record")]
mod recording {
    use super::*;
    use zv_mock::{Recording, Stubs, Verdict};
    use zv_sign::{Credentials, Signer};

    const READ: &str = "/v3/crm/customer/getBaseInfo";
    const OPEN_ID: &str = "0123456789abcdef0123456789abcdef";
    const GRANT: &str = "UpGrant123";
    const KEY: &str = "up/KEY+never=recorded/5d4c";

    /// `text` written with every character as a `\uXXXX` escape.
    fn escaped(text: &str) -> String {
        text.chars().map(|c| format!("\\u{:04x}", c as u32)).collect()
    }

    fn upstream() -> MockServer {
        let creds = Credentials::new(OPEN_ID, GRANT, KEY);
        let php = KEY.replace('/', "\\/");
        let percent = zv_sign::php_urlencode(KEY);
        let twice = percent.replace('%', "%25");
        let stubs = Stubs::from_json(&format!(
            r#"{{"stubs": [{{"path": "{}", "data": {{
                "id": "{}", "grant": "x {} y", "php": "{php}", "url": "q={percent}&r=1",
                "lower": "{}", "twice": "{twice}", "Open_Key": "anything", "n": 98765432109876543210,
                "{}": "as a key"
            }}}}]}}"#,
            READ.trim_start_matches('/'),
            escaped(OPEN_ID),
            escaped(GRANT),
            percent.to_lowercase(),
            escaped(KEY),
        ))
        .unwrap();
        start(MockConfig::new().credentials(creds).endpoints(zv_mock::Endpoints::new().stubs(&stubs)))
    }

    fn proxy(upstream: &MockServer, file: &std::path::Path) -> MockServer {
        let real = Credentials::new(OPEN_ID, GRANT, KEY);
        start(MockConfig::new().record(Recording::new(file, upstream.base_url(), real)))
    }

    /// One request on its own connection, with this `Host` and `Content-Type`.
    fn raw(mock: &MockServer, host: &str, content_type: Option<&str>, body: &str) -> (u16, Value) {
        let mut stream = TcpStream::connect(mock.addr()).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let content_type = content_type.map(|t| format!("Content-Type: {t}\r\n")).unwrap_or_default();
        write!(
            stream,
            "POST {READ} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{content_type}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let text = String::from_utf8(response).unwrap();
        let status = text[9..12].parse().unwrap();
        let (_, body) = text.split_once("\r\n\r\n").unwrap();
        (status, serde_json::from_str(body).unwrap())
    }

    fn signed(params: Value) -> String {
        v3_body(&zv_mock::demo_credentials(), now(), nonce(), params).to_string()
    }

    /// A page that made its own name resolve to 127.0.0.1 (DNS rebinding) sends that name as
    /// `Host`: the proxy refuses it with 403 before reading it, and forwards nothing; only
    /// its own address (as its base URL writes it) is served.
    #[test]
    fn the_proxy_serves_only_requests_to_its_own_loopback_address() {
        let dir = tempfile::tempdir().unwrap();
        let upstream = upstream();
        let proxy = proxy(&upstream, &dir.path().join("r.json"));
        let port = proxy.addr().port();
        let json = Some("application/json");
        for host in [
            format!("evil.example:{port}"),
            format!("localhost:{port}"),
            format!("127.0.0.1:{}", port.wrapping_add(1)),
            format!("127.0.0.2:{port}"),
            "127.0.0.1".to_owned(),
            String::new(),
        ] {
            let (status, body) = raw(&proxy, &host, json, &signed(json!({})));
            assert_eq!(status, 403, "{host}");
            assert_eq!(body["status"], false, "{host}");
            assert!(body["message"].as_str().unwrap().contains("DNS rebinding"), "{body}");
        }
        assert!(upstream.log().is_empty(), "nothing was forwarded");
        let log = proxy.log();
        assert_eq!(log.len(), 6);
        assert!(log.iter().all(|e| e.http_status == 403 && e.verdict.check() == Some(Check::Credentials)));
        let own = proxy.base_url().trim_start_matches("http://").to_owned();
        let (status, body) = raw(&proxy, &own, json, &signed(json!({})));
        assert_eq!((status, &body["status"]), (200, &json!(true)), "{body}");
        assert_eq!(upstream.log().len(), 1);
    }

    /// The proxy takes only JSON: a page can send a body without a `Content-Type`, or as
    /// `text/plain`, to any origin without asking; both fail the `json` check unforwarded.
    #[test]
    fn the_proxy_takes_only_application_json() {
        let dir = tempfile::tempdir().unwrap();
        let upstream = upstream();
        let proxy = proxy(&upstream, &dir.path().join("r.json"));
        let own = proxy.base_url().trim_start_matches("http://").to_owned();
        for content_type in [None, Some("text/plain"), Some("application/x-www-form-urlencoded")] {
            let (status, body) = raw(&proxy, &own, content_type, &signed(json!({})));
            assert_eq!(status, 200);
            assert_eq!(body["code"], Check::Json.code(), "{content_type:?}: {body}");
        }
        assert!(upstream.log().is_empty());
        // The mock without recording still takes a body without `Content-Type`.
        let plain = start(MockConfig::new());
        let own = plain.base_url().trim_start_matches("http://").to_owned();
        let (_, body) = raw(&plain, &own, None, &signed(json!({})));
        assert_ne!(body["code"], Check::Json.code(), "{body}");
    }

    /// Every string of a parsed JSON value, keys too, decoded as JSON decodes it and then
    /// percent-decoded (twice).
    fn texts(value: &Value, out: &mut Vec<String>) {
        fn push(s: &str, out: &mut Vec<String>) {
            let once = percent_decode(s);
            out.extend([s.to_owned(), percent_decode(&once), once]);
        }
        match value {
            Value::String(s) => push(s, out),
            Value::Number(n) => push(&n.to_string(), out),
            Value::Array(items) => items.iter().for_each(|v| texts(v, out)),
            Value::Object(map) => {
                for (k, v) in map {
                    push(k, out);
                    texts(v, out);
                }
            }
            _ => {}
        }
    }

    fn percent_decode(text: &str) -> String {
        let mut out = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%'
                && let Some(byte) = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(byte);
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// An upstream that answers one request with the envelope it received echoed in `data`
    /// (its token percent-decoded, as a gateway could write it in a message).
    fn echoing_upstream() -> (String, std::thread::JoinHandle<Value>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let thread = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                std::io::BufRead::read_line(&mut reader, &mut line).unwrap();
                if line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let envelope: Value = serde_json::from_slice(&body).unwrap();
            let token = envelope["token"].as_str().unwrap().to_owned();
            let signature = zv_sign::php_urldecode(&token).unwrap();
            let answer = json!({"status": true, "code": 0, "message": "success",
                "data": {"echo": token, "sig": signature, "msg": format!("token {signature} ok")}})
            .to_string();
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            )
            .unwrap();
            envelope
        });
        (url, thread)
    }

    /// The token the proxy signed its upstream request with never reaches the recording,
    /// even when the upstream writes it back (as sent, decoded, inside a message).
    #[test]
    fn the_token_signed_for_upstream_is_not_recorded_even_when_echoed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.json");
        let (url, upstream) = echoing_upstream();
        let real = Credentials::new(OPEN_ID, GRANT, KEY);
        let proxy = start(MockConfig::new().record(Recording::new(&file, url, real)));
        let own = proxy.base_url().trim_start_matches("http://").to_owned();
        let (status, answer) = raw(&proxy, &own, Some("application/json"), &signed(json!({})));
        assert_eq!(status, 200, "{answer}");
        let envelope = upstream.join().unwrap();
        let token = envelope["token"].as_str().unwrap().to_owned();
        assert_eq!(answer["data"]["echo"], token.as_str(), "the client gets the answer unchanged");
        let text = std::fs::read_to_string(&file).unwrap();
        let signature = zv_sign::php_urldecode(&token).unwrap();
        assert!(!text.contains(&token) && !text.contains(&signature), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }

    /// The recording holds no credential in any spelling — the upstream's `openId`,
    /// `grantCode` and key written as `\uXXXX` escapes, with PHP's `\/`, percent-encoded
    /// (upper and lower case, twice), as a key, under a credential's name; nor the client's
    /// token sent back in its params — while the client gets the upstream's answer unchanged.
    #[test]
    fn the_recording_never_holds_a_credential_in_any_json_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.json");
        let upstream = upstream();
        let proxy = proxy(&upstream, &file);
        let own = proxy.base_url().trim_start_matches("http://").to_owned();
        let (ts, n) = (now(), nonce());
        let demo = zv_mock::demo_credentials();
        let token = token(&demo, ts, n);
        let params = json!({"echo": format!("{}", zv_sign::php_urlencode(&token)), "key": escaped(KEY)});
        let body = v3_body(&demo, ts, n, params).to_string();
        let (status, answer) = raw(&proxy, &own, Some("application/json"), &body);
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["data"]["php"], KEY, "the client gets the upstream's answer unchanged");
        let entry = proxy.log().pop().unwrap();
        assert_eq!(entry.verdict, Verdict::Ok);
        assert!(entry.upstream.as_deref().unwrap().contains("recorded, credentials redacted"), "{entry}");

        let text = std::fs::read_to_string(&file).unwrap();
        let recorded: Value = serde_json::from_str(&text).unwrap();
        let mut all = Vec::new();
        texts(&recorded, &mut all);
        let signature = Signer::new(&demo).sign(ts, n).signature().to_owned();
        for secret in [OPEN_ID, GRANT, KEY, zv_mock::DEMO_OPEN_KEY, &token, &signature] {
            assert!(!text.contains(secret), "{secret} in {text}");
            assert!(all.iter().all(|t| !t.contains(secret)), "{secret} in {text}");
        }
        assert!(!all.iter().any(|t| t == "anything"), "a credential's name is redacted: {text}");
        // The replay still serves the rest.
        let stubs = Stubs::from_path(&file).unwrap();
        assert_eq!(stubs.len(), 1);
    }
}
