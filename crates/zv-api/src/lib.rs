//! Typed blocking and async clients for the zvcms / 企迈 (Qmai) OpenAPI.
//!
//! `zv-api` turns the models of `zv-types`, the signer of `zv-sign` and the transports of
//! `zv-transport` into clients: [`Client`] (async, reqwest by default) and
//! [`blocking::Client`] (ureq by default) with the same methods — typed gift cards, coupons
//! and exchange-code status, a generic [`Client::call`] for any declared [`Endpoint`], and
//! [`Client::send_untyped`] for any V3 path or V2 Action. Both are thin wrappers over one sans-IO core
//! ([`sansio`]): prepare a signed `http::Request`, parse an `http::Response`, and a retry
//! decision that is a pure function ([`retry::decide`]). It does not pick a runtime for you
//! beyond the optional backends, never blocks inside async code, never calls `block_on`, and
//! never writes the key or a token anywhere (`Debug`, errors, logs).
//!
//! # Quick look
//!
//! ```no_run
//! # async fn demo() -> Result<(), zv_api::Error> {
//! use zv_api::Client;
//! use zv_types::{CouponListParams, CouponStatusFilter};
//!
//! let client = Client::builder()
//!     .base_url(zv_api::QMAI_BASE_URL)
//!     .credentials(zv_sign::Credentials::new("open-id", "grant-code", "open-key"))
//!     .build()?;
//! let coupons = client.coupons(&CouponListParams::new().user_id(10001).status(CouponStatusFilter::CanUse)).await?;
//! let ok = client.exchange_code_status("164822200532619796511").await?.redeemable;
//! # Ok(()) }
//! ```
//!
//! # Adding an endpoint
//!
//! An endpoint is data: a params type, a data type, a route and whether it is safe to retry.
//! Any client can call it with [`Client::call`]:
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use zv_types::{Endpoint, Route};
//!
//! /// 7.2.x 礼品卡详情 (hypothetical): one gift card by number.
//! pub struct GiftCardDetail;
//!
//! #[derive(Serialize)]
//! pub struct GiftCardDetailParams { pub card_no: String }
//!
//! #[derive(Deserialize)]
//! pub struct CardDetail { pub gift_title: String }
//!
//! impl Endpoint for GiftCardDetail {
//!     type Params = GiftCardDetailParams;
//!     type Data = CardDetail;
//!     const ROUTE: Route<'static> = Route::V3("crm/giftCard/getGiftCardDetail");
//!     const RETRY_SAFE: bool = true;
//! }
//!
//! fn detail(client: &zv_api::blocking::Client) -> Result<CardDetail, zv_api::Error> {
//!     client.call::<GiftCardDetail>(&GiftCardDetailParams { card_no: "8800001".into() })
//! }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod blocking;
mod config;
mod error;
pub mod pages;
pub mod retry;
pub mod sansio;
mod untyped;

use std::sync::Arc;

use serde_json::Value;
use tracing::Instrument;
use zv_transport::AsyncTransport;
use zv_types::{
    CouponList, CouponListParams, Endpoint, ExchangeCodeParams, ExchangeCodeStatus, GetCustomerGiftCardList,
    GetExchangeCodeStatus, GiftCard, GiftCardListParams, UserCouponList,
};

pub use config::{
    Async, Blocking, ClientBuilder, Config, DEFAULT_BASE_URL, ENV_BASE_URL, ENV_GRANT_CODE, ENV_OPEN_ID,
    ENV_OPEN_KEY, MAX_TIMEOUT, Mode, QMAI_BASE_URL,
};
pub use error::{ConfigError, EXCERPT_BYTES, Error, ErrorKind, HttpResponse, excerpt};
pub use retry::{AsyncSleeper, RetryPolicy, Sleeper};
pub use sansio::ApiResponse;
pub use untyped::UntypedRequest;
pub use {zv_sign, zv_transport, zv_types};

use crate::sansio::{Call, Step};

/// The async client. Cheap to clone (one shared connection pool).
///
/// Needs a tokio runtime when it uses the default reqwest transport and sleeper.
#[derive(Clone, Debug)]
pub struct Client {
    core: config::ClientCore<Async>,
}

