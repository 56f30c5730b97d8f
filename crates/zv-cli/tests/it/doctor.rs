//! `zv doctor` against the sandbox, zv-mock and a scripted gateway with a chosen clock.

use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::common::*;

/// The checks of a `--json` run, by name: (status, detail).
fn checks(r: &Run) -> Vec<(String, String, String)> {
    let v: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout));
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["ok"], c["status"] == "pass" || c["status"] == "warn", "{c}");
            (
                c["check"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
                c["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn status<'a>(checks: &'a [(String, String, String)], name: &str) -> (&'a str, &'a str) {
    let c = checks.iter().find(|c| c.0 == name).unwrap_or_else(|| panic!("no {name} check: {checks:?}"));
    (c.1.as_str(), c.2.as_str())
}

const NAMES: [&str; 9] =
    ["base URL", "openId", "grantCode", "openKey", "DNS", "TCP", "TLS", "clock", "signed probe"];

#[test]
fn the_sandbox_passes_every_check() {
    let r = run(zv(), &["--sandbox", "doctor"]);
    let lines: Vec<&str> = ok(&r).lines().collect();
    assert_eq!(lines.len(), NAMES.len(), "{}", r.stdout);
    for (line, name) in lines.iter().zip(NAMES) {
        assert!(line.starts_with(&format!("✔ {name}")), "{line}");
    }
    let r = run(zv(), &["--sandbox", "doctor", "--json"]);
    assert_eq!(r.code, 0);
    let all = checks(&r);
    assert_eq!(all.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(), NAMES);
    assert!(all.iter().all(|c| c.1 == "pass"), "{all:?}");
}

#[test]
fn where_each_value_came_from_and_the_key_only_as_present() {
    let (_mock, cmd) = mock_and_zv();
    let r = run(cmd(), &["doctor", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let all = checks(&r);
    assert!(status(&all, "base URL").1.contains("environment ZV_BASE_URL"));
    assert!(status(&all, "openId").1.contains("environment ZV_OPEN_ID"));
    assert_eq!(status(&all, "openKey"), ("pass", "present (environment ZV_OPEN_KEY)"));
    let mut c = cmd();
    c.env_remove("ZV_OPEN_KEY");
    let r = run(c, &["doctor", "--open-id", "0123456789abcdef0123456789abcdef", "--json"]);
    assert_eq!(r.code, 1);
    let all = checks(&r);
    assert!(status(&all, "openId").1.contains("(flag)"), "{all:?}");
    assert_eq!(status(&all, "openKey").0, "fail");
    assert_eq!(status(&all, "signed probe").0, "fail");
    assert!(r.stderr.starts_with("error: ") && r.stderr.lines().count() == 1, "{}", r.stderr);
}

#[test]
fn a_wrong_key_is_a_signature_failure_with_a_good_clock() {
    let (_mock, cmd) = mock_and_zv();
    let mut c = cmd();
    c.env("ZV_OPEN_KEY", "not-the-key");
    let r = run(c, &["doctor"]);
    assert_eq!(r.code, 1);
    let probe = r.stdout.lines().find(|l| l.contains("signed probe")).unwrap();
    assert!(
        probe.starts_with('✘') && probe.contains("signature was refused") && probe.contains("openKey"),
        "{probe}"
    );
    assert!(r.stdout.lines().any(|l| l.starts_with("✔ clock")), "{}", r.stdout);
}

#[test]
fn an_unreachable_gateway_is_told_from_a_bad_signature() {
    let closed = ClosedPort::new();
    let mut c = zv();
    c.env("ZV_OPEN_ID", "a").env("ZV_GRANT_CODE", "b").env("ZV_OPEN_KEY", SECRET);
    let r = run(c, &["--base-url", &closed.url(), "doctor", "--json"]);
    assert_eq!(r.code, 1);
    let all = checks(&r);
    assert_eq!(status(&all, "DNS").0, "pass");
    assert_eq!(status(&all, "TCP").0, "fail");
    assert!(status(&all, "signed probe").1.contains("unreachable"), "{all:?}");
    // a name that does not resolve
    let mut c = zv();
    c.env("ZV_OPEN_ID", "a").env("ZV_GRANT_CODE", "b").env("ZV_OPEN_KEY", SECRET);
    let r = run(c, &["--base-url", "http://no-such-host.invalid", "doctor", "--json"]);
    assert_eq!(status(&checks(&r), "DNS").0, "fail");
}

#[test]
fn clock_skew_warns_over_60_seconds_and_fails_over_240() {
    let answer = r#"{"status":true,"code":0,"message":"请求成功","data":{"status":"false"}}"#;
    for (offset, expected, code) in
        [(0i64, "pass", 0), (-120, "warn", 0), (100, "warn", 0), (-300, "fail", 1)]
    {
        let gateway = Scripted::start();
        let date = if offset >= 0 {
            SystemTime::now() - Duration::from_secs(offset.unsigned_abs())
        } else {
            SystemTime::now() + Duration::from_secs(offset.unsigned_abs())
        };
        gateway.answer_dated(answer, date);
        let r = run(gateway.zv(), &["doctor", "--json"]);
        assert_eq!(r.code, code, "{offset}: {}{}", r.stdout, r.stderr);
        let all = checks(&r);
        let (clock, detail) = status(&all, "clock");
        assert_eq!(clock, expected, "{offset}: {detail}");
        assert_eq!(status(&all, "signed probe").0, "pass");
    }
}

#[test]
fn a_certificate_the_roots_do_not_vouch_for_fails_tls() {
    let mock = zv_mock::MockServer::start(zv_mock::MockConfig::new().tls(true)).unwrap();
    assert!(mock.base_url().starts_with("https://"));
    let mut c = zv();
    c.env("ZV_OPEN_ID", "a").env("ZV_GRANT_CODE", "b").env("ZV_OPEN_KEY", SECRET);
    let r = run(c, &["--base-url", mock.base_url(), "doctor", "--json"]);
    assert_eq!(r.code, 1);
    let all = checks(&r);
    assert_eq!(status(&all, "TCP").0, "pass");
    let (tls, detail) = status(&all, "TLS");
    assert_eq!(tls, "fail", "{detail}");
    assert!(detail.to_lowercase().contains("certificate"), "{detail}");
    assert!(status(&all, "signed probe").1.contains("unreachable"), "{all:?}");
    assert!(mock.log().is_empty(), "no request was sent");
}

/// A doctor run against a scripted gateway that gives `answer` to the probe.
fn probe_answer(answer: &str) -> (Run, Vec<(String, String, String)>) {
    let gateway = Scripted::start();
    gateway.answer(answer);
    let r = run(gateway.zv(), &["doctor", "--json"]);
    let all = checks(&r);
    (r, all)
}

#[test]
fn a_refused_signature_fails_in_every_form() {
    for answer in [
        r#"{"status":true,"code":110004,"message":"验签失败"}"#,
        r#"{"status":false,"code":110004,"message":"error"}"#,
        r#"{"status":true,"code":"110004","message":"error"}"#,
        r#"{"status":true,"code":40003,"message":"验签不通过"}"#,
        r#"{"status":false,"code":1,"message":"签名错误"}"#,
    ] {
        let (r, all) = probe_answer(answer);
        assert_eq!(r.code, 1, "{answer}: {}", r.stdout);
        let (probe, detail) = status(&all, "signed probe");
        assert_eq!(probe, "fail", "{answer}: {detail}");
        assert!(detail.contains("the signature was refused"), "{answer}: {detail}");
    }
    // any other business answer still passes: the signature was accepted
    let (r, all) = probe_answer(r#"{"status":true,"code":20001,"message":"查询的信息不存在"}"#);
    assert_eq!((r.code, status(&all, "signed probe").0), (0, "pass"), "{}", r.stdout);
}

#[test]
fn a_throttled_probe_is_inconclusive_not_a_pass() {
    for answer in [
        r#"{"status":false,"code":429,"message":"请求过于频繁，已限流"}"#,
        r#"{"status":true,"code":30001,"message":"系统繁忙"}"#,
    ] {
        let (r, all) = probe_answer(answer);
        let (probe, detail) = status(&all, "signed probe");
        assert_eq!(probe, "inconclusive", "{answer}: {detail}");
        assert!(detail.contains("throttled"), "{detail}");
        assert_eq!(r.code, 1, "not a pass: {}", r.stdout);
        assert!(r.stderr.contains("inconclusive"), "{}", r.stderr);
    }
    let gateway = Scripted::start();
    gateway.answer(r#"{"status":false,"code":429,"message":"限流"}"#);
    let r = run(gateway.zv(), &["doctor"]);
    assert!(r.stdout.lines().any(|l| l.starts_with("? signed probe")), "{}", r.stdout);
}

#[test]
fn a_plain_http_base_url_is_a_warning() {
    let (r, all) = probe_answer(r#"{"status":true,"code":0,"message":"ok","data":{"status":"false"}}"#);
    assert_eq!(r.code, 0, "a warning passes: {}", r.stdout);
    let (base, detail) = status(&all, "base URL");
    assert_eq!(base, "warn", "{detail}");
    assert!(detail.contains("plain http"), "{detail}");
    // the sandbox on this machine's loopback is not the user's gateway: no warning
    let r = run(zv(), &["--sandbox", "doctor", "--json"]);
    assert_eq!(status(&checks(&r), "base URL").0, "pass");
}

/// A server on 127.0.0.1 that accepts connections and gives each to `serve` on a thread.
fn server(serve: fn(std::net::TcpStream)) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    format!("https://127.0.0.1:{port}")
}

#[test]
fn a_tls_handshake_that_trickles_or_never_comes_is_cut_at_the_timeout() {
    use std::io::Write;
    // the start of a 16 KiB handshake record, then a byte every 20 ms: each read gets
    // something, so only a deadline on the whole handshake ends it
    let trickle = server(|mut s| {
        let _ = s.write_all(&[0x16, 0x03, 0x03, 0x40, 0x00]);
        while s.write_all(&[0]).is_ok() {
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    // accepts and sends nothing
    let silent = server(|s| {
        let mut buf = [0u8; 1024];
        while std::io::Read::read(&mut &s, &mut buf).is_ok_and(|n| n > 0) {}
    });
    for url in [trickle, silent] {
        let mut c = zv();
        c.env("ZV_OPEN_ID", "a").env("ZV_GRANT_CODE", "b").env("ZV_OPEN_KEY", SECRET);
        c.timeout(Duration::from_secs(30)); // the hang this guards against
        let r = run(c, &["--base-url", &url, "--timeout", "0.5", "doctor", "--json"]);
        assert_eq!(r.code, 1, "{url}: {}{}", r.stdout, r.stderr);
        let all = checks(&r);
        assert_eq!(status(&all, "TCP").0, "pass");
        let (tls, detail) = status(&all, "TLS");
        assert_eq!(tls, "fail", "{detail}");
        assert!(detail.contains("timed out"), "{url}: {detail}");
    }
}

#[test]
fn a_base_url_with_an_invalid_authority_exits_2_without_a_lookup() {
    let mut c = zv();
    c.env("ZV_OPEN_ID", "a").env("ZV_GRANT_CODE", "b").env("ZV_OPEN_KEY", SECRET);
    let r = run(c, &["--base-url", "http://user:pa/ss@127.0.0.1:1", "exchange-code", "1"]);
    let line = fails(&r, 2);
    assert!(line.contains("invalid base URL") && !line.contains("pa/ss"), "{line}");
    let mut c = zv();
    c.env("ZV_OPEN_ID", "a").env("ZV_GRANT_CODE", "b").env("ZV_OPEN_KEY", SECRET);
    let r = run(c, &["--base-url", "http://user:pa/ss@127.0.0.1:1", "doctor", "--json"]);
    let all = checks(&r);
    assert_eq!(status(&all, "base URL").0, "fail");
    assert_eq!(status(&all, "DNS"), ("fail", "not checked: the base URL is not valid"));
    assert!(!r.stdout.contains("pa/ss"), "{}", r.stdout);
}
