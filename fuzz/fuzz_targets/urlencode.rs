//! PHP `urlencode` / `urldecode`: `php_urldecode(php_urlencode(x)) == x` for any text, the
//! encoding is the PHP alphabet only, and decoding any text never panics: it gives text that
//! encodes and decodes back to itself, or a typed error that points at the fault.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zv_sign::{DecodeError, php_urldecode, php_urlencode, php_urlencode_into};

fuzz_target!(|data: &[u8]| {
    let mut encoded = String::from("k=");
    php_urlencode_into(data, &mut encoded);
    let encoded = &encoded[2..];
    assert_php_alphabet(encoded);
    match std::str::from_utf8(data) {
        Ok(text) => {
            assert_eq!(php_urlencode(text), encoded);
            assert_eq!(php_urldecode(encoded).as_deref(), Ok(text));
            decodes(text);
        }
        Err(e) => {
            let want = DecodeError::InvalidUtf8 { valid_up_to: e.valid_up_to() };
            assert_eq!(php_urldecode(encoded), Err(want));
            decodes(&String::from_utf8_lossy(data));
        }
    }
});

/// `A-Z a-z 0-9 - _ .`, `+`, and `%` with two upper-case hex digits.
fn assert_php_alphabet(encoded: &str) {
    let bytes = encoded.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(|d| matches!(d, b'0'..=b'9' | b'A'..=b'F')));
            assert!(hex, "bad escape at {i} in {encoded:?}");
            i += 3;
        } else {
            assert!(b.is_ascii_alphanumeric() || b"-_.+".contains(&b), "byte {b:#04x} at {i} in {encoded:?}");
            i += 1;
        }
    }
}

fn is_hex(b: Option<&u8>) -> bool {
    b.is_some_and(u8::is_ascii_hexdigit)
}

fn decodes(text: &str) {
    match php_urldecode(text) {
        Ok(decoded) => {
            assert!(decoded.len() <= text.len());
            assert_eq!(php_urldecode(&php_urlencode(&decoded)).as_deref(), Ok(decoded.as_str()));
        }
        Err(DecodeError::InvalidEscape { position }) => {
            let bytes = text.as_bytes();
            assert_eq!(bytes.get(position), Some(&b'%'), "{text:?}: no `%` at {position}");
            assert!(
                !(is_hex(bytes.get(position + 1)) && is_hex(bytes.get(position + 2))),
                "{text:?}: {position}"
            );
        }
        Err(DecodeError::InvalidUtf8 { .. }) => {}
        Err(e) => panic!("{text:?}: an error this target does not know: {e}"),
    }
}
