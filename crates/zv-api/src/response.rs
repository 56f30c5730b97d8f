//! The response as it came back, kept in errors and successes for debugging, and the
//! excerpt of a body that error messages show.

use std::borrow::Cow;
use std::fmt;

use http::{HeaderMap, StatusCode};
use zv_types::text::Sanitized;

use crate::retry::{AttemptOutcome, parse_retry_after};
use crate::secrets::Secrets;

/// The longest body excerpt an error shows, in characters (the rest is summarized as
/// `…(N bytes)`).
pub const EXCERPT_CHARS: usize = 200;

/// A response as it came back, kept in errors and successes for debugging.
///
/// The body is kept exactly; what is *shown* of it ([`excerpt`](Self::excerpt), `Debug`,
/// the errors' `Display`) goes through the [sanitizer](zv_types::text) and has the
/// request's token, the grantCode and the openKey replaced by `[redacted]`, in case the
/// server echoed them.
#[derive(Clone)]
pub struct HttpResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    secrets: Secrets,
}

impl HttpResponse {
    pub(crate) fn new(response: http::Response<Vec<u8>>, secrets: Secrets) -> Self {
        let (parts, body) = response.into_parts();
        HttpResponse { status: parts.status, headers: parts.headers, body, secrets }
    }

    /// The secrets this response must not show.
    pub(crate) fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The whole body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The response's raw `data` JSON, exactly as sent (fields the SDK does not model yet
    /// are all there), if the body is an envelope with `data`.
    pub fn data_json(&self) -> Option<&serde_json::value::RawValue> {
        serde_json::from_slice::<zv_types::ResponseEnvelope<&serde_json::value::RawValue>>(&self.body)
            .ok()
            .and_then(|env| env.data)
    }

    /// The gateway's `traceId` (what the vendor's support asks for), if the body is a JSON
    /// object carrying one as a string or a number. Returned as sent: sanitize it before
    /// showing it on a terminal.
    pub fn trace_id(&self) -> Option<Cow<'_, str>> {
        #[derive(serde::Deserialize)]
        struct Envelope<'a> {
            #[serde(rename = "traceId", borrow)]
            trace_id: Option<&'a serde_json::value::RawValue>,
        }
        let raw = serde_json::from_slice::<Envelope<'_>>(&self.body).ok()?.trace_id?;
        match serde_json::from_str::<Cow<'_, str>>(raw.get()) {
            Ok(text) => Some(text).filter(|t| !t.is_empty()),
            // A number stays as its JSON text, digit for digit.
            Err(_) if raw.get().bytes().all(|b| b.is_ascii_digit() || b == b'-') => {
                Some(Cow::Borrowed(raw.get()))
            }
            Err(_) => None,
        }
    }

    /// A short one-line excerpt of the body for error messages: sanitized, secrets redacted.
    pub fn excerpt(&self) -> String {
        excerpt_with(&self.body, &self.secrets)
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .field("excerpt", &self.excerpt())
            .finish()
    }
}

/// A one-line excerpt of at most [`EXCERPT_CHARS`] characters, blanks folded, controls
/// shown as escapes (the one sanitizer, [`zv_types::text::Sanitized`]).
pub fn excerpt(body: &[u8]) -> String {
    excerpt_with(body, &Secrets::default())
}

fn excerpt_with(body: &[u8], secrets: &Secrets) -> String {
    if body.iter().all(u8::is_ascii_whitespace) {
        return "(empty body)".to_owned();
    }
    let text = String::from_utf8_lossy(body);
    Sanitized::new(&text).fold_blanks().max_chars(EXCERPT_CHARS).redact(&secrets.finder()).to_string()
}

impl HttpResponse {
    /// What this response says of the attempt that got it, judged by its status alone.
    pub(crate) fn attempt_outcome(&self, now_unix: u64) -> AttemptOutcome<'_> {
        let retry_after = self.retry_after(now_unix);
        match self.status() {
            StatusCode::TOO_MANY_REQUESTS => AttemptOutcome::Throttled { retry_after },
            status => AttemptOutcome::Http { status, retry_after },
        }
    }

    /// The response's `Retry-After`, if it sent one that can be read.
    pub(crate) fn retry_after(&self, now_unix: u64) -> Option<std::time::Duration> {
        self.headers()
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, now_unix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_single_line_and_utf8_safe() {
        assert_eq!(excerpt(b""), "(empty body)");
        assert_eq!(excerpt(b"  \n "), "(empty body)");
        assert_eq!(
            excerpt(b"<html>\n  <body>502 Bad Gateway</body>\n</html>"),
            "<html> <body>502 Bad Gateway</body> </html>"
        );
        let long = "查询的信息不存在".repeat(40);
        let e = excerpt(long.as_bytes());
        assert_eq!(e, format!("{}…(960 bytes)", &long[..EXCERPT_CHARS * 3]));
        assert_eq!(excerpt(&[0xff, 0xfe, b'a']), "\u{fffd}\u{fffd}a");
        assert_eq!(excerpt(b"a\x1b]0;x\x07\x1b[2J\r\nb"), "a\\u{1b}]0;x\\u{7}\\u{1b}[2J b");
    }
}
