//! Canned answers from a stubs file: [`Stubs`], the file format (shared with the recording
//! proxy, which writes it) and its validation. Serving them is the gateway's
//! (`gateway::stubs`).
//!
//! A stub answers one route (a V3 path or a V2 `Action`) when the request's params match
//! its `match`, with `data`, an `error` or `items` served page by page in the route's
//! paging dialect. Stub values are kept as the JSON text they were written in (big
//! integers, key order and number forms survive), and served byte for byte.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use zv_types::paging::PageDialect;

use super::error::MockError;
use super::files::{read_file, read_json};
use super::request::RouteKey;

/// The business code of "no stub answers this": a catalogued route the mock has no stub
/// (or handler) for, or params no stub of the route matches. The mock's own code.
pub const NO_STUB_CODE: i64 = 20003;

/// Canned answers, read from a stubs file (`zv mock --stubs FILE`) and served through the
/// endpoint table ([`Endpoints::stubs`](crate::Endpoints::stubs)).
///
/// The file is `{"stubs": [...]}`; each stub names its route with `"path"` (a V3 path:
/// `v3/x/y` as the catalogue writes it, `/v3/x/y` or `x/y`) or `"action"` (a V2 `Action`),
/// may restrict itself with `"match": {param: value}` (every listed param must be present
/// and equal: a string, number or boolean is compared as text, so `10001` matches
/// `"10001"`; `null`, a list or an object must equal the param as JSON), and answers with
/// exactly one of:
///
/// - `"data": any` — a success, `data` written exactly as in the file;
/// - `"error": {"code": …, "message": "…"}` — a business error (`status` true), or a system
///   error with `"status": false` inside; `code` is an integer or a string, not `0` for a
///   business error;
/// - `"items": [...]` — a paged list, served page by page in the route's paging dialect
///   from the [catalogue](zv_types::catalogue) (or the stub's own `"dialect"`, by name:
///   `data_total`, `list_total`, …): the page number and size come from the request's page
///   fields (page 1 and [`DEFAULT_PAGE_SIZE`](zv_types::paging::DEFAULT_PAGE_SIZE) when absent).
///
/// The first stub (in file order) whose route and `match` fit a request answers it. Params
/// no stub of the route matches fall through to the handler the route had before the stubs
/// were added (a built-in endpoint), or get the business error [`NO_STUB_CODE`].
///
/// ```
/// use zv_mock::Stubs;
///
/// let stubs = Stubs::from_json(r#"{"stubs": [
///   {"path": "v3/crm/member/getMemberInfo", "match": {"user_id": 10001},
///    "data": {"user_id": "10001", "card_no": 98765432109876543210}},
///   {"path": "v3/crm/member/getMemberInfo", "error": {"code": 20001, "message": "查询的信息不存在"}},
///   {"path": "v3/goods/item/getItemList", "items": [{"id": 1}, {"id": 2}, {"id": 3}]}
/// ]}"#)?;
/// assert_eq!(stubs.len(), 3);
/// # Ok::<(), zv_mock::MockError>(())
/// ```
#[derive(Clone, Default)]
pub struct Stubs {
    pub(crate) stubs: Vec<Arc<Stub>>,
}

/// One stub, validated.
pub(crate) struct Stub {
    pub(crate) route: RouteKey,
    /// The params to match, with the JSON they were written as.
    pub(crate) matching: BTreeMap<String, (Expected, Box<RawValue>)>,
    pub(crate) answer: Answer,
    /// The dialect the stub named, if it did (else the catalogue's is used).
    dialect: Option<PageDialect>,
}

/// What a stub answers with.
pub(crate) enum Answer {
    Data(Box<RawValue>),
    Error { status: bool, code: Box<RawValue>, message: String },
    Items { items: Vec<Box<RawValue>>, dialect: PageDialect },
}

/// A stub as the file writes it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StubFile {
    stubs: Vec<Box<RawValue>>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WireStub {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) action: Option<String>,
    #[serde(rename = "match", default, skip_serializing_if = "Option::is_none")]
    pub(crate) matching: Option<BTreeMap<String, Box<RawValue>>>,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub(crate) data: Option<Box<RawValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<WireError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) items: Option<Vec<Box<RawValue>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) dialect: Option<String>,
}

/// An `error` as the file writes it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WireError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) status: Option<bool>,
    pub(crate) code: Box<RawValue>,
    pub(crate) message: String,
}

impl WireStub {
    /// A stub for `route` with no `match` and no answer yet.
    pub(crate) fn for_route(route: &RouteKey) -> WireStub {
        let (path, action) = match route {
            RouteKey::V3(path) => (Some(path.trim_start_matches('/').to_owned()), None),
            RouteKey::V2(action) => (None, Some(action.clone())),
        };
        WireStub { path, action, matching: None, data: None, error: None, items: None, dialect: None }
    }
}

