//! The params of `zv api`: `--params` JSON, then `FIELD=VALUE` and `FIELD:=JSON` over it,
//! as httpie reads them, built as JSON text so that every number reaches the wire as typed;
//! a `FIELD=VALUE` takes the type the catalogue declares for the param ([`typed`]), and the
//! whole is checked against the catalogue before sending ([`schema`], [`check`]).
//!
//! Example: the unit test `the_module_example_builds_fields_over_params`.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;
use serde_json::value::RawValue;
use zv_types::catalogue::{Entry, ParamProblem};

use crate::output::data::Members;

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
    /// The text of a `FIELD=VALUE` (or a CSV cell): converted to the param's declared type
    /// by [`typed`]; `None` for raw JSON, kept as given.
    text: Option<String>,
}

impl Field {
    /// A string field, as `name=value` gives it.
    pub fn string(name: &str, value: &str) -> Field {
        // A string's JSON text cannot fail to serialize.
        let raw = serde_json::value::to_raw_value(value).unwrap_or_else(|_| RawValue::NULL.to_owned());
        Field { name: name.to_owned(), value: raw, text: Some(value.to_owned()) }
    }

    /// A field whose value is this JSON text, kept as it is (a JSONL row's member).
    pub fn raw(name: &str, value: Box<RawValue>) -> Field {
        Field { name: name.to_owned(), value, text: None }
    }

    /// The field with its text converted to the declared type of the param of the same
    /// name in `entry` ([`Entry::coerce_param`]): `points=10` is the number 10 for an
    /// `integer` param, `id=123456789012345678901` stays a string for a `string` one. Raw
    /// JSON, a text that is not of the declared type (the check then names it), and a name
    /// `entry` does not declare stay as they are.
    pub fn typed(&self, entry: &Entry) -> Field {
        let Some(text) = &self.text else { return self.clone() };
        match entry.coerce_param(&self.name, text) {
            Ok(Value::String(_)) | Err(_) => self.clone(),
            Ok(value) => match serde_json::value::to_raw_value(&value) {
                Ok(raw) => Field { name: self.name.clone(), value: raw, text: None },
                Err(_) => self.clone(),
            },
        }
    }

    #[cfg(test)]
    /// The field's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    #[cfg(test)]
    /// Its value, as the JSON text that will be sent.
    pub fn value(&self) -> &RawValue {
        &self.value
    }
}

impl FromStr for Field {
    type Err = ParamsError;

    /// `FIELD=VALUE` is a string (`customerId=00123` stays `"00123"`) until [`typed`]
    /// converts it to the param's declared type; `FIELD:=JSON` is raw JSON, kept as typed (`points:=10`, `tags:='["a"]'`). The first `=` splits.
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
        Ok(Field { name: name.to_owned(), value, text: None })
    }
}

