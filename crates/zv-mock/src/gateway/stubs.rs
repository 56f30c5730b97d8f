//! Serving stubs: a stub's answer to a request (a page of its `items` in the route's
//! dialect), the first stub that matches, and the answers when none does.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use serde_json::value::RawValue;
use zv_types::catalogue::Entry;
use zv_types::paging::DEFAULT_PAGE_SIZE;

use crate::model::{Answer, Code, NO_STUB_CODE, PlatformError, Representation, RouteKey, Stub};

/// The largest page size an `items` stub serves (a larger one is refused as bad params).
const MAX_PAGE_SIZE: u64 = 10_000;

impl Stub {
    /// The body of this stub's answer to `params`.
    pub(crate) fn answer(&self, params: &Value, style: &Representation) -> Result<Vec<u8>, PlatformError> {
        match &self.answer {
            Answer::Data(data) => Ok(style.success(data)),
            Answer::Error { status, code, message } => {
                Ok(style.error_with(*status, Code::Raw(code), message))
            }
            Answer::Items { items, dialect } => {
                let (number_field, size_field) = dialect.request_fields();
                let number = page_field(params, number_field, 1)?;
                let size = page_field(params, size_field, u64::from(DEFAULT_PAGE_SIZE))?;
                if size > MAX_PAGE_SIZE {
                    return Err(PlatformError::params(format!(
                        "`{size_field}` {size} is over {MAX_PAGE_SIZE}"
                    )));
                }
                let too_large = |field: &str| PlatformError::params(format!("`{field}` is too large"));
                let start = usize::try_from((number - 1).saturating_mul(size)).unwrap_or(usize::MAX);
                let end = start.saturating_add(usize::try_from(size).unwrap_or(usize::MAX)).min(items.len());
                let page = items.get(start.min(end)..end).unwrap_or_default();
                let number = u32::try_from(number).map_err(|_| too_large(number_field))?;
                let size = u32::try_from(size).map_err(|_| too_large(size_field))?;
                let data = dialect
                    .render_page(page, number, size, items.len() as u64)
                    .map_err(|e| PlatformError::system(50000, format!("cannot write the page: {e}")))?;
                Ok(style.success(&data))
            }
        }
    }
}

/// A page field of the request: a positive integer, as a number or a digit string;
/// `default` when absent.
fn page_field(params: &Value, field: &str, default: u64) -> Result<u64, PlatformError> {
    let value = match params.get(field) {
        None | Some(Value::Null) => return Ok(default),
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(_) => None,
    };
    value
        .filter(|n| *n > 0)
        .ok_or_else(|| PlatformError::params(format!("`{field}` must be a positive integer")))
}

/// The answer to params no stub of `route` matches, when nothing else answers them.
pub(crate) fn no_match(route: &RouteKey, stubs: &[Arc<Stub>]) -> PlatformError {
    let mut keys: Vec<&str> = stubs.iter().flat_map(|s| s.matching.keys().map(String::as_str)).collect();
    keys.sort_unstable();
    keys.dedup();
    PlatformError::business(
        NO_STUB_CODE,
        format!(
            "没有匹配的桩数据: no stub for {route} matches these params ({} stubs, matching on {}); \
             add one whose `match` fits them, or one without `match` to answer any params",
            stubs.len(),
            keys.join(", ")
        ),
    )
}

/// The answer to a catalogued route nothing serves: what it is, and how to stub it.
pub(crate) fn unstubbed(route: &RouteKey, entry: &Entry) -> PlatformError {
    let (key, name) = match route {
        RouteKey::V3(path) => ("path", path.trim_start_matches('/')),
        RouteKey::V2(action) => ("action", action.as_str()),
    };
    let answer = if entry.paging.is_some() { r#""items":[…]"# } else { r#""data":{…}"# };
    let title = entry.title.map(|t| format!(" ({t})")).unwrap_or_default();
    let what = match entry.paging {
        Some(dialect) => format!("a catalogued {} that pages as {dialect}", entry.safety),
        None => format!("a catalogued {}", entry.safety),
    };
    PlatformError::business(
        NO_STUB_CODE,
        format!(
            "没有桩数据: no stub for {route}{title}, {what}; add one to a stubs file, e.g. \
             {{\"stubs\":[{{\"{key}\":\"{name}\",{answer}}}]}}, and start `zv mock --stubs FILE`"
        ),
    )
}

/// The first of `stubs` whose `match` fits `params`, the params' JSON text as sent (params
/// that are not an object have no member to match).
pub(crate) fn find<'s>(stubs: &'s [Arc<Stub>], params: &RawValue) -> Option<&'s Arc<Stub>> {
    let members: HashMap<String, &RawValue> = serde_json::from_str(params.get()).unwrap_or_default();
    stubs.iter().find(|s| s.matches(&members))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Stubs;

    #[test]
    fn pages_of_items() {
        let stubs =
            Stubs::from_json(r#"{"stubs": [{"path": "v3/org/shop/getShopList", "items": [1, 2, 3, 4, 5]}]}"#)
                .unwrap();
        let stub = &stubs.stubs[0];
        let style = Representation::new(false, 0);
        let page = |params: Value| {
            stub.answer(&params, &style).map(|b| serde_json::from_slice::<Value>(&b).unwrap()["data"].clone())
        };
        assert_eq!(
            page(serde_json::json!({"pageNum": 2, "pageSize": "2"})).unwrap(),
            serde_json::json!({"list": [3, 4], "total": 5})
        );
        assert_eq!(
            page(serde_json::json!({"pageNum": 9, "pageSize": 2})).unwrap(),
            serde_json::json!({"list": [], "total": 5})
        );
        assert_eq!(page(serde_json::json!({})).unwrap()["list"].as_array().unwrap().len(), 5);
        for bad in [
            serde_json::json!({"pageNum": 0}),
            serde_json::json!({"pageSize": "x"}),
            serde_json::json!({"pageSize": 100_000}),
        ] {
            assert!(matches!(page(bad), Err(PlatformError::Params(_))));
        }
        assert!(page(serde_json::json!({"pageNum": u64::MAX, "pageSize": 10})).is_err());
    }
}
