//! Signing and verifying with any credentials, field names, timestamp, nonce and token.
//!
//! The input is lines: `openId`, `grantCode`, `openKey`, timestamp, nonce, a token to
//! verify, and optionally four field names (openId, grantCode, timestamp, nonce). A number
//! that is not decimal is read from its first eight bytes. Checked:
//! * `Signer::verify` on any token never panics, and accepts exactly the token `sign` gives;
//! * that token is the PHP url-encoded base64 HMAC-SHA1 of the canonical string, which is
//!   the fields sorted by name as `name=value` pairs, url-encoded, joined by `&` (built here
//!   independently, with `hmac`, `sha1` and `base64`);
//! * `Debug` of the credentials and the signer does not depend on the `openKey`.
#![no_main]

use std::borrow::Cow;

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use zv_sign::{Credentials, FieldNames, Signer, php_urldecode, php_urlencode};

fuzz_target!(|data: &[u8]| {
    let lines: Vec<Cow<'_, str>> = data.split(|&b| b == b'\n').map(String::from_utf8_lossy).collect();
    let line = |i: usize| lines.get(i).map_or("", |l| l.as_ref());
    let (open_id, grant_code, open_key) = (line(0), line(1), line(2));
    let (timestamp, nonce, token) = (number(line(3)), number(line(4)), line(5));
    let names = if lines.len() >= 10 {
        FieldNames {
            open_id: line(6).to_owned().into(),
            grant_code: line(7).to_owned().into(),
            timestamp: line(8).to_owned().into(),
            nonce: line(9).to_owned().into(),
        }
    } else {
        FieldNames::LOWER_CAMEL
    };

    let creds = Credentials::new(open_id, grant_code, open_key);
    let signer = Signer::with_field_names(&creds, names.clone());
    let _ = signer.verify(timestamp, nonce, token);
    let _ = signer.verify_signature(timestamp, nonce, token);

    let sig = signer.sign(timestamp, nonce);
    assert!(signer.verify(timestamp, nonce, sig.token()));
    assert!(signer.verify_signature(timestamp, nonce, sig.signature()));
    assert_eq!(signer.verify(timestamp, nonce, token), token == sig.token());
    assert_eq!(php_urlencode(sig.signature()), sig.token());
    assert_eq!(php_urldecode(sig.token()).as_deref(), Ok(sig.signature()));
    assert_eq!((sig.timestamp(), sig.nonce()), (timestamp, nonce));

    let canonical = reference_canonical(&names, open_id, grant_code, timestamp, nonce);
    assert_eq!(signer.canonical(timestamp, nonce), canonical);
    assert_eq!(sig.canonical(), canonical);
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(open_key.as_bytes()).expect("any key length");
    mac.update(canonical.as_bytes());
    let reference = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(sig.signature(), reference, "canonical string {canonical:?}");

    let other_key = format!("{open_key}\u{1}other");
    let other = Credentials::new(open_id, grant_code, other_key.as_str());
    assert_eq!(format!("{creds:?}"), format!("{other:?}"), "Credentials' Debug shows the key");
    let other = Signer::with_field_names(&other, names);
    assert_eq!(format!("{signer:?}"), format!("{other:?}"), "Signer's Debug shows the key");
});

/// A decimal number, or else the first eight bytes (little-endian, zero-padded).
fn number(text: &str) -> u64 {
    text.parse().unwrap_or_else(|_| {
        let mut bytes = [0u8; 8];
        let n = text.len().min(8);
        bytes[..n].copy_from_slice(&text.as_bytes()[..n]);
        u64::from_le_bytes(bytes)
    })
}

/// PHP `ksort` + `http_build_query`: pairs sorted byte-wise by name (stably), each side
/// url-encoded, joined by `&`.
fn reference_canonical(
    names: &FieldNames,
    open_id: &str,
    grant_code: &str,
    timestamp: u64,
    nonce: u64,
) -> String {
    let (timestamp, nonce) = (timestamp.to_string(), nonce.to_string());
    let mut pairs = [
        (&*names.open_id, open_id),
        (&*names.grant_code, grant_code),
        (&*names.timestamp, timestamp.as_str()),
        (&*names.nonce, nonce.as_str()),
    ];
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let pairs: Vec<String> =
        pairs.iter().map(|(k, v)| format!("{}={}", php_urlencode(k), php_urlencode(v))).collect();
    pairs.join("&")
}
