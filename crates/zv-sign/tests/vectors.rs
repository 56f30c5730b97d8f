//! Every line of the spec's test vectors (produced by PHP's own standard library) must pass.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha1::Sha1;
use zv_sign::{Credentials, Signer, php_urldecode};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Vector {
    open_id: String,
    grant_code: String,
    timestamp: u64,
    nonce: u64,
    open_key: String,
    canonical: String,
    signature: String,
    token: String,
}

fn vectors() -> Vec<Vector> {
    let text = include_str!("data/sign_vectors.jsonl");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("vector line {}: {e}", i + 1)))
        .collect()
}

#[test]
fn all_sign_vectors_pass() {
    let mut checked = 0;
    for (i, v) in vectors().iter().enumerate() {
        let line = i + 1;
        let creds = Credentials::new(&*v.open_id, &*v.grant_code, &*v.open_key);
        let signer = Signer::new(&creds);

        assert_eq!(signer.canonical(v.timestamp, v.nonce), v.canonical, "line {line}: canonical");
        let sig = signer.sign(v.timestamp, v.nonce);
        assert_eq!(sig.canonical(), v.canonical, "line {line}: Signature::canonical");
        assert_eq!(sig.signature(), v.signature, "line {line}: signature");
        assert_eq!(sig.token(), v.token, "line {line}: token");
        assert_eq!(sig.timestamp(), v.timestamp, "line {line}");
        assert_eq!(sig.nonce(), v.nonce, "line {line}");

        assert!(signer.verify(v.timestamp, v.nonce, &v.token), "line {line}: verify");
        assert!(signer.verify_signature(v.timestamp, v.nonce, &v.signature), "line {line}: verify_signature");
        assert!(!signer.verify(v.timestamp, v.nonce + 1, &v.token), "line {line}");
        assert!(!signer.verify(v.timestamp + 1, v.nonce, &v.token), "line {line}");

        // The token is the url-encoded signature.
        assert_eq!(php_urldecode(&v.token).unwrap(), v.signature, "line {line}");

        // The streamed HMAC is the HMAC of the canonical string.
        let mac = <Hmac<Sha1> as KeyInit>::new_from_slice(v.open_key.as_bytes())
            .unwrap()
            .chain_update(v.canonical.as_bytes())
            .finalize()
            .into_bytes();
        assert_eq!(STANDARD.encode(mac), v.signature, "line {line}: bare HMAC");

        // `From<&Credentials>` and clones sign identically.
        let from: Signer = (&creds).into();
        assert_eq!(from.clone().sign(v.timestamp, v.nonce).token(), v.token);
        checked += 1;
    }
    assert_eq!(checked, 12, "expected exactly 12 vectors");
}

#[test]
fn vectors_cover_the_hard_cases() {
    let vs = vectors();
    assert!(vs.iter().any(|v| v.open_key.len() > 64), "a key longer than the HMAC block");
    assert!(vs.iter().any(|v| !v.grant_code.is_ascii() || !v.open_id.is_ascii()));
    assert!(vs.iter().any(|v| v.token.contains("%2B")));
    assert!(vs.iter().any(|v| v.canonical.contains("%7E")));
}
