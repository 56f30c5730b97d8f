//! The signer: canonical string, HMAC-SHA1, base64, URL-encoded token.

use core::fmt;
use std::borrow::Cow;

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::credentials::Credentials;
use crate::encode::php_urlencode_into;
use crate::fastfmt::{
    DIGITS_MAX, SIGNATURE_BUF, SIGNATURE_LEN, TAG_LEN, TOKEN_CAP, decimal_len, encode_tag, write_decimal_back,
};

type HmacSha1 = Hmac<Sha1>;

/// Size of the stack buffer [`Signer::sign`] assembles the non-constant part of the canonical
/// string in: both numbers (at most [`DIGITS_MAX`] digits each) plus the constant pieces
/// between and after them. Longer templates (very long `openId`/`grantCode`) are streamed piece by
/// piece instead.
const SCRATCH_LEN: usize = 128;

/// The names of the four signed fields, as they appear in the canonical string.
///
/// The canonical order is the byte-wise ascending sort of whatever names are given (PHP
/// `ksort`), computed once when the [`Signer`] is built. The protocol documentation says both
/// V3 and V2 are signed over [`FieldNames::LOWER_CAMEL`] (the default); this type exists so
/// that a gateway proven to differ can be served by configuration instead of a fork.
///
/// Names are URL-encoded in the canonical string like values are (as `http_build_query`
/// does). Names should be distinct; if two are equal both pairs are still emitted, in the
/// order open_id, grant_code, timestamp, nonce.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldNames {
    /// Name of the `openId` field.
    pub open_id: Cow<'static, str>,
    /// Name of the `grantCode` field.
    pub grant_code: Cow<'static, str>,
    /// Name of the `timestamp` field.
    pub timestamp: Cow<'static, str>,
    /// Name of the `nonce` field.
    pub nonce: Cow<'static, str>,
}

impl FieldNames {
    /// `openId`, `grantCode`, `timestamp`, `nonce`: what both V3 and V2 are documented to sign
    /// over. Canonical order: `grantCode`, `nonce`, `openId`, `timestamp`.
    pub const LOWER_CAMEL: FieldNames = FieldNames {
        open_id: Cow::Borrowed("openId"),
        grant_code: Cow::Borrowed("grantCode"),
        timestamp: Cow::Borrowed("timestamp"),
        nonce: Cow::Borrowed("nonce"),
    };

    /// `OpenId`, `GrantCode`, `Timestamp`, `Nonce`: the V2 envelope's key spelling. Not what
    /// the documentation says V2 signs over; provided for a gateway that proves otherwise.
    pub const PASCAL_CASE: FieldNames = FieldNames {
        open_id: Cow::Borrowed("OpenId"),
        grant_code: Cow::Borrowed("GrantCode"),
        timestamp: Cow::Borrowed("Timestamp"),
        nonce: Cow::Borrowed("Nonce"),
    };
}

impl Default for FieldNames {
    /// [`FieldNames::LOWER_CAMEL`].
    fn default() -> Self {
        Self::LOWER_CAMEL
    }
}

/// Which per-request value fills a hole of the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Timestamp,
    Nonce,
}

/// The canonical string with its two per-request holes:
/// `literal[..cuts[0]] ‖ slots[0] ‖ literal[cuts[0]..cuts[1]] ‖ slots[1] ‖ literal[cuts[1]..]`.
///
/// Timestamp and nonce are decimal digits, which `urlencode` leaves unchanged, so they can be
/// spliced in without encoding.
#[derive(Clone)]
struct Template {
    /// All constant parts, concatenated (always ASCII).
    literal: Box<str>,
    cuts: [usize; 2],
    slots: [Slot; 2],
    /// `Some` when the part after the head fits [`SCRATCH_LEN`]: a buffer with `middle` at
    /// offset [`DIGITS_MAX`], ready to be copied and have the digits written around it.
    scratch: Option<[u8; SCRATCH_LEN]>,
}

