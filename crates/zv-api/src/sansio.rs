//! The sans-IO core both clients are built on: *prepare* a signed `http::Request`, *parse*
//! an `http::Response`, and [`CallState`], one call's state across attempts without the
//! sending and the sleeping.
//!
//! Use these directly to drive any HTTP stack yourself:
//!
//! ```
//! use zv_api::sansio;
//! use zv_types::{GetExchangeCodeStatus, ExchangeCodeParams};
//!
//! let config = zv_api::blocking::Client::builder()
//!     .credentials(zv_sign::Credentials::new("oid", "gc", "key"))
//!     .build_config()
//!     .unwrap();
//! let request = sansio::prepare::<GetExchangeCodeStatus>(
//!     &config, &ExchangeCodeParams::new("164822200532619796511"), 1547186244, 658965).unwrap();
//! assert_eq!(request.uri(), "http://openapi.zvcms.com/v3/coupon/exchange/getExchangeCodeStatus");
//!
//! // ... send it with any client, then:
//! let response = http::Response::new(br#"{"status":"true","code":"0","data":{"status":"true"}}"#.to_vec());
//! let parsed = sansio::parse::<GetExchangeCodeStatus>(&config, response).unwrap();
//! assert!(parsed.data.redeemable);
//! ```

use std::borrow::Cow;
use std::time::{Duration, Instant};

use http::header::{ACCEPT, CONTENT_TYPE, USER_AGENT};
use serde_json::value::RawValue;
use zv_sign::Signature;
use zv_transport::TransportError;
use zv_types::{ApiError, DecodeError, Endpoint, Protocol, ResponseError, Route, V2Request, V3Request};

use crate::config::Config;
use crate::error::Error;
use crate::response::HttpResponse;
use crate::retry::{RetryDecision, decide};
use crate::secrets::Secrets;
use crate::untyped::UntypedRequest;
pub use crate::untyped::params_json;

/// A typed success, with the response it came from.
#[derive(Debug, Clone)]
pub struct ApiResponse<T> {
    /// The decoded `data`.
    pub data: T,
    /// The response as received (status, headers, body; see [`HttpResponse::data_json`] for
    /// the `data` JSON with every field the SDK does not model).
    pub http: HttpResponse,
}

/// Builds the signed request for `route` with already-serialized params.
pub fn prepare_serialized(
    config: &Config,
    route: Route<'_>,
    params: &RawValue,
    timestamp: u64,
    nonce: u64,
) -> Result<http::Request<Vec<u8>>, Error> {
    let signature = config.signer(route.protocol()).sign(timestamp, nonce);
    build_request(config, route, params, &signature)
}

/// The request for `route` signed with `signature`.
fn build_request(
    config: &Config,
    route: Route<'_>,
    params: &RawValue,
    signature: &Signature<'_>,
) -> Result<http::Request<Vec<u8>>, Error> {
    let (timestamp, nonce) = (signature.timestamp(), signature.nonce());
    let open_id = Cow::Borrowed(config.open_id());
    let grant_code = Cow::Borrowed(config.grant_code());
    let token = Cow::Borrowed(signature.token());
    let body = match (route.protocol(), route.action()) {
        (Protocol::V2, Some(action)) => serde_json::to_vec(&V2Request {
            open_id,
            grant_code,
            timestamp,
            nonce,
            token,
            action: Cow::Borrowed(action),
            params,
        }),
        _ => serde_json::to_vec(&V3Request { open_id, grant_code, timestamp, nonce, token, params }),
    }
    .map_err(|e| Error::InvalidRequest(format!("envelope: {e}")))?;
    let url = route.url(&config.base_url);
    http::Request::post(url)
        .header(CONTENT_TYPE, "application/json")
        .header(ACCEPT, "application/json")
        .header(USER_AGENT, config.user_agent.clone())
        .body(body)
        .map_err(|e| Error::InvalidRequest(format!("{route}: {e}")))
}

/// Builds the signed request for endpoint `E`.
pub fn prepare<E: Endpoint>(
    config: &Config,
    params: &E::Params,
    timestamp: u64,
    nonce: u64,
) -> Result<http::Request<Vec<u8>>, Error> {
    prepare_serialized(config, E::ROUTE, &params_json(params)?, timestamp, nonce)
}

/// Turns a response into typed data or a typed error, with `decode` for the body.
///
/// A non-success HTTP status is an [`Error::Http`], unless its body is a platform error
/// envelope (then [`Error::Api`], which keeps the status in its HTTP response). A body over
/// the configured cap is refused even when a custom transport let it through. An echo of
/// the grantCode or the openKey in the platform's message or a decode error is replaced by
/// `[redacted]` (the body itself is kept as it came).
pub fn parse_with<T>(
    config: &Config,
    route: Route<'_>,
    response: http::Response<Vec<u8>>,
    decode: impl FnOnce(&[u8]) -> Result<T, ResponseError>,
) -> Result<ApiResponse<T>, Error> {
    parse_attempt(config, route, response, decode, config.secrets.clone())
}

