//! The one params validator: what an entry documents, checked before anything is sent
//! (`zv api`, batches, `zv mock --strict` all call [`Entry::check_params`]), and the typed
//! reading of a `FIELD=VALUE` text ([`Entry::coerce_param`]).

use std::fmt;

use serde_json::{Map, Value};

use super::{Allowed, Entry, Format, JsonType, MoneyUnit, Param, Source};
use crate::moment::Moment;
use crate::money::Money;
use crate::paging::json_type as json_type_of;
use crate::text::Sanitized;

/// How many characters of a value a problem quotes.
const QUOTED_CHARS: usize = 64;

/// The most significant digits a number text may have: a double keeps no more, so a longer
/// one would be sent as another number.
const MAX_NUMBER_DIGITS: usize = 17;

/// One problem with the params of a call, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParamProblem {
    /// Where: a param's name, or a path into it (`tradeMarks[0].num`); empty for the params
    /// as a whole.
    pub path: String,
    /// What is wrong.
    pub problem: Problem,
}

/// What is wrong with a param.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// The params (or a nested value that must be an object) are not a JSON object.
    NotAnObject {
        /// The JSON type found (`array`, `string`, …).
        found: &'static str,
    },
    /// A name the endpoint does not document, with the documented name it probably meant.
    Unknown {
        /// The nearest documented name, a few edits away ignoring case.
        suggestion: Option<&'static str>,
    },
    /// A required param is missing (or `null`).
    Missing {
        /// What it should be (`integer`, `number (yuan)`, …).
        expected: String,
        /// The param's short label.
        label: Option<&'static str>,
    },
    /// A value of the wrong JSON type or form.
    WrongType {
        /// What it should be.
        expected: String,
        /// What was found (`a string "abc"`).
        found: String,
    },
    /// The params are too large to be checked ([`too_large_to_check`]): no endpoint takes
    /// them, and comparing each unknown name with each documented one would cost seconds.
    TooLarge(TooLarge),
    /// A value of an enumerated param that is not one of the allowed ones.
    NotAllowed {
        /// The value given, as text.
        value: String,
        /// The allowed values, with their labels.
        allowed: &'static [Allowed],
    },
}

/// The most object keys, at any depth, of params [`Entry::check_params`] checks: a
/// documented endpoint has a few dozen params.
pub const MAX_CHECKED_KEYS: usize = 1_000;
/// The longest param name [`Entry::check_params`] checks, in characters.
pub const MAX_CHECKED_KEY_CHARS: usize = 256;

/// Why params are too large to be checked against the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TooLarge {
    /// A name longer than [`MAX_CHECKED_KEY_CHARS`].
    LongName {
        /// Its first 32 characters.
        start: String,
    },
    /// More than [`MAX_CHECKED_KEYS`] names, nested ones included.
    ManyNames,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TooLarge::LongName { start } => write!(
                f,
                "the param name `{}` is over {MAX_CHECKED_KEY_CHARS} characters: no endpoint takes it",
                Sanitized::new(start).max_chars(32)
            ),
            TooLarge::ManyNames => write!(
                f,
                "over {MAX_CHECKED_KEYS} param names (nested ones included): no endpoint takes that many"
            ),
        }
    }
}

/// Why `params` are too large to be checked, if they are: a name over
/// [`MAX_CHECKED_KEY_CHARS`] characters or over [`MAX_CHECKED_KEYS`] names at any depth.
/// Found without recursion, stopping at the first excess, so any input costs at most a
/// walk of the first [`MAX_CHECKED_KEYS`] names. [`Entry::check_params`] runs it first.
///
/// ```
/// use zv_types::catalogue::{too_large_to_check, TooLarge};
/// use zv_types::serde_json::json;
///
/// assert_eq!(too_large_to_check(&json!({"type": 2})), None);
/// let many: zv_types::serde_json::Map<_, _> = (0..1_001).map(|i| (i.to_string(), json!(i))).collect();
/// assert_eq!(too_large_to_check(&many.into()), Some(TooLarge::ManyNames));
/// ```
pub fn too_large_to_check(params: &Value) -> Option<TooLarge> {
    let mut keys = 0usize;
    let mut pending = vec![params];
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(object) => {
                keys += object.len();
                if let Some(long) = object.keys().find(|k| k.chars().nth(MAX_CHECKED_KEY_CHARS).is_some()) {
                    return Some(TooLarge::LongName { start: long.chars().take(32).collect() });
                }
                pending.extend(object.values());
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
        if keys > MAX_CHECKED_KEYS {
            return Some(TooLarge::ManyNames);
        }
    }
    None
}

