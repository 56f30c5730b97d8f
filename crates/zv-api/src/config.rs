//! Client configuration: everything a call needs besides sending and sleeping.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use zv_sign::{Clock, NonceSource, Signer};
use zv_transport::TransportConfig;

use crate::error::ConfigError;
use crate::limit::Limiter;
use crate::retry::{Jitter, RetryPolicy};
use crate::secrets::Secrets;

/// The base URL in the vendor's documentation.
pub const DEFAULT_BASE_URL: &str = "http://openapi.zvcms.com";
/// The 企迈 (Qmai) open-platform gateway (same envelope and signature).
pub const QMAI_BASE_URL: &str = "https://openapi.qmai.cn";

/// Environment variable: the base URL (optional, default [`DEFAULT_BASE_URL`]).
pub const ENV_BASE_URL: &str = "ZV_BASE_URL";
/// Environment variable: the `openId`.
pub const ENV_OPEN_ID: &str = "ZV_OPEN_ID";
/// Environment variable: the `grantCode`.
pub const ENV_GRANT_CODE: &str = "ZV_GRANT_CODE";
/// Environment variable: the `openKey` (the secret).
pub const ENV_OPEN_KEY: &str = "ZV_OPEN_KEY";

/// Everything a client needs besides its transport. Cheap to clone. `Debug` never shows
/// the key.
#[derive(Clone)]
pub struct Config {
    pub(crate) base_url: String,
    pub(crate) signer_v3: Signer,
    pub(crate) signer_v2: Signer,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) nonces: Arc<dyn NonceSource>,
    pub(crate) jitter: Arc<dyn Jitter>,
    pub(crate) retry: RetryPolicy,
    /// The rate limits and the cap on calls in flight, shared by the clones.
    pub(crate) limiter: Limiter,
    pub(crate) transport: TransportConfig,
    pub(crate) user_agent: http::HeaderValue,
    /// What responses must not echo back on screen: the grantCode, the key's fingerprint.
    pub(crate) secrets: Secrets,
}

impl Config {
    /// The base URL (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The `openId`.
    pub fn open_id(&self) -> &str {
        self.signer_v3.open_id()
    }

    /// The `grantCode`.
    pub fn grant_code(&self) -> &str {
        self.signer_v3.grant_code()
    }

    /// `text` with the `grantCode` and the `openKey` each replaced by `[redacted]` wherever
    /// they occur: the rule of [`redact_grant_code`](crate::redact_grant_code), plus the key
    /// (found by its fingerprint, never kept in clear), for text the caller keeps or shows
    /// (e.g. a journal of the params it sent).
    pub fn redact<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        self.secrets.redact(text)
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The rate limiter (and cap on calls in flight) the client and its clones share.
    pub fn limiter(&self) -> &Limiter {
        &self.limiter
    }

    /// Timeouts, response cap and TLS roots for the transport.
    pub fn transport_config(&self) -> &TransportConfig {
        &self.transport
    }

