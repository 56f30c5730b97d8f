//! An entry as JSON, for `zv endpoints show --json` and other tools.

use serde_json::{Value, json};

use super::{Data, Entry, Param, Source};
use crate::endpoint::Protocol;

impl Entry {
    /// The entry as one JSON object, the shape `zv endpoints show --json` prints: `path`
    /// (a V3 path, with its `v3/` prefix) or `action` (a V2 Action), `title`, `safety`
    /// (`read`/`write`), `paging` (a dialect name or `null`), `source` (`{"page": "doc3",
    /// "article": 726, "url": …}` or `{"seen_in": …}`), `twin` (the other version's
    /// `v3/…` path or Action, or `null`), `rust_type` (when typed), `params` (a list of
    /// fields), `params_truncated` (the page's params table was cut short) and `data` (`null`, or `{"shape": "object"|"list"|"page", "truncated": bool,
    /// "fields": [...]}`).
    ///
    /// A field is `{"name", "type", "required", "default", "unit", "values": [{"value",
    /// "label"}], "fields": [...], "label", "format", "items"}`; a key the catalogue does not
    /// know is `null` (`values` and `fields` are then empty lists).
    ///
    /// ```
    /// use zv_types::catalogue::lookup;
    /// let shown = lookup("v3/crm/customer/gatherCustomerInfo").unwrap().describe_json();
    /// assert_eq!(shown["path"], "v3/crm/customer/gatherCustomerInfo");
    /// assert_eq!(shown["twin"], "communal.user.gether-customer-info");
    /// let kind = shown["params"].as_array().unwrap().iter().find(|p| p["name"] == "type").unwrap();
    /// assert_eq!((&kind["type"], &kind["required"]), (&"integer".into(), &true.into()));
    /// assert_eq!(kind["values"][1], zv_types::serde_json::json!({"value": "2", "label": "手机号"}));
    /// ```
    pub fn describe_json(&self) -> Value {
        let mut out = serde_json::Map::new();
        match self.route.protocol() {
            Protocol::V3 => out.insert("path".into(), format!("v3/{}", self.key()).into()),
            Protocol::V2 => out.insert("action".into(), self.key().into()),
        };
        out.insert("title".into(), self.title.into());
        out.insert("safety".into(), self.safety.name().into());
        out.insert("paging".into(), self.paging.map(|p| p.name()).into());
        out.insert("source".into(), source_json(&self.source));
        out.insert("twin".into(), self.twin.map(|t| route_name(&t)).into());
        out.insert("rust_type".into(), self.rust_type.into());
        out.insert("params".into(), fields_json(self.params));
        out.insert("params_truncated".into(), self.params_truncated.into());
        out.insert("data".into(), self.data.map_or(Value::Null, data_json));
        Value::Object(out)
    }
}

/// `v3/<path>` for a V3 route, the Action for a V2 one.
fn route_name(route: &crate::Route<'_>) -> String {
    match route.protocol() {
        Protocol::V3 => format!("v3/{}", route.name()),
        Protocol::V2 => route.name().to_owned(),
    }
}

fn source_json(source: &Source) -> Value {
    match source {
        Source::VendorPage { protocol, article } => json!({
            "page": match protocol { Protocol::V2 => "doc2", Protocol::V3 => "doc3" },
            "article": article,
            "url": source.url(),
        }),
        Source::Observation(seen_in) => json!({ "seen_in": seen_in }),
    }
}

fn data_json(data: &Data) -> Value {
    json!({ "shape": data.shape.name(), "truncated": data.truncated, "fields": fields_json(data.fields) })
}

fn fields_json(fields: &[Param]) -> Value {
    Value::Array(fields.iter().map(field_json).collect())
}

fn field_json(p: &Param) -> Value {
    json!({
        "name": p.name,
        "type": p.json_type.map(|t| t.name()),
        "required": p.required,
        "default": p.default,
        "unit": p.money_unit.map(|u| u.name()),
        "values": p.values.iter().map(|a| json!({ "value": a.value, "label": a.label })).collect::<Vec<_>>(),
        "fields": fields_json(p.fields),
        "label": p.description,
        "format": p.format.map(|f| f.name()),
        "items": p.items.map(|t| t.name()),
    })
}
