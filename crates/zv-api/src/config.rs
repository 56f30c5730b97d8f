//! Client configuration and the builder shared by both clients.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use zv_sign::{Clock, Credentials, FieldNames, NonceSource, RandomNonce, Signer, SystemClock};
use zv_transport::TransportConfig;

use crate::error::{ConfigError, Error};
use crate::retry::RetryPolicy;

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
    pub(crate) retry: RetryPolicy,
    pub(crate) transport: TransportConfig,
    pub(crate) user_agent: http::HeaderValue,
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

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
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
            .field("grant_code", &self.grant_code())
            .field("open_key", &"[redacted]")
            .field("retry", &self.retry)
            .field("transport", &self.transport)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

/// The two kinds of client a builder can build: [`Blocking`] and [`Async`].
pub trait Mode: Sized {
    /// The transport trait object of this mode.
    type Transport: ?Sized + Send + Sync;
    /// The sleeper trait object of this mode.
    type Sleeper: ?Sized + Send + Sync;
    /// The transport used when none is set (a feature-gated backend).
    fn default_transport(config: &Config) -> Result<Arc<Self::Transport>, Error>;
    /// The sleeper used when none is set.
    fn default_sleeper() -> Result<Arc<Self::Sleeper>, Error>;
}

/// What both clients hold: the configuration, a transport and a sleeper of their mode.
pub(crate) struct ClientCore<M: Mode> {
    pub(crate) config: Config,
    pub(crate) transport: Arc<M::Transport>,
    pub(crate) sleeper: Arc<M::Sleeper>,
}

impl<M: Mode> Clone for ClientCore<M> {
    fn clone(&self) -> Self {
        ClientCore {
            config: self.config.clone(),
            transport: self.transport.clone(),
            sleeper: self.sleeper.clone(),
        }
    }
}

impl<M: Mode> ClientCore<M> {
    /// A call to a declared endpoint.
    pub(crate) fn endpoint_call<E: zv_types::Endpoint>(
        &self,
        params: &E::Params,
    ) -> Result<crate::sansio::Call<'_, E::Data>, Error> {
        crate::sansio::Call::new(
            &self.config,
            E::ROUTE,
            params,
            E::RETRY_SAFE,
            zv_types::decode_endpoint::<E>,
        )
    }

    /// An untyped call.
    pub(crate) fn untyped_call<'a>(
        &'a self,
        request: &crate::UntypedRequest<'a>,
    ) -> Result<crate::sansio::Call<'a, serde_json::Value>, Error> {
        crate::sansio::Call::new(
            &self.config,
            request.route,
            &request.params,
            request.retry_safe,
            crate::sansio::decode_untyped,
        )
    }
}

impl<M: Mode> fmt::Debug for ClientCore<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("config", &self.config).finish_non_exhaustive()
    }
}

/// Builds a [`crate::blocking::Client`].
#[derive(Debug)]
pub enum Blocking {}
/// Builds an async [`crate::Client`].
#[derive(Debug)]
pub enum Async {}

/// Builds a client: `zv_api::Client::builder()` or `zv_api::blocking::Client::builder()`.
pub struct ClientBuilder<M: Mode> {
    base_url: String,
    credentials: Option<Credentials>,
    v2_field_names: FieldNames,
    clock: Arc<dyn Clock>,
    nonces: Arc<dyn NonceSource>,
    retry: RetryPolicy,
    transport_config: TransportConfig,
    user_agent: Option<String>,
    pub(crate) transport: Option<Arc<M::Transport>>,
    pub(crate) sleeper: Option<Arc<M::Sleeper>>,
    mode: PhantomData<M>,
}

impl<M: Mode> fmt::Debug for ClientBuilder<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("transport_config", &self.transport_config)
            .field("custom_transport", &self.transport.is_some())
            .finish_non_exhaustive()
    }
}

impl<M: Mode> Default for ClientBuilder<M> {
    fn default() -> Self {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.to_owned(),
            credentials: None,
            v2_field_names: FieldNames::LOWER_CAMEL,
            clock: Arc::new(SystemClock),
            nonces: Arc::new(RandomNonce::new()),
            retry: RetryPolicy::default(),
            transport_config: TransportConfig::default(),
            user_agent: None,
            transport: None,
            sleeper: None,
            mode: PhantomData,
        }
    }
}

impl<M: Mode> ClientBuilder<M> {
    /// A builder with the defaults: the documented base URL, system clock, random nonces,
    /// two retries, 10 s connect / 30 s request timeouts, a 16 MiB response cap.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads `ZV_BASE_URL` (optional), `ZV_OPEN_ID`, `ZV_GRANT_CODE` and `ZV_OPEN_KEY`; the
    /// error names every missing variable.
    pub fn from_env(self) -> Result<Self, Error> {
        self.from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env) with any lookup (e.g. a map in tests).
    pub fn from_lookup(mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let get = |name| lookup(name).filter(|v| !v.trim().is_empty());
        let (id, code, key) = (get(ENV_OPEN_ID), get(ENV_GRANT_CODE), get(ENV_OPEN_KEY));
        let missing: Vec<&'static str> =
            [(ENV_OPEN_ID, id.is_none()), (ENV_GRANT_CODE, code.is_none()), (ENV_OPEN_KEY, key.is_none())]
                .into_iter()
                .filter_map(|(name, absent)| absent.then_some(name))
                .collect();
        match (id, code, key) {
            (Some(id), Some(code), Some(key)) => self.credentials = Some(Credentials::new(id, code, key)),
            _ => return Err(ConfigError::MissingEnv(missing).into()),
        }
        if let Some(url) = get(ENV_BASE_URL) {
            self.base_url = url;
        }
        Ok(self)
    }

