//! An untyped call: any V3 path or V2 Action, JSON params in, JSON `data` out.

use serde_json::Value;
use zv_types::Route;

use crate::error::Error;

/// A request to an endpoint the SDK does not type yet.
///
/// Not retry-safe unless you say so: it is retried only when the request certainly never
/// reached the server, so a write (a redeem) is never sent twice because a response was lost.
///
/// ```
/// use zv_api::UntypedRequest;
/// let r = UntypedRequest::v2("coupon.user-coupon-list", serde_json::json!({"user_id": 10001}))
///     .unwrap()
///     .retry_safe(true);
/// assert!(r.is_retry_safe());
/// assert!(UntypedRequest::v3("/v3/../secret", serde_json::json!({})).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct UntypedRequest<'a> {
    pub(crate) route: Route<'a>,
    pub(crate) params: Value,
    pub(crate) retry_safe: bool,
}

impl<'a> UntypedRequest<'a> {
    /// A V3 call to `path` (`crm/x/y`, `/crm/x/y` or `/v3/crm/x/y`).
    pub fn v3(path: &'a str, params: Value) -> Result<Self, Error> {
        let route = Route::v3(path).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        Ok(UntypedRequest { route, params, retry_safe: false })
    }

    /// A V2 call to `action` (e.g. `coupon.user-coupon-list`).
    pub fn v2(action: &'a str, params: Value) -> Result<Self, Error> {
        let route = Route::v2(action).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        Ok(UntypedRequest { route, params, retry_safe: false })
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

    /// The params.
    pub fn params(&self) -> &Value {
        &self.params
    }
}
