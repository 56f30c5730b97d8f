//! Rustls pieces shared by the backends: the ring provider, the trusted
//! roots, and how to read a rustls error.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;

use crate::error::find_cause;
use crate::{TransportConfig, TransportError};

/// The crypto provider every backend uses: ring, always passed explicitly so
/// that the process-wide default (which may be unset, or ambiguous when
/// several providers are compiled in) never matters.
pub(crate) fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The certificates to trust: the Mozilla roots from `webpki-root-certs`
/// followed by the configured extra roots, each checked to be a usable trust
/// anchor (an unusable one is an error now rather than an unknown-issuer
/// failure on the first request).
pub(crate) fn trusted_roots(
    config: &TransportConfig,
) -> Result<Vec<CertificateDer<'static>>, TransportError> {
    let mut roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS.to_vec();
    let mut check = rustls::RootCertStore::empty();
    for (i, der) in config.extra_root_certificates.iter().enumerate() {
        let cert = CertificateDer::from(der.clone());
        check.add(cert.clone()).map_err(|source| {
            TransportError::tls(RootCertificateError { index: i, len: der.len(), source })
        })?;
        roots.push(cert);
    }
    Ok(roots)
}

/// An extra root certificate that cannot be a trust anchor: which one, and (as its source)
/// why.
#[derive(Debug)]
struct RootCertificateError {
    index: usize,
    len: usize,
    source: rustls::Error,
}

impl std::fmt::Display for RootCertificateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "extra root certificate #{} ({} bytes of DER) is not usable", self.index, self.len)
    }
}

impl std::error::Error for RootCertificateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Whether a rustls error can only come from the handshake (certificate and
/// negotiation failures), i.e. before any request byte was sent. Anything
/// else might come from a record received after the request went out.
pub(crate) fn is_handshake_error(e: &rustls::Error) -> bool {
    use rustls::Error as E;
    matches!(
        e,
        E::InvalidCertificate(_)
            | E::InvalidCertRevocationList(_)
            | E::NoCertificatesPresented
            | E::UnsupportedNameType
            | E::PeerIncompatible(_)
            | E::InappropriateHandshakeMessage { .. }
            | E::HandshakeNotComplete
            | E::NoApplicationProtocol
            | E::InvalidEncryptedClientHello(_)
            | E::FailedToGetCurrentTime
    )
}

/// If `err` is caused by a rustls error, a [`TransportError`] of kind `Tls`
/// (which may have reached the server unless it is a handshake error);
/// otherwise `err` back.
pub(crate) fn as_tls_error<E>(err: E) -> Result<TransportError, E>
where
    E: std::error::Error + Send + Sync + 'static,
{
    match find_cause::<rustls::Error>(&err).map(is_handshake_error) {
        Some(handshake) => Ok(TransportError::tls(err).with_reached_server(!handshake)),
        None => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_include_webpki_and_extras() {
        let base = trusted_roots(&TransportConfig::default()).unwrap();
        assert!(base.len() > 50);
        let bad = TransportConfig::default()
            .with_root_certificate(base[0].to_vec())
            .with_root_certificate(vec![1, 2, 3]);
        let e = trusted_roots(&bad).unwrap_err();
        assert_eq!(e.kind(), crate::TransportErrorKind::Tls);
        assert!(!e.may_have_reached_server());
        // Which one, and why, down the chain.
        let which = std::error::Error::source(&e).unwrap();
        assert_eq!(which.to_string(), "extra root certificate #1 (3 bytes of DER) is not usable");
        assert!(which.source().is_some_and(|why| why.downcast_ref::<rustls::Error>().is_some()));
    }

    #[test]
    fn handshake_errors() {
        let cert = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let wrapped = std::io::Error::new(std::io::ErrorKind::InvalidData, cert);
        let e = as_tls_error(wrapped).unwrap();
        assert_eq!(e.kind(), crate::TransportErrorKind::Tls);
        assert!(!e.may_have_reached_server());
        let e = as_tls_error(rustls::Error::DecryptError).unwrap();
        assert!(e.may_have_reached_server());
        assert!(as_tls_error(std::io::Error::other("plain")).is_err());
    }
}
