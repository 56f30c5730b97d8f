//! The `zv` binary under attack: a hostile gateway (absurd `data`), and absurd inputs from
//! the user (files that never end, configuration files that are devices, log filters that
//! would dump request bodies). Every failure is one line and a documented exit code; nothing
//! hangs, crashes or eats the machine's memory. Servers are on 127.0.0.1 only.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command as StdCommand;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::*;

const GIFT_CARDS: &str = "crm/giftCard/getCustomerGiftCardList";

/// `n` arrays nested in one another.
fn nested(n: usize) -> String {
    format!("{}{}", "[".repeat(n), "]".repeat(n))
}

#[test]
fn deeply_nested_data_is_a_decode_error_not_a_crash() {
    let gateway = Scripted::start();
    for format in ["jsonl", "table", "csv"] {
        gateway.answer_data(&nested(20_000));
        let r = run(gateway.zv(), &["--format", format, "api", GIFT_CARDS, "user_id=1"]);
        let line = fails(&r, 6);
        assert!(line.contains("nested deeper than 128"), "{format}: {line}");
    }
    // As JSON on a pipe the text goes out as it came (nothing is built from it).
    gateway.answer_data(&nested(20_000));
    let r = run(gateway.zv(), &["--json", "api", GIFT_CARDS, "user_id=1"]);
    assert_eq!(ok(&r).trim_end(), nested(20_000));
    // Nested as deep as serde_json reads, it is shown.
    gateway.answer_data(&format!("[{}]", nested(127)));
    let r = run(gateway.zv(), &["--format", "jsonl", "api", GIFT_CARDS, "user_id=1"]);
    assert_eq!(ok(&r).trim_end(), nested(127));

    // The user's own params, shown by --dry-run.
    let dir = tempfile::tempdir().unwrap();
    let params = dir.path().join("deep.json");
    std::fs::write(&params, format!(r#"{{"a":{}}}"#, nested(20_000))).unwrap();
    let at = format!("@{}", params.display());
    let r = run(zv(), &["--sandbox", "api", GIFT_CARDS, "--params", &at, "--dry-run"]);
    assert!(fails(&r, 2).contains("nested deeper than 128"), "{}", r.stderr);
}

#[test]
fn paged_calls_send_their_numbers_as_typed() {
    let gateway = Scripted::start();
    gateway.answer_data(r#"{"data":[{"id":164822200532619796511}],"total":1}"#);
    let r = run(
        gateway.zv(),
        &[
            "api",
            "goods/item/getItemList",
            "id:=164822200532619796511",
            "x:=0.1000000000000000000001",
            "--all-pages",
        ],
    );
    assert_eq!(ok(&r), "{\"id\":164822200532619796511}\n");
    let sent = gateway.requests();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].contains(
            r#""params":{"id":164822200532619796511,"pageNo":1,"pageSize":10,"x":0.1000000000000000000001}"#
        ),
        "{}",
        sent[0]
    );
}

fn mkfifo(path: &Path) {
    assert!(StdCommand::new("mkfifo").arg(path).status().unwrap().success());
}

/// Every file `zv` reads or continues, given as a FIFO, a device or a directory, fails at
/// once with one line (a FIFO used to hang the command; `--out /dev/zero --resume` and a
/// `--record` or config file on `/dev/zero` to fill the memory).
#[test]
fn files_that_are_devices_or_fifos_fail_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let rows = dir.path().join("rows.csv");
    std::fs::write(&rows, "user_id\n10001\n").unwrap();
    let rows = rows.to_str().unwrap();
    for bad in [fifo.to_str().unwrap(), "/dev/zero", dir.path().to_str().unwrap()] {
        let uses: [&[&str]; 5] = [
            &["--sandbox", "api", GIFT_CARDS, "--each", bad],
            &["--sandbox", "api", GIFT_CARDS, "--each", rows, "--out", bad],
            &["--sandbox", "api", GIFT_CARDS, "--each", rows, "--out", bad, "--resume"],
            &["mock", "--stubs", bad],
            &["mock", "--record", bad, "--upstream", "http://127.0.0.1:9"],
        ];
        for args in uses {
            let mut c = zv();
            c.env("ZV_OPEN_ID", "oid").env("ZV_GRANT_CODE", "gc").env("ZV_OPEN_KEY", SECRET);
            let line = fails(&run(c, args), 2).to_owned();
            assert!(line.contains("not a regular file") && line.contains(bad), "{args:?}: {line}");
        }
    }
    // The config file, read by every command that resolves its settings.
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join("zv")).unwrap();
    let config = home.path().join("zv").join("config.toml");
    let gateway = Scripted::start();
    let check = |expected: &str| {
        let mut c = gateway.zv();
        // Only the key from the environment: the `default` profile would give the rest.
        c.env("XDG_CONFIG_HOME", home.path()).env_remove("ZV_OPEN_ID").env_remove("ZV_GRANT_CODE");
        let line = fails(&run(c, &["exchange-code", "1"]), 2).to_owned();
        assert!(line.contains(expected) && line.contains("config.toml"), "{line}");
    };
    mkfifo(&config);
    check("not a regular file");
    std::fs::remove_file(&config).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &config).unwrap();
    check("not a regular file");
    std::fs::remove_file(&config).unwrap();
    std::fs::File::create(&config).unwrap().set_len(1024 * 1024 + 1).unwrap();
    check("larger than 1048576 bytes");
    assert!(gateway.requests().is_empty());
}

