//! Request and response models for the zvcms / 企迈 (Qmai) OpenAPI, both protocol versions.
//!
//! `zv-types` holds the V3 (`POST /v3/<path>`, lowerCamel) and V2 (`POST /api/v2`,
//! PascalCase, `Action`) request envelopes, the response envelope and its three outcomes
//! (success, business error, system error), a way to declare an endpoint as data
//! ([`Endpoint`]), typed models for a member's gift cards, coupons and exchange-code status,
//! exact money ([`Money`], fen precision, never `f64`), times ([`Moment`]) and the lenient
//! serde adapters ([`lenient`]) that read what real gateways send: numbers as strings,
//! `""`/`null` for no value, unknown fields and unknown enum codes (kept as `Unknown(raw)`),
//! and the [`catalogue`] of every endpoint the gateway is known to serve.
//! It deliberately does no I/O: no HTTP client, no runtime, no signing (that is `zv-sign`),
//! no clock — so it can be used on its own, by a server as well as by a client.
//!
//! ```
//! use zv_types::{decode_endpoint, GetCustomerGiftCardList, GiftCardStatus, Money};
//!
//! let body = r#"{"status":"true","code":"0","message":"ok","data":[
//!     {"id":"8800001","gift_title":"生日礼品卡","par_value":"100.50","status":"4","isErp":"1"}]}"#;
//! let cards = decode_endpoint::<GetCustomerGiftCardList>(body.as_bytes()).unwrap();
//! assert_eq!(cards[0].par_value, Some(Money::from_fen(10050)));
//! assert_eq!(cards[0].status, Some(GiftCardStatus::Bound));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// Inside a `Visitor` impl: `null`, an absent `Option` and `Some(x)` are handled alike by
/// every lenient visitor — "no value" is `$empty`, and `Some(x)` is read as `x`.
macro_rules! nullish_is {
    ($empty:expr) => {
        fn visit_unit<Err: serde::de::Error>(self) -> Result<Self::Value, Err> {
            Ok($empty)
        }
        fn visit_none<Err: serde::de::Error>(self) -> Result<Self::Value, Err> {
            Ok($empty)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    };
}

pub mod catalogue;
pub mod code;
mod coupon;
mod decode;
mod endpoint;
mod envelope;
mod exchange;
mod gift_card;
pub mod lenient;
mod moment;
mod money;
pub mod paging;
pub mod text;

pub use catalogue::{JsonType, MoneyUnit, Safety};
pub use code::{CodeEnum, Wire};
pub use coupon::{
    Basket, BasketItem, Coupon, CouponFilter, CouponList, CouponListParams, CouponStatusFilter, CouponType,
    CouponUseStatus, EmptyBasket, LockState, UserCoupon, UserCouponList,
};
pub use decode::{ApiError, DecodeError, ResponseError, decode_endpoint, decode_response};
pub use endpoint::{Endpoint, Protocol, Route, RouteError};
pub use envelope::{ApiErrorKind, ResponseCode, ResponseEnvelope, V2Request, V3Request};
pub use exchange::{ExchangeCodeParams, ExchangeCodeStatus, GetExchangeCodeStatus};
pub use gift_card::{
    BindStatus, CardSource, GetCustomerGiftCardList, GiftCard, GiftCardListParams, GiftCardStatus, ValidType,
};
pub use moment::{CHINA_OFFSET, ChinaDateTime, Moment, UnixSeconds};
pub use money::{Fen, Money, MoneyParseError, Yuan};
pub use paging::PageDialect;

pub use serde_json;