impl Template {
    fn new(open_id: &str, grant_code: &str, names: &FieldNames) -> Self {
        enum Value<'a> {
            Literal(&'a str),
            Hole(Slot),
        }
        let mut fields = [
            (names.open_id.as_ref(), Value::Literal(open_id)),
            (names.grant_code.as_ref(), Value::Literal(grant_code)),
            (names.timestamp.as_ref(), Value::Hole(Slot::Timestamp)),
            (names.nonce.as_ref(), Value::Hole(Slot::Nonce)),
        ];
        // `str`'s `Ord` is byte-wise lexicographic; the sort is stable.
        fields.sort_by(|a, b| a.0.cmp(b.0));

        let mut literal = String::with_capacity(
            fields.iter().map(|(n, _)| n.len() + 2).sum::<usize>() + 3 * (open_id.len() + grant_code.len()),
        );
        let mut cuts = [0; 2];
        let mut slots = [Slot::Timestamp; 2];
        let mut holes = 0;
        for (i, (name, value)) in fields.iter().enumerate() {
            if i > 0 {
                literal.push('&');
            }
            php_urlencode_into(name.as_bytes(), &mut literal);
            literal.push('=');
            match value {
                Value::Literal(v) => php_urlencode_into(v.as_bytes(), &mut literal),
                Value::Hole(slot) => {
                    cuts[holes] = literal.len();
                    slots[holes] = *slot;
                    holes += 1;
                }
            }
        }
        debug_assert_eq!(holes, 2);
        let mut template = Self { literal: literal.into_boxed_str(), cuts, slots, scratch: None };
        let (middle, tail) = (template.middle().as_bytes(), template.tail().as_bytes());
        if DIGITS_MAX + middle.len() + DIGITS_MAX + tail.len() <= SCRATCH_LEN {
            let mut scratch = [0u8; SCRATCH_LEN];
            scratch[DIGITS_MAX..DIGITS_MAX + middle.len()].copy_from_slice(middle);
            template.scratch = Some(scratch);
        }
        template
    }

    /// The constant part before the first hole.
    fn head(&self) -> &str {
        &self.literal[..self.cuts[0]]
    }

    /// The constant part between the two holes.
    fn middle(&self) -> &str {
        &self.literal[self.cuts[0]..self.cuts[1]]
    }

    /// The constant part after the second hole (often empty).
    fn tail(&self) -> &str {
        &self.literal[self.cuts[1]..]
    }

    /// `middle()` and `tail()` as bytes, without `str` boundary checks (for the hot path).
    #[inline]
    fn middle_tail_bytes(&self) -> (&[u8], &[u8]) {
        let (_, rest) = self.literal.as_bytes().split_at(self.cuts[0]);
        rest.split_at(self.cuts[1] - self.cuts[0])
    }

    /// The values for the two holes, in canonical order.
    #[inline]
    fn fill(&self, timestamp: u64, nonce: u64) -> [u64; 2] {
        match self.slots[0] {
            Slot::Timestamp => [timestamp, nonce],
            Slot::Nonce => [nonce, timestamp],
        }
    }
}

/// Signs requests for one credential set.
///
/// Build it once (it is `Clone + Send + Sync`; share it or clone it). The constructor does all
/// the per-credential work: it keys HMAC-SHA1 with `openKey` (both inner and outer pad
/// states), URL-encodes `grantCode` and `openId` into the canonical template, sorts the field
/// names, and even feeds the constant head of the canonical string into the keyed state. After
/// that [`sign`](Signer::sign) only streams the decimal timestamp and nonce and the remaining
/// constant bytes into a copy of that state: no allocation, no re-keying.
///
/// The `Signer` does not keep `openKey` itself, only the keyed HMAC state; with this crate's
/// `zeroize` features of `hmac`/`sha1`, that state is wiped when dropped. `Debug` shows only
/// `openId`, `grantCode` and the field names.
///
/// ```
/// use zv_sign::{Credentials, Signer};
/// let creds = Credentials::new(
///     "a4c123b1612dd272d1371c17149d4395",
///     "LKOmxgJTeK",
///     "FRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40",
/// );
/// let signer = Signer::new(&creds);
/// let sig = signer.sign(1531998134, 664656493);
/// assert_eq!(sig.signature(), "gabI4ZLsN/f09arKmlSCe8Y/Lz4=");
/// assert_eq!(sig.token(), "gabI4ZLsN%2Ff09arKmlSCe8Y%2FLz4%3D");
/// assert_eq!(
///     sig.canonical(),
///     "grantCode=LKOmxgJTeK&nonce=664656493&openId=a4c123b1612dd272d1371c17149d4395&timestamp=1531998134"
/// );
/// assert!(signer.verify(1531998134, 664656493, "gabI4ZLsN%2Ff09arKmlSCe8Y%2FLz4%3D"));
/// ```
#[derive(Clone)]
pub struct Signer {
    /// HMAC-SHA1 keyed with `openKey`, with `template.head()` already absorbed.
    state: HmacSha1,
    template: Template,
    open_id: Box<str>,
    grant_code: Box<str>,
    field_names: FieldNames,
}

