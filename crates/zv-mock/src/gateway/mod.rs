//! The gateway, sans I/O: the checks, the endpoint table and its handlers, stubs served,
//! the rate limit, injected faults, and the [`Verifier`] that runs a request through them.
//! It reads bytes and writes answers; the server moves them (no async runtime and no HTTP
//! server here: `cargo xtask ci` checks it).

mod checks;
mod config;
mod endpoints;
mod faults;
mod handlers;
mod nonces;
mod rate;
mod state;
mod stubs;
mod verifier;

pub(crate) use config::Limits;
pub use config::{
    DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_SKEW, MockConfig,
};
pub use endpoints::{CallContext, Endpoints};
pub use faults::Fault;
pub(crate) use faults::{Payload, Shaped};
pub use handlers::{
    NOT_FOUND_CODE, NOT_FOUND_MESSAGE, REDEEM_FAILED_CODE, REDEEM_FAILED_MESSAGE, REDEEM_PATH,
};
pub use rate::THROTTLED_CODE;
pub(crate) use state::Gateway;
#[cfg(feature = "record")]
pub(crate) use verifier::style;
pub(crate) use verifier::{Admitted, Reply, admit, body_too_large, reject, respond};
pub use verifier::{Answered, Verifier};