/// A field that is present, even as `null` (which `Option` alone would read as absent).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Box<RawValue>>, D::Error> {
    Box::<RawValue>::deserialize(d).map(Some)
}

impl Stubs {
    /// No stubs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads stubs from JSON text (the format is in [`Stubs`]).
    ///
    /// # Errors
    ///
    /// [`MockError::Stubs`] naming the stub (its index, from 0) and what is wrong with it.
    pub fn from_json(text: &str) -> Result<Self, MockError> {
        parse(text, "<json text>")
    }

    /// Reads stubs from a JSON file: a regular file of at most
    /// [`MAX_FILE_BYTES`](crate::MAX_FILE_BYTES).
    ///
    /// # Errors
    ///
    /// [`MockError::Stubs`] when the file cannot be read (a device or a FIFO is refused
    /// before it is opened, a larger file before it is read) or a stub is not valid; the error
    /// names the file, the stub's index and what is wrong.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, MockError> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let text = read_file(path).map_err(|message| MockError::Stubs {
            origin: origin.clone(),
            index: None,
            message,
        })?;
        parse(&text, &origin)
    }

    /// How many stubs there are.
    pub fn len(&self) -> usize {
        self.stubs.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.stubs.is_empty()
    }

    /// The routes the stubs answer, in file order, each once: `/v3/…` paths and
    /// `/api/v2 Action …`.
    pub fn routes(&self) -> impl Iterator<Item = String> + '_ {
        let mut seen = std::collections::HashSet::new();
        self.stubs.iter().filter(move |s| seen.insert(&s.route)).map(|s| s.route.to_string())
    }

    /// The stubs as pretty-printed JSON, the format [`Stubs::from_json`] reads.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct File {
            stubs: Vec<WireStub>,
        }
        let file = File { stubs: self.stubs.iter().map(|s| s.wire()).collect() };
        // Strings, maps with string keys and JSON texts (written as they are) cannot fail.
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// Whether a stub answers exactly the requests `stub` would (so `stub` would never).
    #[cfg(feature = "record")]
    pub(crate) fn answers_like(&self, stub: &Stub) -> bool {
        self.stubs.iter().any(|s| s.same_requests(stub))
    }

    /// Adds a stub at the end (it answers only what no earlier stub does).
    pub(crate) fn push(&mut self, stub: Stub) {
        self.stubs.push(Arc::new(stub));
    }

    /// The stubs of each route, in file order.
    pub(crate) fn by_route(&self) -> BTreeMap<RouteKey, Vec<Arc<Stub>>> {
        let mut routes: BTreeMap<RouteKey, Vec<Arc<Stub>>> = BTreeMap::new();
        for stub in &self.stubs {
            routes.entry(stub.route.clone()).or_default().push(Arc::clone(stub));
        }
        routes
    }
}

impl fmt::Debug for Stubs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stubs")
            .field("len", &self.len())
            .field("routes", &self.routes().collect::<Vec<_>>())
            .finish()
    }
}

fn parse(text: &str, origin: &str) -> Result<Stubs, MockError> {
    let error = |index, message| MockError::Stubs { origin: origin.to_owned(), index, message };
    let file: StubFile =
        read_json(text).map_err(|e| error(None, format!("not a stubs file ({{\"stubs\": [...]}}): {e}")))?;
    let mut stubs = Stubs::new();
    for (index, raw) in file.stubs.iter().enumerate() {
        let wire: WireStub = read_json(raw.get()).map_err(|e| error(Some(index), e))?;
        stubs.push(Stub::from_wire(wire).map_err(|e| error(Some(index), e))?);
    }
    Ok(stubs)
}

/// What a `match` value asks of a param.
#[derive(PartialEq)]
pub(crate) enum Expected {
    /// A string, number or boolean: the param, as text, is this text.
    Text(String),
    /// `null`, a list or an object: the param is this JSON value.
    Json(Value),
}

impl Expected {
    fn of(raw: &RawValue) -> Result<Expected, String> {
        if let Some(text) = raw_scalar_text(raw) {
            return Ok(Expected::Text(text));
        }
        serde_json::from_str(raw.get()).map(Expected::Json).map_err(|e| e.to_string())
    }

    /// Whether `param` (its JSON text as the request wrote it) is what this asks for.
    fn accepts(&self, param: &RawValue) -> bool {
        match self {
            Expected::Text(text) => raw_scalar_text(param).as_deref() == Some(text),
            Expected::Json(value) => serde_json::from_str::<Value>(param.get()).is_ok_and(|p| &p == value),
        }
    }
}

