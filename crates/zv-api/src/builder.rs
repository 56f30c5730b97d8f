//! The builder shared by both clients.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use zv_sign::{Clock, Credentials, FieldNames, NonceSource, RandomNonce, Signer, SystemClock};
use zv_transport::TransportConfig;

use crate::config::{
    Config, DEFAULT_BASE_URL, ENV_BASE_URL, ENV_GRANT_CODE, ENV_OPEN_ID, ENV_OPEN_KEY, MAX_TIMEOUT,
    validate_base_url,
};
use crate::core::{ClientCore, Mode};
use crate::error::{ConfigError, Error};
use crate::limit::{Limiter, Limits, MonotonicClock, RateLimit, SystemMonotonicClock};
use crate::retry::{Jitter, RandomJitter, RetryPolicy};
use crate::secrets::Secrets;

/// Builds a client: `zv_api::Client::builder()` or `zv_api::blocking::Client::builder()`.
pub struct ClientBuilder<M: Mode> {
    base_url: String,
    credentials: Option<Credentials>,
    v2_field_names: FieldNames,
    clock: Arc<dyn Clock>,
    nonces: Arc<dyn NonceSource>,
    jitter: Arc<dyn Jitter>,
    retry: RetryPolicy,
    limits: Limits,
    limit_clock: Arc<dyn MonotonicClock>,
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
            .field("open_id", &self.credentials.as_ref().map(Credentials::open_id))
            .field("retry", &self.retry)
            .field("limits", &self.limits)
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
            jitter: Arc::new(RandomJitter),
            retry: RetryPolicy::default(),
            limits: Limits::default(),
            limit_clock: Arc::new(SystemMonotonicClock::new()),
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
    /// two retries, 10 attempts a second per path, 10 s connect / 30 s request timeouts, a
    /// 16 MiB response cap.
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

    /// The gateway's base URL, e.g. [`QMAI_BASE_URL`](crate::QMAI_BASE_URL) or a local mock (`http://127.0.0.1:port`).
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

    /// The source of the retry backoff's jitter (replace in tests; default: random).
    pub fn jitter(mut self, jitter: impl Jitter + 'static) -> Self {
        self.jitter = Arc::new(jitter);
        self
    }

    /// The retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How many retries after the first attempt, and three times as many after a throttle
    /// answer (shorthand for the policy's
    /// [`with_max_retries`](RetryPolicy::with_max_retries); `0`: no retry at all).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry = self.retry.with_max_retries(retries);
        self
    }

    /// The rate limit of every path that has none of its own (default
    /// [`RateLimit::DEFAULT`]: 10 a second, evenly spaced). Every attempt counts, retries
    /// included; the clones of the client share the limit.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.limits.default = Some(limit);
        self
    }

    /// A rate limit of its own for one path: a V3 path (`crm/x/y`, `/v3/crm/x/y`) or `v2:`
    /// and a V2 Action (`v2:coupon.user-coupon-list`). A path that is not a route is
    /// refused when the client is built.
    pub fn rate_limit_for(mut self, path: impl Into<String>, limit: RateLimit) -> Self {
        self.limits.per_path.push((path.into(), limit));
        self
    }

    /// Switches rate limiting off: no default limit, and the per-path limits set so far are
    /// forgotten (one set after this call applies to its path alone). The cap on calls in
    /// flight is not affected.
    pub fn no_rate_limit(mut self) -> Self {
        self.limits.default = None;
        self.limits.per_path.clear();
        self
    }

    /// At most `n` calls sending at once, all paths together, shared by the clones (default:
    /// no cap; `0` is refused when the client is built). A call waits for a place before
    /// each attempt and gives it back when the attempt's response is in (or when the call
    /// is dropped).
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.limits.max_in_flight = Some(n);
        self
    }

    /// The rate limits and the cap on calls in flight at once.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The monotonic clock the rate limiter reads (replace in tests, e.g. with a
    /// [`ManualClock`](crate::limit::ManualClock) that the test's sleeper advances).
    pub fn rate_limit_clock(mut self, clock: impl MonotonicClock + 'static) -> Self {
        self.limit_clock = Arc::new(clock);
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
    /// only the signers' keyed HMAC states are. Each configuration has a limiter of its own
    /// (its clones share it).
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
            jitter: self.jitter.clone(),
            signer_v3: Signer::new(credentials),
            signer_v2: Signer::with_field_names(credentials, self.v2_field_names.clone()),
            clock: self.clock.clone(),
            nonces: self.nonces.clone(),
            retry: self.retry.clone(),
            limiter: Limiter::new(&self.limits, self.limit_clock.clone())?,
            transport,
            user_agent,
            secrets: Secrets::new(credentials.grant_code(), credentials.expose_open_key()),
        })
    }
}
