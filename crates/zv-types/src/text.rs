//! Rendering text that came from the network (or from a user) safely: the one sanitizer.
//!
//! A gateway's `message`, a JSON key in a decode path or an excerpt of a body may carry
//! terminal escape sequences (`ESC]0;…BEL`, `ESC[2J`), line separators that split a log line
//! in two, or a megabyte of text. Every such field goes through [`Sanitized`] before any
//! `Display`, log line or terminal:
//!
//! - C0 controls, DEL and C1 controls (ESC, BEL, VT, FF, NEL, …), the line and paragraph
//!   separators U+2028/U+2029 and the bidirectional overrides (U+202A–U+202E, U+2066–U+2069,
//!   U+200E/U+200F) are shown as visible escapes (`\u{1b}`, `\n`, `\t`);
//! - the field is capped ([`MAX_CHARS`] characters by default), the rest summarized as
//!   `…(N bytes)`;
//! - optionally, secrets are replaced by `[redacted]` (a [`Redactor`]) and runs of blanks are
//!   folded into one space (for one-line excerpts).
//!
//! Only rendering changes: the original text stays available to the program.
//!
//! ```
//! use zv_types::text::{Sanitized, escape_unsafe};
//! assert_eq!(escape_unsafe("ok\u{1b}]0;pwned\u{7}\u{1b}[2J"), r"ok\u{1b}]0;pwned\u{7}\u{1b}[2J");
//! assert_eq!(escape_unsafe("a\u{2028}b\nc"), r"a\u{2028}b\nc");
//! let long = "x".repeat(600);
//! assert_eq!(Sanitized::new(&long).max_chars(3).to_string(), "xxx…(600 bytes)");
//! ```

use std::fmt::{self, Write};

/// The default cap of a sanitized field, in characters.
pub const MAX_CHARS: usize = 512;

/// What replaces a secret found by a [`Redactor`].
pub const REDACTED: &str = "[redacted]";

/// Finds secrets in a text, for [`Sanitized::redact`].
pub trait Redactor {
    /// The length in bytes of a secret that starts at byte `at` of `text` (always a char
    /// boundary), or `None` if no secret starts there.
    fn secret_at(&self, text: &str, at: usize) -> Option<usize>;
}

/// The longest of `secrets` (empty ones ignored) that starts at byte `at` of `text`.
pub fn longest_secret_at<S: AsRef<str>>(secrets: &[S], text: &str, at: usize) -> Option<usize> {
    let rest = text.as_bytes().get(at..)?;
    secrets
        .iter()
        .map(AsRef::as_ref)
        .filter(|s| !s.is_empty() && rest.starts_with(s.as_bytes()))
        .map(str::len)
        .max()
}

/// A list of secret strings is a redactor (empty ones are ignored).
impl<S: AsRef<str>> Redactor for Vec<S> {
    fn secret_at(&self, text: &str, at: usize) -> Option<usize> {
        longest_secret_at(self, text, at)
    }
}

/// An array of secret strings is a redactor (empty ones are ignored).
impl<S: AsRef<str>, const N: usize> Redactor for [S; N] {
    fn secret_at(&self, text: &str, at: usize) -> Option<usize> {
        longest_secret_at(self, text, at)
    }
}

/// Whether `c` is shown as an escape rather than as itself.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A `Display` wrapper that renders a text safely (see the [module](self) documentation).
#[derive(Clone, Copy)]
pub struct Sanitized<'a> {
    text: &'a str,
    max_chars: usize,
    fold_blanks: bool,
    redactor: Option<&'a dyn Redactor>,
}

impl fmt::Debug for Sanitized<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

impl<'a> Sanitized<'a> {
    /// `text`, capped at [`MAX_CHARS`] characters, controls escaped.
    pub fn new(text: &'a str) -> Self {
        Sanitized { text, max_chars: MAX_CHARS, fold_blanks: false, redactor: None }
    }

    /// Caps the rendering at `max_chars` characters (escapes count as one).
    #[must_use]
    pub fn max_chars(mut self, max_chars: usize) -> Self {
        self.max_chars = max_chars;
        self
    }

    /// Folds every run of whitespace (newlines and tabs included) into one space and trims
    /// both ends, for a one-line excerpt.
    #[must_use]
    pub fn fold_blanks(mut self) -> Self {
        self.fold_blanks = true;
        self
    }

    /// Replaces every secret `redactor` finds by [`REDACTED`].
    #[must_use]
    pub fn redact(mut self, redactor: &'a dyn Redactor) -> Self {
        self.redactor = Some(redactor);
        self
    }
}

impl fmt::Display for Sanitized<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = if self.fold_blanks { self.text.trim() } else { self.text };
        let mut shown = 0usize;
        let mut pending_blank = false;
        let mut chars = text.char_indices();
        while let Some((at, c)) = chars.next() {
            if shown >= self.max_chars {
                return write!(f, "…({} bytes)", self.text.len());
            }
            if let Some(len) = self.redactor.and_then(|r| r.secret_at(text, at)) {
                if std::mem::take(&mut pending_blank) {
                    f.write_char(' ')?;
                }
                f.write_str(REDACTED)?;
                shown += 1;
                // Skip the rest of the secret.
                let end = at + len;
                while chars.as_str().len() > text.len() - end {
                    chars.next();
                }
                continue;
            }
            if self.fold_blanks && c.is_whitespace() {
                pending_blank = true;
                continue;
            }
            if std::mem::take(&mut pending_blank) {
                f.write_char(' ')?;
                shown += 1;
            }
            match c {
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c if is_unsafe_char(c) => write!(f, "{}", c.escape_unicode())?,
                c => f.write_char(c)?,
            }
            shown += 1;
        }
        Ok(())
    }
}

/// `text` with every character a terminal would obey written as an escape (`\u{1b}`) and cut
/// to the default length ([`Sanitized`] with the defaults), as a `String`. It escapes where
/// the CLI's table cells replace (`�`): a log or an error keeps what was sent, readable.
pub fn escape_unsafe(text: &str) -> String {
    Sanitized::new(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_control_and_separator() {
        for c in [
            '\0', '\u{7}', '\u{b}', '\u{c}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}', '\u{2028}', '\u{2029}',
            '\u{202e}',
        ] {
            let shown = escape_unsafe(&format!("a{c}b"));
            assert!(!shown.contains(c), "{c:?} -> {shown}");
            assert!(shown.starts_with("a\\") && shown.ends_with('b'), "{shown}");
        }
        assert_eq!(escape_unsafe("查询的信息不存在 ok"), "查询的信息不存在 ok");
    }

    #[test]
    fn caps_and_counts_bytes() {
        let s = "é".repeat(1000);
        assert_eq!(escape_unsafe(&s), format!("{}…(2000 bytes)", "é".repeat(MAX_CHARS)));
        assert_eq!(Sanitized::new("abc").max_chars(3).to_string(), "abc");
        assert_eq!(Sanitized::new("").to_string(), "");
    }

    #[test]
    fn folds_blanks_and_redacts() {
        let secrets = ["hunter2", "hunt"];
        let s = Sanitized::new("  <p>\n\n  pw=hunter2&x=hunt </p>\n").fold_blanks().redact(&secrets);
        assert_eq!(s.to_string(), "<p> pw=[redacted]&x=[redacted] </p>");
        let empty: [&str; 1] = [""];
        assert_eq!(Sanitized::new("ab").redact(&empty).to_string(), "ab");
    }
}
