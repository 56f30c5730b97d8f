//! Deterministic sample answers, valid under an entry's data schema (for a mock gateway).

use serde_json::{Map, Number, Value};

use super::{DataShape, Entry, Format, JsonType, MoneyUnit, Param};
use crate::moment::Moment;

/// 2025-01-01 00:00:00 China time, in Unix seconds: sample times fall in the two years
/// after it.
const EPOCH_2025: i64 = 1_735_660_800;
/// Two years, in seconds.
const TWO_YEARS: u64 = 2 * 365 * 86_400;
/// How deep sample objects nest at most (the schemas are finite; this bounds a mistake).
const MAX_DEPTH: usize = 16;
/// The page size assumed when the params ask for none, and the largest one honoured.
const DEFAULT_PAGE_SIZE: u64 = 10;
const MAX_PAGE_SIZE: u64 = 100;

/// A sample `data` for a success of `entry`, valid under its data schema, or `None` when
/// the entry has no data schema. Deterministic: the same entry and params (whatever the
/// order of their keys) give the same answer, other params most likely another. Money is a
/// plausible amount (whole fen; yuan with at most two decimals), times fall in 2025–2026,
/// an enumerated field takes one of its documented values, a list has one to three
/// records, and a paged entry answers the page the params ask for (its dialect's request
/// fields; page 1 and 10 records by default) in its dialect, with a total consistent
/// across pages.
///
/// ```
/// use zv_types::catalogue::{lookup, sample_data};
/// use zv_types::serde_json::json;
///
/// let entry = lookup("v3/crm/customer/gatherCustomerInfo").unwrap();
/// let a = sample_data(entry, &json!({"type": 2, "identifierNumber": "1"})).unwrap();
/// assert_eq!(a, sample_data(entry, &json!({"identifierNumber": "1", "type": 2})).unwrap());
/// assert!(a["mobile"].is_string());
/// ```
pub fn sample_data(entry: &Entry, params: &Value) -> Option<Value> {
    let data = entry.data?;
    let mut seed = Fnv::new();
    seed.write(entry.key().as_bytes());
    hash_value(&mut seed, params);
    let mut rng = Rng(seed.0);
    let object = |rng: &mut Rng| Value::Object(object(data.fields, rng, 0));
    Some(match (data.shape, entry.paging) {
        (DataShape::Object, _) => object(&mut rng),
        (DataShape::Page, Some(dialect)) => {
            let (number_field, size_field) = dialect.request_fields();
            let number = uint_param(params, number_field).unwrap_or(1).max(1);
            let size = uint_param(params, size_field).unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
            // The total depends on the entry and the params other than the page asked.
            let mut total_seed = Fnv::new();
            total_seed.write(entry.key().as_bytes());
            if let Value::Object(map) = params {
                let rest: Map<String, Value> = map
                    .iter()
                    .filter(|(k, _)| *k != number_field && *k != size_field)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                hash_value(&mut total_seed, &Value::Object(rest));
            }
            let total = Rng(total_seed.0).below(3 * DEFAULT_PAGE_SIZE + 1);
            let first = (number - 1).saturating_mul(size);
            let count = total.saturating_sub(first).min(size);
            let records: Vec<Value> = (0..count).map(|_| object(&mut rng)).collect();
            let (n, s) = (u32::try_from(number).unwrap_or(u32::MAX), u32::try_from(size).unwrap_or(u32::MAX));
            match dialect.render_page(&records, n, s, total) {
                Ok(raw) => serde_json::from_str(raw.get()).unwrap_or(Value::Array(records)),
                Err(_) => Value::Array(records),
            }
        }
        (DataShape::List | DataShape::Page, _) => {
            let n = 1 + rng.below(3);
            Value::Array((0..n).map(|_| object(&mut rng)).collect())
        }
    })
}

/// Sample params for `entry`: every documented param (nested ones too) with a plausible
/// value valid under its schema ([`Entry::check_params`] accepts it), deterministic for the
/// entry. For examples and tests; an entry that documents no params gives `{}`.
///
/// ```
/// use zv_types::catalogue::{lookup, sample_params};
/// let entry = lookup("v3/crm/customer/gatherCustomerInfo").unwrap();
/// let params = sample_params(entry);
/// assert!(entry.check_params(&params).is_ok());
/// assert!(params["type"].is_i64());
/// ```
pub fn sample_params(entry: &Entry) -> Value {
    let mut seed = Fnv::new();
    seed.write(b"params");
    seed.write(entry.key().as_bytes());
    let mut rng = Rng(seed.0);
    Value::Object(object(entry.params, &mut rng, 0))
}

