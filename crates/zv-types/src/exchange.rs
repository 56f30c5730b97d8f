//! 7.1.6 获取兑换码状态 — whether an exchange code can be redeemed (V3).

use serde::{Deserialize, Serialize};
use serde_with::serde_as;

use crate::endpoint::{Endpoint, Route, Safety};
use crate::lenient::{LenientString, StrBool};

/// Params of [`GetExchangeCodeStatus`]: `{"exchangeCode": "…"}`.
#[serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeCodeParams {
    /// `exchangeCode`: an exchange code or a universal code (兑换码/通用码).
    #[serde_as(as = "LenientString")]
    #[serde(rename = "exchangeCode")]
    pub exchange_code: String,
}

impl ExchangeCodeParams {
    /// Asks about `code`.
    pub fn new(code: impl Into<String>) -> Self {
        ExchangeCodeParams { exchange_code: code.into() }
    }
}

/// The `data` of [`GetExchangeCodeStatus`]: `{"status": "true"}`.
///
/// `redeemable` is true when the code exists and can be redeemed (or is a valid universal
/// code), false when it does not exist or was already redeemed. It is read from a bool or a
/// string; a missing or empty value is a decode error, never guessed.
#[serde_as]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExchangeCodeStatus {
    /// `status`: whether the code can be redeemed.
    #[serde_as(as = "StrBool")]
    #[serde(rename = "status")]
    pub redeemable: bool,
}

impl ExchangeCodeStatus {
    /// A status saying whether the code is redeemable.
    pub fn new(redeemable: bool) -> Self {
        ExchangeCodeStatus { redeemable }
    }
}

/// `POST /v3/coupon/exchange/getExchangeCodeStatus` — is this code redeemable? (a read)
#[derive(Debug, Clone, Copy)]
pub struct GetExchangeCodeStatus;

impl Endpoint for GetExchangeCodeStatus {
    type Params = ExchangeCodeParams;
    type Data = ExchangeCodeStatus;
    const ROUTE: Route<'static> = Route::v3_static("coupon/exchange/getExchangeCodeStatus");
    const SAFETY: Safety = Safety::Read;
}