/// [`parse_with`] for an attempt whose own secrets (its token too) are known.
fn parse_attempt<T>(
    config: &Config,
    route: Route<'_>,
    response: http::Response<Vec<u8>>,
    decode: impl FnOnce(&[u8]) -> Result<T, ResponseError>,
    secrets: Secrets,
) -> Result<ApiResponse<T>, Error> {
    let cap = config.transport.max_response_bytes;
    if response.body().len() as u64 > cap {
        return Err(Error::Transport {
            route: route.to_string(),
            source: TransportError::body_too_large(cap, Some(response.body().len() as u64)),
        });
    }
    let raw = HttpResponse::new(response, secrets);
    let decoded = decode(raw.body());
    match (decoded, raw.status().is_success()) {
        (Ok(data), true) => Ok(ApiResponse { data, http: raw }),
        (Err(ResponseError::Api(error)), _) => {
            let s = raw.secrets();
            let error = ApiError { message: s.redact(&error.message).into_owned(), ..error };
            Err(Error::Api { route: route.to_string(), error, response: Box::new(raw) })
        }
        (Err(ResponseError::Decode(source)), true) => {
            let s = raw.secrets();
            let path = source.path().map(|p| s.redact(p).into_owned());
            let source = DecodeError::new(path, s.redact(source.message()));
            Err(Error::Decode { route: route.to_string(), source, response: Box::new(raw) })
        }
        (_, false) => Err(Error::Http { route: route.to_string(), response: Box::new(raw) }),
    }
}

/// Parses the response of endpoint `E`.
pub fn parse<E: Endpoint>(
    config: &Config,
    response: http::Response<Vec<u8>>,
) -> Result<ApiResponse<E::Data>, Error> {
    parse_with(config, E::ROUTE, response, zv_types::decode_endpoint::<E>)
}

/// What to do after an attempt.
#[derive(Debug)]
pub enum Step<T> {
    /// The call is over.
    Done(Result<ApiResponse<T>, Error>),
    /// Wait this long, then send [`CallState::next_request`] again.
    Retry(Duration),
}

/// One call's state across attempts: books each attempt under the rate limit
/// ([`reserve_attempt`](Self::reserve_attempt)), builds its request (fresh timestamp, nonce
/// and token), reads each result, and decides — with the pure [`decide`] — whether to retry.
/// The clients only send and sleep.
///
/// Made from a configuration and params only: [`CallState::endpoint`] for a declared
/// endpoint, [`CallState::untyped`] for an [`UntypedRequest`]; route, retry safety and
/// decoder come from there and cannot disagree.
///
/// ```
/// use zv_api::sansio::{CallState, Step};
/// use zv_types::{ExchangeCodeParams, GetExchangeCodeStatus};
///
/// let config = zv_api::blocking::Client::builder()
///     .credentials(zv_sign::Credentials::new("oid", "gc", "key"))
///     .build_config()?;
/// let params = ExchangeCodeParams::new("164822200532619796511");
/// let mut call = CallState::endpoint::<GetExchangeCodeStatus>(&config, &params)?;
/// assert!(call.reserve_attempt().is_zero()); // else: wait that long first
/// let request = call.next_request()?; // send it with any HTTP client
/// let response = http::Response::new(br#"{"status":"true","code":"0","data":{"status":"true"}}"#.to_vec());
/// let Step::Done(Ok(done)) = call.on_response(Ok(response)) else { panic!() };
/// assert!(done.data.redeemable);
/// # Ok::<(), zv_api::Error>(())
/// ```
pub struct CallState<'a, T> {
    config: &'a Config,
    route: Route<'a>,
    params: Cow<'a, RawValue>,
    retry_safe: bool,
    decode: fn(&[u8]) -> Result<T, ResponseError>,
    /// What the current attempt's response must not show (its token included).
    secrets: Secrets,
    attempts: u32,
    /// The most attempts this call may make so far: `max_retries + 1`, more once a throttle
    /// answer was met (shown with each attempt in the logs).
    max_attempts: u32,
    started: Instant,
    attempt_started: Instant,
    span: tracing::Span,
}

impl<'a, T> CallState<'a, T> {
    /// A call to the declared endpoint `E` with `params` (serialized once, here).
    pub fn endpoint<E: Endpoint<Data = T>>(config: &'a Config, params: &E::Params) -> Result<Self, Error> {
        Ok(Self::start(
            config,
            E::ROUTE,
            Cow::Owned(params_json(params)?),
            E::SAFETY.is_retry_safe(),
            zv_types::decode_endpoint::<E>,
        ))
    }

    fn start(
        config: &'a Config,
        route: Route<'a>,
        params: Cow<'a, RawValue>,
        retry_safe: bool,
        decode: fn(&[u8]) -> Result<T, ResponseError>,
    ) -> Self {
        let now = Instant::now();
        CallState {
            config,
            route,
            params,
            retry_safe,
            decode,
            secrets: config.secrets.clone(),
            attempts: 0,
            max_attempts: config.retry.max_retries.saturating_add(1),
            started: now,
            attempt_started: now,
            span: tracing::debug_span!("zv.call", endpoint = %route, retry_safe),
        }
    }
    /// The tracing span of this call (endpoint, retry safety).
    pub fn span(&self) -> &tracing::Span {
        &self.span
    }