/// A non-negative integer param, as a number or a numeric string.
fn uint_param(params: &Value, name: &str) -> Option<u64> {
    match params.get(name)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn object(fields: &[Param], rng: &mut Rng, depth: usize) -> Map<String, Value> {
    fields.iter().map(|f| (f.name.to_owned(), value(f, rng, depth + 1))).collect()
}

fn value(p: &Param, rng: &mut Rng, depth: usize) -> Value {
    // The values of a list are its elements'.
    if p.json_type != Some(JsonType::Array)
        && let Some(pick) = rng.pick(p.values)
    {
        return match p.json_type {
            Some(JsonType::Integer) => {
                pick.value.parse::<i64>().map_or_else(|_| pick.value.into(), Value::from)
            }
            Some(JsonType::Number) => pick
                .value
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map_or_else(|| pick.value.into(), Value::Number),
            _ => pick.value.into(),
        };
    }
    match (p.json_type, p.money_unit, p.format) {
        (Some(JsonType::Integer | JsonType::Number), Some(MoneyUnit::Fen), _) => {
            Value::from(100 + rng_fen(rng))
        }
        (Some(JsonType::Number), Some(MoneyUnit::Yuan), _) => yuan(100 + rng_fen(rng)),
        (Some(JsonType::String), Some(MoneyUnit::Yuan), _) => {
            Value::String(crate::Money::from_fen(100 + rng_fen(rng)).yuan_string())
        }
        (Some(JsonType::String), _, Some(Format::DateTime | Format::UnixSeconds)) => {
            Value::String(Moment::from_unix_seconds(time(rng)).map(|m| m.china_text()).unwrap_or_default())
        }
        (Some(JsonType::Integer | JsonType::Number), _, Some(Format::UnixSeconds | Format::DateTime)) => {
            Value::from(time(rng))
        }
        (Some(JsonType::Integer), _, Some(Format::Flag)) => Value::from(rng.below(2)),
        (Some(JsonType::Integer), _, _) if is_id(p.name) => Value::from(100_000 + rng.below(9_900_000)),
        (Some(JsonType::Integer), _, _) => Value::from(rng.below(100)),
        (Some(JsonType::Number), _, _) => yuan(i64::try_from(rng.below(100_000)).unwrap_or(0)),
        (Some(JsonType::Boolean), _, _) => Value::Bool(rng.below(2) == 1),
        (Some(JsonType::Array), _, _) if depth < MAX_DEPTH => {
            let element = Param { json_type: p.items, items: None, ..*p };
            let n = match (p.items, p.fields.is_empty()) {
                (None, true) => 0,
                _ => 1 + rng.below(3),
            };
            Value::Array((0..n).map(|_| value(&element, rng, depth + 1)).collect())
        }
        (Some(JsonType::Array), _, _) => Value::Array(Vec::new()),
        (Some(JsonType::Object), _, _) if depth < MAX_DEPTH => Value::Object(object(p.fields, rng, depth)),
        (Some(JsonType::Object), _, _) => Value::Object(Map::new()),
        (Some(JsonType::String) | None, _, _) => Value::String(text(p, rng)),
    }
}

fn rng_fen(rng: &mut Rng) -> i64 {
    i64::try_from(rng.below(50_000)).unwrap_or(0)
}

/// Fen as a JSON number of yuan (`12.34`).
fn yuan(fen: i64) -> Value {
    // At most 15 significant digits: the float reads back as the same two-decimal amount.
    #[allow(clippy::cast_precision_loss)]
    let amount = fen as f64 / 100.0;
    Number::from_f64(amount).map_or(Value::Null, Value::Number)
}

fn time(rng: &mut Rng) -> i64 {
    EPOCH_2025 + i64::try_from(rng.below(TWO_YEARS)).unwrap_or(0)
}

fn is_id(name: &str) -> bool {
    name == "id" || name.ends_with("Id") || name.ends_with("_id") || name.ends_with("ID")
}

/// A plausible text: a phone number for a phone field, otherwise the field's label (or
/// name) and a number.
fn text(p: &Param, rng: &mut Rng) -> String {
    let lower = p.name.to_ascii_lowercase();
    if lower.contains("mobile") || lower.contains("phone") {
        return format!("138{:08}", rng.below(100_000_000));
    }
    if is_id(p.name) || lower.ends_with("no") || lower.ends_with("code") || lower.ends_with("sn") {
        return format!("{}", 100_000 + rng.below(9_900_000));
    }
    let base =
        p.description.map_or(p.name, |d| d.split([',', '，', ':', '：', ' ', '(', '（']).next().unwrap_or(d));
    let base: String = base.chars().take(12).collect();
    format!("{base}{}", 1 + rng.below(99))
}

/// FNV-1a, 64 bits: a stable hash (std's `DefaultHasher` may change between releases).
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        // A separator, so ("ab", "c") and ("a", "bc") differ.
        self.0 = (self.0 ^ 0xff).wrapping_mul(0x0100_0000_01b3);
    }
}

/// Hashes a JSON value with object keys in sorted order, whatever the map's order.
fn hash_value(h: &mut Fnv, value: &Value) {
    match value {
        Value::Null => h.write(b"n"),
        Value::Bool(b) => h.write(if *b { b"t" } else { b"f" }),
        Value::Number(n) => h.write(format!("#{n}").as_bytes()),
        Value::String(s) => {
            h.write(b"s");
            h.write(s.as_bytes());
        }
        Value::Array(items) => {
            h.write(b"[");
            items.iter().for_each(|v| hash_value(h, v));
            h.write(b"]");
        }
        Value::Object(map) => {
            h.write(b"{");
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for k in keys {
                h.write(k.as_bytes());
                if let Some(v) = map.get(k) {
                    hash_value(h, v);
                }
            }
            h.write(b"}");
        }
    }
}

/// SplitMix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let n = u64::try_from(items.len()).ok()?;
        items.get(usize::try_from(self.below(n)).ok()?)
    }
}
