//! The credential set issued by the platform.

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// A string whose heap buffer (its whole capacity) is overwritten with zeros when dropped.
///
/// Deliberately without `Debug`, `Display`, `Deref` or `PartialEq`: the only way to read it is
/// [`SecretString::expose`].
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
struct SecretString(String);

impl SecretString {
    fn expose(&self) -> &str {
        &self.0
    }
}

/// The three values the platform issues to an integrator: `openId` (密钥Id), `grantCode`
/// (授权code) and the secret `openKey`.
///
/// `openId` and `grantCode` are sent in every request and are not secret. `openKey` is only
/// ever used as the HMAC key: it is never sent, never printed by `Debug` (shown as
/// `"[redacted]"`), there is no `Display`, and its memory is zeroized when the `Credentials`
/// (or any clone of it) is dropped.
///
/// ```
/// use zv_sign::Credentials;
/// let creds = Credentials::new("a4c123b1612dd272d1371c17149d4395", "LKOmxgJTeK", "s3cr3t-open-key");
/// assert_eq!(creds.open_id(), "a4c123b1612dd272d1371c17149d4395");
/// assert!(!format!("{creds:?}").contains("s3cr3t"));
/// ```
#[derive(Clone)]
pub struct Credentials {
    open_id: String,
    grant_code: String,
    open_key: SecretString,
}

impl Credentials {
    /// Bundles `openId`, `grantCode` and the secret `openKey`.
    ///
    /// No validation is done: any string (even empty or non-ASCII) is signed exactly as given.
    pub fn new(
        open_id: impl Into<String>,
        grant_code: impl Into<String>,
        open_key: impl Into<String>,
    ) -> Self {
        Self {
            open_id: open_id.into(),
            grant_code: grant_code.into(),
            open_key: SecretString(open_key.into()),
        }
    }

    /// The `openId` (密钥Id), sent in every request.
    #[must_use]
    pub fn open_id(&self) -> &str {
        &self.open_id
    }

    /// The `grantCode` (授权code), sent in every request.
    #[must_use]
    pub fn grant_code(&self) -> &str {
        &self.grant_code
    }

    /// **Dangerous:** returns the secret `openKey` in clear text.
    ///
    /// Signing does not need this (use [`Signer`](crate::Signer)). It exists for the rare
    /// caller that must hand the key to a human or another system, such as a mock server
    /// printing the key it generated for itself. Never log it, never put it in an error, never
    /// send it over the network.
    #[must_use]
    pub fn expose_open_key(&self) -> &str {
        self.open_key.expose()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("open_id", &self.open_id)
            .field("grant_code", &self.grant_code)
            .field("open_key", &"[redacted]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "Zz-VERY-DISTINCTIVE-open-key-9f8e7d";

    #[test]
    fn debug_redacts_key() {
        let c = Credentials::new("the-open-id", "the-grant", KEY);
        let dbg = format!("{c:?}");
        assert!(!dbg.contains(KEY), "{dbg}");
        assert!(!dbg.contains("DISTINCTIVE"), "{dbg}");
        assert!(dbg.contains("the-open-id"), "{dbg}");
        assert!(dbg.contains("the-grant"), "{dbg}");
        assert!(dbg.contains("[redacted]"), "{dbg}");
        let pretty = format!("{c:#?}");
        assert!(!pretty.contains(KEY), "{pretty}");
    }

    #[test]
    fn getters_and_clone() {
        let c = Credentials::new(String::from("oid"), "gc", String::from(KEY));
        let d = c.clone();
        drop(c);
        assert_eq!(d.open_id(), "oid");
        assert_eq!(d.grant_code(), "gc");
        assert_eq!(d.expose_open_key(), KEY);
    }

    #[test]
    fn secret_string_zeroizes() {
        let mut s = SecretString(String::from(KEY));
        s.zeroize();
        assert!(s.expose().is_empty());
    }

    #[test]
    fn credentials_zeroize_on_drop() {
        fn assert_zod<T: ZeroizeOnDrop>() {}
        assert_zod::<SecretString>();
    }
}
