//! PHP-compatible `urlencode` / `urldecode`.

use core::fmt;

/// Upper-case hexadecimal digits, as PHP's `urlencode` emits them.
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// `true` for the bytes PHP's `urlencode` leaves untouched: `A-Z a-z 0-9 - _ .`
#[inline]
const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

// Why this encoder is hand-written instead of using `form_urlencoded` (the `url` crate) or a
// `percent-encoding` set:
//
// * `form_urlencoded` implements the WHATWG `application/x-www-form-urlencoded` serializer,
//   which leaves `*` unencoded. PHP's `urlencode` turns `*` into `%2A`.
// * RFC 3986 encoders leave `~` unencoded. PHP's `urlencode` (RFC 1738 style) turns `~` into
//   `%7E`.
// * The gateway recomputes the token with PHP (`http_build_query` + `urlencode`), so any byte
//   our encoder treats differently produces a different canonical string and a rejected
//   request. The exact PHP rule is tiny: `A-Z a-z 0-9 - _ .` unchanged, space -> `+`, every
//   other byte -> `%XX` with upper-case hex. Writing it out keeps that rule in one visible
//   place and costs no dependency.

/// Appends the PHP `urlencode` form of `input` (raw bytes, usually UTF-8) to `out`.
///
/// `A-Z a-z 0-9 - _ .` are copied as they are, a space becomes `+`, every other byte becomes
/// `%XX` with upper-case hex digits (so `~` becomes `%7E` and `*` becomes `%2A`, unlike
/// RFC 3986 or WHATWG form encoders). The output is always ASCII.
///
/// ```
/// let mut out = String::from("k=");
/// zv_sign::php_urlencode_into("a b*~é".as_bytes(), &mut out);
/// assert_eq!(out, "k=a+b%2A%7E%C3%A9");
/// ```
pub fn php_urlencode_into(input: &[u8], out: &mut String) {
    out.reserve(input.len());
    for &b in input {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(b & 0x0F)]));
        }
    }
}

/// Returns the PHP `urlencode` form of `input` (its UTF-8 bytes).
///
/// See [`php_urlencode_into`] for the exact rule.
///
/// ```
/// assert_eq!(zv_sign::php_urlencode("gabI4ZLsN/f09arKmlSCe8Y/Lz4="), "gabI4ZLsN%2Ff09arKmlSCe8Y%2FLz4%3D");
/// ```
#[must_use]
pub fn php_urlencode(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    php_urlencode_into(input.as_bytes(), &mut out);
    out
}

/// Why [`php_urldecode`] rejected its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// A `%` at byte offset `position` is not followed by two hexadecimal digits.
    ///
    /// (PHP's own `urldecode` would silently keep such a `%`; a signature check must not.)
    InvalidEscape {
        /// Byte offset of the offending `%` in the input.
        position: usize,
    },
    /// The decoded bytes are not valid UTF-8.
    InvalidUtf8 {
        /// Length of the longest valid UTF-8 prefix of the decoded bytes.
        valid_up_to: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidEscape { position } => {
                write!(f, "invalid percent escape at byte {position}: `%` must be followed by two hex digits")
            }
            Self::InvalidUtf8 { valid_up_to } => {
                write!(f, "url-decoded bytes are not valid UTF-8 (valid up to byte {valid_up_to})")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

#[inline]
const fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// Decodes PHP `urlencode` / form encoding: `+` becomes a space, `%XX` (either hex case)
/// becomes the byte `XX`, everything else is copied.
///
/// Unlike PHP's lenient `urldecode`, a malformed escape is an error, and so is a result that is
/// not UTF-8.
///
/// # Errors
///
/// [`DecodeError::InvalidEscape`] for a `%` not followed by two hex digits (`"%"`, `"%G1"`),
/// [`DecodeError::InvalidUtf8`] when the decoded bytes are not UTF-8 (`"%FF"`).
///
/// ```
/// assert_eq!(zv_sign::php_urldecode("a+b%2A%7e").unwrap(), "a b*~");
/// assert!(zv_sign::php_urldecode("%G1").is_err());
/// ```
pub fn php_urldecode(input: &str) -> Result<String, DecodeError> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex_value);
                let lo = bytes.get(i + 2).copied().and_then(hex_value);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push((hi << 4) | lo),
                    _ => return Err(DecodeError::InvalidEscape { position: i }),
                }
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|e| DecodeError::InvalidUtf8 { valid_up_to: e.utf8_error().valid_up_to() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_php() {
        assert_eq!(php_urlencode(""), "");
        assert_eq!(php_urlencode("AZaz09-_."), "AZaz09-_.");
        assert_eq!(php_urlencode(" "), "+");
        assert_eq!(php_urlencode("~*+/=&%"), "%7E%2A%2B%2F%3D%26%25");
        assert_eq!(php_urlencode("礼"), "%E7%A4%BC");
        assert_eq!(php_urlencode("\0\x7f"), "%00%7F");
    }

    #[test]
    fn encode_into_appends() {
        let mut s = String::from("x=");
        php_urlencode_into(&[0xFF, b'a', b' '], &mut s);
        assert_eq!(s, "x=%FFa+");
    }

    #[test]
    fn decodes() {
        assert_eq!(php_urldecode("").unwrap(), "");
        assert_eq!(php_urldecode("a+b").unwrap(), "a b");
        assert_eq!(php_urldecode("%2b%2B").unwrap(), "++");
        assert_eq!(php_urldecode("%E7%A4%BC").unwrap(), "礼");
        assert_eq!(php_urldecode("é~").unwrap(), "é~");
    }

    #[test]
    fn decode_errors_are_typed() {
        assert_eq!(php_urldecode("%"), Err(DecodeError::InvalidEscape { position: 0 }));
        assert_eq!(php_urldecode("ab%4"), Err(DecodeError::InvalidEscape { position: 2 }));
        assert_eq!(php_urldecode("%G1"), Err(DecodeError::InvalidEscape { position: 0 }));
        assert_eq!(php_urldecode("x%1G"), Err(DecodeError::InvalidEscape { position: 1 }));
        assert_eq!(php_urldecode("%FF"), Err(DecodeError::InvalidUtf8 { valid_up_to: 0 }));
        assert_eq!(php_urldecode("ok%E7%A4"), Err(DecodeError::InvalidUtf8 { valid_up_to: 2 }));
        let msg = php_urldecode("%G1").unwrap_err().to_string();
        assert!(msg.contains("byte 0"), "{msg}");
    }
}
