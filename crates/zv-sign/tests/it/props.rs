//! Property tests over arbitrary credentials, timestamps and nonces.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;
use sha1::Sha1;
use zv_sign::{Credentials, FieldNames, Signer, php_urldecode, php_urlencode};

fn split_canonical(canonical: &str) -> Vec<(String, String)> {
    canonical
        .split('&')
        .map(|pair| {
            let mut it = pair.split('=');
            let name = it.next().expect("a name");
            let value = it.next().unwrap_or_else(|| panic!("no `=` in {pair:?}"));
            assert!(it.next().is_none(), "more than one `=` in {pair:?}");
            (php_urldecode(name).unwrap(), php_urldecode(value).unwrap())
        })
        .collect()
}

fn bare_hmac_b64(key: &str, message: &str) -> String {
    let mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key.as_bytes())
        .unwrap()
        .chain_update(message.as_bytes())
        .finalize()
        .into_bytes();
    STANDARD.encode(mac)
}

/// A field name: printable ASCII or any Unicode, never empty.
fn name() -> impl Strategy<Value = String> {
    prop_oneof!["[A-Za-z][A-Za-z_]{0,11}", "\\PC{1,8}"]
}

proptest! {
    // (a) The canonical string round-trips to the four pairs, sorted by name.
    #[test]
    fn canonical_round_trips(open_id in any::<String>(), grant_code in any::<String>(),
                             key in any::<String>(), ts in any::<u64>(), nonce in any::<u64>()) {
        let signer = Signer::new(&Credentials::new(&*open_id, &*grant_code, &*key));
        let canonical = signer.canonical(ts, nonce);
        let expected = vec![
            ("grantCode".to_owned(), grant_code.clone()),
            ("nonce".to_owned(), nonce.to_string()),
            ("openId".to_owned(), open_id.clone()),
            ("timestamp".to_owned(), ts.to_string()),
        ];
        prop_assert_eq!(split_canonical(&canonical), expected);
        prop_assert_eq!(signer.sign(ts, nonce).canonical(), canonical);
    }

    // (a') The same with arbitrary (distinct) field names: order is the byte-wise sort.
    #[test]
    fn canonical_round_trips_custom_names(names in proptest::collection::hash_set(name(), 4),
                                          open_id in any::<String>(), grant_code in any::<String>(),
                                          ts in any::<u64>(), nonce in any::<u64>()) {
        let names: Vec<String> = names.into_iter().collect();
        let field_names = FieldNames {
            open_id: names[0].clone().into(),
            grant_code: names[1].clone().into(),
            timestamp: names[2].clone().into(),
            nonce: names[3].clone().into(),
        };
        let key = "k";
        let signer = Signer::with_field_names(&Credentials::new(&*open_id, &*grant_code, key), field_names);
        let mut expected = vec![
            (names[0].clone(), open_id.clone()),
            (names[1].clone(), grant_code.clone()),
            (names[2].clone(), ts.to_string()),
            (names[3].clone(), nonce.to_string()),
        ];
        expected.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let canonical = signer.canonical(ts, nonce);
        prop_assert_eq!(split_canonical(&canonical), expected);
        let sig = signer.sign(ts, nonce);
        prop_assert_eq!(sig.signature(), bare_hmac_b64(key, &canonical));
    }

    // (b) urlencode only emits the allowed alphabet, with upper-case hex, and round-trips.
    #[test]
    fn urlencode_alphabet_and_round_trip(s in any::<String>()) {
        let enc = php_urlencode(&s);
        let bytes = enc.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'%' {
                prop_assert!(i + 2 < bytes.len(), "truncated escape in {enc:?}");
                for &h in &bytes[i + 1..i + 3] {
                    prop_assert!(h.is_ascii_digit() || (b'A'..=b'F').contains(&h), "bad hex in {enc:?}");
                }
                i += 3;
            } else {
                prop_assert!(b.is_ascii_alphanumeric() || b"-_.+".contains(&b), "byte {b:#x} in {enc:?}");
                i += 1;
            }
        }
        prop_assert_eq!(php_urldecode(&enc).unwrap(), s);
    }

    // (c) The token decodes to base64 of exactly 20 bytes; (e) which is the HMAC of canonical().
    #[test]
    fn token_is_urlencoded_base64_of_hmac(open_id in any::<String>(), grant_code in any::<String>(),
                                          key in any::<String>(), ts in any::<u64>(), nonce in any::<u64>()) {
        let signer = Signer::new(&Credentials::new(&*open_id, &*grant_code, &*key));
        let sig = signer.sign(ts, nonce);
        let decoded = php_urldecode(sig.token()).unwrap();
        prop_assert_eq!(&decoded, sig.signature());
        prop_assert_eq!(STANDARD.decode(&decoded).unwrap().len(), 20);
        prop_assert_eq!(sig.token(), php_urlencode(sig.signature()));
        prop_assert_eq!(sig.signature(), bare_hmac_b64(&key, &sig.canonical()));
    }

    // (d) verify accepts every produced token and rejects any alteration.
    #[test]
    fn verify_accepts_only_the_exact_token(key in any::<String>(), ts in any::<u64>(), nonce in any::<u64>(),
                                           pos in any::<prop::sample::Index>(), byte in any::<u8>(),
                                           extra in "[ -~]{1,3}") {
        let signer = Signer::new(&Credentials::new("a4c123b1612dd272d1371c17149d4395", "LKOmxgJTeK", &*key));
        let sig = signer.sign(ts, nonce);
        let token = sig.token().to_owned();
        prop_assert!(signer.verify(ts, nonce, &token));
        prop_assert!(signer.verify_signature(ts, nonce, sig.signature()));

        // Any single byte changed.
        let mut altered = token.clone().into_bytes();
        let i = pos.index(altered.len());
        prop_assume!(altered[i] != byte);
        altered[i] = byte;
        let altered = String::from_utf8_lossy(&altered).into_owned();
        prop_assert!(!signer.verify(ts, nonce, &altered));

        // Truncated or extended.
        prop_assert!(!signer.verify(ts, nonce, &token[..token.len() - 1]));
        prop_assert!(!signer.verify(ts, nonce, &token[..i]));
        let extended = format!("{token}{extra}");
        prop_assert!(!signer.verify(ts, nonce, &extended));

        // Other nonce or timestamp.
        prop_assert!(!signer.verify(ts, nonce.wrapping_add(1), &token));
        prop_assert!(!signer.verify(ts.wrapping_add(1), nonce, &token));
        prop_assert!(!signer.verify(ts ^ (1 << 40), nonce, &token));
        prop_assert!(!signer.verify_signature(ts, nonce.wrapping_sub(1), sig.signature()));
    }
}
