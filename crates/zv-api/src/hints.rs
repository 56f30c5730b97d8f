//! The likely fix for a platform error code seen in the field: [`Error::hint`](crate::Error::hint) for an error
//! of this crate, [`for_platform_error`] for a code and message read elsewhere. The same
//! table is `docs/error-codes.md` (a test keeps the two in step).
//!
//! The codes are not documented by the vendor; they were seen in the field (see
//! `docs/protocol.md`). A hint is one line for a person, in the `zv` command line's words.
//!
//! ```
//! use zv_api::hints::{SIGNATURE_HINT, THROTTLE_HINT, for_platform_error};
//! assert_eq!(for_platform_error(Some("110004"), "验签失败"), Some(SIGNATURE_HINT));
//! assert_eq!(for_platform_error(Some("99999"), "接口请求过于频繁"), Some(THROTTLE_HINT));
//! assert_eq!(for_platform_error(Some("20001"), "查询的信息不存在"), None);
//! ```

use crate::retry::is_throttle_message;

/// A platform code, what it means and what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeHint {
    /// The gateway's `code`.
    pub code: &'static str,
    /// What it means, as far as the field knows.
    pub meaning: &'static str,
    /// The hint: what to do about it.
    pub hint: &'static str,
}

/// The hint for a refused signature (110004, or a message that says so).
pub const SIGNATURE_HINT: &str =
    "check the openKey (ZV_OPEN_KEY or the profile's) and the system clock; run `zv doctor`";

/// The hint for a throttled call (a message with one of the
/// [throttle markers](crate::retry::THROTTLE_MARKERS), or HTTP 429).
pub const THROTTLE_HINT: &str =
    "the gateway is throttling: lower the rate (about 10 requests a second per endpoint) and try again later";

/// The codes seen in the field that have a hint.
pub const PLATFORM_CODES: &[CodeHint] = &[
    CodeHint {
        code: "110004",
        meaning: "验签失败: the signature was refused (a wrong key, or the clock off)",
        hint: SIGNATURE_HINT,
    },
    CodeHint {
        code: "100002",
        meaning: "bad params (e.g. params sent as a JSON string)",
        hint: "params must be a JSON object whose fields have the types the endpoint expects (`zv endpoints show PATH` lists them; FIELD=VALUE takes the type the catalogue declares, else a string; FIELD:=JSON sends a number, list or object as written)",
    },
    CodeHint {
        code: "100007",
        meaning: "an empty search term",
        hint: "a search field is empty: give it a value",
    },
    CodeHint {
        code: "71011",
        meaning: "dine-in mode (堂食) is not enabled",
        hint: "enable dine-in mode for the store in the vendor console",
    },
    CodeHint {
        code: "30005",
        meaning: "a practice (做法) was not found",
        hint: "the answer's unavailableItemList names the items (see --json or -vv)",
    },
    CodeHint {
        code: "160098",
        meaning: "bad orderAttribute",
        hint: "orderAttribute has a value the endpoint does not take",
    },
    CodeHint { code: "1021022", meaning: "a price is missing", hint: "give every item its price" },
];

/// Words of a refused signature's message.
pub const SIGNATURE_WORDS: [&str; 3] = ["验签", "签名", "signature"];

/// The hint for a platform error with this code and message, if there is one: by code
/// first, then by what the message says (throttled, or a refused signature).
pub fn for_platform_error(code: Option<&str>, message: &str) -> Option<&'static str> {
    if let Some(hint) = code.and_then(|c| PLATFORM_CODES.iter().find(|h| h.code == c.trim())) {
        return Some(hint.hint);
    }
    if is_throttle_message(message) {
        return Some(THROTTLE_HINT);
    }
    SIGNATURE_WORDS.iter().any(|w| message.contains(w)).then_some(SIGNATURE_HINT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retry::THROTTLE_MARKERS;

    #[test]
    fn codes_then_messages() {
        assert_eq!(for_platform_error(Some("110004"), "验签失败"), Some(SIGNATURE_HINT));
        assert!(for_platform_error(Some("100002"), "").is_some_and(|h| h.contains("JSON object")));
        assert_eq!(for_platform_error(Some(" 71011 "), ""), Some(PLATFORM_CODES[3].hint));
        assert_eq!(for_platform_error(Some("99999"), "接口请求过于频繁"), Some(THROTTLE_HINT));
        assert_eq!(for_platform_error(None, "签名错误: token does not match"), Some(SIGNATURE_HINT));
        assert_eq!(for_platform_error(Some("20001"), "查询的信息不存在"), None);
        assert_eq!(for_platform_error(None, ""), None);
    }

    #[test]
    fn the_docs_list_every_code_and_hint() {
        let docs = include_str!("../../../docs/error-codes.md");
        for h in PLATFORM_CODES {
            assert!(
                docs.contains(&format!("| `{}` |", h.code)),
                "{} missing from docs/error-codes.md",
                h.code
            );
            assert!(docs.contains(h.hint), "the hint of {} differs in docs/error-codes.md", h.code);
        }
        assert!(docs.contains(THROTTLE_HINT));
        for w in THROTTLE_MARKERS.iter().chain(&SIGNATURE_WORDS) {
            assert!(docs.contains(w), "{w} missing from docs/error-codes.md");
        }
    }
}
