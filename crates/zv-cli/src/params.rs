//! The params of `zv api`: `--params` JSON, then `FIELD=VALUE` and `FIELD:=JSON` over it,
//! as httpie reads them, built as JSON text so that every number reaches the wire as typed.
//!
//! ```
//! use zv_cli::params::{Field, build};
//! let fields: Vec<Field> = ["customerId=00123", "points:=10", "id:=123456789012345678901"]
//!     .iter()
//!     .map(|a| a.parse().unwrap())
//!     .collect();
//! let params = build(Some(r#"{"points":1,"shop":"S1"}"#), &fields).unwrap();
//! assert_eq!(params.get(), r#"{"points":10,"shop":"S1","customerId":"00123","id":123456789012345678901}"#);
//! ```

use std::str::FromStr;

use serde_json::value::RawValue;

use crate::data::Members;

/// Why the params could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParamsError {
    /// An argument is neither `FIELD=VALUE` nor `FIELD:=JSON`.
    #[error("{arg:?} is not FIELD=VALUE (a string) or FIELD:=JSON (raw JSON)")]
    NotAField {
        /// The argument.
        arg: String,
    },
    /// The value of `FIELD:=JSON` is not JSON.
    #[error("the value of {field}:= is not JSON ({reason}); for a string, write {field}=VALUE")]
    NotJson {
        /// The field.
        field: String,
        /// serde_json's reason.
        reason: String,
    },
    /// `--params` is not JSON.
    #[error("--params is not valid JSON: {0}")]
    ParamsNotJson(String),
    /// `--params` is JSON but not an object.
    #[error("--params must be a JSON object ({{\"field\": value, …}})")]
    ParamsNotObject,
}

/// One `FIELD=VALUE` or `FIELD:=JSON` argument.
#[derive(Debug, Clone)]
pub struct Field {
    name: String,
    value: Box<RawValue>,
}

impl Field {
    /// A string field, as `name=value` gives it.
    pub fn string(name: &str, value: &str) -> Field {
        // A string's JSON text cannot fail to serialize.
        let value = serde_json::value::to_raw_value(value).unwrap_or_else(|_| RawValue::NULL.to_owned());
        Field { name: name.to_owned(), value }
    }

    /// A field whose value is this JSON text, kept as it is (a JSONL row's member).
    pub fn raw(name: &str, value: Box<RawValue>) -> Field {
        Field { name: name.to_owned(), value }
    }

    /// The field's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its value, as the JSON text that will be sent.
    pub fn value(&self) -> &RawValue {
        &self.value
    }
}

impl FromStr for Field {
    type Err = ParamsError;

    /// `FIELD=VALUE` is always a string (`customerId=00123` stays `"00123"`); `FIELD:=JSON`
    /// is raw JSON, kept as typed (`points:=10`, `tags:='["a"]'`). The first `=` splits.
    fn from_str(arg: &str) -> Result<Field, ParamsError> {
        let not_a_field = || ParamsError::NotAField { arg: arg.to_owned() };
        let (name, value) = arg.split_once('=').ok_or_else(not_a_field)?;
        let (name, raw) = match name.strip_suffix(':') {
            Some(name) => (name, true),
            None => (name, false),
        };
        if name.trim().is_empty() {
            return Err(not_a_field());
        }
        let value = if raw {
            RawValue::from_string(value.trim().to_owned())
                .map_err(|e| ParamsError::NotJson { field: name.to_owned(), reason: e.to_string() })?
        } else {
            return Ok(Field::string(name, value));
        };
        Ok(Field { name: name.to_owned(), value })
    }
}

/// The params: the `--params` object (if any, else `{}`) with each field set over it in
/// order — a field already there keeps its place and takes the new value, a new one is
/// appended. Every value is kept as its JSON text.
pub fn build(base: Option<&str>, fields: &[Field]) -> Result<Box<RawValue>, ParamsError> {
    build_with_defaults(&[], base, fields)
}

