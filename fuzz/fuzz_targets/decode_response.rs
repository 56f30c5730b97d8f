//! Response decoding: `decode_response` and `decode_endpoint::<E>` on any bytes.
//!
//! Besides "never panics", each decode must agree with the envelope alone (a platform error
//! is the same error whatever the endpoint's data type), and typed data that decoded must
//! serialize and decode back to itself from its canonical envelope.
#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::IgnoredAny;
use zv_types::{
    ApiError, Endpoint, GetCustomerGiftCardList, GetExchangeCodeStatus, ResponseEnvelope, ResponseError,
    UserCouponList, decode_endpoint, decode_response,
};

fuzz_target!(|body: &[u8]| {
    // The envelope with `data` skipped: the platform's verdict, whatever the data.
    let envelope = decode_response::<IgnoredAny>(body, || None);
    let platform_error = match &envelope {
        Err(ResponseError::Api(e)) => Some(e),
        _ => None,
    };
    agrees("serde_json::Value", &decode_response::<serde_json::Value>(body, || None), platform_error);
    round_trips::<GetCustomerGiftCardList>(body, platform_error);
    round_trips::<UserCouponList>(body, platform_error);
    round_trips::<GetExchangeCodeStatus>(body, platform_error);
});

/// A decode reports the platform's error exactly when the bare envelope does, and its
/// error's `Display` works.
fn agrees<T>(what: &str, decoded: &Result<T, ResponseError>, platform_error: Option<&ApiError>) {
    match (decoded, platform_error) {
        (Err(ResponseError::Api(got)), Some(want)) => assert_eq!(got, want, "{what}: another platform error"),
        (Err(ResponseError::Api(got)), None) => {
            panic!("{what}: platform error {got} the envelope does not report")
        }
        (_, Some(want)) => panic!("{what}: the platform error {want} was not reported"),
        (Err(e), None) => assert!(!e.to_string().is_empty()),
        (Ok(_), None) => {}
    }
}

/// Decodes `body` as `E`'s response; typed data must re-serialize and decode back equal.
fn round_trips<E: Endpoint>(body: &[u8], platform_error: Option<&ApiError>)
where
    E::Data: Serialize + PartialEq + Debug,
{
    let what = std::any::type_name::<E>();
    let decoded = decode_endpoint::<E>(body);
    agrees(what, &decoded, platform_error);
    let Ok(data) = decoded else { return };
    let wire = match serde_json::to_vec(&ResponseEnvelope::success(&data)) {
        Ok(wire) => wire,
        Err(e) => panic!("{what}: decoded data does not serialize: {e}\n{data:?}"),
    };
    match decode_endpoint::<E>(&wire) {
        Ok(back) => assert_eq!(back, data, "{what}: the canonical form decodes differently"),
        Err(e) => {
            panic!("{what}: the canonical form does not decode: {e}\n{}", String::from_utf8_lossy(&wire))
        }
    }
}