    /// Attempts made so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Books the next attempt under the rate limit of its path and returns how long to
    /// wait before [`next_request`](Self::next_request) (zero: at once). Call it before
    /// every attempt, retries included: the gateway counts each one. A wait is traced (a
    /// debug event with `endpoint` and `wait_ms`).
    pub fn reserve_attempt(&self) -> Duration {
        let wait = self.config.limiter.reserve(self.route);
        if !wait.is_zero() {
            let wait_ms = u64::try_from(wait.as_micros().div_ceil(1000)).unwrap_or(u64::MAX);
            let _entered = self.span.enter();
            tracing::debug!(
                endpoint = %self.route, wait_ms,
                "waiting {wait_ms} ms for the rate limit of {}", self.route
            );
        }
        wait
    }

    /// The request for the next attempt, freshly signed.
    pub fn next_request(&mut self) -> Result<http::Request<Vec<u8>>, Error> {
        self.attempts += 1;
        self.attempt_started = Instant::now();
        let timestamp = self.config.clock.now_unix_seconds();
        let nonce = self.config.nonces.next_nonce();
        let signature = self.config.signer(self.route.protocol()).sign(timestamp, nonce);
        self.secrets = self.config.secrets.with_token(signature.token());
        build_request(self.config, self.route, &self.params, &signature)
    }

    /// Reads the result of the attempt just sent.
    pub fn on_response(&mut self, result: Result<http::Response<Vec<u8>>, TransportError>) -> Step<T> {
        let result = match result {
            Ok(response) => {
                parse_attempt(self.config, self.route, response, self.decode, self.secrets.clone())
            }
            Err(source) => Err(Error::Transport { route: self.route.to_string(), source }),
        };
        let now_unix = self.config.clock.now_unix_seconds();
        let decision = match &result {
            Ok(_) => RetryDecision::Stop,
            Err(e) => {
                let outcome = e.attempt_outcome(now_unix);
                if crate::retry::is_throttle(&outcome) {
                    self.max_attempts = self.max_attempts.max(self.config.retry.max_attempts());
                }
                decide(
                    &self.config.retry,
                    self.attempts,
                    &outcome,
                    self.retry_safe,
                    self.config.jitter.next_jitter(),
                )
            }
        };
        self.trace(&result, decision);
        match decision {
            RetryDecision::Retry(delay) => Step::Retry(delay),
            RetryDecision::Stop => Step::Done(result),
        }
    }

    fn trace(&self, result: &Result<ApiResponse<T>, Error>, decision: RetryDecision) {
        let elapsed_ms = self.attempt_started.elapsed().as_secs_f64() * 1e3;
        let status = match result {
            Ok(r) => Some(r.http.status().as_u16()),
            Err(e) => e.http_status().map(|s| s.as_u16()),
        };
        // The platform's code is text from the network too: sanitized and short in a log line.
        let code = result
            .as_ref()
            .err()
            .and_then(Error::api_code)
            .map(|c| zv_types::text::Sanitized::new(&c.to_string()).max_chars(64).to_string());
        let _entered = self.span.enter();
        match (result, decision) {
            (Ok(_), _) => tracing::debug!(
                url = %self.config.base_url, endpoint = %self.route, attempt = self.attempts, max_attempts = self.max_attempts,
                http_status = status, elapsed_ms, "attempt succeeded"
            ),
            (Err(e), RetryDecision::Retry(delay)) => tracing::warn!(
                url = %self.config.base_url, endpoint = %self.route, attempt = self.attempts, max_attempts = self.max_attempts,
                http_status = status, code = code.as_deref(), elapsed_ms,
                retry_in_ms = delay.as_millis() as u64, error = %e, "attempt failed, retrying"
            ),
            (Err(e), RetryDecision::Stop) => tracing::debug!(
                url = %self.config.base_url, endpoint = %self.route, attempt = self.attempts, max_attempts = self.max_attempts,
                http_status = status, code = code.as_deref(), elapsed_ms,
                total_ms = self.started.elapsed().as_secs_f64() * 1e3, error = %e, "call failed"
            ),
        }
    }
}

impl<'a> CallState<'a, Box<RawValue>> {
    /// An untyped call: its route, params and retry safety as the request says.
    pub fn untyped(config: &'a Config, request: &'a UntypedRequest<'a>) -> Self {
        Self::start(config, request.route, Cow::Borrowed(&request.params), request.retry_safe, decode_untyped)
    }
}

/// The decoder for an untyped call: the `data` JSON exactly as sent (every number byte for
/// byte), `null` when absent.
pub fn decode_untyped(body: &[u8]) -> Result<Box<RawValue>, ResponseError> {
    zv_types::decode_response(body, || Some(RawValue::NULL.to_owned()))
}
