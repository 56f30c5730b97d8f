//! The result lines of a batch: the outcome records of its [journal](crate::journal) when
//! it has `--out RESULTS`, else the lines on stdout.
//!
//! A line is made whole in memory and written with one `write_all` by the one thread that
//! writes (see [`runner`](super::runner)), so lines never interleave. `data` is put on one
//! line without being parsed into values, so an answer of any depth is recorded as it came.
//!
//! Example: the unit test `the_module_example_puts_data_on_one_line`.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::value::RawValue;
use zv_api::{Error, ErrorKind, Outcome};

use crate::failure;
use crate::output::data::escape_unsafe;

/// The line of a row whose call succeeded: `{"row":N,"ok":true,"data":DATA}`, `data` the
/// gateway's JSON text on one line, every number as it came (characters a terminal would
/// obey written as JSON escapes, [`escape_unsafe`]).
pub fn ok_line(row: usize, data: &RawValue) -> Result<String, serde_json::Error> {
    let data = one_line(data.get());
    // The same JSON, with what a terminal would obey (C1 controls, bidi overrides) escaped.
    let data = RawValue::from_string(escape_unsafe(&data).into_owned())?;
    serde_json::to_string(&Line { row, ok: true, data: Some(&data), error: None, outcome: None })
}

/// The line of a row whose call failed: `{"row":N,"ok":false,"error":{"kind","code",
/// "message","traceId"},"outcome":"not_sent"|"rejected"|"unknown"}`.
///
/// `kind` is the error's family ([`failure::kind_name`]); `code` the platform's code for an
/// API error, the HTTP status for an HTTP error, else `null`; `message` the platform's
/// message for an API error, else the error on one line; `traceId` the gateway's, or
/// `null`. No key or token is ever part of it.
pub fn error_line(row: usize, error: &Error) -> String {
    let code = match (error.api_code(), error.kind()) {
        (Some(zv_types::ResponseCode::Num(n)), _) => Code::Num(*n),
        (Some(zv_types::ResponseCode::Text(t)), _) => Code::Text(crate::output::render::replace_unsafe(t)),
        (None, ErrorKind::Http) => error.http_status().map_or(Code::None, |s| Code::Num(s.as_u16().into())),
        (None, _) => Code::None,
    };
    let message = match error.api_error() {
        Some(api) => crate::output::render::replace_unsafe(&api.message),
        None => crate::report::error_line(error),
    };
    let details = ErrorDetails {
        kind: failure::kind_name(error.kind()),
        code,
        message,
        trace_id: crate::report::trace_id(error),
    };
    let line = Line { row, ok: false, data: None, error: Some(details), outcome: Some(error.outcome()) };
    // Numbers, strings and `null` only: serializing cannot fail.
    serde_json::to_string(&line).unwrap_or_default()
}

/// The line of a row whose call succeeded with a `data` that could not be put on one line
/// (never for JSON the client accepted): a decode failure whose outcome is unknown.
pub fn unreadable_data_line(row: usize, reason: &serde_json::Error) -> String {
    let details = ErrorDetails {
        kind: failure::kind_name(ErrorKind::Decode),
        code: Code::None,
        message: crate::output::render::replace_unsafe(&format!("cannot read the response data: {reason}")),
        trace_id: None,
    };
    let line = Line { row, ok: false, data: None, error: Some(details), outcome: Some(Outcome::Unknown) };
    serde_json::to_string(&line).unwrap_or_default()
}

#[derive(Serialize)]
struct Line<'a> {
    row: usize,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorDetails>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "outcome_name")]
    outcome: Option<Outcome>,
}

#[derive(Serialize)]
struct ErrorDetails {
    kind: &'static str,
    code: Code,
    message: String,
    #[serde(rename = "traceId")]
    trace_id: Option<String>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Code {
    Num(i64),
    Text(String),
    None,
}

fn outcome_name<S: serde::Serializer>(outcome: &Option<Outcome>, s: S) -> Result<S::Ok, S::Error> {
    match outcome {
        Some(o) => s.serialize_str(o.as_str()),
        None => s.serialize_none(),
    }
}

/// JSON text on one line, without parsing it into values (any depth): `text` itself when
/// it has no line break, else with the whitespace outside strings taken out (a JSON string
/// holds no raw line break, so every one is whitespace between tokens).
fn one_line(text: &str) -> Cow<'_, str> {
    if !text.contains(['\n', '\r']) {
        return Cow::Borrowed(text.trim());
    }
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c.is_ascii_whitespace() {
            continue;
        }
        out.push(c);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_of_any_depth_goes_on_one_line_as_it_came() {
        let deep = format!("{}1{}", "[\n".repeat(500), "\n]".repeat(500));
        let data = RawValue::from_string(deep).unwrap();
        let line = ok_line(7, &data).unwrap();
        assert_eq!(
            line,
            format!("{{\"row\":7,\"ok\":true,\"data\":{}1{}}}", "[".repeat(500), "]".repeat(500))
        );
        let data = RawValue::from_string("{\n \"a b\": \"x \\\" y\",\r\n \"n\": 1.10 }".into()).unwrap();
        assert_eq!(ok_line(1, &data).unwrap(), r#"{"row":1,"ok":true,"data":{"a b":"x \" y","n":1.10}}"#);
        let data = RawValue::from_string("[\"\u{9b}2J\"]".into()).unwrap();
        assert_eq!(ok_line(1, &data).unwrap(), r#"{"row":1,"ok":true,"data":["\u009b2J"]}"#);
    }
}

#[cfg(test)]
mod example {
    #[test]
    fn the_module_example_puts_data_on_one_line() {
        use serde_json::value::RawValue;
        let data = RawValue::from_string("{\n \"id\": 164822200532619796511\n}".into()).unwrap();
        assert_eq!(
            crate::commands::api::batch::results::ok_line(3, &data).unwrap(),
            r#"{"row":3,"ok":true,"data":{"id":164822200532619796511}}"#
        );
    }
}
