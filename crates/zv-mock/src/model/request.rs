//! What a request is to the gateway once read: its route ([`RouteKey`]), what the checks
//! see of it ([`Incoming`]), what passes them ([`Verified`]) and what fails one
//! ([`Rejection`]).

use std::fmt;

use bytes::Bytes;
use serde_json::Value;
use serde_json::value::RawValue;
use zv_types::catalogue::{self, Entry};
use zv_types::{Protocol, Route};

use super::error::MockError;
use super::log::{Check, MESSAGE_CHARS, printable};
use super::render::Representation;

/// The largest request body read (1 MiB); a larger one, or one that does not arrive in time,
/// fails the `json` check.
pub(crate) const MAX_REQUEST_BYTES: usize = 1 << 20;
/// The URL path of every V2 request.
pub(crate) const V2_PATH: &str = "/api/v2";

/// A failed check.
#[derive(Debug)]
pub(crate) struct Rejection {
    pub(crate) check: Check,
    pub(crate) message: String,
    /// The code and label answered instead of the check's own (the gateway's
    /// [`PARAMS_ERROR_CODE`] for documented params in strict mode).
    answered: Option<(i64, &'static str)>,
}

/// The code the gateway answers to params that do not fit an endpoint (参数错误, seen in
/// the field); strict mode answers it for a documented endpoint's params that fail the
/// catalogue's check.
pub const PARAMS_ERROR_CODE: i64 = 100_002;
/// The message of [`PARAMS_ERROR_CODE`], before the problems found.
pub const PARAMS_ERROR_MESSAGE: &str = "参数错误";

impl Rejection {
    /// A rejection whose message is cut short and made printable: it may quote what the
    /// client sent, and is both answered and logged.
    pub(crate) fn new(check: Check, message: impl Into<String>) -> Rejection {
        let message = message.into();
        Rejection { check, message: printable(&message, MESSAGE_CHARS).into_owned(), answered: None }
    }

    /// A rejection by the `params` check answered as the gateway answers bad params:
    /// [`PARAMS_ERROR_CODE`] 参数错误, with `message` (cut short and made printable).
    pub(crate) fn gateway_params(message: impl Into<String>) -> Rejection {
        Rejection {
            answered: Some((PARAMS_ERROR_CODE, PARAMS_ERROR_MESSAGE)),
            ..Rejection::new(Check::Params, message)
        }
    }

    /// The platform's system-error answer:
    /// `{"status":false,"code":<code>,"message":"<label>: <detail>","traceId":…}` (the
    /// check's code and label, or the ones it is answered with).
    pub(crate) fn body(&self, style: &Representation) -> Vec<u8> {
        let (code, label) = self.answered.unwrap_or((self.check.code(), self.check.label()));
        style.error(false, code, &format!("{label}: {}", self.message))
    }
}

/// A request that passed checks 1 to 7: authentic, fresh, not a replay.
pub(crate) struct Verified {
    pub(crate) protocol: Protocol,
    /// The V2 `Action` (V2 only).
    pub(crate) action: Option<String>,
    pub(crate) nonce: u64,
    /// The business params, as sent.
    pub(crate) params: Value,
    /// The business params, as the exact JSON text sent.
    pub(crate) raw_params: Box<RawValue>,
    /// The `token` as sent (it verified: a secret the recording must not keep).
    #[cfg_attr(not(feature = "record"), allow(dead_code))]
    pub(crate) token: String,
}

/// What the checks see of a request: its method's body (`None` when not a `POST`) and its
/// `Content-Type`.
pub(crate) struct Incoming<'a> {
    pub(crate) body: Option<Result<Bytes, String>>,
    pub(crate) content_type: Option<&'a str>,
}

/// A route of the table: a V3 URL path (`/v3/…`) or a V2 `Action`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum RouteKey {
    V3(String),
    V2(String),
}

impl RouteKey {
    /// The key of an SDK route. The one place that reads a [`zv_types::Route`] (besides the
    /// validation in [`RouteKey::v3`] and [`RouteKey::v2`]).
    pub(crate) fn of(route: &Route<'_>) -> RouteKey {
        match route.action() {
            None => RouteKey::V3(route.url_path()),
            Some(action) => RouteKey::V2(action.to_owned()),
        }
    }

    /// A V3 route from `crm/x/y`, `/crm/x/y` or `/v3/crm/x/y`, validated as the SDK does.
    pub(crate) fn v3(path: &str) -> Result<RouteKey, MockError> {
        Route::v3(path).map(|r| RouteKey::of(&r)).map_err(|e| MockError::Route(e.to_string()))
    }

    /// A V2 route from its `Action`, validated as the SDK does.
    pub(crate) fn v2(action: &str) -> Result<RouteKey, MockError> {
        Route::v2(action).map(|r| RouteKey::of(&r)).map_err(|e| MockError::Route(e.to_string()))
    }

    /// The route a verified request asks for: the V2 `Action` on `/api/v2`, else the path
    /// (any other path is read as V3).
    pub(crate) fn of_request(path: &str, verified: &Verified) -> RouteKey {
        match (verified.protocol, &verified.action) {
            (Protocol::V2, Some(action)) => RouteKey::V2(action.clone()),
            _ => RouteKey::V3(path.to_owned()),
        }
    }
}

/// `/v3/crm/giftCard/getCustomerGiftCardList`, `/api/v2 Action coupon.user-coupon-list`.
impl fmt::Display for RouteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteKey::V3(path) => f.write_str(path),
            RouteKey::V2(action) => write!(f, "{V2_PATH} Action {action}"),
        }
    }
}

impl RouteKey {
    /// The catalogue's entry for this route: only a real `/v3/…` URL path names a V3 one.
    pub(crate) fn catalogue(&self) -> Option<&'static Entry> {
        match self {
            RouteKey::V3(path) => {
                path.strip_prefix("/v3/").and_then(|p| catalogue::lookup(&format!("v3/{p}")))
            }
            RouteKey::V2(action) => catalogue::lookup(&format!("v2:{action}")),
        }
    }
}

impl RouteKey {
    /// The SDK's route for this key, as the recording proxy sends it upstream.
    ///
    /// # Errors
    ///
    /// A rejection by the `route` check when this is not a V3 path (`/v3/…`) or V2 Action
    /// the SDK could send.
    pub(crate) fn sdk_route(&self) -> Result<Route<'_>, Rejection> {
        let route = match self {
            RouteKey::V3(path) => path.strip_prefix("/v3/").and_then(|p| Route::v3(p).ok()),
            RouteKey::V2(action) => Route::v2(action).ok(),
        };
        route.ok_or_else(|| {
            Rejection::new(Check::Route, format!("no endpoint at {self}: V3 paths are /v3/<path>"))
        })
    }
}
