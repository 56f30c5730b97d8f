//! Shared fixtures: a scripted in-memory transport that both clients use, so every scenario
//! runs through the blocking and the async client alike.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{Request, Response, StatusCode};
use zv_api::limit::ManualClock;
use zv_api::zv_sign::{Credentials, FixedClock, Signer};
use zv_api::zv_transport::{TransportError, TransportErrorKind, async_transport_fn, transport_fn};

pub const OPEN_ID: &str = "6dc05b4ac175cf316d226252b05cf685";
pub const GRANT_CODE: &str = "782c281f62";
/// A key distinctive enough that finding it in any output is certainly a leak.
pub const KEY: &str = "K3Y-7f3a9c-TOP-SECRET-do-not-print";
pub const NOW: u64 = 1_700_000_000;
/// The jitter of every scripted client: fixed, so every backoff is exact (150 ms, 300 ms …
/// for the default policy; a throttle retry waits half of `throttle_spread` more).
pub const JITTER: f64 = 0.5;

pub fn credentials() -> Credentials {
    Credentials::new(OPEN_ID, GRANT_CODE, KEY)
}

pub fn signer() -> Signer {
    Signer::new(&credentials())
}

/// One scripted answer.
#[derive(Clone, Debug)]
pub enum Reply {
    Json(&'static str),
    Status(u16, &'static str),
    StatusWith(u16, &'static str, &'static str, &'static str),
    Fail(TransportErrorKind, bool),
}

impl Reply {
    fn materialize(&self) -> Result<Response<Vec<u8>>, TransportError> {
        match self {
            Reply::Json(body) => Ok(Response::new(body.as_bytes().to_vec())),
            Reply::Status(code, body) => {
                let mut r = Response::new(body.as_bytes().to_vec());
                *r.status_mut() = StatusCode::from_u16(*code).unwrap();
                Ok(r)
            }
            Reply::StatusWith(code, body, name, value) => {
                let mut r = Response::new(body.as_bytes().to_vec());
                *r.status_mut() = StatusCode::from_u16(*code).unwrap();
                r.headers_mut().insert(*name, value.parse().unwrap());
                Ok(r)
            }
            Reply::Fail(kind, reached) => {
                Err(TransportError::new(*kind, format!("scripted {kind}")).with_reached_server(*reached))
            }
        }
    }
}

/// A script of replies (the last one repeats), the requests seen and the sleeps asked for.
/// The clients' rate limiter reads `clock`, which the recording sleepers advance: time
/// passes only by sleeping, so every wait is exact and nothing really sleeps.
#[derive(Clone, Default)]
pub struct Script {
    replies: Arc<Mutex<VecDeque<Reply>>>,
    pub requests: Arc<Mutex<Vec<Request<Vec<u8>>>>>,
    pub sleeps: Arc<Mutex<Vec<Duration>>>,
    pub clock: ManualClock,
}

impl Script {
    pub fn new(replies: Vec<Reply>) -> Self {
        Script { replies: Arc::new(Mutex::new(replies.into())), ..Script::default() }
    }

    pub fn send(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportError> {
        self.requests.lock().unwrap().push(request);
        let mut replies = self.replies.lock().unwrap();
        let reply = if replies.len() > 1 { replies.pop_front().unwrap() } else { replies[0].clone() };
        reply.materialize()
    }

    pub fn requests(&self) -> Vec<Request<Vec<u8>>> {
        self.requests.lock().unwrap().clone()
    }

    pub fn bodies(&self) -> Vec<serde_json::Value> {
        self.requests().iter().map(|r| serde_json::from_slice(r.body()).unwrap()).collect()
    }

    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().unwrap().clone()
    }

    /// Records a sleep and lets that much time pass.
    pub fn sleep(&self, d: Duration) {
        self.sleeps.lock().unwrap().push(d);
        self.clock.advance(d);
    }

    pub fn blocking_builder(&self) -> zv_api::ClientBuilder<zv_api::Blocking> {
        let (s1, s2) = (self.clone(), self.clone());
        zv_api::blocking::Client::builder()
            .credentials(credentials())
            .base_url("http://gateway.test")
            .clock(FixedClock(NOW))
            .rate_limit_clock(self.clock.clone())
            .jitter(|| JITTER)
            .transport(transport_fn(move |r| s1.send(r)))
            .sleeper(move |d| s2.sleep(d))
    }

    pub fn async_builder(&self) -> zv_api::ClientBuilder<zv_api::Async> {
        let (s1, s2) = (self.clone(), self.clone());
        zv_api::Client::builder()
            .credentials(credentials())
            .base_url("http://gateway.test")
            .clock(FixedClock(NOW))
            .transport(async_transport_fn(move |r| {
                let result = s1.send(r);
                async move { result }
            }))
            .rate_limit_clock(self.clock.clone())
            .jitter(|| JITTER)
            .sleeper(move |d| {
                s2.sleep(d);
                async {}
            })
    }

    pub fn blocking(&self) -> zv_api::blocking::Client {
        self.blocking_builder().build().unwrap()
    }

    pub fn asynch(&self) -> zv_api::Client {
        self.async_builder().build().unwrap()
    }
}

/// Runs a future to completion on a small current-thread runtime.
pub fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// Runs `blocking` and `asynchronous` against two fresh copies of the script, returning
/// both results and both scripts.
pub fn both<T>(
    replies: Vec<Reply>,
    blocking: impl FnOnce(&zv_api::blocking::Client) -> T,
    asynchronous: impl AsyncFnOnce(&zv_api::Client) -> T,
) -> [(T, Script); 2] {
    let sb = Script::new(replies.clone());
    let rb = blocking(&sb.blocking());
    let sa = Script::new(replies);
    let client = sa.asynch();
    let ra = run(asynchronous(&client));
    [(rb, sb), (ra, sa)]
}

/// A writer collecting every log line, at every level.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Runs `f` with every log line (TRACE and up) captured.
pub fn with_logs<T>(f: impl FnOnce() -> T) -> (T, String) {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let out = tracing::subscriber::with_default(subscriber, f);
    (out, logs.text())
}

// One definition for the crates' tests (a test support file of zv-transport).
#[path = "../../../../zv-transport/tests/support/closed_port.rs"]
mod closed_port;
#[allow(unused_imports)] // not every test binary refuses a connection
pub use closed_port::ClosedPort;