    /// The gateway's base URL, e.g. [`QMAI_BASE_URL`] or a local mock (`http://127.0.0.1:port`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The credentials to sign with.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The field names V2 requests are signed over (default: the same lowerCamel names as
    /// V3, as the vendor documents; change only if a V2 gateway proves otherwise).
    pub fn v2_sign_field_names(mut self, names: FieldNames) -> Self {
        self.v2_field_names = names;
        self
    }

    /// The clock for timestamps (replace in tests).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The nonce source (replace in tests).
    pub fn nonce_source(mut self, nonces: impl NonceSource + 'static) -> Self {
        self.nonces = Arc::new(nonces);
        self
    }

    /// The retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How many retries after the first attempt (shorthand for the policy's `max_retries`).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry.max_retries = retries;
        self
    }

    /// The connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.transport_config.connect_timeout = timeout;
        self
    }

    /// The whole-request timeout, body included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.transport_config.timeout = timeout;
        self
    }

    /// The largest response body accepted, in bytes (default 16 MiB).
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.transport_config.max_response_bytes = bytes;
        self
    }

    /// Trusts an extra root certificate (DER), e.g. a local mock's.
    pub fn add_root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.transport_config.extra_root_certificates.push(der.into());
        self
    }

    /// The `User-Agent` header (default `zv/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The whole transport configuration at once.
    pub fn transport_config(mut self, config: TransportConfig) -> Self {
        self.transport_config = config;
        self
    }

    /// Validates everything and assembles a client's parts, with the mode's defaults for
    /// what was not set.
    pub(crate) fn build_core(self) -> Result<ClientCore<M>, Error> {
        let config = self.build_config()?;
        let transport = match self.transport {
            Some(t) => t,
            None => M::default_transport(&config)?,
        };
        let sleeper = match self.sleeper {
            Some(s) => s,
            None => M::default_sleeper()?,
        };
        Ok(ClientCore { config, transport, sleeper })
    }

    /// Validates everything and produces the configuration. The key itself is not kept:
    /// only the signers' keyed HMAC states are.
    pub fn build_config(&self) -> Result<Config, Error> {
        let credentials = self.credentials.as_ref().ok_or(ConfigError::MissingCredentials)?;
        let base_url = validate_base_url(&self.base_url)?;
        for (name, t) in [
            ("timeout", self.transport_config.timeout),
            ("connect timeout", self.transport_config.connect_timeout),
        ] {
            if t.is_zero() || t > MAX_TIMEOUT {
                return Err(ConfigError::InvalidTimeout { name, value: t }.into());
            }
        }
        // The builder's user agent, else the transport configuration's, else `zv/<version>`.
        let ua = self
            .user_agent
            .clone()
            .unwrap_or_else(|| self.transport_config.effective_user_agent().to_owned());
        let user_agent = http::HeaderValue::from_str(&ua)
            .map_err(|_| Error::InvalidRequest(format!("invalid user agent {ua:?}")))?;
        let mut transport = self.transport_config.clone();
        transport.user_agent = Some(ua);
        Ok(Config {
            base_url,
            signer_v3: Signer::new(credentials),
            signer_v2: Signer::with_field_names(credentials, self.v2_field_names.clone()),
            clock: self.clock.clone(),
            nonces: self.nonces.clone(),
            retry: self.retry.clone(),
            transport,
            user_agent,
        })
    }
}

/// The longest timeout accepted (a day); longer ones overflow some clocks' arithmetic.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

fn validate_base_url(url: &str) -> Result<String, ConfigError> {
    let trimmed = url.trim().trim_end_matches('/');
    let authority_end = trimmed.find("://").map_or(0, |i| i + 3);
    let authority = trimmed[authority_end..].split('/').next().unwrap_or_default();
    if authority.contains('@') {
        // Never echo what may be a password.
        return Err(ConfigError::InvalidBaseUrl {
            url: "(redacted)".to_owned(),
            reason: "user info (user:password@) is not allowed in the base URL",
        });
    }
    let invalid = |reason| ConfigError::InvalidBaseUrl { url: url.to_owned(), reason };
    if trimmed.contains('#') {
        return Err(invalid("a base URL has no fragment"));
    }
    let uri: http::Uri = trimmed.parse().map_err(|_| invalid("not a URL"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(_) => return Err(invalid("the scheme must be http or https")),
        None => return Err(invalid("missing http:// or https://")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(invalid("missing host"));
    }
    if uri.query().is_some() {
        return Err(invalid("a base URL has no query"));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(validate_base_url("http://openapi.zvcms.com/").unwrap(), "http://openapi.zvcms.com");
        assert_eq!(validate_base_url("https://127.0.0.1:8080").unwrap(), "https://127.0.0.1:8080");
        assert_eq!(validate_base_url("https://gw.example/prefix/").unwrap(), "https://gw.example/prefix");
        for bad in
            ["", "openapi.zvcms.com", "ftp://x", "http://", "http://x/?a=1", "not a url", "http://x/a#f"]
        {
            assert!(validate_base_url(bad).is_err(), "{bad}");
        }
        let e = validate_base_url("https://user:hunter2@gw.example").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
}