/// A match value or a param as text, read from its JSON text: a string's content, a
/// boolean, or a number's digits exactly as written (never through an `f64`, so a 21-digit
/// id matches only itself); `None` for `null`, a list or an object.
fn raw_scalar_text(raw: &RawValue) -> Option<String> {
    let text = raw.get().trim();
    match text.as_bytes().first()? {
        b'"' => serde_json::from_str(text).ok(),
        b't' | b'f' => serde_json::from_str::<bool>(text).ok().map(|b| b.to_string()),
        b'-' | b'0'..=b'9' => Some(text.to_owned()),
        _ => None,
    }
}

impl Stub {
    /// A stub from what a file says, validated.
    pub(crate) fn from_wire(wire: WireStub) -> Result<Stub, String> {
        let route = match (&wire.path, &wire.action) {
            // `v3/x/y` as the catalogue writes it, besides `/v3/x/y` and `x/y`.
            (Some(path), None) => {
                RouteKey::v3(path.strip_prefix("v3/").unwrap_or(path)).map_err(|e| format!("`path`: {e}"))?
            }
            (None, Some(action)) => RouteKey::v2(action).map_err(|e| format!("`action`: {e}"))?,
            (Some(_), Some(_)) => return Err("has both `path` and `action`: give one".into()),
            (None, None) => {
                return Err("names no route: give `path` (a V3 path) or `action` (a V2 Action)".into());
            }
        };
        let mut matching = BTreeMap::new();
        for (name, raw) in wire.matching.unwrap_or_default() {
            let expected = Expected::of(&raw).map_err(|e| format!("`match.{name}`: {e}"))?;
            matching.insert(name, (expected, raw));
        }
        let dialect = match &wire.dialect {
            None => None,
            Some(name) => Some(PageDialect::from_name(name).ok_or_else(|| {
                let names: Vec<&str> = PageDialect::ALL.iter().map(|d| d.name()).collect();
                format!("`dialect` {name:?} is not one of {}", names.join(", "))
            })?),
        };
        let answer = match (wire.data, wire.error, wire.items) {
            (Some(data), None, None) => Answer::Data(data),
            (None, Some(error), None) => error_answer(error)?,
            (None, None, Some(items)) => {
                let dialect =
                    dialect.or_else(|| route.catalogue().and_then(|e| e.paging)).ok_or_else(|| {
                        format!(
                            "has `items`, but {route} has no paging dialect in the catalogue: add \
                         `\"dialect\"` (one of data_total, list_total, result_list, total_page, \
                         page_count, page_size, records) or answer with `data`"
                        )
                    })?;
                Answer::Items { items, dialect }
            }
            (None, None, None) => return Err("has no answer: give one of `data`, `error` or `items`".into()),
            _ => return Err("has more than one answer: give only one of `data`, `error` or `items`".into()),
        };
        Ok(Stub { route, matching, answer, dialect })
    }

    /// Whether the request's params (the members of their JSON text) fit this stub's `match`.
    pub(crate) fn matches(&self, params: &HashMap<String, &RawValue>) -> bool {
        self.matching
            .iter()
            .all(|(name, (expected, _))| params.get(name).is_some_and(|p| expected.accepts(p)))
    }

    /// The stub as the file writes it.
    fn wire(&self) -> WireStub {
        let mut wire = WireStub::for_route(&self.route);
        wire.matching = (!self.matching.is_empty())
            .then(|| self.matching.iter().map(|(k, (_, raw))| (k.clone(), raw.clone())).collect());
        match &self.answer {
            Answer::Data(raw) => wire.data = Some(raw.clone()),
            Answer::Error { status, code, message } => {
                let status = (!status).then_some(false);
                wire.error = Some(WireError { status, code: code.clone(), message: message.clone() });
            }
            Answer::Items { items, .. } => wire.items = Some(items.clone()),
        }
        wire.dialect = self.dialect.map(|d| d.name().to_owned());
        wire
    }

    /// Whether this stub and `other` answer exactly the same requests.
    #[cfg(feature = "record")]
    fn same_requests(&self, other: &Stub) -> bool {
        self.route == other.route
            && self.matching.len() == other.matching.len()
            && self.matching.iter().zip(&other.matching).all(|((k, (a, _)), (l, (b, _)))| k == l && a == b)
    }
}

