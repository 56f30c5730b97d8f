//! The blocking backend on `ureq` 3 (feature `ureq`).

use std::fmt;
use std::io::{self, Read};
use std::sync::Arc;

use http::{Request, Response, Uri};
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{ConnectionDetails, Connector, DefaultConnector, NextTimeout};
use ureq::{Agent, Timeout};

use crate::body::announced_length;
use crate::{Transport, TransportConfig, TransportError, read_to_end_capped, tls};

/// A blocking [`Transport`] on one pooled [`ureq::Agent`] (feature `ureq`).
///
/// Connections are kept alive and reused across calls; cloning is cheap and
/// shares the pool. 4xx/5xx responses are returned as responses, redirects
/// are not followed, and the body is read in bounded chunks through the
/// shared cap ([`read_to_end_capped`]).
///
/// TLS is rustls with the ring provider (passed explicitly), trusting the
/// Mozilla roots plus [`TransportConfig::extra_root_certificates`].
///
/// ```no_run
/// use zv_transport::{http, Transport, TransportConfig, UreqTransport};
///
/// let transport = UreqTransport::new(TransportConfig::default())?;
/// let request = http::Request::post("https://openapi.example.test/v3/ping")
///     .header("content-type", "application/json")
///     .body(b"{}".to_vec())?;
/// let response = transport.send(request)?;
/// println!("{} {} bytes", response.status(), response.body().len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct UreqTransport {
    agent: Agent,
    max_response_bytes: u64,
}

impl UreqTransport {
    /// Builds one agent from `config`: connect and overall timeouts, user
    /// agent, rustls (ring) with the Mozilla and extra roots, statuses as
    /// responses, no redirects.
    ///
    /// Fails (kind `Tls`) if an extra root certificate is not usable.
    pub fn new(config: TransportConfig) -> Result<Self, TransportError> {
        let roots: Vec<Certificate<'static>> = tls::trusted_roots(&config)?
            .iter()
            .map(|der| Certificate::from_der(der.as_ref()).to_owned())
            .collect();
        let tls_config = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .root_certs(RootCerts::Specific(Arc::new(roots)))
            .unversioned_rustls_crypto_provider(tls::crypto_provider())
            .build();
        let agent_config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.timeout))
            .user_agent(config.effective_user_agent())
            .tls_config(tls_config)
            .build();
        // ureq's own resolver and connectors, with their I/O errors marked as happening
        // before the request was sent (a DNS failure or a refused connection surfaces as a
        // plain `io::Error`, like a read error after the request went out).
        let agent = Agent::with_parts(
            agent_config,
            BeforeSendingConnector(DefaultConnector::new()),
            BeforeSendingResolver(DefaultResolver::default()),
        );
        Ok(Self::with_agent(agent, config))
    }

    /// Wraps an agent configured by the caller; only
    /// [`TransportConfig::max_response_bytes`] is taken from `config`.
    ///
    /// Configure the agent with `http_status_as_error(false)` (otherwise a
    /// 4xx/5xx becomes an error of kind `Other` and its body is lost) and,
    /// for a POST API, `max_redirects(0)`.
    pub fn with_agent(agent: Agent, config: TransportConfig) -> Self {
        Self { agent, max_response_bytes: config.max_response_bytes }
    }

    /// The underlying agent.
    pub fn agent(&self) -> &Agent {
        &self.agent
    }
}