impl Signer {
    /// Builds a signer over the default field names ([`FieldNames::LOWER_CAMEL`]).
    #[must_use]
    pub fn new(credentials: &Credentials) -> Self {
        Self::with_field_names(credentials, FieldNames::LOWER_CAMEL)
    }

    /// Builds a signer whose canonical string uses `field_names` (sorted byte-wise) instead of
    /// the documented lowerCamel names.
    #[must_use]
    pub fn with_field_names(credentials: &Credentials, field_names: FieldNames) -> Self {
        let template = Template::new(credentials.open_id(), credentials.grant_code(), &field_names);
        let mut state = <HmacSha1 as KeyInit>::new_from_slice(credentials.expose_open_key().as_bytes())
            .expect("HMAC accepts keys of any length");
        state.update(template.head().as_bytes());
        Self {
            state,
            template,
            open_id: credentials.open_id().into(),
            grant_code: credentials.grant_code().into(),
            field_names,
        }
    }

    /// The `openId` this signer signs for.
    #[must_use]
    pub fn open_id(&self) -> &str {
        &self.open_id
    }

    /// The `grantCode` this signer signs for.
    #[must_use]
    pub fn grant_code(&self) -> &str {
        &self.grant_code
    }

    /// The field names of the canonical string.
    #[must_use]
    pub fn field_names(&self) -> &FieldNames {
        &self.field_names
    }

    /// Signs one request: canonical string → HMAC-SHA1 → base64 → URL-encoded token.
    ///
    /// Pure and deterministic: no clock, no random numbers, no I/O, no heap allocation. The
    /// caller supplies the current Unix time in seconds (see [`Clock`](crate::Clock)) and a
    /// fresh nonce (see [`NonceSource`](crate::NonceSource)); a retry must sign again with a new
    /// timestamp and nonce.
    #[must_use]
    pub fn sign(&self, timestamp: u64, nonce: u64) -> Signature<'_> {
        let [first, second] = self.template.fill(timestamp, nonce);
        let (middle, tail) = self.template.middle_tail_bytes();
        let mut mac = self.state.clone();
        if let Some(scratch) = &self.template.scratch {
            // One `update` over `first ‖ middle ‖ second ‖ tail`, assembled on the stack around
            // the prepared `middle`.
            let mut buf = *scratch;
            let start = write_decimal_back(&mut buf, DIGITS_MAX, first);
            let mut end = DIGITS_MAX + middle.len() + decimal_len(second);
            write_decimal_back(&mut buf, end, second);
            if !tail.is_empty() {
                buf[end..end + tail.len()].copy_from_slice(tail);
                end += tail.len();
            }
            mac.update(&buf[start..end]);
        } else {
            let mut digits = [0u8; DIGITS_MAX];
            let start = write_decimal_back(&mut digits, DIGITS_MAX, first);
            mac.update(&digits[start..]);
            mac.update(middle);
            let start = write_decimal_back(&mut digits, DIGITS_MAX, second);
            mac.update(&digits[start..]);
            if !tail.is_empty() {
                mac.update(tail);
            }
        }
        let tag: [u8; TAG_LEN] = mac.finalize().into_bytes().into();