fn error_answer(error: WireError) -> Result<Answer, String> {
    let status = error.status.unwrap_or(true);
    let code: Value = serde_json::from_str(error.code.get()).map_err(|e| format!("`error.code`: {e}"))?;
    let zero = match &code {
        Value::Number(n) if n.is_i64() || n.is_u64() => n.as_i64() == Some(0),
        Value::String(s) if !s.trim().is_empty() => s.trim() == "0",
        _ => {
            return Err(format!(
                "`error.code` is {}: give an integer or a non-empty string",
                error.code.get()
            ));
        }
    };
    if zero && status {
        return Err("`error.code` is 0, which means success: give a non-zero code (or `data`)".into());
    }
    Ok(Answer::Error { status, code: error.code, message: error.message })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `stub` answers `params` (sent as their JSON text).
    fn fits(stub: &Arc<Stub>, params: Value) -> bool {
        let raw = serde_json::value::to_raw_value(&params).unwrap();
        let members: HashMap<String, &RawValue> = serde_json::from_str(raw.get()).unwrap_or_default();
        stub.matches(&members)
    }

    fn error_of(text: &str) -> (Option<usize>, String) {
        match Stubs::from_json(text) {
            Err(MockError::Stubs { index, message, .. }) => (index, message),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_valid_file_round_trips_through_to_json() {
        let text = r#"{"stubs": [
            {"path": "/v3/crm/member/getMemberInfo", "match": {"user_id": 10001, "vip": true},
             "data": {"b": 1, "a": 12345678901234567890123}},
            {"action": "coupon.user-coupon-list", "data": null},
            {"path": "v3/x/y", "error": {"status": false, "code": "E1", "message": "busy"}},
            {"path": "v3/org/shop/getShopList", "items": [1, 2]},
            {"path": "v3/a/b", "dialect": "records", "items": []}
        ]}"#;
        let stubs = Stubs::from_json(text).unwrap();
        assert_eq!(stubs.len(), 5);
        assert_eq!(stubs.routes().count(), 5);
        let again = Stubs::from_json(&stubs.to_json()).unwrap();
        assert_eq!(again.to_json(), stubs.to_json());
        assert!(stubs.to_json().contains(r#""a": 12345678901234567890123"#), "{}", stubs.to_json());
        let first = &stubs.stubs[0];
        assert!(fits(first, serde_json::json!({"user_id": "10001", "vip": "true", "x": 1})));
        assert!(!fits(first, serde_json::json!({"user_id": 10002, "vip": true})));
        assert!(!fits(first, serde_json::json!({"vip": true})));
        let json = Stubs::from_json(
            r#"{"stubs": [{"path": "a/b", "match": {"basket": [{"id": 1}], "x": null}, "data": 1}]}"#,
        )
        .unwrap();
        assert!(fits(&json.stubs[0], serde_json::json!({"basket": [{"id": 1}], "x": null})));
        assert!(!fits(&json.stubs[0], serde_json::json!({"basket": [{"id": 2}], "x": null})));
        assert!(!fits(&json.stubs[0], serde_json::json!({"basket": [{"id": 1}]})));
        assert!(!fits(&json.stubs[0], serde_json::json!({"basket": "[{\"id\":1}]", "x": null})));
    }

    #[test]
    fn bad_files_name_the_stub_and_the_problem() {
        let cases: &[(&str, Option<usize>, &str)] = &[
            ("[]", None, "not a stubs file"),
            (r#"{"stub": []}"#, None, "unknown field `stub`"),
            (r#"{"stubs": [{"data": 1}]}"#, Some(0), "names no route"),
            (
                r#"{"stubs": [{"path": "a/b", "data": 1}, {"path": "a/b", "action": "x", "data": 1}]}"#,
                Some(1),
                "both",
            ),
            (r#"{"stubs": [{"path": "a/../b", "data": 1}]}"#, Some(0), "`path`"),
            (r#"{"stubs": [{"action": " ", "data": 1}]}"#, Some(0), "`action`"),
            (r#"{"stubs": [{"path": "a/b"}]}"#, Some(0), "has no answer"),
            (r#"{"stubs": [{"path": "a/b", "data": 1, "items": []}]}"#, Some(0), "more than one answer"),
            (
                r#"{"stubs": [{"path": "a/b", "error": {"code": 0, "message": "x"}}]}"#,
                Some(0),
                "means success",
            ),
            (
                r#"{"stubs": [{"path": "a/b", "error": {"code": 1.5, "message": "x"}}]}"#,
                Some(0),
                "`error.code`",
            ),
            (r#"{"stubs": [{"path": "a/b", "error": {"code": 1}}]}"#, Some(0), "missing field `message`"),
            (r#"{"stubs": [{"path": "a/b", "items": [1]}]}"#, Some(0), "no paging dialect"),
            (
                r#"{"stubs": [{"path": "a/b", "dialect": "pages", "items": [1]}]}"#,
                Some(0),
                "`dialect` \"pages\"",
            ),
            (r#"{"stubs": [{"path": "a/b", "data": 1, "extra": 2}]}"#, Some(0), "unknown field `extra`"),
            (r#"{"stubs": [1]}"#, Some(0), "expected struct"),
        ];
        for (text, index, fragment) in cases {
            let (got, message) = error_of(text);
            assert_eq!(got, *index, "{text}: {message}");
            assert!(message.contains(fragment), "{text}: {message}");
        }
        let e = Stubs::from_json(r#"{"stubs": [{"path": "a/b"}]}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid stubs in <json text>: stub 0: has no answer: give one of `data`, `error` or `items`"
        );
    }
}
