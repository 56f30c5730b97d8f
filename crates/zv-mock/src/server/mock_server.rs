//! [`MockServer`]: binding, TLS, the per-connection loop, shutdown.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use hyper_util::server::graceful::GracefulShutdown;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use zv_sign::Credentials;

use super::address::base_url;
use super::connection::{self, Slot};
use super::state::{Shared, stopped};
use crate::gateway::{Fault, Gateway, Limits, MockConfig};
use crate::model::{Fixtures, LogEntry, MockError, lock};
#[cfg(feature = "record")]
use crate::record::Recorder;

/// How long in-flight requests may finish after a shutdown before they are cut.
const GRACE: Duration = Duration::from_secs(2);

/// A running mock gateway. Stops when dropped (or with [`MockServer::shutdown`]).
///
/// `Debug` shows the address and the `openId`, never the open key.
pub struct MockServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    base_url: String,
    certificate_der: Option<Vec<u8>>,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
    open: Arc<AtomicUsize>,
}

/// What both ways of starting need before they listen.
struct Prepared {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tls: Option<(TlsAcceptor, Vec<u8>)>,
    slots: Arc<Semaphore>,
    open: Arc<AtomicUsize>,
    limits: Limits,
}

impl Prepared {
    /// The server's task, on `listener`.
    fn serve(&self, listener: TcpListener) -> impl Future<Output = ()> + Send + 'static {
        let acceptor = self.tls.as_ref().map(|(acceptor, _)| acceptor.clone());
        let places = (Arc::clone(&self.slots), Arc::clone(&self.open));
        serve(listener, acceptor, Arc::clone(&self.shared), self.stop.subscribe(), self.limits, places)
    }
}

#[cfg_attr(not(feature = "record"), allow(unused_mut))]
fn prepare(mut config: MockConfig) -> Result<Prepared, MockError> {
    let (stop, stopped) = watch::channel(false);
    let tls = if config.tls { Some(tls_acceptor(config.addr.ip())?) } else { None };
    #[cfg(feature = "record")]
    let recorder = config.record.take().map(|r| Recorder::open(r, &config.credentials)).transpose()?;
    let (limits, https) = (config.limits, config.tls);
    #[cfg_attr(not(feature = "record"), allow(unused_mut))]
    let mut gateway = Gateway::new(config);
    // A web page can send a body without `Content-Type` to any origin without asking.
    #[cfg(feature = "record")]
    {
        gateway.policy.content_type_required = recorder.is_some();
    }
    let shared = Arc::new(Shared {
        header_timeout: limits.header_timeout,
        tls: https,
        local: std::sync::OnceLock::new(),
        stop: stopped,
        #[cfg(feature = "record")]
        recorder,
        gateway,
    });
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    Ok(Prepared { shared, stop, tls, slots, open: Arc::default(), limits })
}

/// A self-signed certificate for `localhost`, `127.0.0.1`, `::1` (and `ip` when it is a
/// specific other address), served with rustls on the ring provider.
fn tls_acceptor(ip: IpAddr) -> Result<(TlsAcceptor, Vec<u8>), MockError> {
    let tls_error = |e: &dyn fmt::Display| MockError::Tls(e.to_string());
    let mut names = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
    if !ip.is_loopback() && !ip.is_unspecified() {
        names.push(ip.to_string());
    }
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(names).map_err(|e| tls_error(&e))?;
    let der = cert.der().to_vec();
    let key = PrivateKeyDer::Pkcs8(signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(&e))?
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(der.clone())], key)
        .map_err(|e| tls_error(&e))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok((TlsAcceptor::from(Arc::new(config)), der))
}

