//! One connection's life: the TLS handshake, HTTP/1.1 or HTTP/2, and the limits that keep
//! hostile clients from starving real ones: the first request head (and any TLS handshake)
//! must arrive within the header timeout of the connection being accepted, a connection
//! with no request in flight is closed once idle for the idle timeout, and the server holds
//! at most a fixed number of connections at once (see `serve` in `mock_server.rs`).
//!
//! The deadlines are watched here rather than by hyper's `header_read_timeout`, so that they
//! hold for both protocols, for the TLS handshake and for the protocol detection that reads
//! the first bytes before hyper does.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::Watcher;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

use super::body::Body;
use super::state::Shared;
use crate::gateway::Limits;
use crate::model::lock;

/// How often a connection's deadlines are checked: a quarter of the shorter timeout,
/// between 5 ms and 1 s.
fn check_period(limits: &Limits) -> Duration {
    (limits.header_timeout.min(limits.idle_timeout) / 4)
        .clamp(Duration::from_millis(5), Duration::from_secs(1))
}

/// A connection's place among those the server holds at once: the permit of the
/// connection cap, and a count of the open connections.
pub(crate) struct Slot {
    _permit: OwnedSemaphorePermit,
    open: Arc<AtomicUsize>,
}

impl Slot {
    /// Takes a place for a connection just accepted.
    pub(crate) fn take(permit: OwnedSemaphorePermit, open: &Arc<AtomicUsize>) -> Slot {
        open.fetch_add(1, Ordering::SeqCst);
        Slot { _permit: permit, open: Arc::clone(open) }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What a connection has been doing, for its deadlines.
struct Activity {
    accepted: Instant,
    state: Mutex<ActivityState>,
}

struct ActivityState {
    /// Requests whose answer is not sent yet.
    in_flight: usize,
    /// Requests whose head has arrived.
    requests: u64,
    /// When the last answer was sent (or the connection accepted).
    idle_since: Instant,
}

impl Activity {
    fn new() -> Arc<Activity> {
        let accepted = Instant::now();
        Arc::new(Activity {
            accepted,
            state: Mutex::new(ActivityState { in_flight: 0, requests: 0, idle_since: accepted }),
        })
    }

    /// A request's head has arrived; it is in flight until the guard is dropped (when its
    /// answer's body has been sent, or the connection is gone).
    fn start(self: &Arc<Self>) -> InFlight {
        let mut state = lock(&self.state);
        state.in_flight += 1;
        state.requests += 1;
        InFlight(Arc::clone(self))
    }

    /// Whether the connection is past a deadline at `now`: no first request head within the
    /// header timeout, or idle (nothing in flight) for the idle timeout.
    fn expired(&self, now: Instant, limits: &Limits) -> bool {
        let state = lock(&self.state);
        match (state.in_flight, state.requests) {
            (0, 0) => now >= self.accepted + limits.header_timeout,
            (0, _) => now >= state.idle_since + limits.idle_timeout,
            _ => false,
        }
    }
}

/// A request in flight (see [`Activity::start`]).
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut state = lock(&self.0.state);
        state.in_flight -= 1;
        state.idle_since = Instant::now();
    }
}

/// An answer's body that keeps its request in flight until it is sent (or dropped).
struct Tracked {
    body: Body,
    _in_flight: InFlight,
}

impl http_body::Body for Tracked {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// One accepted connection, holding `_slot` (its place among the connections allowed at
/// once) until it ends: TLS handshake if configured, then HTTP/1.1 or HTTP/2, within the
/// limits.
pub(crate) async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    watcher: Watcher,
    limits: Limits,
    _slot: Slot,
) {
    let _ = stream.set_nodelay(true);
    let activity = Activity::new();
    match tls {
        None => serve_http(stream, peer, shared, watcher, limits, activity).await,
        Some(acceptor) => {
            let handshake =
                tokio::time::timeout_at(activity.accepted + limits.header_timeout, acceptor.accept(stream));
            match handshake.await {
                Ok(Ok(stream)) => serve_http(stream, peer, shared, watcher, limits, activity).await,
                Ok(Err(e)) => tracing::debug!(target: "zv_mock", %peer, error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!(target: "zv_mock", %peer, "TLS handshake timed out"),
            }
        }
    }
}

async fn serve_http<IO>(
    io: IO,
    peer: SocketAddr,
    shared: Arc<Shared>,
    watcher: Watcher,
    limits: Limits,
    activity: Arc<Activity>,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let tracked = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
        let in_flight = tracked.start();
        let shared = Arc::clone(&shared);
        async move {
            let response = super::service::handle(shared, request).await;
            Ok::<_, Infallible>(response.map(|body| Tracked { body, _in_flight: in_flight }))
        }
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = watcher.watch(builder.serve_connection(TokioIo::new(io), service));
    tokio::pin!(connection);
    let mut check = tokio::time::interval(check_period(&limits));
    loop {
        tokio::select! {
            ended = &mut connection => {
                if let Err(e) = ended {
                    // A client that gave up (timeout, body too large) ends here: nothing to do.
                    tracing::debug!(target: "zv_mock", %peer, error = %e, "connection ended with an error");
                }
                return;
            }
            _ = check.tick() => {
                if activity.expired(Instant::now(), &limits) {
                    // Dropping the connection closes the socket.
                    tracing::debug!(target: "zv_mock", %peer, "connection closed: no request head in time, or idle");
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines() {
        let limits = Limits {
            header_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(30),
            max_connections: 1,
        };
        assert_eq!(check_period(&limits), Duration::from_secs(1));
        let activity = Activity::new();
        let t0 = activity.accepted;
        assert!(!activity.expired(t0 + Duration::from_secs(4), &limits));
        assert!(activity.expired(t0 + Duration::from_secs(5), &limits), "no head within the header timeout");
        let in_flight = activity.start();
        assert!(
            !activity.expired(t0 + Duration::from_secs(3600), &limits),
            "a request in flight never expires"
        );
        drop(in_flight);
        let idle = lock(&activity.state).idle_since;
        assert!(idle >= t0);
        assert!(!activity.expired(idle + Duration::from_secs(29), &limits));
        assert!(activity.expired(idle + Duration::from_secs(30), &limits), "idle for the idle timeout");
    }
}
