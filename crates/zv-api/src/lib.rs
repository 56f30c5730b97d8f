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
mod builder;
mod client;
mod config;
mod core;
mod error;
pub mod pages;
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
pub use error::{ConfigError, EXCERPT_CHARS, Error, ErrorKind, HttpResponse, Outcome, Report, excerpt};
pub use retry::{Jitter, RetryPolicy};
pub use sansio::ApiResponse;
pub use sleep::{AsyncSleeper, Sleeper};
pub use untyped::{UntypedParams, UntypedRequest};
pub use {zv_sign, zv_transport, zv_types};

/// The README's Rust examples, compiled (and run where they need no gateway) as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