impl ParamProblem {
    fn new(path: &str, problem: Problem) -> ParamProblem {
        ParamProblem { path: path.to_owned(), problem }
    }
}

impl fmt::Display for ParamProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = Sanitized::new(&self.path).max_chars(QUOTED_CHARS);
        match &self.problem {
            Problem::NotAnObject { found } if self.path.is_empty() => {
                write!(f, "params must be a JSON object, found {found}")
            }
            Problem::NotAnObject { found } => write!(f, "`{path}` must be a JSON object, found {found}"),
            Problem::Unknown { suggestion: Some(s) } => {
                write!(f, "unknown param `{path}`: did you mean `{s}`?")
            }
            Problem::Unknown { suggestion: None } => write!(f, "unknown param `{path}`"),
            Problem::Missing { expected, label: Some(label) } => {
                write!(f, "missing required param `{path}` ({expected}: {label})")
            }
            Problem::Missing { expected, label: None } => {
                write!(f, "missing required param `{path}` ({expected})")
            }
            Problem::TooLarge(why) => write!(f, "{why}"),
            Problem::WrongType { expected, found } => write!(f, "`{path}` must be {expected}, found {found}"),
            Problem::NotAllowed { value, allowed } => {
                let value = Sanitized::new(value).max_chars(QUOTED_CHARS);
                write!(f, "`{path}` = {value} is not allowed; allowed: ")?;
                for (i, a) in allowed.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{} ({})", a.value, a.label)?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ParamProblem {}

impl Entry {
    /// Checks `params` (the business params of a call, a JSON object; `null` is no params)
    /// against what the entry documents: every problem found, or `Ok` when there is none.
    ///
    /// Only an entry with a params schema ([`has_params_schema`](Self::has_params_schema):
    /// params from a vendor page) is checked; for any other, params that are an object (or
    /// `null`) are `Ok`: the names seen in the field are possibly not all it takes, and their
    /// types are not documented. Params too large to be checked ([`too_large_to_check`])
    /// are one [`Problem::TooLarge`]. Names the entry does not document are problems only
    /// when its vendor page's params table is whole
    /// ([`params_truncated`](Self::params_truncated)), and the paging request fields of a
    /// paged entry are always allowed. Checked: required params present (listed with their
    /// types), unknown names (with a did-you-mean), JSON types (an `integer` is a JSON
    /// number, not a string of digits), money and time forms, enumerated values (listed
    /// with their labels; a string only as written), and nested objects and lists of
    /// objects, to any depth. Params with more than [`MAX_CHECKED_KEYS`] names (nested ones
    /// included) or a name over [`MAX_CHECKED_KEY_CHARS`] characters are one
    /// [`Problem::TooLarge`].
    ///
    /// ```
    /// use zv_types::catalogue::{lookup, Problem};
    /// use zv_types::serde_json::json;
    ///
    /// let entry = lookup("v3/crm/customer/gatherCustomerInfo").unwrap();
    /// assert!(entry.check_params(&json!({"type": 2, "identifierNumber": "13800000000"})).is_ok());
    /// let problems = entry.check_params(&json!({"tpye": 2})).unwrap_err();
    /// assert!(problems.iter().any(|p| p.problem == Problem::Unknown { suggestion: Some("type") }));
    /// assert!(problems.iter().any(|p| p.to_string().starts_with("missing required param `type` (integer")));
    /// ```
    pub fn check_params(&self, params: &Value) -> Result<(), Vec<ParamProblem>> {
        let empty = Map::new();
        let object = match params {
            Value::Null => &empty,
            Value::Object(object) => object,
            other => {
                return Err(vec![ParamProblem::new("", Problem::NotAnObject { found: json_type_of(other) })]);
            }
        };
        if !self.has_params_schema() {
            return Ok(());
        }
        if let Some(why) = too_large_to_check(params) {
            return Err(vec![ParamProblem::new("", Problem::TooLarge(why))]);
        }
        let paging: Vec<&'static str> =
            self.paging.map(|d| d.request_fields()).map(|(n, s)| vec![n, s]).unwrap_or_default();
        let mut problems = Vec::new();
        // Past a cut table, other names may be the endpoint's own.
        let unknown = if self.refuses_unknown() { Unknown::Refused } else { Unknown::Allowed };
        check_fields(self.params, &paging, unknown, object, "", &mut problems);
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }

    /// The JSON value a `FIELD=VALUE` text stands for, by the declared type of the param
    /// `name`: an `integer` becomes a JSON number, a `boolean` `true`/`false` (also read
    /// from `1`/`0`), an `array` or `object` is read as JSON, a string stays as it is. A
    /// name the entry does not declare a type for is a string — unless the entry refuses
    /// names it does not document (a [params schema](Self::has_params_schema) whose table
    /// is whole) and `name` is not among them (then [`Problem::Unknown`]); the page number
    /// and size of a paged entry are integers unless declared otherwise. The value is only
    /// converted: [`check_params`](Self::check_params) checks the whole.
    ///
    /// ```
    /// use zv_types::catalogue::lookup;
    /// use zv_types::serde_json::json;
    ///
    /// let entry = lookup("v3/crm/customer/gatherCustomerInfo").unwrap();
    /// assert_eq!(entry.coerce_param("type", "2"), Ok(json!(2)));
    /// assert_eq!(entry.coerce_param("identifierNumber", "0013"), Ok(json!("0013")));
    /// assert!(entry.coerce_param("type", "two").is_err());
    /// ```
    pub fn coerce_param(&self, name: &str, text: &str) -> Result<Value, ParamProblem> {
        match self.param(name) {
            Some(param) => coerce(param, name, text),
            // A page number or size not declared otherwise is an integer.
            None if self.is_paging_field(name) => {
                Ok(text.trim().parse::<u64>().map_or_else(|_| Value::String(text.to_owned()), Value::from))
            }
            None if !self.refuses_unknown() => Ok(Value::String(text.to_owned())),
            None => Err(ParamProblem::new(
                name,
                Problem::Unknown { suggestion: did_you_mean(name, self.params.iter().map(|p| p.name)) },
            )),
        }
    }

    /// Whether the entry has a params schema to check params against: params documented
    /// by the vendor's reference page ([`Source::VendorPage`]). An entry only seen in the
    /// field lists the names seen, possibly not all it takes, and is not checked; nor is one
    /// without params. `zv api`, batches and `zv mock --strict` check exactly these.
    ///
    /// ```
    /// use zv_types::catalogue::lookup;
    ///
    /// assert!(lookup("v3/crm/customer/gatherCustomerInfo").unwrap().has_params_schema());
    /// assert!(!lookup("v3/crm/customer/getBaseInfo").unwrap().has_params_schema());
    /// ```
    pub fn has_params_schema(&self) -> bool {
        matches!(self.source, Source::VendorPage { .. }) && !self.params.is_empty()
    }

    /// Whether names the entry does not document are refused: it has a params schema and
    /// its vendor page's table was not cut.
    fn refuses_unknown(&self) -> bool {
        self.has_params_schema() && !self.params_truncated
    }

    fn is_paging_field(&self, name: &str) -> bool {
        self.paging.is_some_and(|d| {
            let (n, s) = d.request_fields();
            name == n || name == s
        })
    }
}

/// Whether a JSON number text keeps its value as a double: not under the smallest one (it
/// would be sent as `0.0`), not an integer past `u64`/`i64` (sent as another number), and
/// no more significant digits than a double keeps.
fn number_text_keeps_its_value(text: &str, value: f64) -> bool {
    let mantissa = text.split(['e', 'E']).next().unwrap_or_default();
    let is_integer = mantissa.len() == text.len() && !mantissa.contains('.');
    if is_integer {
        return text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok();
    }
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let significant = digits.trim_start_matches('0').trim_end_matches('0');
    if value == 0.0 {
        return significant.is_empty();
    }
    significant.len() <= MAX_NUMBER_DIGITS
}

/// The documented name nearest to `name`: at most a few edits away ignoring case (a swap
/// of two neighbours is one edit; at most a third of its length, at least one), or only
/// differing in case.
pub(super) fn did_you_mean(
    name: &str,
    candidates: impl Iterator<Item = &'static str>,
) -> Option<&'static str> {
    let lower = name.to_lowercase();
    let len = lower.chars().count();
    let limit = 3.min((len / 3).max(1));
    candidates
        // No name further away in length than the limit can be within it (and a hostile
        // name of any length costs nothing).
        .filter(|c| c.chars().count().abs_diff(len) <= limit)
        .map(|c| (strsim::osa_distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// What was found, for a problem: its type and, for a scalar, its value.
fn found(value: &Value) -> String {
    match value {
        Value::String(s) => format!("a string \"{}\"", Sanitized::new(s).max_chars(QUOTED_CHARS)),
        Value::Number(n) => format!("the number {n}"),
        Value::Bool(b) => format!("{b}"),
        other => json_type_of(other).to_owned(),
    }
}

/// What a param must be, in words: `integer`, `number (yuan)`, `string (yyyy-MM-dd
/// HH:mm:ss)`, `integer 0/1`, `array of object`, ….
pub(super) fn expected(p: &Param) -> String {
    let Some(t) = p.json_type else { return "any value".to_owned() };
    let mut text = t.name().to_owned();
    match (p.money_unit, p.format) {
        (Some(MoneyUnit::Yuan), _) => text.push_str(" (yuan)"),
        (Some(MoneyUnit::Fen), _) => text.push_str(" (fen)"),
        (None, Some(Format::DateTime)) => text.push_str(" (yyyy-MM-dd HH:mm:ss)"),
        (None, Some(Format::UnixSeconds)) => text.push_str(" (unix seconds)"),
        (None, Some(Format::Flag)) => text.push_str(" 0/1"),
        (None, None) => {}
    }
    if let (JsonType::Array, Some(items)) = (t, p.items) {
        text.push_str(" of ");
        text.push_str(items.name());
    }
    text
}

/// Whether an object may have names its fields do not document.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unknown {
    Allowed,
    Refused,
}

/// Checks an object against `fields` (names in `also` are allowed too), appending
/// problems; `prefix` is the object's path.
fn check_fields(
    fields: &'static [Param],
    also: &[&'static str],
    unknown: Unknown,
    object: &Map<String, Value>,
    prefix: &str,
    problems: &mut Vec<ParamProblem>,
) {
    let at = |name: &str| if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") };
    for (name, value) in object {
        match fields.iter().find(|p| p.name == name) {
            Some(param) => check_value(param, value, &at(name), problems),
            None if also.contains(&name.as_str()) || unknown == Unknown::Allowed => {}
            None => {
                let suggestion =
                    did_you_mean(name, fields.iter().map(|p| p.name).chain(also.iter().copied()));
                problems.push(ParamProblem::new(&at(name), Problem::Unknown { suggestion }));
            }
        }
    }
    for param in fields.iter().filter(|p| p.required == Some(true)) {
        if object.get(param.name).is_none_or(Value::is_null) {
            let problem = Problem::Missing { expected: expected(param), label: param.description };
            problems.push(ParamProblem::new(&at(param.name), problem));
        }
    }
}

/// Checks one value (not `null`: a `null` is an absent value) against its param.
fn check_value(param: &Param, value: &Value, path: &str, problems: &mut Vec<ParamProblem>) {
    if value.is_null() {
        return;
    }
    let wrong = |problems: &mut Vec<ParamProblem>| {
        problems.push(ParamProblem::new(
            path,
            Problem::WrongType { expected: expected(param), found: found(value) },
        ));
    };
    let Some(json_type) = param.json_type else { return };
    let ok = match json_type {
        JsonType::String => value.as_str().is_some_and(|s| match param.format {
            Some(Format::DateTime) => Moment::parse(s).is_some_and(|m| m.datetime().is_some()),
            _ => true,
        }),
        JsonType::Integer => {
            (value.is_i64() || value.is_u64())
                && (param.format != Some(Format::Flag) || matches!(value.as_u64(), Some(0 | 1)))
        }
        JsonType::Number => match (value.as_f64(), param.money_unit) {
            (Some(yuan), Some(MoneyUnit::Yuan)) => Money::from_yuan_f64(yuan).is_ok(),
            (Some(_), Some(MoneyUnit::Fen)) => value.is_i64() || value.is_u64(),
            (n, None) => n.is_some(),
            (None, Some(_)) => false,
        },
        JsonType::Boolean => value.is_boolean(),
        JsonType::Array => match value.as_array() {
            Some(elements) => {
                let element = Param { json_type: param.items, items: None, required: None, ..*param };
                for (i, v) in elements.iter().enumerate() {
                    check_value(&element, v, &format!("{path}[{i}]"), problems);
                }
                return;
            }
            None => false,
        },
        JsonType::Object => match value.as_object() {
            Some(object) => {
                if !param.fields.is_empty() {
                    check_fields(param.fields, &[], Unknown::Refused, object, path, problems);
                }
                return;
            }
            None => false,
        },
    };
    if !ok {
        return wrong(problems);
    }
    if !param.values.is_empty() {
        // A string is sent as written: only its exact spelling is an allowed value.
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if param.allowed(&text).is_none() {
            problems
                .push(ParamProblem::new(path, Problem::NotAllowed { value: text, allowed: param.values }));
        }
    }
}

/// The value of `text` for `param` (see [`Entry::coerce_param`]).
fn coerce(param: &Param, path: &str, text: &str) -> Result<Value, ParamProblem> {
    let wrong = || {
        ParamProblem::new(
            path,
            Problem::WrongType {
                expected: expected(param),
                found: format!("\"{}\"", Sanitized::new(text).max_chars(QUOTED_CHARS)),
            },
        )
    };
    let trimmed = text.trim();
    match param.json_type {
        None | Some(JsonType::String) => Ok(Value::String(text.to_owned())),
        Some(JsonType::Integer) => {
            if let Ok(i) = trimmed.parse::<i64>() {
                Ok(Value::from(i))
            } else {
                trimmed.parse::<u64>().map(Value::from).map_err(|_| wrong())
            }
        }
        Some(JsonType::Number) => match serde_json::from_str::<Value>(trimmed) {
            Ok(Value::Number(n)) if number_text_keeps_its_value(trimmed, n.as_f64().unwrap_or(f64::NAN)) => {
                Ok(Value::Number(n))
            }
            _ => Err(wrong()),
        },
        Some(JsonType::Boolean) => match trimmed.to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(Value::Bool(true)),
            "false" | "0" => Ok(Value::Bool(false)),
            _ => Err(wrong()),
        },
        Some(JsonType::Array) => match serde_json::from_str::<Value>(trimmed) {
            Ok(v @ Value::Array(_)) => Ok(v),
            _ => Err(wrong()),
        },
        Some(JsonType::Object) => match serde_json::from_str::<Value>(trimmed) {
            Ok(v @ Value::Object(_)) => Ok(v),
            _ => Err(wrong()),
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::super::lookup;
    use super::{MAX_CHECKED_KEY_CHARS, MAX_CHECKED_KEYS, Problem, TooLarge, too_large_to_check};

    #[test]
    fn an_entry_seen_only_in_the_field_has_no_params_schema_and_nothing_is_refused() {
        let seen = lookup("v3/goods/item/getShopGoodsDetail").unwrap();
        assert!(!seen.params.is_empty() && seen.param("goodsIds").is_some());
        assert!(!seen.has_params_schema());
        // Names it was not seen with, and a declared type not followed: not its documentation.
        let params = json!({"storeId": 1, "goodsIds": "1,2", "zvNotSeen": true});
        assert_eq!(seen.check_params(&params), Ok(()));
        assert_eq!(seen.coerce_param("zvNotSeen", "1"), Ok(json!("1")));
        let huge: Map<String, Value> = (0..5_000).map(|i| (format!("k{i}"), json!(i))).collect();
        assert_eq!(
            seen.check_params(&Value::Object(huge)),
            Ok(()),
            "nothing is checked, so nothing is bounded"
        );
        // Still an object.
        assert!(seen.check_params(&json!([1])).is_err());
    }

    #[test]
    fn a_cut_table_takes_other_names_and_a_whole_one_refuses_them() {
        let cut = lookup("v2:communal.delivery.create-order-auto").unwrap();
        assert!(cut.has_params_schema() && cut.params_truncated);
        let problems = cut.check_params(&json!({"zvNoSuchParam": 1})).err().unwrap_or_default();
        assert!(!problems.iter().any(|p| matches!(p.problem, Problem::Unknown { .. })), "{problems:?}");
        let whole = lookup("v3/crm/customer/gatherCustomerInfo").unwrap();
        assert!(whole.has_params_schema() && !whole.params_truncated);
        let problems = whole.check_params(&json!({"type": 2, "zvNoSuchParam": 1})).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].to_string(), "unknown param `zvNoSuchParam`");
    }

    #[test]
    fn params_too_large_are_one_problem_before_any_check() {
        let entry = lookup("v3/crm/customer/gatherCustomerInfo").unwrap();
        let long = format!("\u{1b}[31m{}", "k".repeat(MAX_CHECKED_KEY_CHARS));
        let params = json!({ long.clone(): 1 });
        assert!(matches!(too_large_to_check(&params), Some(TooLarge::LongName { .. })));
        let problems = entry.check_params(&params).unwrap_err();
        assert_eq!(problems.len(), 1);
        let line = problems[0].to_string();
        assert!(line.contains("is over 256 characters: no endpoint takes it"), "{line}");
        assert!(!line.contains('\u{1b}') && line.chars().count() < 200, "{line}");
        // Exactly at the limits, the check runs.
        let at_limit = json!({ "k".repeat(MAX_CHECKED_KEY_CHARS): 1, "type": 2 });
        assert_eq!(too_large_to_check(&at_limit), None);
        let nested = |n: usize| {
            let inner: Map<String, Value> = (0..n).map(|i| (format!("n{i}"), json!(i))).collect();
            json!({"a": [[{"b": inner}]]})
        };
        // `a` and `b` are names too.
        assert_eq!(too_large_to_check(&nested(MAX_CHECKED_KEYS - 2)), None);
        assert_eq!(too_large_to_check(&nested(MAX_CHECKED_KEYS - 1)), Some(TooLarge::ManyNames));
        let problems = entry.check_params(&nested(MAX_CHECKED_KEYS)).unwrap_err();
        assert_eq!(problems[0].problem, Problem::TooLarge(TooLarge::ManyNames));
        assert!(problems[0].to_string().starts_with("over 1000 param names (nested ones included)"));
    }
}
