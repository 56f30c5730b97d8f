//! Any JSON the gateway returns, read without losing a digit or the order of a key.
//!
//! `serde_json::Value` sorts object keys (the workspace does not turn on `preserve_order`)
//! and reads a number beyond 64 bits as an `f64` (it does not turn on `arbitrary_precision`
//! either: both features would change `Value` for every crate in the build). An exchange
//! code of 21 digits or a 19-digit id must come out as it went in, so [`Data`] keeps object
//! members in order and every number as its JSON text. It is read through
//! serde_json's `RawValue`, level by level, so serde_json still does all
//! the parsing and validation.

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// Any JSON value, object members in the order they came in, numbers as their exact text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data {
    /// An object: its members in the order they came in.
    Object(Vec<(String, Data)>),
    /// An array.
    Array(Vec<Data>),
    /// A string.
    String(String),
    /// A number, as the JSON text it was written with (`164822200532619796511`, `1.50`).
    Number(String),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// An object's members as JSON texts, in order: what [`Data`] and the params builder read
/// an object as (owned, or borrowed from the text with `Members<&RawValue>`).
pub(crate) struct Members<V = Box<RawValue>>(pub(crate) Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Members<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MembersVisitor<V> {
            type Value = Members<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<V>, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(member) = map.next_entry::<String, V>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor(std::marker::PhantomData))
    }
}

impl Serialize for Members {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// The deepest nesting of arrays and objects [`Data`] reads: serde_json's own limit.
pub const MAX_DEPTH: usize = 128;

impl Data {
    /// Reads JSON text; numbers keep their text, objects their order.
    ///
    /// Arrays and objects nested deeper than [`MAX_DEPTH`] are refused (an error, as
    /// serde_json refuses them): a gateway's `[[[[…]]]]` must not overflow the stack, here
    /// or when the value is printed or dropped.
    pub fn from_json(text: &str) -> Result<Data, serde_json::Error> {
        let raw: &RawValue = serde_json::from_str(text)?;
        Data::from_raw(raw)
    }

    /// Reads one already-checked JSON value (nested at most [`MAX_DEPTH`] levels deep).
    pub fn from_raw(raw: &RawValue) -> Result<Data, serde_json::Error> {
        Data::from_raw_at(raw.get(), 0)
    }

    /// Reads the JSON value `text` found `depth` levels down. Each level reads its members
    /// as borrowed `RawValue`s (no copy of the text below), so the work is at most
    /// [`MAX_DEPTH`] passes over the text and the recursion at most [`MAX_DEPTH`] deep.
    fn from_raw_at(text: &str, depth: usize) -> Result<Data, serde_json::Error> {
        let text = text.trim_start();
        let nested = matches!(text.as_bytes().first(), Some(b'{' | b'['));
        if nested && depth >= MAX_DEPTH {
            return Err(<serde_json::Error as serde::de::Error>::custom(format_args!(
                "arrays and objects nested deeper than {MAX_DEPTH} levels"
            )));
        }
        Ok(match text.as_bytes().first() {
            Some(b'{') => {
                let Members::<&RawValue>(members) = serde_json::from_str(text)?;
                let members = members
                    .into_iter()
                    .map(|(key, value)| Data::from_raw_at(value.get(), depth + 1).map(|value| (key, value)))
                    .collect::<Result<_, _>>()?;
                Data::Object(members)
            }
            Some(b'[') => {
                let items: Vec<&RawValue> = serde_json::from_str(text)?;
                Data::Array(
                    items
                        .iter()
                        .map(|item| Data::from_raw_at(item.get(), depth + 1))
                        .collect::<Result<_, _>>()?,
                )
            }
            Some(b'"') => Data::String(serde_json::from_str(text)?),
            Some(b't' | b'f') => Data::Bool(serde_json::from_str(text)?),
            Some(b'n') => Data::Null,
            _ => Data::Number(text.trim_end().to_owned()),
        })
    }

    /// JSON text on one line: `text` itself when it has no line break (byte for byte as the
    /// gateway sent it), else compacted with numbers and key order kept.
    pub fn one_line(text: &str) -> Result<std::borrow::Cow<'_, str>, serde_json::Error> {
        if text.contains(['\n', '\r']) {
            Ok(std::borrow::Cow::Owned(Data::from_json(text)?.to_json()))
        } else {
            Ok(std::borrow::Cow::Borrowed(text.trim()))
        }
    }