impl fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UreqTransport")
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl Transport for UreqTransport {
    fn send(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportError> {
        let method = request.method().clone();
        let response = self.agent.run(request).map_err(map_error)?;
        let (parts, body) = response.into_parts();
        let announced = announced_length(&method, parts.status, &parts.headers);
        let reader = MapErrors(body.into_reader());
        let body = read_to_end_capped(reader, announced, self.max_response_bytes)?;
        Ok(Response::from_parts(parts, body))
    }
}

/// Marks an I/O error from resolving or connecting: the request was not sent.
#[derive(Debug)]
struct BeforeSending(io::Error);

impl fmt::Display for BeforeSending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for BeforeSending {}

fn mark_before_sending(e: ureq::Error) -> ureq::Error {
    match e {
        ureq::Error::Io(io) => ureq::Error::Io(io::Error::new(io.kind(), BeforeSending(io))),
        other => other,
    }
}

/// The original error of an I/O error marked by [`mark_before_sending`], or the error back.
fn unmark_before_sending(io: io::Error) -> Result<io::Error, io::Error> {
    if !io.get_ref().is_some_and(|inner| inner.is::<BeforeSending>()) {
        return Err(io);
    }
    let kind = io.kind();
    match io.into_inner().map(|inner| inner.downcast::<BeforeSending>()) {
        Some(Ok(marked)) => Ok(marked.0),
        Some(Err(other)) => Err(io::Error::new(kind, other)),
        None => Err(io::Error::from(kind)),
    }
}

/// ureq's default resolver, its I/O errors marked [`BeforeSending`].
#[derive(Debug)]
struct BeforeSendingResolver(DefaultResolver);

impl Resolver for BeforeSendingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        self.0.resolve(uri, config, timeout).map_err(mark_before_sending)
    }
}

/// ureq's default connector chain (TCP, proxies, TLS), its I/O errors marked [`BeforeSending`].
#[derive(Debug)]
struct BeforeSendingConnector(DefaultConnector);

impl Connector<()> for BeforeSendingConnector {
    type Out = <DefaultConnector as Connector<()>>::Out;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        self.0.connect(details, chained).map_err(mark_before_sending)
    }
}

/// An I/O error met before the request was sent: a TLS handshake failure, a connect
/// timeout, or a failure to connect (DNS included).
fn before_sending_error(io: io::Error) -> TransportError {
    match tls::as_tls_error(io) {
        Ok(tls) => tls.with_reached_server(false),
        Err(io) if io.kind() == io::ErrorKind::TimedOut => {
            TransportError::timeout(io).with_reached_server(false)
        }
        Err(io) => TransportError::connect(io),
    }
}

/// A body reader whose errors carry the precise [`TransportError`].
struct MapErrors<R>(R);

impl<R: Read> Read for MapErrors<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            if e.kind() == io::ErrorKind::Interrupted {
                e
            } else {
                // The response has begun, so the request reached the server whatever the
                // error (an ICMP "unreachable" recorded on a live socket included).
                io::Error::other(map_error(ureq::Error::from(e)).with_reached_server(true))
            }
        })
    }
}

/// Whether an I/O error kind can only come from establishing a connection (a connected
/// TCP socket reports a reset, never a refusal). "Unreachable" is not among them: an ICMP
/// error recorded on a live socket surfaces the same way after the request was sent.
fn is_connect_io(kind: io::ErrorKind) -> bool {
    matches!(kind, io::ErrorKind::ConnectionRefused | io::ErrorKind::AddrNotAvailable)
}

