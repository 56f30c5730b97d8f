//! [`TransportConfig`]: timeouts, response cap, user agent and extra TLS roots.

use std::time::Duration;

/// The `User-Agent` sent when [`TransportConfig::user_agent`] is `None`.
pub const DEFAULT_USER_AGENT: &str = concat!("zv/", env!("CARGO_PKG_VERSION"));

/// Settings shared by the bundled backends.
///
/// Fields are public; the struct is `#[non_exhaustive]`, so start from
/// [`TransportConfig::default()`] and set fields or chain the `with_*` methods.
///
/// ```
/// use std::time::Duration;
/// use zv_transport::TransportConfig;
///
/// let config = TransportConfig::default()
///     .with_timeout(Duration::from_secs(5))
///     .with_user_agent("my-app/1.0");
/// assert_eq!(config.connect_timeout, Duration::from_secs(10));
/// assert_eq!(config.max_response_bytes, 16 * 1024 * 1024);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransportConfig {
    /// Longest time to establish a connection: DNS, TCP connect and TLS
    /// handshake. A timeout in this phase means the request was not sent.
    /// Default: 10 seconds.
    pub connect_timeout: Duration,
    /// Longest time for a whole exchange, from connecting to the last byte of
    /// the response body. Default: 30 seconds.
    pub timeout: Duration,
    /// Largest response body accepted, in bytes. A larger announced
    /// `Content-Length` is refused before the body is read, and a body without
    /// one is refused as soon as it grows past the cap, so memory stays
    /// bounded. Default: 16 MiB (16 * 1024 * 1024).
    pub max_response_bytes: u64,
    /// `User-Agent` header for requests that carry none. `None` means
    /// [`DEFAULT_USER_AGENT`] (`zv/<version>`). Default: `None`.
    pub user_agent: Option<String>,
    /// DER-encoded certificates trusted as roots in addition to the Mozilla
    /// roots bundled by `webpki-root-certs`, e.g. a test gateway's
    /// self-signed certificate. Default: none.
    pub extra_root_certificates: Vec<Vec<u8>>,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_response_bytes: 16 * 1024 * 1024,
            user_agent: None,
            extra_root_certificates: Vec::new(),
        }
    }
}

impl TransportConfig {
    /// Sets [`connect_timeout`](Self::connect_timeout).
    #[must_use]
    pub fn with_connect_timeout(mut self, connect_timeout: Duration) -> Self {
        self.connect_timeout = connect_timeout;
        self
    }

    /// Sets [`timeout`](Self::timeout).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets [`max_response_bytes`](Self::max_response_bytes).
    #[must_use]
    pub fn with_max_response_bytes(mut self, max_response_bytes: u64) -> Self {
        self.max_response_bytes = max_response_bytes;
        self
    }

    /// Sets [`user_agent`](Self::user_agent).
    #[must_use]
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Adds a DER certificate to [`extra_root_certificates`](Self::extra_root_certificates).
    #[must_use]
    pub fn with_root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.extra_root_certificates.push(der.into());
        self
    }

    /// The `User-Agent` to send: [`user_agent`](Self::user_agent) or [`DEFAULT_USER_AGENT`].
    pub fn effective_user_agent(&self) -> &str {
        self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let c = TransportConfig::default();
        assert_eq!(c.connect_timeout, Duration::from_secs(10));
        assert_eq!(c.timeout, Duration::from_secs(30));
        assert_eq!(c.max_response_bytes, 16_777_216);
        assert_eq!(c.user_agent, None);
        assert!(c.extra_root_certificates.is_empty());
        assert!(c.effective_user_agent().starts_with("zv/"));
        let c = c
            .with_user_agent("x/1")
            .with_root_certificate(vec![1, 2])
            .with_connect_timeout(Duration::from_secs(1))
            .with_max_response_bytes(5);
        assert_eq!(c.effective_user_agent(), "x/1");
        assert_eq!(c.extra_root_certificates, vec![vec![1, 2]]);
        assert_eq!(c.connect_timeout, Duration::from_secs(1));
        assert_eq!(c.max_response_bytes, 5);
    }
}
