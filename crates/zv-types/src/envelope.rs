//! The request envelopes (V3 and V2) and the response envelope.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_with::serde_as;

use crate::lenient::{LenientBool, LenientString};

/// Serializes a `u64` as a decimal string and reads it back only from a decimal string, the
/// way the gateway wants `timestamp` and `nonce` (`"1547186244"`).
mod decimal_string {
    use super::*;

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    struct DecimalVisitor;

    impl Visitor<'_> for DecimalVisitor {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a decimal string of digits")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                return Err(E::invalid_value(de::Unexpected::Str(v), &self));
            }
            v.parse().map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_str(DecimalVisitor)
    }
}

/// The V3 request body: `POST {base}/v3/<path>` with lowerCamel keys.
///
/// ```
/// use zv_types::V3Request;
/// let body = V3Request {
///     open_id: "oid".into(),
///     grant_code: "gc".into(),
///     timestamp: 1547186244,
///     nonce: 658965,
///     token: "abc%3D".into(),
///     params: serde_json::json!({"exchangeCode": "1"}),
/// };
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"openId":"oid","grantCode":"gc","timestamp":"1547186244","nonce":"658965","token":"abc%3D","params":{"exchangeCode":"1"}}"#
/// );
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct V3Request<'a, P> {
    /// `openId`, the key id.
    #[serde(borrow)]
    pub open_id: Cow<'a, str>,
    /// `grantCode`, the authorization code.
    #[serde(borrow)]
    pub grant_code: Cow<'a, str>,
    /// `timestamp`, Unix seconds, sent as a decimal string.
    #[serde(with = "decimal_string")]
    pub timestamp: u64,
    /// `nonce`, a positive integer, sent as a decimal string.
    #[serde(with = "decimal_string")]
    pub nonce: u64,
    /// `token`, the URL-encoded signature.
    #[serde(borrow)]
    pub token: Cow<'a, str>,
    /// `params`, the business parameters.
    pub params: P,
}

/// The V2 request body: `POST {base}/api/v2` with PascalCase keys and the method in `Action`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct V2Request<'a, P> {
    /// `OpenId`, the key id.
    #[serde(borrow)]
    pub open_id: Cow<'a, str>,
    /// `GrantCode`, the authorization code.
    #[serde(borrow)]
    pub grant_code: Cow<'a, str>,
    /// `Timestamp`, Unix seconds, sent as a decimal string.
    #[serde(with = "decimal_string")]
    pub timestamp: u64,
    /// `Nonce`, a positive integer, sent as a decimal string.
    #[serde(with = "decimal_string")]
    pub nonce: u64,
    /// `Token`, the URL-encoded signature.
    #[serde(borrow)]
    pub token: Cow<'a, str>,
    /// `Action`, the method, e.g. `coupon.user-coupon-list`.
    #[serde(borrow)]
    pub action: Cow<'a, str>,
    /// `Params`, the business parameters.
    pub params: P,
}

/// The `Debug` of both envelopes, without the token: a token is a replayable credential
/// within its window.
fn debug_envelope(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    (open_id, grant_code, timestamp, nonce): (&str, &str, u64, u64),
    action: Option<&str>,
    params: &dyn fmt::Debug,
) -> fmt::Result {
    let mut d = f.debug_struct(name);
    d.field("open_id", &open_id)
        .field("grant_code", &grant_code)
        .field("timestamp", &timestamp)
        .field("nonce", &nonce)
        .field("token", &"[redacted]");
    if let Some(action) = action {
        d.field("action", &action);
    }
    d.field("params", params).finish()
}

impl<P: fmt::Debug> fmt::Debug for V3Request<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids = (&*self.open_id, &*self.grant_code, self.timestamp, self.nonce);
        debug_envelope(f, "V3Request", ids, None, &self.params)
    }
}

impl<P: fmt::Debug> fmt::Debug for V2Request<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids = (&*self.open_id, &*self.grant_code, self.timestamp, self.nonce);
        debug_envelope(f, "V2Request", ids, Some(&self.action), &self.params)
    }
}

/// The platform's `code`: a number, or a text when the gateway sends one that is not.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResponseCode {
    /// A numeric code (`0` is success).
    Num(i64),
    /// A code that is not a number, kept as it came.
    Text(String),
}

impl ResponseCode {
    /// Whether this is the success code `0`.
    pub fn is_success(&self) -> bool {
        matches!(self, ResponseCode::Num(0))
    }