        let mut signature = Signature {
            signer: self,
            timestamp,
            nonce,
            encoded: Encoded { token: [0; TOKEN_CAP], signature: [0; SIGNATURE_BUF] },
            token_len: 0,
        };
        let len = encode_tag(&tag, &mut signature.encoded.signature, &mut signature.encoded.token);
        signature.token_len = u8::try_from(len).expect("a token is at most 82 bytes");
        signature
    }

    /// The canonical string that [`sign`](Signer::sign) authenticates for these values, e.g.
    /// `grantCode=…&nonce=…&openId=…&timestamp=…`. For debugging a signature mismatch; `sign`
    /// itself never builds it.
    #[must_use]
    pub fn canonical(&self, timestamp: u64, nonce: u64) -> String {
        let [first, second] = self.template.fill(timestamp, nonce);
        let mut out = String::with_capacity(self.template.literal.len() + 2 * DIGITS_MAX);
        out.push_str(self.template.head());
        push_decimal(&mut out, first);
        out.push_str(self.template.middle());
        push_decimal(&mut out, second);
        out.push_str(self.template.tail());
        out
    }

    /// Checks a token **exactly as sent on the wire** (URL-encoded, e.g. `…%2F…%3D`) against
    /// the one this signer computes for `timestamp` and `nonce`, in constant time.
    ///
    /// The comparison is byte for byte: a token that was URL-decoded on the way in, or
    /// re-encoded with lower-case hex (`%2f`), does not match. A caller holding the decoded
    /// base64 signature uses [`verify_signature`](Signer::verify_signature) instead. A length
    /// mismatch is rejected (the length of a token is not secret).
    ///
    /// This checks the signature only. Rejecting timestamps outside the allowed skew and
    /// nonces already seen is the server's job.
    #[must_use]
    pub fn verify(&self, timestamp: u64, nonce: u64, token: &str) -> bool {
        let expected = self.sign(timestamp, nonce);
        expected.token_bytes().ct_eq(token.as_bytes()).into()
    }

    /// Like [`verify`](Signer::verify), but for the base64 signature (the token after
    /// URL-decoding, e.g. `…/…=`), compared exactly and in constant time.
    #[must_use]
    pub fn verify_signature(&self, timestamp: u64, nonce: u64, signature_b64: &str) -> bool {
        let expected = self.sign(timestamp, nonce);
        expected.signature().as_bytes().ct_eq(signature_b64.as_bytes()).into()
    }
}

/// Appends the decimal digits of `n`.
fn push_decimal(out: &mut String, n: u64) {
    let mut digits = [0u8; DIGITS_MAX];
    let start = write_decimal_back(&mut digits, DIGITS_MAX, n);
    out.push_str(core::str::from_utf8(&digits[start..]).expect("digits are ASCII"));
}

impl From<&Credentials> for Signer {
    fn from(credentials: &Credentials) -> Self {
        Self::new(credentials)
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("open_id", &self.open_id)
            .field("grant_code", &self.grant_code)
            .field("field_names", &self.field_names)
            .finish_non_exhaustive()
    }
}

/// One computed signature: the base64 `signature`, the URL-encoded `token` sent on the wire,
/// and the `timestamp` and `nonce` it covers.
///
/// Signature and token are stored inline (no heap). The value borrows its [`Signer`] so that
/// [`canonical`](Signature::canonical) can rebuild the signed string on demand; copy the token
/// out (`token().to_owned()`) to keep it longer than the signer.
///
/// There is deliberately no `PartialEq`: compare tokens with [`Signer::verify`], which is
/// constant-time.
#[derive(Clone, Copy)]
pub struct Signature<'a> {
    signer: &'a Signer,
    timestamp: u64,
    nonce: u64,
    encoded: Encoded,
    token_len: u8,
}

/// The inline signature and token buffers, 16-byte aligned so that UTF-8 validation in the
/// `&str` accessors takes the word-at-a-time path from the first byte.
#[derive(Clone, Copy)]
#[repr(C, align(16))]
struct Encoded {
    /// The token in `[..token_len]`, then slack for the encoder.
    token: [u8; TOKEN_CAP],
    /// The signature in `[..SIGNATURE_LEN]`, then slack for the encoder.
    signature: [u8; SIGNATURE_BUF],
}

