//! An untyped call: any V3 path or V2 Action, JSON params in, the exact `data` JSON out.

use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;
use zv_types::Route;

use crate::error::Error;

/// A request to an endpoint the SDK does not type yet.
///
/// Not retry-safe unless you say so: it is retried only when the request certainly never
/// reached the server, so a write (a redeem) is never sent twice because a response was lost.
///
/// Params are kept as JSON text, so numbers too large for `u64` or `f64` (a 21-digit
/// exchange code, a 30-digit id, a long decimal) are sent byte for byte when given as text
/// (`&str`/`String` JSON or a `Box<RawValue>`); a `serde_json::Value` works too.
///
/// ```
/// use zv_api::UntypedRequest;
/// let r = UntypedRequest::v2("coupon.user-coupon-list", serde_json::json!({"user_id": 10001}))
///     .unwrap()
///     .retry_safe(true);
/// assert!(r.is_retry_safe());
/// let exact = UntypedRequest::v3("coupon/exchange/getExchangeCodeStatus", r#"{"code":164822200532619796511}"#).unwrap();
/// assert_eq!(exact.params().get(), r#"{"code":164822200532619796511}"#);
/// assert!(UntypedRequest::v3("/v3/../secret", serde_json::json!({})).is_err());
/// assert!(UntypedRequest::v3("crm/x", "{not json").is_err());
/// ```
#[derive(Debug, Clone)]
pub struct UntypedRequest<'a> {
    pub(crate) route: Route<'a>,
    pub(crate) params: Box<RawValue>,
    pub(crate) retry_safe: bool,
}

impl PartialEq for UntypedRequest<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.route == other.route
            && self.params.get() == other.params.get()
            && self.retry_safe == other.retry_safe
    }
}

/// Serializes params once per call; each attempt reuses them with a fresh signature.
pub fn params_json<P: Serialize + ?Sized>(params: &P) -> Result<Box<RawValue>, Error> {
    serde_json::value::to_raw_value(params).map_err(|e| Error::InvalidRequest(format!("params: {e}")))
}

/// What an [`UntypedRequest`] takes as params: a `serde_json::Value`, JSON text (`&str`,
/// `String`, kept byte for byte once checked to be JSON) or a `RawValue`.
pub trait UntypedParams {
    /// The params as JSON text.
    fn into_json(self) -> Result<Box<RawValue>, Error>;
}

impl UntypedParams for Value {
    fn into_json(self) -> Result<Box<RawValue>, Error> {
        (&self).into_json()
    }
}

impl UntypedParams for &Value {
    fn into_json(self) -> Result<Box<RawValue>, Error> {
        params_json(self)
    }
}

impl UntypedParams for Box<RawValue> {
    fn into_json(self) -> Result<Box<RawValue>, Error> {
        Ok(self)
    }
}

impl UntypedParams for &RawValue {
    fn into_json(self) -> Result<Box<RawValue>, Error> {
        Ok(self.to_owned())
    }
}

impl UntypedParams for String {
    fn into_json(self) -> Result<Box<RawValue>, Error> {
        RawValue::from_string(self).map_err(|e| Error::InvalidRequest(format!("params are not JSON: {e}")))
    }
}

impl UntypedParams for &str {
    fn into_json(self) -> Result<Box<RawValue>, Error> {
        self.to_owned().into_json()
    }
}

impl<'a> UntypedRequest<'a> {
    /// A V3 call to `path` (`crm/x/y`, `/crm/x/y` or `/v3/crm/x/y`).
    pub fn v3(path: &'a str, params: impl UntypedParams) -> Result<Self, Error> {
        let route = Route::v3(path).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        Self::new(route, params)
    }

    /// A V2 call to `action` (e.g. `coupon.user-coupon-list`).
    pub fn v2(action: &'a str, params: impl UntypedParams) -> Result<Self, Error> {
        let route = Route::v2(action).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        Self::new(route, params)
    }

    /// A call to `route`. Its retry safety starts as the [catalogue](zv_types::catalogue)
    /// says: a catalogued read is retried like a typed read; a catalogued write or an
    /// uncatalogued route is never sent again once it may have reached the server.
    pub fn new(route: Route<'a>, params: impl UntypedParams) -> Result<Self, Error> {
        let retry_safe = zv_types::catalogue::by_route(route).is_some_and(|e| e.safety.is_retry_safe());
        Ok(UntypedRequest { route, params: params.into_json()?, retry_safe })
    }

    /// Declares the call harmless to send twice (a read), so transient failures are retried.
    pub fn retry_safe(mut self, yes: bool) -> Self {
        self.retry_safe = yes;
        self
    }

    /// Whether the call is declared retry-safe.
    pub fn is_retry_safe(&self) -> bool {
        self.retry_safe
    }

    /// Where the call goes.
    pub fn route(&self) -> Route<'a> {
        self.route
    }

    /// The params, as the JSON text that will be sent.
    pub fn params(&self) -> &RawValue {
        &self.params
    }
}
