//! The pure request signer of the zvcms / Qmai (企迈) OpenAPI: it builds the canonical string
//! (PHP `http_build_query` over `grantCode`, `nonce`, `openId`, `timestamp`, PHP `urlencode`
//! rules), computes HMAC-SHA1 keyed with `openKey`, and produces the base64 `signature` and the
//! URL-encoded `token` sent with every request; [`Credentials`] keep `openKey` out of `Debug`
//! and zeroize it on drop. It deliberately does nothing else: no I/O, no clock or random
//! numbers inside [`Signer::sign`] (the caller passes the timestamp and nonce, typically from a
//! [`Clock`] and a [`NonceSource`]), no JSON and no HTTP — those belong to the crates that
//! build and send requests.
//!
//! ```
//! use zv_sign::{Clock, Credentials, FixedClock, NonceSource, SequenceNonce, Signer};
//!
//! let creds = Credentials::new(
//!     "a4c123b1612dd272d1371c17149d4395",
//!     "LKOmxgJTeK",
//!     "FRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40",
//! );
//! let signer = Signer::new(&creds); // keys HMAC once
//! let (clock, nonces) = (FixedClock(1531998134), SequenceNonce::new(664656493));
//! let sig = signer.sign(clock.now_unix_seconds(), nonces.next_nonce());
//! assert_eq!(sig.token(), "gabI4ZLsN%2Ff09arKmlSCe8Y%2FLz4%3D");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod clock;
mod credentials;
mod encode;
mod fastfmt;
mod nonce;
mod signer;

pub use clock::{Clock, FixedClock, SystemClock};
pub use credentials::Credentials;
pub use encode::{DecodeError, php_urldecode, php_urlencode, php_urlencode_into};
pub use nonce::{NonceSource, RandomNonce, SequenceNonce};
pub use signer::{FieldNames, Signature, Signer};