impl Signature<'_> {
    /// The base64 (standard alphabet, padded) HMAC-SHA1, e.g. `gabI4ZLsN/f09arKmlSCe8Y/Lz4=`.
    #[must_use]
    pub fn signature(&self) -> &str {
        core::str::from_utf8(&self.encoded.signature[..SIGNATURE_LEN]).expect("base64 is ASCII")
    }

    /// The URL-encoded signature, sent as `token` (V3) / `Token` (V2), e.g.
    /// `gabI4ZLsN%2Ff09arKmlSCe8Y%2FLz4%3D`.
    #[must_use]
    pub fn token(&self) -> &str {
        core::str::from_utf8(self.token_bytes()).expect("token is ASCII")
    }

    fn token_bytes(&self) -> &[u8] {
        &self.encoded.token[..usize::from(self.token_len)]
    }

    /// The timestamp (Unix seconds) this signature covers.
    #[must_use]
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// The nonce this signature covers.
    #[must_use]
    pub fn nonce(&self) -> u64 {
        self.nonce
    }

    /// Rebuilds the canonical string this signature was computed over (allocates; for
    /// debugging a mismatch stage by stage: canonical, then signature, then token).
    #[must_use]
    pub fn canonical(&self) -> String {
        self.signer.canonical(self.timestamp, self.nonce)
    }
}

