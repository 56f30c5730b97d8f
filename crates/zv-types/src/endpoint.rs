//! Declaring an endpoint as data: where it lives, what it takes, what it gives back.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The protocol version of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// `POST /api/v2`, PascalCase envelope, method in `Action`.
    V2,
    /// `POST /v3/<path>`, lowerCamel envelope.
    V3,
}

/// Where a request goes: a V3 path or a V2 Action.
///
/// ```
/// use zv_types::Route;
/// let r = Route::v3("/v3/crm/giftCard/getCustomerGiftCardList").unwrap();
/// assert_eq!(r.url_path(), "/v3/crm/giftCard/getCustomerGiftCardList");
/// assert_eq!(Route::v2("coupon.user-coupon-list").unwrap().url_path(), "/api/v2");
/// assert!(Route::v3("crm/../x").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route<'a> {
    /// A V3 path below `/v3/`, without the prefix (`crm/giftCard/getCustomerGiftCardList`).
    V3(&'a str),
    /// A V2 Action (`coupon.user-coupon-list`).
    V2(&'a str),
}

/// A route that cannot be sent as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid route {route:?}: {reason}")]
pub struct RouteError {
    route: String,
    reason: &'static str,
}

impl<'a> Route<'a> {
    /// A V3 route; accepts `crm/x/y`, `/crm/x/y` or `/v3/crm/x/y`. Rejects an empty path,
    /// `.`/`..` segments, empty segments and characters outside `A-Za-z0-9-_.~/`.
    pub fn v3(path: &'a str) -> Result<Route<'a>, RouteError> {
        let err = |reason| RouteError { route: path.to_owned(), reason };
        let p = path.strip_prefix("/v3/").or_else(|| path.strip_prefix('/')).unwrap_or(path);
        if p.is_empty() {
            return Err(err("the path is empty"));
        }
        for seg in p.split('/') {
            if seg.is_empty() || seg == "." || seg == ".." {
                return Err(err("empty, `.` or `..` path segment"));
            }
            if !seg.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b)) {
                return Err(err("characters outside A-Za-z0-9-_.~ in the path"));
            }
        }
        Ok(Route::V3(p))
    }

    /// A V2 Action such as `coupon.user-coupon-list`; rejects an empty or blank Action and
    /// control characters.
    pub fn v2(action: &'a str) -> Result<Route<'a>, RouteError> {
        if action.trim().is_empty() {
            return Err(RouteError { route: action.to_owned(), reason: "the Action is empty" });
        }
        if action.chars().any(char::is_control) {
            return Err(RouteError { route: action.to_owned(), reason: "control characters in the Action" });
        }
        Ok(Route::V2(action))
    }

    /// The protocol version.
    pub fn protocol(&self) -> Protocol {
        match self {
            Route::V3(_) => Protocol::V3,
            Route::V2(_) => Protocol::V2,
        }
    }

    /// The URL path to `POST` to: `/v3/<path>` or `/api/v2`.
    pub fn url_path(&self) -> Cow<'static, str> {
        match self {
            Route::V3(p) => Cow::Owned(format!("/v3/{p}")),
            Route::V2(_) => Cow::Borrowed("/api/v2"),
        }
    }
}

impl fmt::Display for Route<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Route::V3(p) => write!(f, "/v3/{p}"),
            Route::V2(a) => write!(f, "v2:{a}"),
        }
    }
}

/// An endpoint, declared as data. Adding one is a params type, a data type and this impl:
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use zv_types::{Endpoint, Route};
///
/// /// 7.1.x 兑换 (hypothetical): redeem an exchange code for a member.
/// pub struct RedeemExchangeCode;
///
/// #[derive(Serialize)]
/// pub struct RedeemParams { #[serde(rename = "exchangeCode")] pub code: String, pub user_id: String }
///
/// #[derive(Deserialize)]
/// pub struct Redeemed { pub coupon_id: Option<u64> }
///
/// impl Endpoint for RedeemExchangeCode {
///     type Params = RedeemParams;
///     type Data = Redeemed;
///     const ROUTE: Route<'static> = Route::V3("coupon/exchange/exchangeCode");
///     const RETRY_SAFE: bool = false; // a redeem must never be sent twice
/// }
/// ```
pub trait Endpoint {
    /// The business parameters (`params` / `Params`).
    type Params: Serialize;
    /// The decoded `data` of a success.
    type Data: DeserializeOwned;
    /// Where requests go.
    const ROUTE: Route<'static>;
    /// Whether sending the request twice is harmless (a read). Unsafe endpoints are retried
    /// only when the request certainly never reached the server.
    const RETRY_SAFE: bool;

    /// What a success without `data` means; `None` (the default) makes it a decode error.
    fn absent_data() -> Option<Self::Data> {
        None
    }

    /// Reads `data` (default: the data type's own `Deserialize`). Override to read it more
    /// leniently, e.g. a list that PHP may send as an object of index keys.
    fn deserialize_data<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self::Data, D::Error> {
        <Self::Data as serde::Deserialize<'de>>::deserialize(d)
    }
}