    /// The numeric code, if it is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            ResponseCode::Num(n) => Some(*n),
            ResponseCode::Text(_) => None,
        }
    }
}

impl fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseCode::Num(n) => write!(f, "{n}"),
            ResponseCode::Text(t) => f.write_str(t),
        }
    }
}

impl From<i64> for ResponseCode {
    fn from(n: i64) -> Self {
        ResponseCode::Num(n)
    }
}

impl Serialize for ResponseCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ResponseCode::Num(n) => s.serialize_i64(*n),
            ResponseCode::Text(t) => s.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for ResponseCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct CodeVisitor;
        impl Visitor<'_> for CodeVisitor {
            type Value = ResponseCode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a code as a number or a string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ResponseCode, E> {
                Ok(ResponseCode::Num(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ResponseCode, E> {
                Ok(i64::try_from(v).map_or_else(|_| ResponseCode::Text(v.to_string()), ResponseCode::Num))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ResponseCode, E> {
                // `0.0` is the code 0; anything else fractional is kept as text.
                if v.fract() == 0.0 && v.abs() < 9.0e15 {
                    #[allow(clippy::cast_possible_truncation)]
                    return Ok(ResponseCode::Num(v as i64));
                }
                Ok(ResponseCode::Text(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ResponseCode, E> {
                Ok(v.trim().parse().map_or_else(|_| ResponseCode::Text(v.to_owned()), ResponseCode::Num))
            }
        }
        d.deserialize_any(CodeVisitor)
    }
}

/// The response body every endpoint answers with: `{"status", "code", "message", "data"}`.
///
/// `status` is read as a bool, `"true"`/`"false"` or `1`/`0` (absent counts as true, the
/// code decides); `code` as a number or numeric string; `message` may be absent; `data` is
/// decoded into `T` (use `serde_json::value::RawValue` or `serde::de::IgnoredAny` to defer).
/// Only a JSON object is an envelope (serde's derive would also take an array, by position).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseEnvelope<T> {
    /// `status`: `true` unless the gateway reports a system error.
    pub status: bool,
    /// `code`: `0` on success.
    pub code: ResponseCode,
    /// `message`: the platform's explanation (may be empty).
    pub message: String,
    /// `data`: the payload, absent on errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
}

/// The envelope's fields as read from the wire.
#[serde_as]
#[derive(Deserialize)]
#[serde(rename = "ResponseEnvelope")]
struct EnvelopeFields<T> {
    #[serde_as(as = "LenientBool")]
    #[serde(default = "default_status")]
    status: bool,
    code: ResponseCode,
    #[serde_as(as = "LenientString")]
    #[serde(default)]
    message: String,
    #[serde(default = "Option::default")]
    data: Option<T>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ResponseEnvelope<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectOnly<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOnly<T> {
            type Value = ResponseEnvelope<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a response envelope object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let f = EnvelopeFields::<T>::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(ResponseEnvelope { status: f.status, code: f.code, message: f.message, data: f.data })
            }
        }
        d.deserialize_map(ObjectOnly(std::marker::PhantomData))
    }
}

fn default_status() -> bool {
    true
}

/// How the platform classified a request, from `status` and `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiErrorKind {
    /// `status` true and a non-zero `code`: the request was understood and refused by the
    /// business logic (异常, e.g. 查询的信息不存在). Never retried.
    Business,
    /// `status` false: a system error (错误码), e.g. a bad signature or an internal fault.
    System,
}

impl fmt::Display for ApiErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApiErrorKind::Business => "business",
            ApiErrorKind::System => "system",
        })
    }
}

impl<T> ResponseEnvelope<T> {
    /// `None` for a success (status true, code 0), else the kind of error it reports.
    pub fn error_kind(&self) -> Option<ApiErrorKind> {
        if !self.status {
            Some(ApiErrorKind::System)
        } else if !self.code.is_success() {
            Some(ApiErrorKind::Business)
        } else {
            None
        }
    }

    /// A success envelope around `data`.
    pub fn success(data: T) -> Self {
        ResponseEnvelope {
            status: true,
            code: ResponseCode::Num(0),
            message: String::new(),
            data: Some(data),
        }
    }
}

impl ResponseEnvelope<()> {
    /// An error envelope (no `data`) of the given kind.
    pub fn error(kind: ApiErrorKind, code: impl Into<ResponseCode>, message: impl Into<String>) -> Self {
        ResponseEnvelope {
            status: kind == ApiErrorKind::Business,
            code: code.into(),
            message: message.into(),
            data: None,
        }
    }
}