/// ureq's TRACE level hex-dumps every request (token and grantCode included): only a
/// `RUST_LOG` that names ureq turns it on, not one that only starts like it.
#[test]
fn body_dumps_need_the_http_library_named_in_rust_log() {
    let dumps = |rust_log: &str| {
        let mut c = zv();
        c.env("RUST_LOG", rust_log);
        let r = run(c, &["--sandbox", "exchange-code", "1"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stderr.lines().filter(|l| l.contains("ureq_proto::util")).count()
    };
    for not_named in ["trace", "u=trace", "ure", "ureq_p=trace", "zv=trace,u"] {
        assert_eq!(dumps(not_named), 0, "RUST_LOG={not_named}");
    }
    assert!(dumps("ureq=trace") > 0, "named, it dumps (so this test can see a dump)");
}

/// A hostile gateway on 127.0.0.1: reads each request (head and body), then lets `reply`
/// write whatever it likes on the socket. Counts the requests it read.
struct Hostile {
    url: String,
    requests: Arc<AtomicUsize>,
}

impl Hostile {
    fn start(reply: impl Fn(&mut TcpStream) + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let (count, reply) = (requests.clone(), Arc::new(reply));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let (count, reply) = (count.clone(), reply.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut length = 0;
                    let mut line = String::new();
                    while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                        if let Some((name, value)) = line.split_once(':')
                            && name.eq_ignore_ascii_case("content-length")
                        {
                            length = value.trim().parse().unwrap_or(0);
                        }
                        line.clear();
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_ok() {
                        count.fetch_add(1, Ordering::SeqCst);
                        reply(&mut stream);
                    }
                });
            }
        });
        Hostile { url, requests }
    }

    fn zv(&self) -> assert_cmd::Command {
        let mut c = zv();
        c.env("ZV_BASE_URL", &self.url)
            .env("ZV_OPEN_ID", "0123456789abcdef0123456789abcdef")
            .env("ZV_GRANT_CODE", "GrAnT12345")
            .env("ZV_OPEN_KEY", SECRET);
        c
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// What a broken or hostile gateway can answer, each a one-line failure with its exit
/// code: a redirect elsewhere (not followed: the other host hears nothing), a web page, a
/// body that never ends or lies about its length.
#[test]
fn a_hostile_gateway_gets_one_line_and_an_exit_code() {
    let elsewhere = Hostile::start(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
    });
    let target = elsewhere.url.replace("127.0.0.1", "localhost");
    for status in ["301 Moved Permanently", "307 Temporary Redirect", "308 Permanent Redirect"] {
        let location = format!("{target}/v3/coupon/exchange/getExchangeCodeStatus");
        let gateway = Hostile::start(move |s| {
            let head = format!("HTTP/1.1 {status}\r\nlocation: {location}\r\ncontent-length: 0\r\n\r\n");
            let _ = s.write_all(head.as_bytes());
        });
        let line = fails(&run(gateway.zv(), &["--retries", "0", "exchange-code", "1"]), 5).to_owned();
        assert!(line.contains(&format!("HTTP {status}")), "{line}");
    }
    assert_eq!(elsewhere.requests(), 0, "a redirect was followed");

    let page = Hostile::start(|s| {
        let body = "<html>\u{1b}]0;pwned\u{7}\u{1b}[2J 502 \u{202e}</html>";
        let head =
            format!("HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\n\r\n", body.len());
        let _ = s.write_all(format!("{head}{body}").as_bytes());
    });
    let line = fails(&run(page.zv(), &["exchange-code", "1"]), 6).to_owned();
    assert!(line.contains(r"<html>\u{1b}]0;pwned\u{7}\u{1b}[2J 502 \u{202e}</html>"), "{line}");

    // A body that never ends: read up to the 16 MiB cap, then refused (the server stops when
    // the client hangs up).
    let endless = Hostile::start(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
        let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
        while s.write_all(chunk.as_bytes()).is_ok() {}
    });
    let line = fails(&run(endless.zv(), &["--retries", "0", "exchange-code", "1"]), 5).to_owned();
    assert!(line.contains("exceeds the 16777216-byte limit"), "{line}");

    for head in [
        "HTTP/1.1 200 OK\r\ncontent-length: 100000000000000000000000\r\n\r\n{}",
        "HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n{\"status\":true",
        "HTTP/1.1 200 OK\r\ncontent-length: 99999999\r\n\r\n{}",
    ] {
        let liar = Hostile::start(move |s| {
            let _ = s.write_all(head.as_bytes());
        });
        let line = fails(&run(liar.zv(), &["--retries", "0", "exchange-code", "1"]), 5).to_owned();
        assert!(line.starts_with("error: transport error calling"), "{head:?}: {line}");
    }
}

