//! The one line a failure shows on stderr.

use std::error::Error;

use crate::render::sanitize;

/// The error's `Display` followed by each [`source()`](Error::source) level, joined with
/// `": "`; a level whose text the line already contains is skipped, so the line reads the
/// same whether an error repeats its cause in its own `Display` or leaves it to `source()`.
/// Line breaks become spaces: the result is one line.
pub fn error_line(error: &(dyn Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(level) = source {
        let text = level.to_string();
        if !text.is_empty() && !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = level.source();
    }
    sanitize(&line)
}

/// The gateway's `traceId` in a response body (`{"status":…,"code":…,"traceId":"…"}`), the
/// id the vendor's support asks for: a string or a number, on one line, at most 128
/// characters; `None` when the body has none.
///
/// Read from the raw body until `zv_api::Error` carries it itself.
pub fn trace_id(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(rename = "traceId", borrow)]
        trace_id: Option<&'a serde_json::value::RawValue>,
    }
    let envelope: Envelope<'_> = serde_json::from_slice(body).ok()?;
    let id = match crate::data::Data::from_raw(envelope.trace_id?).ok()? {
        crate::data::Data::String(s) => s,
        crate::data::Data::Number(n) => n,
        _ => return None,
    };
    let id = sanitize(id.trim());
    if id.is_empty() {
        return None;
    }
    Some(id.chars().take(128).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trace_id_is_read_from_any_envelope() {
        assert_eq!(trace_id(br#"{"code":1,"traceId":"ab-12"}"#).as_deref(), Some("ab-12"));
        assert_eq!(
            trace_id(br#"{"traceId":12345678901234567890123}"#).as_deref(),
            Some("12345678901234567890123")
        );
        assert_eq!(trace_id(br#"{"traceId":"x\u001b[2J"}"#).as_deref(), Some("x\u{fffd}[2J"));
        for none in [&br#"{"traceId":""}"#[..], br#"{"traceId":null}"#, b"<html>", br#"{"code":0}"#] {
            assert_eq!(trace_id(none), None);
        }
        assert_eq!(
            trace_id(format!(r#"{{"traceId":"{}"}}"#, "a".repeat(500)).as_bytes()).unwrap().len(),
            128
        );
    }

    #[derive(Debug, thiserror::Error)]
    #[error("connection refused")]
    struct Os;

    #[derive(Debug, thiserror::Error)]
    enum Transport {
        #[error("could not connect")]
        Leaves(#[source] Os),
        #[error("could not connect: {0}")]
        Repeats(#[source] Os),
    }

    #[derive(Debug, thiserror::Error)]
    enum Api {
        #[error("transport error calling /v3/x")]
        Leaves(#[source] Transport),
        #[error("transport error calling /v3/x: {0}")]
        Repeats(#[source] Transport),
    }

    #[test]
    fn each_level_once_whether_or_not_display_repeats_the_cause() {
        let expected = "transport error calling /v3/x: could not connect: connection refused";
        assert_eq!(error_line(&Api::Leaves(Transport::Leaves(Os))), expected);
        assert_eq!(error_line(&Api::Repeats(Transport::Repeats(Os))), expected);
        assert_eq!(error_line(&Api::Leaves(Transport::Repeats(Os))), expected);
        assert_eq!(error_line(&Api::Repeats(Transport::Leaves(Os))), expected);
    }

    #[test]
    fn an_error_without_source_is_its_display_on_one_line() {
        #[derive(Debug, thiserror::Error)]
        #[error("API business error 20001: 查询的\n信息不存在")]
        struct Business;
        assert_eq!(error_line(&Business), "API business error 20001: 查询的 信息不存在");
    }
}