/// Maps a ureq error to a [`TransportError`], saying "did not reach the
/// server" only for failures that certainly happen before the request is sent.
fn map_error(e: ureq::Error) -> TransportError {
    use ureq::Error as E;
    match e {
        // ureq's connect phase covers DNS, TCP and the TLS handshake. A
        // `Global` timeout is ambiguous (it may expire in any phase), so it
        // stays "may have reached".
        E::Timeout(Timeout::Resolve | Timeout::Connect) => {
            TransportError::timeout(e).with_reached_server(false)
        }
        E::Timeout(_) => TransportError::timeout(e),
        E::HostNotFound | E::ConnectionFailed | E::ConnectProxyFailed(_) => TransportError::connect(e),
        E::Io(io) if io.get_ref().is_some_and(|inner| inner.is::<BeforeSending>()) => {
            unmark_before_sending(io).map_or_else(TransportError::from_exchange_io, before_sending_error)
        }
        E::Io(ref io) if is_connect_io(io.kind()) => TransportError::connect(e),
        E::Tls(_) | E::Pem(_) | E::TlsRequired => TransportError::tls(e),
        E::Rustls(rustls) => {
            let handshake = tls::is_handshake_error(&rustls);
            TransportError::tls(rustls).with_reached_server(!handshake)
        }
        E::Http(_) | E::BadUri(_) | E::RequireHttpsOnly(_) | E::InvalidProxyUrl | E::BodyExceedsLimit(_) => {
            TransportError::invalid_request(e)
        }
        // ureq errors have no `source()`: keep the I/O error itself as the
        // source, so that a rustls error inside it can be found.
        E::Io(io) => tls::as_tls_error(io).unwrap_or_else(TransportError::from_exchange_io),
        // A malformed or truncated HTTP response, a stalled body, too large headers: the
        // exchange broke after the request was sent, as reqwest reports it (an I/O error).
        E::Protocol(_) | E::BodyStalled | E::LargeResponseHeader(..) => TransportError::io(e),
        other => TransportError::other(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TransportErrorKind as K;

    /// An I/O error carrying a rustls certificate error, as ureq reports a failed handshake.
    fn unknown_issuer() -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        )
    }

    #[test]
    fn error_mapping() {
        let cases = [
            (ureq::Error::Timeout(Timeout::Connect), K::Timeout, false),
            (ureq::Error::Timeout(Timeout::Resolve), K::Timeout, false),
            (ureq::Error::Timeout(Timeout::Global), K::Timeout, true),
            (ureq::Error::Timeout(Timeout::RecvResponse), K::Timeout, true),
            (ureq::Error::Timeout(Timeout::RecvBody), K::Timeout, true),
            (ureq::Error::HostNotFound, K::Connect, false),
            (ureq::Error::ConnectionFailed, K::Connect, false),
            (io::Error::from(io::ErrorKind::ConnectionRefused).into(), K::Connect, false),
            (io::Error::from(io::ErrorKind::ConnectionReset).into(), K::Io, true),
            // Unreachable after the request was sent: it may have reached the server.
            (io::Error::from(io::ErrorKind::HostUnreachable).into(), K::Io, true),
            (io::Error::from(io::ErrorKind::NetworkUnreachable).into(), K::Io, true),
            // The same, marked as met while resolving or connecting: it did not.
            (mark_before_sending(io::Error::from(io::ErrorKind::HostUnreachable).into()), K::Connect, false),
            (
                mark_before_sending(io::Error::other("failed to lookup address information").into()),
                K::Connect,
                false,
            ),
            (mark_before_sending(io::Error::from(io::ErrorKind::TimedOut).into()), K::Timeout, false),
            (mark_before_sending(unknown_issuer().into()), K::Tls, false),
            (io::Error::from(io::ErrorKind::TimedOut).into(), K::Timeout, true),
            (ureq::Error::Tls("bad name"), K::Tls, false),
            (ureq::Error::BadUri("x".into()), K::InvalidRequest, false),
            (ureq::Error::StatusCode(500), K::Other, true),
            (ureq::Error::TooManyRedirects, K::Other, true),
            (rustls::Error::DecryptError.into(), K::Tls, true),
            (rustls::Error::NoCertificatesPresented.into(), K::Tls, false),
            (unknown_issuer().into(), K::Tls, false),
            (io::Error::new(io::ErrorKind::InvalidData, rustls::Error::DecryptError).into(), K::Tls, true),
        ];
        for (error, kind, reached) in cases {
            let shown = error.to_string();
            let mapped = map_error(error);
            assert_eq!(mapped.kind(), kind, "{shown}");
            assert_eq!(mapped.may_have_reached_server(), reached, "{shown}");
        }
    }

    #[test]
    fn body_read_errors_keep_their_kind() {
        struct Fails;
        impl Read for Fails {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(ureq::Error::Timeout(Timeout::RecvBody).into_io())
            }
        }
        let e = read_to_end_capped(MapErrors(Fails), None, 10).unwrap_err();
        assert_eq!(e.kind(), K::Timeout);
        assert!(e.may_have_reached_server());
    }
}