/// A base URL with user info, a query or a fragment is refused where it is given (exit 2),
/// saved (`zv profile add`) or checked (`zv doctor`), and no refusal echoes the secret it may
/// carry.
#[test]
fn a_base_url_with_a_secret_in_it_is_refused_everywhere() {
    let url = "http://user:hunter2@127.0.0.1:9/?token=hunter3";
    let gateway = Scripted::start();
    let mut by_env = gateway.zv();
    by_env.env("ZV_BASE_URL", url);
    let by_flag = run(gateway.zv(), &["--base-url", url, "exchange-code", "1"]);
    for r in [by_flag, run(by_env, &["exchange-code", "1"])] {
        let line = fails(&r, 2).to_owned();
        assert!(line.contains(r#"invalid base URL "http://[redacted]@127.0.0.1:9/""#), "{line}");
        assert!(!line.contains("hunter"), "{line}");
    }
    let r = run(gateway.zv(), &["--base-url", url, "--json", "doctor"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!r.stdout.contains("hunter") && !r.stderr.contains("hunter"), "{}", r.stdout);
    let checks: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let base = checks.as_array().unwrap().iter().find(|c| c["check"] == "base URL").unwrap();
    assert_eq!(base["status"], "fail", "{base}");
    assert!(gateway.requests().is_empty());

    let home = tempfile::tempdir().unwrap();
    for url in
        ["http://user:hunter2@gw.example", "https://gw.example/?token=hunter2", "https://gw.example/#hunter2"]
    {
        let r = run(zv_at(home.path()), &["profile", "add", "p", "--base-url", url, "--open-id", "x"]);
        let line = fails(&r, 2);
        assert!(line.contains("invalid base URL") && !line.contains("hunter2"), "{line}");
        assert!(!home.path().join("zv").join("config.toml").exists(), "saved: {url}");
    }
    let r = run(zv_at(home.path()), &["profile", "add", "p", "--base-url", " https://gw.example/p/ "]);
    ok(&r);
    let saved = std::fs::read_to_string(home.path().join("zv").join("config.toml")).unwrap();
    assert!(saved.contains(r#"base_url = "https://gw.example/p""#), "{saved}");
}

/// Characters a terminal obeys that JSON leaves raw (C1 controls such as CSI and NEL, DEL,
/// line separators, bidi overrides) are written as JSON escapes in JSON lines — records
/// and batch results — whatever stdout is: the same JSON value, nothing a terminal obeys.
#[test]
fn json_lines_escape_what_a_terminal_would_obey() {
    let data = "[{\"name\":\"a\u{9b}2J\u{7f}\u{85}\u{2028}\u{202e}b\",\"id\":164822200532619796511}]";
    let escaped = r#"{"name":"a\u009b2J\u007f\u0085\u2028\u202eb","id":164822200532619796511}"#;
    let gateway = Scripted::start();
    gateway.answer_data(data);
    let r = run(gateway.zv(), &["--format", "jsonl", "api", GIFT_CARDS, "user_id=1"]);
    assert_eq!(ok(&r), format!("{escaped}\n"));
    let dir = tempfile::tempdir().unwrap();
    let rows = dir.path().join("rows.csv");
    std::fs::write(&rows, "user_id\n1\n").unwrap();
    gateway.answer_data(data);
    let r = run(gateway.zv(), &["api", GIFT_CARDS, "--each", rows.to_str().unwrap()]);
    assert_eq!(ok(&r), format!("{{\"row\":1,\"ok\":true,\"data\":[{escaped}]}}\n"));
}
