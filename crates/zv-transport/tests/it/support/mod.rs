//! A tiny scripted HTTP/1.1 server on 127.0.0.1:0 (optionally over TLS with a
//! freshly generated self-signed certificate), for the backend tests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Longest a scripted connection is held open without answering.
const HANG_FOR: Duration = Duration::from_secs(5);

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What the server does with a request.
pub enum Reply {
    /// A complete response with `Content-Length`; the connection is kept alive.
    Full { status: u16, headers: Vec<(&'static str, String)>, body: Vec<u8> },
    /// Never answer (hold the connection for a while, then close it).
    Hang,
    /// Send headers announcing `Content-Length: n`, then no body.
    AnnounceOnly(u64),
    /// Write these bytes (not HTTP) and close the connection.
    Garbage(&'static [u8]),
    /// Stream `total` bytes with chunked encoding, `chunk` bytes at a time,
    /// produced lazily; stop at the first write error.
    Chunked { total: u64, chunk: usize },
    /// Close the connection with a TCP reset once the request is read (plain HTTP only).
    Reset,
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Self {
        Reply::Full {
            status: 200,
            headers: vec![("content-type", "application/json".into())],
            body: body.into(),
        }
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

/// Counters shared with the server threads.
#[derive(Default)]
pub struct Stats {
    pub accepts: AtomicUsize,
    pub bytes_streamed: AtomicU64,
    pub streams_finished: AtomicUsize,
    pub requests: Mutex<Vec<Recorded>>,
}

pub struct Server {
    pub addr: SocketAddr,
    pub stats: Arc<Stats>,
    /// DER of the server certificate, for TLS servers.
    pub cert_der: Option<Vec<u8>>,
}

impl Server {
    /// A plain HTTP server answering with `handler`.
    pub fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        Self::spawn(Arc::new(handler), None)
    }

    /// An HTTPS server with a self-signed certificate for 127.0.0.1/localhost.
    pub fn start_tls(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        Self::start_tls_for(&["127.0.0.1", "localhost"], handler)
    }

    /// An HTTPS server (on 127.0.0.1) with a self-signed certificate for these names only.
    pub fn start_tls_for(
        names: &[&str],
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let names = names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        let certified = rcgen::generate_simple_self_signed(names).expect("generate certificate");
        let cert = certified.cert.der().clone();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
        let config =
            rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("protocol versions")
                .with_no_client_auth()
                .with_single_cert(vec![cert.clone()], key)
                .expect("server certificate");
        Self::spawn(Arc::new(handler), Some((Arc::new(config), cert.to_vec())))
    }

    fn spawn(handler: Arc<Handler>, tls: Option<(Arc<rustls::ServerConfig>, Vec<u8>)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let stats = Arc::new(Stats::default());
        let cert_der = tls.as_ref().map(|(_, der)| der.clone());
        let server_config = tls.map(|(config, _)| config);
        let thread_stats = stats.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                thread_stats.accepts.fetch_add(1, Ordering::SeqCst);
                let (handler, stats, config) = (handler.clone(), thread_stats.clone(), server_config.clone());
                thread::spawn(move || match config {
                    Some(config) => {
                        let Ok(conn) = rustls::ServerConnection::new(config) else { return };
                        serve(rustls::StreamOwned::new(conn, stream), &*handler, &stats);
                    }
                    None => {
                        let mut stream = stream;
                        if serve(&mut stream, &*handler, &stats) {
                            // SO_LINGER 0: the close sends a reset, not a FIN.
                            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
                        }
                    }
                });
            }
        });
        Server { addr, stats, cert_der }
    }

    pub fn url(&self, path: &str) -> String {
        let scheme = if self.cert_der.is_some() { "https" } else { "http" };
        format!("{scheme}://{}{path}", self.addr)
    }

    pub fn accepts(&self) -> usize {
        self.stats.accepts.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.stats.requests.lock().unwrap().clone()
    }

    /// Waits (up to 10 s) until `n` chunked streams have stopped.
    pub fn wait_streams_finished(&self, n: usize) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.stats.streams_finished.load(Ordering::SeqCst) >= n {
                return true;
            }
            thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

// Outside `it/`: zv-api's and zv-cli's tests include it by path too.
#[path = "../../support/closed_port.rs"]
mod closed_port;
#[allow(unused_imports)] // not every test binary refuses a connection
pub use closed_port::ClosedPort;

/// Serves requests on one connection until it closes; `true` if it is to end with a reset.
fn serve<S: Read + Write>(stream: S, handler: &Handler, stats: &Stats) -> bool {
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader) {
        stats.requests.lock().unwrap().push(request.clone());
        let close = request.header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let out = reader.get_mut();
        match handler(&request) {
            Reply::Full { status, headers, body } => {
                let mut head = format!("HTTP/1.1 {status} Scripted\r\n");
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
                if out.write_all(head.as_bytes()).is_err()
                    || out.write_all(&body).is_err()
                    || out.flush().is_err()
                {
                    return false;
                }
            }
            Reply::Hang => {
                thread::sleep(HANG_FOR);
                return false;
            }
            Reply::Garbage(bytes) => {
                let _ = out.write_all(bytes).and_then(|()| out.flush());
                return false;
            }
            Reply::AnnounceOnly(length) => {
                let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {length}\r\n\r\n");
                let _ = out.write_all(head.as_bytes()).and_then(|()| out.flush());
                thread::sleep(HANG_FOR);
                return false;
            }
            Reply::Chunked { total, chunk } => {
                stream_chunked(out, total, chunk, stats);
                stats.streams_finished.fetch_add(1, Ordering::SeqCst);
                return false;
            }
            Reply::Reset => return true,
        }
        if close {
            return false;
        }
    }
    false
}

fn stream_chunked<W: Write>(out: &mut W, total: u64, chunk: usize, stats: &Stats) {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    if out.write_all(head.as_bytes()).is_err() {
        return;
    }
    let data = vec![b'z'; chunk];
    let mut sent = 0u64;
    while sent < total {
        let n = (total - sent).min(chunk as u64) as usize;
        let framed = out
            .write_all(format!("{n:x}\r\n").as_bytes())
            .and_then(|()| out.write_all(&data[..n]))
            .and_then(|()| out.write_all(b"\r\n"));
        if framed.is_err() {
            return;
        }
        sent += n as u64;
        stats.bytes_streamed.fetch_add(n as u64, Ordering::SeqCst);
    }
    let _ = out.write_all(b"0\r\n\r\n").and_then(|()| out.flush());
}

/// Reads one request (head and `Content-Length` body); `None` at end of stream.
fn read_request<R: BufRead>(reader: &mut R) -> Option<Recorded> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Recorded { method, target, headers, body })
}