    /// Compact JSON, numbers and key order as read.
    pub fn to_json(&self) -> String {
        // Serializing a tree of strings, exact number texts and booleans cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Indented JSON for a person at a terminal: numbers and key order as read, and any
    /// character serde_json leaves as it is but [`zv_types::text`] deems unsafe escaped
    /// ([`escape_unsafe`]), so nothing from the network reaches the terminal as an escape
    /// sequence.
    pub fn to_pretty(&self) -> String {
        escape_unsafe(&serde_json::to_string_pretty(self).unwrap_or_default()).into_owned()
    }

    /// The value as a table or CSV cell: strings as they are, `-` for null or an empty
    /// string, numbers as written, arrays and objects as compact JSON in their original order.
    pub fn cell_text(&self) -> String {
        match self {
            Data::Null => "-".to_owned(),
            Data::String(s) if s.trim().is_empty() => "-".to_owned(),
            Data::String(s) => s.clone(),
            Data::Number(n) => n.clone(),
            Data::Bool(b) => b.to_string(),
            nested => nested.to_json(),
        }
    }

    /// The member called `key`, when this is an object that has one.
    pub fn member(&self, key: &str) -> Option<&Data> {
        match self {
            Data::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Whether it is an array or an object.
    pub fn is_nested(&self) -> bool {
        matches!(self, Data::Object(_) | Data::Array(_))
    }

    /// The members of each element, when this is an array of objects only.
    pub fn records(&self) -> Option<Vec<&[(String, Data)]>> {
        match self {
            Data::Array(items) => items
                .iter()
                .map(|item| match item {
                    Data::Object(members) => Some(members.as_slice()),
                    _ => None,
                })
                .collect(),
            _ => None,
        }
    }
}

/// JSON text with every character [`zv_types::text`] deems unsafe on a terminal but
/// serde_json writes as it is (DEL, C1 controls among them NEL and CSI, the line and
/// paragraph separators, bidirectional overrides) written as its `\uXXXX` escape instead:
/// the same JSON value, which no terminal obeys. JSON's own whitespace (`\n`, `\r`, `\t`,
/// never raw inside a string) is left as it is.
///
/// Example: the unit test `escape_unsafe_writes_what_a_terminal_obeys_as_escapes`.
pub fn escape_unsafe(json: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| zv_types::text::is_unsafe_char(c) && !matches!(c, '\n' | '\r' | '\t');
    if !json.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if unsafe_char(c) {
            // `is_unsafe_char` only takes characters of the BMP: four hex digits each.
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

impl Serialize for Data {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Data::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (key, value) in members {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
            Data::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Data::String(s) => serializer.serialize_str(s),
            Data::Number(text) => {
                // The number's own text, as a raw JSON fragment: no round trip through f64.
                let raw: &RawValue = serde_json::from_str(text).map_err(serde::ser::Error::custom)?;
                raw.serialize(serializer)
            }
            Data::Bool(b) => serializer.serialize_bool(*b),
            Data::Null => serializer.serialize_unit(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_beyond_64_bits_and_key_order_survive() {
        let text = r#"{"z":164822200532619796511,"a":[1.50,-0,1e400,{"y":null,"b":true}],"s":"企迈"}"#;
        let data = Data::from_json(text).unwrap();
        assert_eq!(data.to_json(), text);
        let pretty = data.to_pretty();
        assert!(pretty.contains("\"z\": 164822200532619796511"), "{pretty}");
        assert_eq!(Data::from_json(&pretty).unwrap(), data);
        assert_eq!(Data::from_json(" 12 ").unwrap(), Data::Number("12".into()));
        assert!(Data::from_json("{").is_err() && Data::from_json("").is_err());
        assert_eq!(Data::one_line("{\"a\": 1,\n \"b\": 2.50}").unwrap(), r#"{"a":1,"b":2.50}"#);
        assert_eq!(Data::one_line(r#"{"a": 1}"#).unwrap(), r#"{"a": 1}"#);
    }

    #[test]
    fn nesting_is_bounded_and_read_without_recursing_past_the_bound() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(Data::from_json(&nested(MAX_DEPTH)).is_ok());
        let e = Data::from_json(&nested(MAX_DEPTH + 1)).unwrap_err();
        assert!(e.to_string().contains("nested deeper than 128"), "{e}");
        // far deeper than any stack: refused, not a crash
        let deep = format!("{}1{}", r#"{"a":"#.repeat(20_000), "}".repeat(20_000));
        assert!(Data::from_json(&deep).is_err());
        assert!(Data::from_json(&nested(20_000)).is_err());
    }

    #[test]
    fn pretty_output_escapes_what_a_terminal_would_obey() {
        let data = Data::String("a\u{1b}[31m\u{7f}\u{9b}b\u{202e}".into());
        assert_eq!(data.to_pretty(), r#""a\u001b[31m\u007f\u009bb\u202e""#);
    }
}

#[cfg(test)]
mod example {
    #[test]
    fn escape_unsafe_writes_what_a_terminal_obeys_as_escapes() {
        use crate::output::data::escape_unsafe;
        assert_eq!(escape_unsafe("{\"a\": \"x\u{9b}2J\u{202e}\"}\n"), "{\"a\": \"x\\u009b2J\\u202e\"}\n");
        assert!(matches!(escape_unsafe("[1, 2]"), std::borrow::Cow::Borrowed(_)));
    }
}
