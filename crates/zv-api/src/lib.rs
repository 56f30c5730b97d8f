//! Typed blocking and async clients for the zvcms / 企迈 (Qmai) OpenAPI.
//!
//! `zv-api` turns the models of `zv-types`, the signer of `zv-sign` and the transports of
//! `zv-transport` into clients: [`Client`] (async, reqwest by default) and
//! [`blocking::Client`] (ureq by default) with the same methods — typed gift cards, coupons
//! and exchange-code status, a generic [`Client::call`] for any declared [`Endpoint`](zv_types::Endpoint), and
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
//! # Rate limits and retries
//!
//! The gateway allows about 10 requests a second per interface. Each client therefore
//! spaces its attempts per path — by default 10 a second, evenly spaced, so no one-second
//! window holds more than 10 attempts to a path — and the clones of a client share that
//! schedule ([`limit`]). Every attempt takes a slot, retries included. The waiting is done
//! by the client's sleeper and shows in tracing (a debug event "waiting N ms for the rate
//! limit of PATH", fields `endpoint` and `wait_ms`). A cap on calls in flight, all paths
//! together, is off by default.
//!
//! ```
//! use zv_api::RateLimit;
//!
//! let client = zv_api::blocking::Client::builder()
//!     .credentials(zv_sign::Credentials::new("open-id", "grant-code", "open-key"))
//!     .rate_limit(RateLimit::per_second(8))                         // every path
//!     .rate_limit_for("crm/giftCard/getCustomerGiftCardList", RateLimit::per_second(2))
//!     .rate_limit_for("v2:coupon.user-coupon-list", RateLimit::unlimited())
//!     .max_in_flight(4)                                              // all paths together
//!     .build()?;
//! let unlimited = zv_api::blocking::Client::builder()
//!     .credentials(zv_sign::Credentials::new("open-id", "grant-code", "open-key"))
//!     .no_rate_limit()
//!     .build()?;
//! # Ok::<(), zv_api::Error>(())
//! ```
//!
//! A failed attempt is retried ([`retry::decide`], a pure function) when it is transient: a
//! connection refused, a timeout, HTTP 502/503/504 — for a read only, since a write may
//! already have been applied. A **throttle answer** (HTTP 429, or a platform error whose
//! message contains 限流, 繁忙 or 频繁) is retried for reads *and writes*, after the
//! server's `Retry-After` (plus a jitter that spreads clients throttled together) and up to
//! the policy's `max_throttle_retries` times (three times `max_retries`): the
//! gateway's throttle refuses a request before the service behind it sees it, so nothing was
//! done and sending it again cannot do it twice.
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
//!     const ROUTE: Route<'static> = Route::v3_static("crm/giftCard/getGiftCardDetail");
//!     const SAFETY: zv_types::Safety = zv_types::Safety::Read;
//! }
//!
//! fn detail(client: &zv_api::blocking::Client) -> Result<CardDetail, zv_api::Error> {
//!     client.call::<GiftCardDetail>(&GiftCardDetailParams { card_no: "8800001".into() })
//! }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod blocking;
mod builder;
mod client;
mod config;
mod core;
mod error;
pub mod hints;
pub mod limit;
pub mod pages;
mod response;
pub mod retry;
pub mod sansio;
mod secrets;
pub mod sleep;
mod untyped;

pub use builder::ClientBuilder;
pub use client::Client;
pub use config::{
    Config, DEFAULT_BASE_URL, ENV_BASE_URL, ENV_GRANT_CODE, ENV_OPEN_ID, ENV_OPEN_KEY, MAX_TIMEOUT,
    QMAI_BASE_URL, validate_base_url,
};
pub use core::{Async, Blocking, Mode};
pub use error::{ConfigError, Error, ErrorKind, Outcome, Report};
pub use limit::{Limits, RateLimit};
pub use response::{EXCERPT_CHARS, HttpResponse, excerpt};
pub use retry::{Jitter, RetryPolicy};
pub use sansio::ApiResponse;
pub use secrets::redact_grant_code;
pub use sleep::{AsyncSleeper, Sleeper};
pub use untyped::{UntypedParams, UntypedRequest};
pub use {zv_sign, zv_transport, zv_types};

/// The README's Rust examples, compiled (and run where they need no gateway) as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
