//! Turning a response body into typed data or a typed error, without I/O.

use std::fmt;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::value::RawValue;

use crate::endpoint::Endpoint;
use crate::envelope::{ApiErrorKind, ResponseCode, ResponseEnvelope};
use crate::text::Sanitized;

/// The platform refused the request: a business error (status true, code ≠ 0) or a system
/// error (status false), with the platform's code and message.
///
/// `Display` renders the code and message through the [sanitizer](crate::text); the fields
/// keep them as they came.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("API {kind} error {}: {}", Sanitized::new(&.code.to_string()).max_chars(64), Sanitized::new(.message))]
pub struct ApiError {
    /// Business or system.
    pub kind: ApiErrorKind,
    /// The platform's `code`.
    pub code: ResponseCode,
    /// The platform's `message` (may be empty).
    pub message: String,
}

/// The body could not be decoded: not JSON, not the response envelope, or a `data` that
/// does not fit the endpoint's type (then [`path`](DecodeError::path) names where).
///
/// `Display` renders the path and message (which may quote the body) through the
/// [sanitizer](crate::text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    path: Option<String>,
    message: String,
}

impl DecodeError {
    /// A decode error at `path` (a JSON path such as `data[3].status`), if known.
    pub fn new(path: Option<String>, message: impl Into<String>) -> Self {
        DecodeError { path, message: message.into() }
    }

    /// The JSON path of the value that failed, such as `data[3].par_value`.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// What was wrong there.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "at `{}`: {}", Sanitized::new(p), Sanitized::new(&self.message)),
            None => write!(f, "{}", Sanitized::new(&self.message)),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Why a response body did not give typed data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// The platform answered with an error.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The body could not be decoded.
    #[error("cannot decode the response")]
    Decode(#[from] DecodeError),
}

fn path_string(prefix: &str, path: &serde_path_to_error::Path) -> Option<String> {
    let p = path.to_string();
    match (prefix.is_empty(), p == ".") {
        (true, true) => None,
        (true, false) => Some(p),
        (false, true) => Some(prefix.to_owned()),
        (false, false) if p.starts_with('[') => Some(format!("{prefix}{p}")),
        (false, false) => Some(format!("{prefix}.{p}")),
    }
}

/// Decodes a response body into `T`, or the platform's error, or a decode error with the
/// JSON path of the failure.
///
/// `absent` is what a success without `data` (absent or `null`) means for this endpoint:
/// `None` makes it a decode error.
///
/// The happy path reads the body once, straight into `T`. Only when that fails is the body
/// read again: first as the bare envelope, so that a platform error is reported as such even
/// when its `data` has an unexpected shape, then with `serde_path_to_error` to name the path.
pub fn decode_response<T: DeserializeOwned>(
    body: &[u8],
    absent: impl FnOnce() -> Option<T>,
) -> Result<T, ResponseError> {
    // serde_json checks the UTF-8 of every string of a byte slice on its own; checking the
    // whole body once (std's check runs a word at a time over ASCII) and reading it as text is
    // ~10% less work for the same result. Invalid UTF-8 is read as bytes, for serde_json's error.
    let fast = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str::<ResponseEnvelope<T>>(text),
        Err(_) => serde_json::from_slice::<ResponseEnvelope<T>>(body),
    };
    match fast {
        Ok(env) => classify(env, absent),
        Err(fast) => Err(explain_failure::<T>(body, fast)),
    }
}

/// Decodes the response of endpoint `E` (see [`decode_response`]), reading `data` with
/// [`Endpoint::deserialize_data`].
pub fn decode_endpoint<E: Endpoint>(body: &[u8]) -> Result<E::Data, ResponseError> {
    decode_response::<DataOf<E>>(body, || E::absent_data().map(DataOf)).map(|d| d.0)
}

/// An endpoint's data, read with the endpoint's own `deserialize_data`.
struct DataOf<E: Endpoint>(E::Data);

impl<'de, E: Endpoint> serde::Deserialize<'de> for DataOf<E> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        E::deserialize_data(d).map(DataOf)
    }
}

fn classify<T>(env: ResponseEnvelope<T>, absent: impl FnOnce() -> Option<T>) -> Result<T, ResponseError> {
    if let Some(kind) = env.error_kind() {
        return Err(ApiError { kind, code: env.code, message: env.message }.into());
    }
    match env.data {
        Some(d) => Ok(d),
        None => absent().ok_or_else(|| {
            DecodeError::new(Some("data".into()), "missing `data` in a success response").into()
        }),
    }
}

#[cold]
fn explain_failure<T: DeserializeOwned>(body: &[u8], fast: serde_json::Error) -> ResponseError {
    // Is it an envelope at all? Read it with `data` skipped.
    let mut de = serde_json::Deserializer::from_slice(body);
    let envelope: ResponseEnvelope<IgnoredAny> = match serde_path_to_error::deserialize(&mut de) {
        Ok(env) => env,
        Err(e) => {
            let path = path_string("", e.path());
            return DecodeError::new(path, e.into_inner().to_string()).into();
        }
    };
    if let Some(kind) = envelope.error_kind() {
        return ApiError { kind, code: envelope.code, message: envelope.message }.into();
    }
    // A success whose `data` does not fit `T`: find where.
    let raw = match serde_json::from_slice::<ResponseEnvelope<&RawValue>>(body) {
        Ok(ResponseEnvelope { data: Some(raw), .. }) => raw,
        _ => return DecodeError::new(Some("data".into()), fast.to_string()).into(),
    };
    let mut de = serde_json::Deserializer::from_str(raw.get());
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => {
            let path = path_string("data", e.path());
            DecodeError::new(path, e.into_inner().to_string()).into()
        }
        // Decoding `data` alone worked: the failure was elsewhere (e.g. trailing bytes).
        Ok(_) => DecodeError::new(None, fast.to_string()).into(),
    }
}