/// `fields` converted to `entry`'s declared types ([`Field::typed`]); as they are without
/// an entry.
pub fn typed(fields: &[Field], entry: Option<&Entry>) -> Vec<Field> {
    match entry {
        Some(entry) => fields.iter().map(|f| f.typed(entry)).collect(),
        None => fields.to_vec(),
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

/// How many problems a refusal lists before it says how many more.
pub const LISTED_PROBLEMS: usize = 6;

/// The catalogue entry whose params zv checks before sending, if any: a catalogued endpoint
/// with a params schema ([`Entry::has_params_schema`]: params from the vendor's reference
/// page). An endpoint only seen in the field lists the params seen, possibly not all it
/// takes, so its params are not checked; nor are an uncatalogued endpoint's.
pub fn schema(entry: Option<&'static Entry>) -> Option<&'static Entry> {
    entry.filter(|e| e.has_params_schema())
}

/// Why params are refused before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The params' JSON cannot be read as a value (nested deeper than serde_json reads).
    Unreadable(String),
    /// What the catalogue's check found ([`Entry::check_params`]), at least one.
    Problems(Vec<ParamProblem>),
}

impl fmt::Display for Refusal {
    /// One line: the one problem, or how many and the first [`LISTED_PROBLEMS`] of them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Unreadable(why) => write!(f, "the params cannot be checked: {why}"),
            Refusal::Problems(problems) => {
                if problems.len() > 1 {
                    write!(f, "{} param problems: ", problems.len())?;
                }
                for (i, p) in problems.iter().take(LISTED_PROBLEMS).enumerate() {
                    write!(f, "{}{p}", if i == 0 { "" } else { "; " })?;
                }
                if problems.len() > LISTED_PROBLEMS {
                    write!(f, "; and {} more", problems.len() - LISTED_PROBLEMS)?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Refusal {}

/// Checks `params` (a JSON object's text) against what `entry` documents
/// ([`Entry::check_params`], which bounds their size first: absurd names are one
/// [`Problem::TooLarge`](zv_types::catalogue::Problem::TooLarge), found before any check).
pub fn check(entry: &Entry, params: &RawValue) -> Result<(), Refusal> {
    let value: Value = serde_json::from_str(params.get()).map_err(|e| Refusal::Unreadable(e.to_string()))?;
    entry.check_params(&value).map_err(Refusal::Problems)
}

#[cfg(test)]
mod tests {
    use super::typed as typed_all;
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

    #[test]
    fn field_text_takes_the_declared_type_and_raw_json_stays() {
        let entry = zv_types::catalogue::lookup("v3/crm/customer/gatherCustomerInfo").unwrap();
        let typed = |arg: &str| field(arg).typed(entry).value().get().to_owned();
        assert_eq!(typed("type=2"), "2");
        assert_eq!(typed("type= 3 "), "3");
        assert_eq!(typed("type=two"), r#""two""#, "not an integer: left for the check to name");
        assert_eq!(typed("type:=\"2\""), r#""2""#, "raw JSON is taken as given");
        assert_eq!(typed("identifierNumber=00123456789012345678901"), r#""00123456789012345678901""#);
        assert_eq!(typed("undeclared=5"), r#""5""#);
        // a param the entry does not type stays a string; no entry converts nothing
        let seen = zv_types::catalogue::lookup("v3/crm/customer/getBaseInfo").unwrap();
        assert_eq!(field("customerId=42").typed(seen).value().get(), r#""42""#);
        assert_eq!(typed_all(&[field("type=2")], None)[0].value().get(), r#""2""#);
        assert_eq!(typed(&format!("{}=1", "k".repeat(10_000))), r#""1""#);
    }

    #[test]
    fn only_vendor_documented_params_are_checked() {
        use zv_types::catalogue::{all, lookup};
        let gather = lookup("v3/crm/customer/gatherCustomerInfo");
        assert!(schema(gather).is_some());
        assert!(schema(lookup("v3/crm/customer/getBaseInfo")).is_none(), "seen in the field only");
        // A field-seen entry with typed params: no schema, and nothing it is sent is refused.
        let seen = lookup("v3/goods/item/getShopGoodsDetail").unwrap();
        assert!(!seen.params.is_empty() && schema(Some(seen)).is_none());
        let params = build(Some(r#"{"goodsIds":"1,2","zvNotSeen":1}"#), &[]).unwrap();
        assert_eq!(check(seen, &params), Ok(()));
        assert!(schema(None).is_none());
        assert!(all().iter().all(|e| schema(Some(e)).is_some() == e.has_params_schema()));
    }

    #[test]
    fn a_refusal_is_one_line_listing_at_most_a_few_problems() {
        let entry = zv_types::catalogue::lookup("v3/crm/customer/gatherCustomerInfo").unwrap();
        let params = build(Some(r#"{"type":9}"#), &[]).unwrap();
        let one = check(entry, &params).unwrap_err().to_string();
        assert!(one.starts_with("`type` = 9 is not allowed; allowed: 1 ("), "{one}");
        let many: String = (0..20).map(|i| format!(r#""u{i}":1,"#)).collect();
        let params = build(Some(&format!("{{{many}\"type\":2}}")), &[]).unwrap();
        let line = check(entry, &params).unwrap_err().to_string();
        assert!(line.starts_with("20 param problems: unknown param `u"), "{line}");
        assert!(line.ends_with("; and 14 more") && !line.contains('\n'), "{line}");
        let long = build(Some(&format!(r#"{{"{}":1}}"#, "\\u001b".repeat(300))), &[]).unwrap();
        let line = check(entry, &long).unwrap_err().to_string();
        assert!(
            matches!(check(entry, &long), Err(Refusal::Problems(p))
                if p.len() == 1 && matches!(p[0].problem, zv_types::catalogue::Problem::TooLarge(_)))
                && !line.contains('\u{1b}'),
            "{line}"
        );
        assert_eq!(check(entry, &build(Some(r#"{"type":1}"#), &[]).unwrap()), Ok(()));
    }
}

#[cfg(test)]
mod example {
    #[test]
    fn the_module_example_builds_fields_over_params() {
        use crate::commands::api::params::{Field, build};
        let fields: Vec<Field> = ["customerId=00123", "points:=10", "id:=123456789012345678901"]
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        let params = build(Some(r#"{"points":1,"shop":"S1"}"#), &fields).unwrap();
        assert_eq!(
            params.get(),
            r#"{"points":10,"shop":"S1","customerId":"00123","id":123456789012345678901}"#
        );
    }
}
