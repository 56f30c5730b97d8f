//! The mock's data and words, without I/O: the fixtures it serves, the request log, the
//! request types the gateway reads, the stubs file format, and how answers are written.
//! No async runtime and no HTTP server here (`cargo xtask ci` checks it).

mod error;
mod files;
mod fixtures;
mod log;
mod platform_error;
#[cfg(feature = "record")]
mod recording;
mod render;
mod request;
mod stubs;
mod sync;

pub use error::MockError;
pub use files::{FileError, MAX_FILE_BYTES, read_bounded};
pub use fixtures::{
    DEMO_EXCHANGE_CODE, DEMO_GRANT_CODE, DEMO_MEMBER, DEMO_OPEN_ID, DEMO_OPEN_KEY, DEMO_SPENT_EXCHANGE_CODE,
    Fixtures, Member, demo_credentials,
};
pub use log::{Check, LogEntry, Verdict};
pub(crate) use log::{Log, MESSAGE_CHARS, printable};
pub use platform_error::PlatformError;
#[cfg(feature = "record")]
pub use recording::{Recording, UPSTREAM_FAILED_CODE, WRITE_REFUSED_CODE};
pub(crate) use render::{Code, JSON, Render, Representation, generic_messy};
pub(crate) use request::{Incoming, MAX_REQUEST_BYTES, Rejection, RouteKey, V2_PATH, Verified};
pub use request::{PARAMS_ERROR_CODE, PARAMS_ERROR_MESSAGE};
pub(crate) use stubs::{Answer, Stub};
pub use stubs::{NO_STUB_CODE, Stubs};
#[cfg(feature = "record")]
pub(crate) use stubs::{WireError, WireStub};
pub(crate) use sync::lock;
