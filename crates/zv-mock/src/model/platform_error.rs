//! [`PlatformError`]: what a handler answers instead of data.

/// Why a handler did not answer with data: a platform error, written in the platform's
/// shape (canonically or messily, like every answer).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlatformError {
    /// A business error: `{"status":true,"code":code,"message":message}` (the request was
    /// fine; the answer is no).
    #[error("business error {code}: {message}")]
    Business {
        /// The business code (non-zero).
        code: i64,
        /// The message.
        message: String,
    },
    /// A system error: `{"status":false,"code":code,"message":message}`.
    #[error("system error {code}: {message}")]
    System {
        /// The system code.
        code: i64,
        /// The message.
        message: String,
    },
    /// The params do not fit the endpoint: the request fails the `params` check
    /// ([`Check::Params`](crate::Check::Params), code 40009) and is logged as rejected.
    #[error("invalid params: {0}")]
    Params(String),
}

impl PlatformError {
    /// A business error with this code and message.
    pub fn business(code: i64, message: impl Into<String>) -> Self {
        PlatformError::Business { code, message: message.into() }
    }

    /// A system error with this code and message.
    pub fn system(code: i64, message: impl Into<String>) -> Self {
        PlatformError::System { code, message: message.into() }
    }

    /// Params that do not fit the endpoint (the `params` check fails).
    pub fn params(message: impl Into<String>) -> Self {
        PlatformError::Params(message.into())
    }
}
