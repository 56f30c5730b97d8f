//! The likely fix for a platform error code seen in the field, added to the CLI's error
//! line: the SDK's table ([`zv_api::hints`], also `zv_api::Error::hint`), re-exported.

pub use zv_api::hints::{CodeHint, PLATFORM_CODES, SIGNATURE_HINT, THROTTLE_HINT, for_platform_error};
