//! What an error or a log line must never show, even when a server echoes it back: the
//! attempt's token (in every form a server may reflect it), the `grantCode`, and the
//! `openKey` — recognised by a keyed fingerprint, never kept in plain form.

use std::borrow::Cow;
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;

use zv_types::text::{REDACTED, Redactor, longest_secret_at};

/// Recognises the `openKey` in a text without keeping it: its length and its SipHash under
/// random per-process keys (std's `RandomState`). A false positive only redacts harmless
/// text; the key cannot be read back from it.
struct KeyFingerprint {
    hasher: RandomState,
    len: usize,
    hash: u64,
}

impl KeyFingerprint {
    fn new(key: &str) -> Option<Self> {
        let hasher = RandomState::new();
        (!key.is_empty()).then(|| KeyFingerprint { hash: hasher.hash_one(key), len: key.len(), hasher })
    }

    fn matches_at(&self, text: &str, at: usize) -> bool {
        at.checked_add(self.len)
            .and_then(|end| text.get(at..end))
            .is_some_and(|window| self.hasher.hash_one(window) == self.hash)
    }
}

/// The secrets of a client (grantCode, key fingerprint) and, for one attempt, its token.
/// Cheap to clone and to make per attempt (the token is one small string); the forms a
/// server may echo are derived only when something is rendered.
#[derive(Clone, Default)]
pub(crate) struct Secrets {
    client: Option<Arc<ClientSecrets>>,
    token: Option<Arc<str>>,
}

struct ClientSecrets {
    grant_code: String,
    key: Option<KeyFingerprint>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Secrets {
    /// A client's secrets.
    pub(crate) fn new(grant_code: &str, open_key: &str) -> Self {
        let client = ClientSecrets { grant_code: grant_code.to_owned(), key: KeyFingerprint::new(open_key) };
        Secrets { client: Some(Arc::new(client)), token: None }
    }

    /// These secrets plus an attempt's token (URL-encoded, as sent).
    pub(crate) fn with_token(&self, token: &str) -> Self {
        Secrets { client: self.client.clone(), token: Some(token.into()) }
    }

    /// The texts to find: the grantCode and the token as sent (URL-encoded), with lowercase
    /// percent-escapes, URL-decoded (the base64 signature) and JSON-escaped the way PHP
    /// writes `/` (`\/`).
    pub(crate) fn finder(&self) -> Finder<'_> {
        let mut texts = Vec::with_capacity(5);
        if let Some(client) = &self.client {
            texts.push(client.grant_code.clone());
        }
        if let Some(token) = &self.token {
            texts.push(token.to_string());
            texts.push(lowercase_escapes(token));
            if let Ok(decoded) = zv_sign::php_urldecode(token) {
                texts.push(decoded.replace('/', "\\/"));
                texts.push(decoded);
            }
        }
        Finder { texts, key: self.client.as_ref().and_then(|c| c.key.as_ref()) }
    }

    /// `text` with every secret replaced by `[redacted]`.
    pub(crate) fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        self.finder().redact(text)
    }
}

/// The one rule for showing a grantCode, wherever zv shows text: every occurrence of
/// `grant_code` in `text` becomes [`REDACTED`](zv_types::text::REDACTED) (`[redacted]`).
/// Errors and log lines (through the client's own redaction, which finds the grantCode the
/// same way), `zv doctor`, `zv profile show` and `zv api --dry-run` all apply it; shown on
/// its own, a grantCode reads `[redacted]`. An empty grantCode redacts nothing.
///
/// ```
/// assert_eq!(zv_api::redact_grant_code("code LKOmxgJTeK refused", "LKOmxgJTeK"), "code [redacted] refused");
/// assert_eq!(zv_api::redact_grant_code("LKOmxgJTeK", "LKOmxgJTeK"), "[redacted]");
/// ```
pub fn redact_grant_code<'t>(text: &'t str, grant_code: &str) -> Cow<'t, str> {
    Finder { texts: vec![grant_code.to_owned()], key: None }.redact(text)
}

/// The secrets ready to be found in a text.
pub(crate) struct Finder<'a> {
    texts: Vec<String>,
    key: Option<&'a KeyFingerprint>,
}

impl Finder<'_> {
    /// `text` with every secret replaced by `[redacted]`.
    fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = String::new();
        let (mut copied, mut at) = (0, 0);
        while at < text.len() {
            match self.secret_at(text, at) {
                Some(len) => {
                    out.push_str(&text[copied..at]);
                    out.push_str(REDACTED);
                    at += len;
                    copied = at;
                }
                None => at += text[at..].chars().next().map_or(1, char::len_utf8),
            }
        }
        if copied == 0 {
            return Cow::Borrowed(text);
        }
        out.push_str(&text[copied..]);
        Cow::Owned(out)
    }
}

impl Redactor for Finder<'_> {
    fn secret_at(&self, text: &str, at: usize) -> Option<usize> {
        let key = self.key.filter(|k| k.matches_at(text, at)).map(|k| k.len);
        longest_secret_at(&self.texts, text, at).max(key)
    }
}

/// `%2F` → `%2f`: the same token as a server that re-encodes in lowercase writes it.
fn lowercase_escapes(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    let mut rest = token;
    while let Some(i) = rest.find('%') {
        let (before, after) = rest.split_at(i);
        out.push_str(before);
        let escape = after.get(..3).unwrap_or(after);
        out.push_str(&escape.to_ascii_lowercase());
        rest = &after[escape.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_every_form_and_only_secrets() {
        let s = Secrets::new("GRANT", "the-open-key").with_token("ab%2Fc%3D");
        assert_eq!(
            s.redact("x GRANT ab%2Fc%3D ab%2fc%3d ab/c= ab\\/c= the-open-key the-open-ke é"),
            "x [redacted] [redacted] [redacted] [redacted] [redacted] [redacted] the-open-ke é"
        );
        assert!(matches!(s.redact("nothing here"), Cow::Borrowed(_)));
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(Secrets::new("", "").redact("a"), "a");
        assert_eq!(Secrets::default().redact("GRANT"), "GRANT");
    }
}