impl ClientBuilder<Async> {
    /// Sends with this transport instead of the default reqwest one (any closure returning
    /// a `Send + 'static` future of `Result<http::Response<Vec<u8>>, TransportError>`).
    pub fn transport(mut self, transport: impl AsyncTransport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Waits between retries with this sleeper (tests: record instead of sleeping).
    pub fn sleeper(mut self, sleeper: impl AsyncSleeper + 'static) -> Self {
        self.sleeper = Some(Arc::new(sleeper));
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        Ok(Client { core: self.build_core()? })
    }
}

impl Mode for Async {
    type Transport = dyn AsyncTransport;
    type Sleeper = dyn AsyncSleeper;

    #[cfg(feature = "reqwest")]
    fn default_transport(config: &Config) -> Result<Arc<dyn AsyncTransport>, Error> {
        let t = zv_transport::ReqwestTransport::new(config.transport_config().clone())
            .map_err(|e| ConfigError::Transport(e.to_string()))?;
        Ok(Arc::new(t))
    }

    #[cfg(not(feature = "reqwest"))]
    fn default_transport(_: &Config) -> Result<Arc<dyn AsyncTransport>, Error> {
        Err(ConfigError::NoTransport("async (reqwest)").into())
    }

    #[cfg(feature = "reqwest")]
    fn default_sleeper() -> Result<Arc<dyn AsyncSleeper>, Error> {
        Ok(Arc::new(retry::TokioSleeper))
    }

    #[cfg(not(feature = "reqwest"))]
    fn default_sleeper() -> Result<Arc<dyn AsyncSleeper>, Error> {
        Err(ConfigError::NoSleeper.into())
    }
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder<Async> {
        ClientBuilder::new()
    }

    /// A client configured from `ZV_OPEN_ID`, `ZV_GRANT_CODE`, `ZV_OPEN_KEY` and
    /// (optionally) `ZV_BASE_URL`.
    pub fn from_env() -> Result<Client, Error> {
        Self::builder().from_env()?.build()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.core.config
    }

    /// A member's gift cards (`/v3/crm/giftCard/getCustomerGiftCardList`).
    pub async fn gift_cards(&self, params: &GiftCardListParams) -> Result<Vec<GiftCard>, Error> {
        self.call::<GetCustomerGiftCardList>(params).await
    }

    /// A member's coupons (V2 `coupon.user-coupon-list`).
    pub async fn coupons(&self, params: &CouponListParams) -> Result<CouponList, Error> {
        self.call::<UserCouponList>(params).await
    }

    /// Whether an exchange code can be redeemed (`/v3/coupon/exchange/getExchangeCodeStatus`).
    pub async fn exchange_code_status(&self, code: &str) -> Result<ExchangeCodeStatus, Error> {
        self.call::<GetExchangeCodeStatus>(&ExchangeCodeParams::new(code)).await
    }

    /// Calls any declared endpoint and returns its data.
    pub async fn call<E: Endpoint>(&self, params: &E::Params) -> Result<E::Data, Error> {
        self.send::<E>(params).await.map(|r| r.data)
    }

    /// Calls any declared endpoint and returns its data with the HTTP response it came from.
    pub async fn send<E: Endpoint>(&self, params: &E::Params) -> Result<ApiResponse<E::Data>, Error> {
        self.execute(self.core.endpoint_call::<E>(params)?).await
    }

    /// Calls any V3 path or V2 Action with JSON params; `data` comes back as JSON.
    pub async fn send_untyped(&self, request: &UntypedRequest<'_>) -> Result<ApiResponse<Value>, Error> {
        self.execute(self.core.untyped_call(request)?).await
    }

    async fn execute<T>(&self, mut call: Call<'_, T>) -> Result<ApiResponse<T>, Error> {
        let span = call.span().clone();
        async move {
            loop {
                let request = call.next_request()?;
                match call.on_response(self.core.transport.send(request).await) {
                    Step::Done(result) => return result,
                    Step::Retry(delay) => self.core.sleeper.sleep(delay).await,
                }
            }
        }
        .instrument(span)
        .await
    }
}

/// The README's Rust examples, compiled (and run where they need no gateway) as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
