//! `Route` parsing: `Route::v3` and `Route::v2` on any text.
//!
//! An accepted V3 route's URL path is `/v3/` and segments that are non-empty, not `.` or
//! `..`, and only `A-Za-z0-9-_.~`; parsing that URL path again gives the same route. An
//! accepted V2 Action is not blank and has no control character; its URL path is `/api/v2`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zv_types::{Protocol, Route};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    v3(&text);
    v2(&text);
});

fn allowed_segment(seg: &str) -> bool {
    !seg.is_empty()
        && seg != "."
        && seg != ".."
        && seg.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
}

fn v3(text: &str) {
    match Route::v3(text) {
        Ok(route) => {
            assert_eq!(route.protocol(), Protocol::V3);
            let path = route.url_path();
            let Some(below) = path.strip_prefix("/v3/") else {
                panic!("{text:?} gave the URL path {path:?}")
            };
            assert!(below.split('/').all(allowed_segment), "{text:?} gave the URL path {path:?}");
            let again = Route::v3(&path).map(|r| r.url_path());
            assert_eq!(again.as_deref(), Ok(&*path), "{text:?}: its URL path does not parse back to itself");
            assert_eq!(route.to_string(), path);
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            // A path made only of plain segments (no `.` at all) must have been accepted.
            let below = text.strip_prefix("/v3/").or_else(|| text.strip_prefix('/')).unwrap_or(text);
            let plain = |seg: &str| allowed_segment(seg) && !seg.contains('.');
            assert!(!below.split('/').all(plain), "{text:?} was refused: {e}");
        }
    }
}

fn v2(text: &str) {
    match Route::v2(text) {
        Ok(route) => {
            assert_eq!(route.protocol(), Protocol::V2);
            assert_eq!(route.url_path(), "/api/v2");
            assert!(!refused_v2(text), "{text:?} was accepted");
            let _ = route.to_string();
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            assert!(refused_v2(text), "{text:?} was refused: {e}");
        }
    }
}

/// The V2 Action rule, restated: more than 128 bytes, blank (ASCII white space only, or
/// empty), or a control character (C0, DEL, C1) anywhere.
fn refused_v2(text: &str) -> bool {
    text.len() > 128 || text.bytes().all(|b| b.is_ascii_whitespace()) || text.chars().any(char::is_control)
}
