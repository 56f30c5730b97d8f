//! An entry's params as JSON Schema (draft 2020-12), for tools that describe an endpoint's
//! input to a program, e.g. the tools of `zv mcp`.

use serde_json::{Map, Value, json};

use super::{Entry, JsonType, Param};

/// The JSON Schema dialect [`Entry::params_json_schema`] writes.
pub const JSON_SCHEMA_DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

impl Entry {
    /// The entry's params as a JSON Schema (draft 2020-12) object schema: one property per
    /// documented param (its JSON type, its label as `description`, its allowed values as
    /// `enum` when they are of the param's type, nested `properties` for an object or a
    /// list of objects), the required ones in `required`, and, when the entry documents its
    /// params, `additionalProperties: false` (the paging fields of a paged entry are
    /// properties too). An entry without documented params gives a free-form object.
    ///
    /// The schema says no more than [`check_params`](Self::check_params) checks: a value
    /// the schema accepts may still be refused by it (money and time forms), never the
    /// reverse for the names, types and required params it lists.
    ///
    /// ```
    /// use zv_types::catalogue::lookup;
    /// let schema = lookup("v3/crm/customer/gatherCustomerInfo").unwrap().params_json_schema();
    /// assert_eq!(schema["type"], "object");
    /// assert_eq!(schema["properties"]["type"]["type"], "integer");
    /// assert!(schema["required"].as_array().unwrap().contains(&"type".into()));
    /// assert_eq!(schema["additionalProperties"], false);
    /// ```
    pub fn params_json_schema(&self) -> Value {
        let mut schema = Map::new();
        schema.insert("$schema".into(), JSON_SCHEMA_DIALECT.into());
        if self.params.is_empty() {
            schema.insert("type".into(), "object".into());
            schema.insert(
                "description".into(),
                "The catalogue documents no params for this endpoint: any JSON object.".into(),
            );
            return Value::Object(schema);
        }
        let mut object = object_schema(self.params);
        if let (Some(dialect), Value::Object(o)) = (self.paging, &mut object) {
            let (number, size) = dialect.request_fields();
            if let Some(Value::Object(props)) = o.get_mut("properties") {
                for (name, what) in [(number, "the page number, from 1"), (size, "records per page")] {
                    props
                        .entry(name)
                        .or_insert_with(|| json!({ "type": "integer", "minimum": 1, "description": what }));
                }
            }
        }
        if let Value::Object(o) = object {
            schema.extend(o);
        }
        Value::Object(schema)
    }
}

/// An object whose members are `fields`.
fn object_schema(fields: &[Param]) -> Value {
    let properties: Map<String, Value> =
        fields.iter().map(|p| (p.name.to_owned(), param_schema(p))).collect();
    let required: Vec<&str> = fields.iter().filter(|p| p.required == Some(true)).map(|p| p.name).collect();
    let mut o = Map::new();
    o.insert("type".into(), "object".into());
    o.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        o.insert("required".into(), required.into());
    }
    o.insert("additionalProperties".into(), false.into());
    Value::Object(o)
}

fn param_schema(p: &Param) -> Value {
    let mut s = match p.json_type {
        Some(JsonType::Object) if !p.fields.is_empty() => object_schema(p.fields),
        Some(JsonType::Array) => {
            let mut s = Map::new();
            s.insert("type".into(), "array".into());
            let items = match (p.items, p.fields.is_empty()) {
                (_, false) => Some(object_schema(p.fields)),
                (Some(t), true) => Some(json!({ "type": t.name() })),
                (None, true) => None,
            };
            if let Some(items) = items {
                s.insert("items".into(), items);
            }
            Value::Object(s)
        }
        Some(t) => json!({ "type": t.name() }),
        None => json!({}),
    };
    if let Value::Object(s) = &mut s {
        let mut description: Vec<String> = p.description.map(str::to_owned).into_iter().collect();
        if let Some(unit) = p.money_unit {
            description.push(format!("money in {unit}"));
        }
        if let Some(format) = p.format {
            description.push(format!("format {format}"));
        }
        if !p.values.is_empty() {
            let labels: Vec<String> = p.values.iter().map(|a| format!("{} = {}", a.value, a.label)).collect();
            description.push(format!("allowed: {}", labels.join(", ")));
            if let Some(values) = enum_values(p) {
                s.insert("enum".into(), Value::Array(values));
            }
        }
        if !description.is_empty() {
            s.insert("description".into(), description.join("; ").into());
        }
        if let Some(default) = p.default {
            s.insert("default".into(), default_value(p.json_type, default));
        }
    }
    s
}

/// The allowed values as JSON values of the param's type, when every one reads as such.
fn enum_values(p: &Param) -> Option<Vec<Value>> {
    p.values
        .iter()
        .map(|a| match p.json_type {
            Some(JsonType::String) => Some(Value::String(a.value.to_owned())),
            Some(JsonType::Integer) => a.value.trim().parse::<i64>().ok().map(Value::from),
            _ => None,
        })
        .collect()
}

fn default_value(json_type: Option<JsonType>, text: &str) -> Value {
    match json_type {
        Some(JsonType::Integer | JsonType::Number | JsonType::Boolean) => {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
        }
        _ => Value::String(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::catalogue::{Safety, all, lookup};

    /// Every entry's schema is an object schema naming its documented params, and the
    /// validator accepts the required params at their schema's type.
    #[test]
    fn every_entry_has_an_object_schema_of_its_params() {
        for entry in all() {
            let schema = entry.params_json_schema();
            assert_eq!(schema["type"], "object", "{}", entry.key());
            assert_eq!(schema["$schema"], super::JSON_SCHEMA_DIALECT);
            for p in entry.params {
                assert!(schema["properties"].get(p.name).is_some(), "{} {}", entry.key(), p.name);
            }
        }
    }

    #[test]
    fn an_entry_without_params_is_free_form() {
        let entry = all().iter().find(|e| e.params.is_empty()).unwrap();
        let schema = entry.params_json_schema();
        assert!(schema.get("properties").is_none());
        assert!(schema.get("additionalProperties").is_none());
    }

    #[test]
    fn required_types_enums_and_paging_fields() {
        let entry = lookup("v3/crm/customer/gatherCustomerInfo").unwrap();
        let schema = entry.params_json_schema();
        assert_eq!(schema["properties"]["type"]["enum"][1], json!(2));
        assert!(schema["properties"]["type"]["description"].as_str().unwrap().contains("2 = 手机号"));
        // A paged entry's paging fields are properties (documented or not).
        for paged in all().iter().filter(|e| e.paging.is_some() && !e.params.is_empty()) {
            let (number, size) = paged.paging.unwrap().request_fields();
            let schema = paged.params_json_schema();
            assert!(schema["properties"].get(number).is_some(), "{}", paged.key());
            assert!(schema["properties"].get(size).is_some(), "{}", paged.key());
        }
        assert!(all().iter().any(|e| e.safety == Safety::Write));
    }
}
