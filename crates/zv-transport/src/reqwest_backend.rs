//! The async backend on `reqwest` 0.13 (feature `reqwest`).

use std::fmt;

use http::{Request, Response};

use crate::body::announced_length;
use crate::{AsyncTransport, BodyLimit, BoxFuture, TransportConfig, TransportError, tls};

/// An [`AsyncTransport`] on one pooled [`reqwest::Client`] (feature `reqwest`).
///
/// Connections are kept alive and reused across calls; cloning is cheap and
/// shares the pool. 4xx/5xx responses are returned as responses, redirects
/// are not followed, and the body is read chunk by chunk through the shared
/// [`BodyLimit`]. Futures must run inside a Tokio runtime (reqwest's I/O
/// needs its reactor).
///
/// TLS is rustls with the ring provider, handed to reqwest as a
/// preconfigured `rustls::ClientConfig` (no OpenSSL, no native-tls, no
/// aws-lc-rs), trusting the Mozilla roots plus
/// [`TransportConfig::extra_root_certificates`].
///
/// ```no_run
/// use zv_transport::{http, AsyncTransport, ReqwestTransport, TransportConfig};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let transport = ReqwestTransport::new(TransportConfig::default())?;
/// let request = http::Request::post("https://openapi.example.test/v3/ping")
///     .header("content-type", "application/json")
///     .body(b"{}".to_vec())?;
/// let response = transport.send(request).await?;
/// println!("{} {} bytes", response.status(), response.body().len());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    max_response_bytes: u64,
}

impl ReqwestTransport {
    /// Builds one client from `config`: connect and overall timeouts (the
    /// overall one includes reading the body), user agent, rustls (ring)
    /// with the Mozilla and extra roots, no redirects.
    ///
    /// Fails (kind `Tls`) if an extra root certificate is not usable, or
    /// (kind `Other`) if reqwest refuses the configuration, e.g. a user agent
    /// that is not a valid header value.
    pub fn new(config: TransportConfig) -> Result<Self, TransportError> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add_parsable_certificates(tls::trusted_roots(&config)?);
        let tls_config = rustls::ClientConfig::builder_with_provider(tls::crypto_provider())
            .with_safe_default_protocol_versions()
            .map_err(TransportError::tls)?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config)
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(config.effective_user_agent())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| TransportError::other(e).with_reached_server(false))?;
        Ok(Self::with_client(client, config))
    }

    /// Wraps a client configured by the caller; only
    /// [`TransportConfig::max_response_bytes`] is taken from `config`.
    ///
    /// For a POST API, configure the client with
    /// `redirect(reqwest::redirect::Policy::none())`. This crate enables
    /// reqwest's `rustls-no-provider` feature only, so give the client its TLS
    /// with `tls_backend_preconfigured(rustls_client_config)`: without it (or a
    /// process-wide rustls provider) reqwest panics while building the client.
    pub fn with_client(client: reqwest::Client, config: TransportConfig) -> Self {
        Self { client, max_response_bytes: config.max_response_bytes }
    }

    /// The underlying client.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

impl fmt::Debug for ReqwestTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReqwestTransport")
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl AsyncTransport for ReqwestTransport {
    fn send(
        &self,
        request: Request<Vec<u8>>,
    ) -> BoxFuture<'static, Result<Response<Vec<u8>>, TransportError>> {
        let client = self.client.clone();
        let cap = self.max_response_bytes;
        Box::pin(async move {
            let method = request.method().clone();
            let request = reqwest::Request::try_from(request).map_err(TransportError::invalid_request)?;
            let mut response = client.execute(request).await.map_err(map_error)?;
            let headers = std::mem::take(response.headers_mut());
            let announced = announced_length(&method, response.status(), &headers);
            let mut body = BodyLimit::new(cap, announced)?;
            while let Some(chunk) = response.chunk().await.map_err(map_error)? {
                body.push(&chunk)?;
            }
            let mut out = Response::new(body.into_bytes());
            *out.status_mut() = response.status();
            *out.version_mut() = response.version();
            *out.headers_mut() = headers;
            *out.extensions_mut() = std::mem::take(response.extensions_mut());
            Ok(out)
        })
    }
}

/// Maps a reqwest error to a [`TransportError`], saying "did not reach the
/// server" only for failures of the connect phase (TCP, DNS, TLS handshake).
fn map_error(e: reqwest::Error) -> TransportError {
    if e.is_builder() {
        return TransportError::invalid_request(e);
    }
    if e.is_connect() {
        // The connect timeout is reported as a connect error. (The overall
        // timeout is not, even if it expires while connecting, so it stays
        // "may have reached".)
        if e.is_timeout() {
            return TransportError::timeout(e).with_reached_server(false);
        }
        return match tls::as_tls_error(e) {
            Ok(tls) => tls.with_reached_server(false),
            Err(e) => TransportError::connect(e),
        };
    }
    if e.is_timeout() {
        return TransportError::timeout(e);
    }
    match tls::as_tls_error(e) {
        Ok(tls) => tls,
        Err(e) if e.is_request() || e.is_body() || e.is_decode() => TransportError::io(e),
        Err(e) => TransportError::other(e),
    }
}
