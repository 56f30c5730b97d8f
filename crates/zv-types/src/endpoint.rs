//! Declaring an endpoint as data: where it lives, what it takes, what it gives back.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::text::Sanitized;

/// The protocol version of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// `POST /api/v2`, PascalCase envelope, method in `Action`.
    V2,
    /// `POST /v3/<path>`, lowerCamel envelope.
    V3,
}

/// The URL path every V2 request is posted to.
const V2_URL_PATH: &str = "/api/v2";
/// The prefix of every V3 URL path.
const V3_URL_PREFIX: &str = "/v3/";

/// Where a request goes: a V3 path or a V2 Action, checked when it is made.
///
/// A `Route` cannot hold a path that would escape `/v3/` or an Action with control
/// characters: run-time routes come from [`Route::v3`] / [`Route::v2`] (a [`RouteError`]
/// otherwise), constant ones from [`Route::v3_static`] / [`Route::v2_static`], which refuse a
/// bad path at compile time. The URL format lives here and only here: [`Route::url`] for a
/// client, [`Route::from_url_path`] for a server.
///
/// ```
/// use zv_types::{Protocol, Route};
/// let r = Route::v3("/v3/crm/giftCard/getCustomerGiftCardList").unwrap();
/// assert_eq!(r.path(), Some("crm/giftCard/getCustomerGiftCardList"));
/// assert_eq!(r.url("https://gw.example"), "https://gw.example/v3/crm/giftCard/getCustomerGiftCardList");
/// let v2 = Route::v2("coupon.user-coupon-list").unwrap();
/// assert_eq!((v2.protocol(), v2.action()), (Protocol::V2, Some("coupon.user-coupon-list")));
/// assert_eq!(v2.url_path(), "/api/v2");
/// assert!(Route::v3("crm/../x").is_err());
///
/// const GIFT_CARDS: Route<'static> = Route::v3_static("crm/giftCard/getCustomerGiftCardList");
/// assert_eq!(Route::from_url_path("/v3/crm/giftCard/getCustomerGiftCardList", None), Ok(GIFT_CARDS));
/// ```
///
/// A bad constant route does not compile:
///
/// ```compile_fail
/// const BAD: zv_types::Route<'static> = zv_types::Route::v3_static("crm/../admin");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Route<'a> {
    protocol: Protocol,
    /// The V3 path below `/v3/` (normalized), or the V2 Action.
    name: &'a str,
}

/// A route that cannot be sent as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteError {
    route: String,
    reason: &'static str,
}

impl RouteError {
    /// Why the route is refused.
    pub fn reason(&self) -> &'static str {
        self.reason
    }

    /// The route as given.
    pub fn route(&self) -> &str {
        &self.route
    }
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid route \"{}\": {}", Sanitized::new(&self.route), self.reason)
    }
}

impl std::error::Error for RouteError {}

/// Strips `prefix` from `s` if it starts with it (a `const` `str::strip_prefix`).
const fn strip<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let (s_bytes, p) = (s.as_bytes(), prefix.as_bytes());
    if s_bytes.len() < p.len() {
        return None;
    }
    let mut i = 0;
    while i < p.len() {
        if s_bytes[i] != p[i] {
            return None;
        }
        i += 1;
    }
    // `prefix` ends at a char boundary of `s` (it matched byte for byte), so this is UTF-8.
    match std::str::from_utf8(s_bytes.split_at(p.len()).1) {
        Ok(rest) => Some(rest),
        Err(_) => None,
    }
}

/// The one V3 path rule, usable in `const` and at run time: accepts `crm/x/y`, `/crm/x/y`
/// or `/v3/crm/x/y` and returns the path below `/v3/`.
const fn check_v3(path: &str) -> Result<&str, &'static str> {
    let p = match strip(path, V3_URL_PREFIX) {
        Some(p) => p,
        None => match strip(path, "/") {
            Some(p) => p,
            None => path,
        },
    };
    let b = p.as_bytes();
    if b.is_empty() {
        return Err("the path is empty");
    }
    let (mut i, mut seg_start) = (0, 0);
    while i <= b.len() {
        if i == b.len() || b[i] == b'/' {
            let len = i - seg_start;
            let dots = (len == 1 && b[seg_start] == b'.')
                || (len == 2 && b[seg_start] == b'.' && b[seg_start + 1] == b'.');
            if len == 0 || dots {
                return Err("empty, `.` or `..` path segment");
            }
            seg_start = i + 1;
        } else {
            let c = b[i];
            if !(c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.' || c == b'~') {
                return Err("characters outside A-Za-z0-9-_.~ in the path");
            }
        }
        i += 1;
    }
    Ok(p)
}