    pub(crate) fn signer(&self, protocol: zv_types::Protocol) -> &Signer {
        match protocol {
            zv_types::Protocol::V3 => &self.signer_v3,
            zv_types::Protocol::V2 => &self.signer_v2,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("open_id", &self.open_id())
            .field("grant_code", &"[redacted]")
            .field("open_key", &"[redacted]")
            .field("retry", &self.retry)
            .field("limiter", &self.limiter)
            .field("transport", &self.transport)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

/// The longest timeout accepted (a day); longer ones overflow some clocks' arithmetic.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// Checks a base URL as the builder does, and gives it as the client uses it (trimmed, no
/// trailing `/`): `http` or `https`, a host, no user info, query or fragment (which may hold
/// secrets, and are never echoed in the error). For a tool that stores a base URL to use
/// later, e.g. in a profile.
///
/// ```
/// assert_eq!(zv_api::validate_base_url(" https://gw.example/p/ ").unwrap(), "https://gw.example/p");
/// let e = zv_api::validate_base_url("https://user:hunter2@gw.example").unwrap_err();
/// assert!(!e.to_string().contains("hunter2"));
/// ```
pub fn validate_base_url(url: &str) -> Result<String, ConfigError> {
    let trimmed = url.trim().trim_end_matches('/');
    let authority_end = trimmed.find("://").map_or(0, |i| i + 3);
    let authority = trimmed[authority_end..].split(['/', '?', '#']).next().unwrap_or_default();
    let invalid = |reason| ConfigError::InvalidBaseUrl { url: shown_url(url), reason };
    // `@` anywhere before a query is user info, even when its password holds a `/`
    // (`http://user:pa/ss@host` would otherwise parse as host `user`, port `pa`).
    let before_query = trimmed.split(['?', '#']).next().unwrap_or_default();
    if authority.contains('@') || before_query.contains('@') {
        return Err(invalid("user info (user:password@) is not allowed in the base URL"));
    }
    if trimmed.contains('#') {
        return Err(invalid("a base URL has no fragment"));
    }
    if trimmed.contains('?') {
        return Err(invalid("a base URL has no query"));
    }
    let uri: http::Uri = trimmed.parse().map_err(|_| invalid("not a URL"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(_) => return Err(invalid("the scheme must be http or https")),
        None => return Err(invalid("missing http:// or https://")),
    }
    let Some(parsed) = uri.authority() else { return Err(invalid("missing host")) };
    if parsed.host().is_empty() {
        return Err(invalid("missing host"));
    }
    // A port is 1 to 5 digits that fit in 16 bits: `http` parses any text after `:` as one.
    // The text after the host's `:`, if any (an IPv6 host is in brackets).
    let port = parsed.as_str().rsplit_once(']').map_or(parsed.as_str(), |(_, rest)| rest).split_once(':');
    let digits =
        |port: &str| port.bytes().all(|b| b.is_ascii_digit()) && matches!(port.parse::<u16>(), Ok(1..));
    if port.is_some_and(|(_, port)| !digits(port)) {
        return Err(invalid("the port must be a number from 1 to 65535"));
    }
    let host = parsed.host().trim_matches(['[', ']']);
    let host_ok = host.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._:".contains(&b));
    if !host_ok {
        return Err(invalid("the host may hold only letters, digits, `-`, `.` (or an IP address)"));
    }
    Ok(trimmed.to_owned())
}

/// A base URL as an error may show it: no query or fragment, no user info (any of them
/// may hold a secret), sanitized and short.
fn shown_url(url: &str) -> String {
    let url = url.trim();
    let url = url.split(['?', '#']).next().unwrap_or_default();
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let (scheme, rest) = url.split_at(authority_start);
    // The last `@` ends the user info, wherever it is: a password may hold a `/`.
    let shown = match rest.rfind('@') {
        Some(at) => format!("{scheme}[redacted]@{}", &rest[at + 1..]),
        None => url.to_owned(),
    };
    zv_types::text::Sanitized::new(&shown).max_chars(200).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(validate_base_url("http://openapi.zvcms.com/").unwrap(), "http://openapi.zvcms.com");
        assert_eq!(validate_base_url("https://127.0.0.1:8080").unwrap(), "https://127.0.0.1:8080");
        assert_eq!(validate_base_url("https://gw.example/prefix/").unwrap(), "https://gw.example/prefix");
        for bad in [
            "",
            "openapi.zvcms.com",
            "ftp://x",
            "http://",
            "http://x/?a=1",
            "not a url",
            "http://x/a#f",
            "http://user:pa/ss@127.0.0.1:1",
            "http://host:pa",
            "http://host:99999",
            "http://host:0",
            "http://ho%73t/",
        ] {
            assert!(validate_base_url(bad).is_err(), "{bad}");
        }
        for (bad, shown) in [
            ("https://user:hunter2@gw.example", "https://[redacted]@gw.example"),
            ("https://gw.example/p?token=hunter2", "https://gw.example/p"),
            ("https://gw.example/p#hunter2", "https://gw.example/p"),
            ("gw.example/?a=hunter2", "gw.example/"),
            ("ht tp://u:hunter2@x/y?q=hunter2", "ht tp://[redacted]@x/y"),
            ("https://x?@hunter2", "https://x"),
            ("http://user:hunter2/ss@127.0.0.1:1", "http://[redacted]@127.0.0.1:1"),
            ("http://user:pa/hunter2@127.0.0.1:1/p", "http://[redacted]@127.0.0.1:1/p"),
            ("https://gw\u{1b}[2J.example", "https://gw\\u{1b}[2J.example"),
        ] {
            let e = validate_base_url(bad).unwrap_err();
            let text = e.to_string();
            assert!(!text.contains("hunter2") && !text.contains('\u{1b}'), "{text}");
            assert!(text.starts_with(&format!("invalid base URL \"{shown}\": ")), "{text}");
        }
    }
}