impl fmt::Debug for Signature<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signature")
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .field("signature", &self.signature())
            .field("token", &self.token())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    const KEY: &str = "Qq-UNMISTAKABLE-secret-7c1d";

    fn creds() -> Credentials {
        Credentials::new("open-id-123", "grant-456", KEY)
    }

    #[test]
    fn signer_is_clone_send_sync() {
        fn check<T: Clone + Send + Sync + 'static>() {}
        check::<Signer>();
        fn check_sig<T: Send + Sync>() {}
        check_sig::<Signature<'static>>();
    }

    #[test]
    fn signer_keyed_state_zeroizes_on_drop() {
        // `Hmac<Sha1>` is two `Sha1Core`s plus a block buffer. With the `zeroize` features of
        // `sha1`/`hmac` (→ `digest`, `block-buffer`) each of them wipes itself in `Drop`; this
        // fails to compile if the feature is lost.
        fn check<T: zeroize::ZeroizeOnDrop>() {}
        check::<sha1::block_api::Sha1Core>();
    }

    #[test]
    fn debug_reveals_no_secret() {
        let signer = Signer::new(&creds());
        for dbg in [format!("{signer:?}"), format!("{signer:#?}")] {
            assert!(!dbg.contains(KEY), "{dbg}");
            assert!(!dbg.contains("UNMISTAKABLE"), "{dbg}");
            assert!(!dbg.contains("state"), "{dbg}");
            assert!(dbg.contains("open-id-123"), "{dbg}");
        }
        let sig = signer.sign(1, 2);
        let dbg = format!("{sig:?}");
        assert!(!dbg.contains(KEY), "{dbg}");
        assert!(dbg.contains(sig.token()), "{dbg}");
    }

    fn bare_signature(key: &str, canonical: &str) -> String {
        let mac =
            HmacSha1::new_from_slice(key.as_bytes()).unwrap().chain_update(canonical).finalize().into_bytes();
        STANDARD.encode(mac)
    }

    #[test]
    fn scratch_and_streaming_paths_agree_with_bare_hmac() {
        let names = FieldNames {
            open_id: "a".into(),
            grant_code: "z".into(),
            timestamp: "b".into(),
            nonce: "c".into(),
        };
        for open_id_len in [0, 1, 31, 32, 40, 50, 55, 56, 57, 60, 64, 65, 70, 100, 400] {
            let open_id = "o".repeat(open_id_len);
            for names in [FieldNames::LOWER_CAMEL, FieldNames::PASCAL_CASE, names.clone()] {
                let creds = Credentials::new(&*open_id, "grant~code", KEY);
                let signer = Signer::with_field_names(&creds, names);
                let fits = 2 * DIGITS_MAX + signer.template.middle().len() + signer.template.tail().len()
                    <= SCRATCH_LEN;
                assert_eq!(signer.template.scratch.is_some(), fits);
                for (ts, nonce) in [
                    (0, 0),
                    (9, 10),
                    (1_531_998_134, 664_656_493),
                    (12_345_678, 123_456_789),
                    (10u64.pow(16), 10u64.pow(17) - 1),
                    (u64::MAX, u64::MAX),
                ] {
                    let sig = signer.sign(ts, nonce);
                    assert_eq!(sig.signature(), bare_signature(KEY, &sig.canonical()), "{open_id_len}");
                    assert!(signer.verify(ts, nonce, sig.token()));
                }
            }
        }
        // Both paths were exercised.
        assert!(Signer::new(&Credentials::new("x".repeat(400), "", "")).template.scratch.is_none());
        assert!(Signer::new(&creds()).template.scratch.is_some());
    }

    #[test]
    fn template_default_order() {
        let t = Template::new("o id", "g~c", &FieldNames::LOWER_CAMEL);
        assert_eq!(t.head(), "grantCode=g%7Ec&nonce=");
        assert_eq!(t.middle(), "&openId=o+id&timestamp=");
        assert_eq!(t.tail(), "");
        assert_eq!(t.slots, [Slot::Nonce, Slot::Timestamp]);
        assert_eq!(t.fill(10, 20), [20, 10]);
    }

    #[test]
    fn template_custom_order() {
        let names = FieldNames {
            open_id: "a".into(),
            grant_code: "z".into(),
            timestamp: "b".into(),
            nonce: String::from("c d").into(),
        };
        let t = Template::new("O", "G", &names);
        assert_eq!(t.head(), "a=O&b=");
        assert_eq!(t.middle(), "&c+d=");
        assert_eq!(t.tail(), "&z=G");
        assert_eq!(t.slots, [Slot::Timestamp, Slot::Nonce]);

        let signer = Signer::with_field_names(&creds(), names);
        assert_eq!(signer.canonical(7, 8), "a=open-id-123&b=7&c+d=8&z=grant-456");
        // The streamed bytes include the constant tail after the last hole.
        let mac = HmacSha1::new_from_slice(KEY.as_bytes())
            .unwrap()
            .chain_update("a=open-id-123&b=7&c+d=8&z=grant-456")
            .finalize()
            .into_bytes();
        assert_eq!(signer.sign(7, 8).signature(), STANDARD.encode(mac));
    }

    #[test]
    fn pascal_case_order() {
        let signer = Signer::with_field_names(&creds(), FieldNames::PASCAL_CASE);
        assert_eq!(signer.canonical(1, 2), "GrantCode=grant-456&Nonce=2&OpenId=open-id-123&Timestamp=1");
        // The signature is over that string.
        let mac = HmacSha1::new_from_slice(KEY.as_bytes())
            .unwrap()
            .chain_update(signer.canonical(1, 2))
            .finalize()
            .into_bytes();
        assert_eq!(signer.sign(1, 2).signature(), STANDARD.encode(mac));
    }

    #[test]
    fn empty_credentials_and_extreme_numbers() {
        let signer = Signer::new(&Credentials::new("", "", ""));
        assert_eq!(
            signer.canonical(u64::MAX, 0),
            "grantCode=&nonce=0&openId=&timestamp=18446744073709551615"
        );
        let sig = signer.sign(u64::MAX, 0);
        assert_eq!(sig.signature().len(), SIGNATURE_LEN);
        assert!(signer.verify(u64::MAX, 0, sig.token()));
    }

    #[test]
    fn verify_rejects_wrong_key_and_forms() {
        let signer = Signer::new(&creds());
        let other = Signer::new(&Credentials::new("open-id-123", "grant-456", "other"));
        let sig = signer.sign(1_700_000_000, 42);
        assert!(signer.verify(1_700_000_000, 42, sig.token()));
        assert!(!other.verify(1_700_000_000, 42, sig.token()));
        assert!(signer.verify_signature(1_700_000_000, 42, sig.signature()));
        assert!(!signer.verify_signature(1_700_000_000, 42, sig.token()) || sig.token() == sig.signature());
        assert!(!signer.verify(1_700_000_000, 42, ""));
        // Lower-case hex is not the wire form PHP produces.
        let lower = sig.token().replace("%2B", "%2b").replace("%2F", "%2f").replace("%3D", "%3d");
        assert_ne!(lower, sig.token());
        assert!(!signer.verify(1_700_000_000, 42, &lower));
    }
}