/// The one V2 Action rule: not empty or blank, no control characters, no more than 128 bytes.
const fn check_v2(action: &str) -> Result<&str, &'static str> {
    let b = action.as_bytes();
    if b.len() > 128 {
        return Err("the Action is longer than 128 bytes");
    }
    let (mut i, mut blank) = (0, true);
    while i < b.len() {
        let c = b[i];
        // C0 controls and DEL; C1 controls are U+0080..U+009F, encoded as C2 80..C2 9F.
        if c < 0x20 || c == 0x7f || (c == 0xc2 && i + 1 < b.len() && b[i + 1] >= 0x80 && b[i + 1] <= 0x9f) {
            return Err("control characters in the Action");
        }
        if !c.is_ascii_whitespace() {
            blank = false;
        }
        i += 1;
    }
    if blank {
        return Err("the Action is empty");
    }
    Ok(action)
}

impl<'a> Route<'a> {
    /// A V3 route; accepts `crm/x/y`, `/crm/x/y` or `/v3/crm/x/y`. Rejects an empty path,
    /// `.`/`..` segments, empty segments and characters outside `A-Za-z0-9-_.~/`.
    pub fn v3(path: &'a str) -> Result<Route<'a>, RouteError> {
        match check_v3(path) {
            Ok(name) => Ok(Route { protocol: Protocol::V3, name }),
            Err(reason) => Err(RouteError { route: path.to_owned(), reason }),
        }
    }

    /// A V2 Action such as `coupon.user-coupon-list`; rejects an empty or blank Action,
    /// control characters and Actions longer than 128 bytes.
    pub fn v2(action: &'a str) -> Result<Route<'a>, RouteError> {
        match check_v2(action) {
            Ok(name) => Ok(Route { protocol: Protocol::V2, name }),
            Err(reason) => Err(RouteError { route: action.to_owned(), reason }),
        }
    }

    /// The route of an incoming request, for a server: its URL path (`/v3/<path>` or
    /// `/api/v2`, without the query) and, for V2, the envelope's `Action`.
    ///
    /// ```
    /// use zv_types::Route;
    /// assert_eq!(Route::from_url_path("/api/v2", Some("coupon.user-coupon-list")), Route::v2("coupon.user-coupon-list"));
    /// assert!(Route::from_url_path("/api/v2", None).is_err());
    /// assert!(Route::from_url_path("/v4/x", None).is_err());
    /// ```
    pub fn from_url_path(path: &'a str, action: Option<&'a str>) -> Result<Route<'a>, RouteError> {
        if path == V2_URL_PATH {
            return match action {
                Some(action) => Route::v2(action),
                None => Err(RouteError { route: path.to_owned(), reason: "a V2 request without an Action" }),
            };
        }
        match strip(path, V3_URL_PREFIX) {
            Some(_) => Route::v3(path),
            None => Err(RouteError {
                route: path.to_owned(),
                reason: "the URL path is neither /v3/… nor /api/v2",
            }),
        }
    }

    /// The protocol version.
    pub const fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The V3 path below `/v3/` (`crm/giftCard/getCustomerGiftCardList`); `None` for V2.
    pub const fn path(&self) -> Option<&'a str> {
        match self.protocol {
            Protocol::V3 => Some(self.name),
            Protocol::V2 => None,
        }
    }

