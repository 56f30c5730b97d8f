//! Every line of the signature test vectors must pass: `data/sign_vectors.jsonl`, produced by
//! PHP's own standard library, ending with the vendor's developer-guide example (see
//! `docs/protocol.md` at the repository root).

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
    /// Where a vector comes from, when it is not generated (the vendor's own example).
    #[serde(default)]
    source: Option<String>,
}

fn vectors() -> Vec<Vector> {
    let text = include_str!("../data/sign_vectors.jsonl");
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
    assert_eq!(checked, 13, "expected exactly 13 vectors");
}

/// The vendor's developer-guide example (the last line, the worked example of
/// `docs/protocol.md`) is among the vectors, and signs to the vendor's token.
#[test]
fn vendor_example_is_the_last_vector_and_passes() {
    let vs = vectors();
    let v = vs.last().unwrap();
    assert!(v.source.as_deref().is_some_and(|s| s.contains("vendor")), "{:?}", v.source);
    assert_eq!(vs.iter().filter(|v| v.source.is_some()).count(), 1, "only the vendor example has a source");
    assert_eq!(
        (v.open_id.as_str(), v.grant_code.as_str(), v.timestamp, v.nonce),
        ("d14c1559e87b747d577c834b275a4310", "ba67d4fa46", 1_465_185_768, 11_886)
    );
    let signer = Signer::new(&Credentials::new(&*v.open_id, &*v.grant_code, &*v.open_key));
    let sig = signer.sign(v.timestamp, v.nonce);
    assert_eq!(
        sig.canonical(),
        "grantCode=ba67d4fa46&nonce=11886&openId=d14c1559e87b747d577c834b275a4310&timestamp=1465185768"
    );
    assert_eq!(sig.signature(), "cFw0t9IuvL9jVo9qAzk0qMcw5BM=");
    assert_eq!(sig.token(), "cFw0t9IuvL9jVo9qAzk0qMcw5BM%3D");
    assert_eq!(sig.token(), v.token);
    // One digit off in the nonce, or another key, and the vendor's token no longer verifies.
    assert!(!signer.verify(v.timestamp, 11_887, &v.token));
    let other = Signer::new(&Credentials::new(
        &*v.open_id,
        &*v.grant_code,
        "LyvrkvkxRkG2R6aM55bXpPwjYAbkEXTbVnKwfDYvVHjNwNFAmX",
    ));
    assert!(!other.verify(v.timestamp, v.nonce, &v.token));
}

#[test]
fn vectors_cover_the_hard_cases() {
    let vs = vectors();
    assert!(vs.iter().any(|v| v.open_key.len() > 64), "a key longer than the HMAC block");
    assert!(vs.iter().any(|v| !v.grant_code.is_ascii() || !v.open_id.is_ascii()));
    assert!(vs.iter().any(|v| v.token.contains("%2B")));
    assert!(vs.iter().any(|v| v.canonical.contains("%7E")));
}