/// Accepts connections until `stop` turns true, at most `limits.max_connections` at once
/// (the others wait in the listen queue until a place frees), then lets in-flight requests
/// finish for up to [`GRACE`] and cuts the rest.
async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
    limits: Limits,
    (slots, open): (Arc<Semaphore>, Arc<AtomicUsize>),
) {
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let stop = stopped(stop);
    tokio::pin!(stop);
    loop {
        while connections.try_join_next().is_some() {}
        let slot = tokio::select! {
            () = &mut stop => break,
            slot = Arc::clone(&slots).acquire_owned() => slot,
        };
        // The semaphore is never closed.
        let Ok(slot) = slot else { break };
        let accepted = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                let watcher = graceful.watcher();
                let slot = Slot::take(slot, &open);
                connections.spawn(connection::serve(
                    stream,
                    peer,
                    tls.clone(),
                    Arc::clone(&shared),
                    watcher,
                    limits,
                    slot,
                ));
            }
            Err(e) => {
                // E.g. out of file descriptors: wait a little instead of spinning.
                tracing::warn!(target: "zv_mock", error = %e, "accept failed");
                drop(slot);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(GRACE, graceful.shutdown()).await;
    connections.shutdown().await;
    tracing::debug!(target: "zv_mock", "mock server stopped");
}

impl MockServer {
    /// Starts the mock from blocking code: binds now, then serves on its own tokio runtime
    /// on a background thread. Dropping the server stops it and joins the thread.
    ///
    /// Safe to call from inside an async runtime too (the server never uses the caller's).
    /// Dropping blocks until the thread has stopped: milliseconds when idle, at most about
    /// two seconds while requests are still being answered.
    ///
    /// # Errors
    ///
    /// [`MockError::Bind`] when the address cannot be bound, [`MockError::Tls`] when the
    /// certificate cannot be made, [`MockError::Io`] when the runtime or thread cannot start.
    pub fn start(config: MockConfig) -> Result<MockServer, MockError> {
        let requested = config.addr;
        let tls = config.tls;
        let prepared = prepare(config)?;
        let bind_error = |source| MockError::Bind { addr: requested, source };
        let std_listener = std::net::TcpListener::bind(requested).map_err(bind_error)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let _ = prepared.shared.local.set(addr);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let listener = {
            let _context = runtime.enter();
            TcpListener::from_std(std_listener)?
        };
        let task = prepared.serve(listener);
        let thread = std::thread::Builder::new()
            .name(format!("zv-mock-{}", addr.port()))
            .spawn(move || runtime.block_on(task))?;
        Ok(Self::assemble(prepared, addr, tls, Some(thread)))
    }

    /// Starts the mock from async code: binds, then serves on the current tokio runtime.
    /// Dropping the server signals it to stop (it finishes on the runtime shortly after).
    ///
    /// # Errors
    ///
    /// As [`MockServer::start`].
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub async fn start_async(config: MockConfig) -> Result<MockServer, MockError> {
        let requested = config.addr;
        let tls = config.tls;
        let prepared = prepare(config)?;
        let listener = TcpListener::bind(requested)
            .await
            .map_err(|source| MockError::Bind { addr: requested, source })?;
        let addr = listener.local_addr()?;
        let _ = prepared.shared.local.set(addr);
        tokio::spawn(prepared.serve(listener));
        Ok(Self::assemble(prepared, addr, tls, None))
    }

    fn assemble(
        prepared: Prepared,
        addr: SocketAddr,
        tls: bool,
        thread: Option<JoinHandle<()>>,
    ) -> MockServer {
        MockServer {
            shared: prepared.shared,
            addr,
            base_url: base_url(addr, tls),
            certificate_der: prepared.tls.map(|(_, der)| der),
            stop: prepared.stop,
            thread,
            open: prepared.open,
        }
    }

    /// The URL to give a client: `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT` with
    /// TLS (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on (with the actual port when port 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many connections the server holds open now (at most
    /// [`MockConfig::max_connections`]).
    pub fn open_connections(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// The credentials requests must be signed with.
    pub fn credentials(&self) -> &Credentials {
        &self.shared.gateway.policy.credentials
    }

    /// The self-signed certificate (DER) when TLS is on, for clients to trust as a root.
    pub fn certificate_der(&self) -> Option<Vec<u8>> {
        self.certificate_der.clone()
    }

    /// The requests so far, oldest first: the newest that fit in the log's capacity
    /// ([`MockConfig::log_capacity`], 16 MiB by default). Each is a summary: text fields are
    /// cut short and made printable, and only a signed request's params are kept.
    pub fn log(&self) -> Vec<LogEntry> {
        self.shared.gateway.log()
    }

    /// Forgets the requests logged so far.
    pub fn clear_log(&self) {
        lock(&self.shared.gateway.log).clear();
    }

    /// Queues a fault for the next verified request(s): one queued fault is consumed per
    /// verified request, first in first out (a [`Fault::FailTimes`] stays at the head until
    /// it has failed its `times` requests).
    pub fn push_fault(&self, fault: Fault) {
        lock(&self.shared.gateway.faults).push(fault);
    }

    /// Applies `fault` to every verified request whose `params.user_id` is `user_id` (a
    /// [`Fault::FailTimes`] only to the next `times` of them), instead of the queue.
    pub fn fault_for_member(&self, user_id: &str, fault: Fault) {
        lock(&self.shared.gateway.faults).for_member(user_id, fault);
    }

    /// Removes every queued and per-member fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.gateway.faults).clear();
    }

    /// Serves `fixtures` from now on (replacing the data, including redeemed codes).
    pub fn set_fixtures(&self, fixtures: Fixtures) {
        *lock(&self.shared.gateway.fixtures) = fixtures;
    }

    /// The data served now (after any redeems).
    pub fn fixtures(&self) -> Fixtures {
        lock(&self.shared.gateway.fixtures).clone()
    }

    /// Stops the server: stops accepting, lets in-flight requests finish briefly (pending
    /// injected delays end at once), closes every connection. The same as dropping it.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.stop.send_replace(true);
        if let Some(thread) = self.thread.take()
            && thread.thread().id() != std::thread::current().id()
        {
            let _ = thread.join();
        }
    }
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("base_url", &self.base_url)
            .field("addr", &self.addr)
            .field("credentials", &self.shared.gateway.policy.credentials)
            .field("tls", &self.certificate_der.is_some())
            .field("messy", &self.shared.gateway.messy)
            .finish_non_exhaustive()
    }
}
