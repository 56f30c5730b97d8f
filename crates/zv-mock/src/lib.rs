#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// Without the `record` feature, the docs above name a proxy that is not built.
#![cfg_attr(not(feature = "record"), allow(rustdoc::broken_intra_doc_links))]
#![warn(missing_docs)]

mod gateway;
mod model;
#[cfg(feature = "record")]
mod record;
mod server;

pub use gateway::{
    Answered, CallContext, DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_SKEW, Endpoints, Fault, MockConfig, NOT_FOUND_CODE, NOT_FOUND_MESSAGE, REDEEM_FAILED_CODE,
    REDEEM_FAILED_MESSAGE, REDEEM_PATH, THROTTLED_CODE, Verifier,
};
pub use model::{
    Check, DEMO_EXCHANGE_CODE, DEMO_GRANT_CODE, DEMO_MEMBER, DEMO_OPEN_ID, DEMO_OPEN_KEY,
    DEMO_SPENT_EXCHANGE_CODE, FileError, Fixtures, LogEntry, MAX_FILE_BYTES, Member, MockError, NO_STUB_CODE,
    PARAMS_ERROR_CODE, PARAMS_ERROR_MESSAGE, PlatformError, Stubs, Verdict, demo_credentials, read_bounded,
};
#[cfg(feature = "record")]
pub use model::{Recording, UPSTREAM_FAILED_CODE, WRITE_REFUSED_CODE};
pub use server::MockServer;
