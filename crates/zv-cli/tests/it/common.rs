//! What every CLI test uses: `zv` without inherited configuration, a mock configured
//! through the environment, and one run's outcome with the checks every run gets.
#![allow(dead_code)] // each test binary uses a different part

use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;
use zv_mock::{MockConfig, MockServer};

pub const SECRET: &str = "cli-test-KEY-do-not-print-9f8e7d";

/// `zv` with no ZV_*, colour, width or log variables inherited from the environment, and no
/// config file.
pub fn zv() -> Command {
    let mut c = Command::cargo_bin("zv").unwrap();
    for v in [
        "ZV_BASE_URL",
        "ZV_OPEN_ID",
        "ZV_GRANT_CODE",
        "ZV_OPEN_KEY",
        "ZV_PROFILE",
        "ZV_KEYRING",
        "COLUMNS",
        "NO_COLOR",
        "CLICOLOR",
        "CLICOLOR_FORCE",
        "RUST_LOG",
    ] {
        c.env_remove(v);
    }
    // Never the machine's profiles or credentials: no config file, keyring's mock store.
    c.env("XDG_CONFIG_HOME", "/nonexistent/zv-test-config").env("ZV_KEYRING", "mock");
    c.timeout(Duration::from_secs(60));
    c
}

/// Starts `zv` with `c`'s environment and `args`, stdout and stderr piped, for a test that
/// reads its output while it runs.
pub fn spawn(c: &Command, args: &[&str]) -> std::process::Child {
    let mut s = std::process::Command::new(assert_cmd::cargo::cargo_bin("zv"));
    for (key, value) in c.get_envs() {
        match value {
            Some(value) => s.env(key, value),
            None => s.env_remove(key),
        };
    }
    let piped = std::process::Stdio::piped;
    s.args(args).stdout(piped()).stderr(piped()).spawn().unwrap()
}

/// `zv` with its config directory in `home` (a tempfile dir) and keyring's in-memory mock
/// store: never the machine's config or credentials.
pub fn zv_at(home: &std::path::Path) -> Command {
    let mut c = zv();
    c.env("XDG_CONFIG_HOME", home).env("HOME", home).env("ZV_KEYRING", "mock");
    c
}

/// A mock with a distinctive key, and `zv` configured for it through the environment.
pub fn mock_and_zv() -> (MockServer, impl Fn() -> Command) {
    mock_with_and_zv(MockConfig::new())
}

/// [`mock_and_zv`] with a mock configured by `config` (its credentials are set here).
pub fn mock_with_and_zv(config: MockConfig) -> (MockServer, impl Fn() -> Command) {
    let creds = zv_sign::Credentials::new("0123456789abcdef0123456789abcdef", "GrAnT12345", SECRET);
    let mock = MockServer::start(config.credentials(creds)).unwrap();
    let url = mock.base_url().to_owned();
    let cmd = move || {
        let mut c = zv();
        c.env("ZV_BASE_URL", &url)
            .env("ZV_OPEN_ID", "0123456789abcdef0123456789abcdef")
            .env("ZV_GRANT_CODE", "GrAnT12345")
            .env("ZV_OPEN_KEY", SECRET);
        c
    };
    (mock, cmd)
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(mut c: Command, args: &[&str]) -> Run {
    let out = c.args(args).output().unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert!(
        !run.stdout.contains(SECRET) && !run.stderr.contains(SECRET),
        "key leaked: {}{}",
        run.stdout,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

pub const ESC: char = '\u{1b}';

/// A failure: the exit code, and exactly one line on stderr.
pub fn fails(r: &Run, code: i32) -> &str {
    assert_eq!(r.code, code, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "one line: {:?}", r.stderr);
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "nothing on stdout: {}", r.stdout);
    r.stderr.trim_end()
}

pub fn ok(r: &Run) -> &str {
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    &r.stdout
}

pub fn json_out(r: &Run) -> Value {
    serde_json::from_str(ok(r)).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.stdout))
}

/// A stand-in gateway on 127.0.0.1 for what zv-mock does not serve (paths it does not route,
/// the exact bytes of a request): it records each request body as sent and answers request
/// `n` with the `n`-th body given to [`Scripted::answer`], waiting until there is one. It
/// checks no signature.
pub struct Scripted {
    pub url: String,
    requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    answers: std::sync::mpsc::Sender<(String, Option<String>)>,
}

impl Scripted {
    pub fn start() -> Scripted {
        use std::io::{BufRead, BufReader, Read, Write};
        use std::sync::{Arc, Mutex, mpsc};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (answers, rx) = mpsc::channel::<(String, Option<String>)>();
        let rx = Arc::new(Mutex::new(rx));
        let log = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (log, rx) = (log.clone(), rx.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut stream = stream;
                    loop {
                        let mut length = 0usize;
                        let mut line = String::new();
                        loop {
                            line.clear();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                                return; // the client closed the connection
                            }
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
                        log.lock().unwrap().push(String::from_utf8(body).unwrap());
                        let Ok((answer, date)) = rx.lock().unwrap().recv() else { return };
                        let date = date.map(|d| format!("date: {d}\r\n")).unwrap_or_default();
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{date}content-length: {}\r\n\r\n",
                            answer.len()
                        );
                        if stream
                            .write_all(head.as_bytes())
                            .and_then(|()| stream.write_all(answer.as_bytes()))
                            .is_err()
                        {
                            return;
                        }
                    }
                });
            }
        });
        Scripted { url, requests, answers }
    }

    /// Queues the body of the next answer: `{"status":true,"code":0,"data":DATA}`.
    pub fn answer_data(&self, data: &str) {
        self.answer(&format!(r#"{{"status":true,"code":0,"message":"请求成功","data":{data}}}"#));
    }

    /// Queues the body of the next answer.
    pub fn answer(&self, body: &str) {
        self.answers.send((body.to_owned(), None)).unwrap();
    }

    /// Queues the body of the next answer, sent with this `Date` header.
    pub fn answer_dated(&self, body: &str, date: std::time::SystemTime) {
        self.answers.send((body.to_owned(), Some(httpdate::fmt_http_date(date)))).unwrap();
    }

    /// The request bodies so far, as sent.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// `zv` configured for it through the environment (with the test key).
    pub fn zv(&self) -> Command {
        let mut c = zv();
        c.env("ZV_BASE_URL", &self.url)
            .env("ZV_OPEN_ID", "0123456789abcdef0123456789abcdef")
            .env("ZV_GRANT_CODE", "GrAnT12345")
            .env("ZV_OPEN_KEY", SECRET);
        c
    }
}

/// An error line without the gateway's ` (traceId …)` (the mock sends a fresh one with every
/// answer), after checking that it has one.
pub fn without_trace_id(line: &str) -> String {
    let start = line.find(" (traceId ").unwrap_or_else(|| panic!("no traceId in {line:?}"));
    let end = line[start..].find(')').map(|i| start + i + 1).unwrap_or_else(|| panic!("unclosed: {line:?}"));
    format!("{}{}", &line[..start], &line[end..])
}

// One definition for the crates' tests (a test support file of zv-transport).
#[path = "../../../zv-transport/tests/support/closed_port.rs"]
mod closed_port;
#[allow(unused_imports)] // not every test binary refuses a connection
pub use closed_port::ClosedPort;
/// Writes `text` to the file `name` in `dir`; returns its path as an argument.
pub fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}