    /// The V2 Action (`coupon.user-coupon-list`); `None` for V3.
    pub const fn action(&self) -> Option<&'a str> {
        match self.protocol {
            Protocol::V2 => Some(self.name),
            Protocol::V3 => None,
        }
    }

    /// The V3 path below `/v3/` or the V2 Action, whichever this route has.
    pub const fn name(&self) -> &'a str {
        self.name
    }

    /// Appends the URL path to `POST` to (`/v3/<path>` or `/api/v2`) to `out`.
    pub fn write_url_path(&self, out: &mut String) {
        match self.protocol {
            Protocol::V3 => {
                out.push_str(V3_URL_PREFIX);
                out.push_str(self.name);
            }
            Protocol::V2 => out.push_str(V2_URL_PATH),
        }
    }

    /// The URL path to `POST` to: `/v3/<path>` or `/api/v2`.
    pub fn url_path(&self) -> String {
        let mut out = String::with_capacity(V3_URL_PREFIX.len() + self.name.len());
        self.write_url_path(&mut out);
        out
    }

    /// The URL to `POST` to below `base_url` (given without a trailing slash).
    pub fn url(&self, base_url: &str) -> String {
        let mut out = String::with_capacity(base_url.len() + V3_URL_PREFIX.len() + self.name.len());
        out.push_str(base_url);
        self.write_url_path(&mut out);
        out
    }
}

impl Route<'static> {
    /// A constant V3 route, checked like [`Route::v3`]; a bad path fails to compile in a
    /// `const` (and panics if called at run time, so use [`Route::v3`] there).
    pub const fn v3_static(path: &'static str) -> Route<'static> {
        match check_v3(path) {
            Ok(name) => Route { protocol: Protocol::V3, name },
            Err(_) => panic!(
                "invalid V3 route: an empty path, an empty, `.` or `..` segment, or a character outside A-Za-z0-9-_.~/"
            ),
        }
    }

    /// A constant V2 route, checked like [`Route::v2`]; a bad Action fails to compile in a
    /// `const` (and panics if called at run time, so use [`Route::v2`] there).
    pub const fn v2_static(action: &'static str) -> Route<'static> {
        match check_v2(action) {
            Ok(name) => Route { protocol: Protocol::V2, name },
            Err(_) => panic!("invalid V2 Action: empty, blank, too long or with control characters"),
        }
    }
}

impl fmt::Display for Route<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.protocol {
            Protocol::V3 => write!(f, "{V3_URL_PREFIX}{}", self.name),
            Protocol::V2 => write!(f, "v2:{}", self.name),
        }
    }
}

/// Whether sending a request twice is harmless: what an [`Endpoint`] declares as
/// [`SAFETY`](Endpoint::SAFETY) and the [catalogue](crate::catalogue) records for every path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Safety {
    /// A read: harmless to send twice, so safe to retry.
    Read,
    /// A write, or an endpoint not known to be a read: never resent blindly.
    Write,
}

impl Safety {
    /// `read` or `write`, as the catalogue files write it.
    pub const fn name(self) -> &'static str {
        match self {
            Safety::Read => "read",
            Safety::Write => "write",
        }
    }

    /// Whether a retry is safe: a [`Read`](Safety::Read) is; a [`Write`](Safety::Write) is
    /// retried only when the request certainly never reached the server.
    pub const fn is_retry_safe(self) -> bool {
        matches!(self, Safety::Read)
    }
}

/// An endpoint, declared as data. Adding one is a params type, a data type and this impl:
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use zv_types::{Endpoint, Route, Safety};
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
///     const ROUTE: Route<'static> = Route::v3_static("coupon/exchange/exchangeCode");
///     const SAFETY: Safety = Safety::Write; // a redeem must never be sent twice
/// }
/// ```
pub trait Endpoint {
    /// The business parameters (`params` / `Params`).
    type Params: Serialize;
    /// The decoded `data` of a success.
    type Data: DeserializeOwned;
    /// Where requests go.
    const ROUTE: Route<'static>;
    /// Whether sending the request twice is harmless ([`Safety::Read`]). A
    /// [`Safety::Write`] is retried only when the request certainly never reached the server.
    /// (Was `RETRY_SAFE: bool`: `true` is `Safety::Read`, `false` is `Safety::Write`.)
    const SAFETY: Safety;

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