/// [`build`] over `defaults`: a default is sent only when neither `--params` nor a field
/// gives its name.
pub fn build_with_defaults(
    defaults: &[Field],
    base: Option<&str>,
    fields: &[Field],
) -> Result<Box<RawValue>, ParamsError> {
    let mut members = match base {
        None => Vec::new(),
        Some(text) => {
            let raw: Box<RawValue> =
                serde_json::from_str(text).map_err(|e| ParamsError::ParamsNotJson(e.to_string()))?;
            if !raw.get().trim_start().starts_with('{') {
                return Err(ParamsError::ParamsNotObject);
            }
            let Members(members) =
                serde_json::from_str(raw.get()).map_err(|e| ParamsError::ParamsNotJson(e.to_string()))?;
            let mut unique: Vec<(String, Box<RawValue>)> = Vec::with_capacity(members.len());
            // A repeated key: the last one wins, as in serde_json and most JSON readers.
            for (key, value) in members {
                set(&mut unique, key, value);
            }
            unique
        }
    };
    for field in fields {
        set(&mut members, field.name.clone(), field.value.clone());
    }
    for default in defaults {
        if !members.iter().any(|(k, _)| *k == default.name) {
            members.push((default.name.clone(), default.value.clone()));
        }
    }
    // Raw values serialize as their text; keys as JSON strings: this cannot fail.
    serde_json::value::to_raw_value(&Members(members)).map_err(|e| ParamsError::ParamsNotJson(e.to_string()))
}

fn set(members: &mut Vec<(String, Box<RawValue>)>, key: String, value: Box<RawValue>) {
    match members.iter_mut().find(|(k, _)| *k == key) {
        Some(member) => member.1 = value,
        None => members.push((key, value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(arg: &str) -> Field {
        arg.parse().unwrap()
    }

    #[test]
    fn strings_stay_strings_and_raw_json_stays_as_typed() {
        assert_eq!(field("customerId=00123").value().get(), r#""00123""#);
        assert_eq!(field("note=a=b").value().get(), r#""a=b""#);
        assert_eq!(field("empty=").value().get(), r#""""#);
        assert_eq!(field("points:=10").value().get(), "10");
        assert_eq!(field("id:=123456789012345678901").value().get(), "123456789012345678901");
        assert_eq!(field("tags:=[\"a\", 1]").value().get(), "[\"a\", 1]");
        assert_eq!(field("url=http://x/?a:=b").name(), "url");
        assert!(matches!("points:=ten".parse::<Field>(), Err(ParamsError::NotJson { .. })));
        assert!(matches!("noequals".parse::<Field>(), Err(ParamsError::NotAField { .. })));
        assert!(matches!("=v".parse::<Field>(), Err(ParamsError::NotAField { .. })));
        assert!(matches!(":=1".parse::<Field>(), Err(ParamsError::NotAField { .. })));
    }

    #[test]
    fn fields_override_params_in_place_and_the_last_repeat_wins() {
        let fields = [field("b=2"), field("c:=3"), field("b:=4")];
        let params = build(Some(r#"{"a":1,"b":"x","a":5}"#), &fields).unwrap();
        assert_eq!(params.get(), r#"{"a":5,"b":4,"c":3}"#);
        assert_eq!(build(None, &[]).unwrap().get(), "{}");
        let defaults = [Field::string("shopCode", "S1"), Field::string("x", "d")];
        let params = build_with_defaults(&defaults, Some(r#"{"x":1}"#), &[field("y=2")]).unwrap();
        assert_eq!(params.get(), r#"{"x":1,"y":"2","shopCode":"S1"}"#);
        assert!(matches!(build(Some("[1]"), &[]), Err(ParamsError::ParamsNotObject)));
        assert!(matches!(build(Some("{"), &[]), Err(ParamsError::ParamsNotJson(_))));
    }
}
