//! Messy answers: the same data the way real gateways write it (numbers as texts and back,
//! absent fields as `""` or `null`, unknown extra fields), each change kept only if the
//! model still decodes to exactly the value it was made from.

use fastrand::Rng;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value, json};
use zv_types::catalogue::{Data, DataShape, JsonType, Param};
use zv_types::{CouponList, ExchangeCodeStatus, GiftCard, Money};

#[cfg(test)]
use super::Representation;
use super::canonical;

/// A `data` type of a built-in endpoint, with its own messy writer (it knows the model's
/// optional fields).
pub(crate) trait Render: Serialize + DeserializeOwned + PartialEq {
    /// The value written the way real gateways do, decoding to exactly `self`.
    fn messy(&self, rng: &mut Rng) -> Value;
}

/// Any model written messily (numbers and texts swapped, unknown fields added, …), each
/// change kept only if it still decodes to exactly `data`: the messy writer of the data of a
/// user's typed endpoint.
pub(crate) fn generic_messy<T: Serialize + DeserializeOwned + PartialEq>(data: &T, rng: &mut Rng) -> Value {
    messify(data, &[], rng)
}

/// Optional fields of a gift card (absent in canonical form when `None`).
const GIFT_CARD: Shape = &[(
    &[],
    &["par_value", "deduct_amount", "bind_status", "beginAt", "endAt", "createdAt", "status", "validType"],
)];
/// Optional fields of a member's coupon and of its nested template.
const USER_COUPON: Shape = &[
    (&[], &["id", "coupon_id", "start_at", "end_at", "status", "is_lock", "coupon"]),
    (&["coupon"], &["id", "coupon_type", "min_amount_use"]),
];
/// Fields holding a nested object, which PHP writes as `[]` when empty.
const OBJECT_FIELDS: &[&str] = &["coupon"];

/// For each object (by path of keys), the optional fields that may be absent.
type Shape = &'static [(&'static [&'static str], &'static [&'static str])];

impl Render for Vec<GiftCard> {
    fn messy(&self, rng: &mut Rng) -> Value {
        Value::Array(self.iter().map(|card| messify(card, GIFT_CARD, rng)).collect())
    }
}

impl Render for CouponList {
    fn messy(&self, rng: &mut Rng) -> Value {
        let items = self.item_list.iter().map(|c| messify(c, USER_COUPON, rng)).collect();
        let mut data = json!({ "item_list": Value::Array(items) });
        if rng.bool() {
            let total = self.item_list.len();
            try_edit(&mut data, self, |d| insert(d, &[], "total", json!(total.to_string())));
        }
        data
    }
}

impl Render for ExchangeCodeStatus {
    fn messy(&self, rng: &mut Rng) -> Value {
        messify(self, &[], rng)
    }
}

/// Generated sample data of `schema` written the way real gateways write such data, as the
/// catalogue's lenient readings take it back (see the catalogue's vocabulary): about half
/// the plain integers, fen and yuan amounts as texts (`"12"`, `"12.5"`), booleans as
/// `"true"`/`"false"`, and unknown extra fields in objects. Enumerated values, flags, times
/// and texts stay as they are; so does a page's envelope (only its records are messed).
pub(crate) fn sample(schema: &Data, data: &mut Value, rng: &mut Rng) {
    match (schema.shape, data) {
        (DataShape::Object, Value::Object(object)) => sample_object(schema.fields, object, rng, 0),
        (DataShape::List, Value::Array(records)) => {
            for record in records.iter_mut().filter_map(Value::as_object_mut) {
                sample_object(schema.fields, record, rng, 0);
            }
        }
        _ => {}
    }
}

/// How deep [`sample`] goes into nested objects (the schemas are finite; this bounds a
/// mistake).
const MAX_SAMPLE_DEPTH: usize = 16;

fn sample_object(fields: &[Param], object: &mut Map<String, Value>, rng: &mut Rng, depth: usize) {
    if depth > MAX_SAMPLE_DEPTH {
        return;
    }
    for field in fields {
        if let Some(value) = object.get_mut(field.name) {
            sample_value(field, value, rng, depth);
        }
    }
    if rng.u8(..10) < 4 {
        let (name, value) = extra_field(rng);
        if fields.iter().all(|f| f.name != name) {
            object.entry(name).or_insert(value);
        }
    }
}

fn sample_value(field: &Param, value: &mut Value, rng: &mut Rng, depth: usize) {
    let plain = field.values.is_empty() && field.format.is_none();
    match (field.json_type, &*value) {
        (Some(JsonType::Integer | JsonType::Number), Value::Number(n)) if plain && rng.bool() => {
            *value = Value::String(n.to_string());
        }
        (Some(JsonType::Boolean), Value::Bool(b)) if rng.bool() => *value = Value::String(b.to_string()),
        (Some(JsonType::Object), Value::Object(_)) => {
            if let Some(object) = value.as_object_mut() {
                sample_object(field.fields, object, rng, depth + 1);
            }
        }
        (Some(JsonType::Array), Value::Array(_)) if field.items == Some(JsonType::Object) => {
            for item in value.as_array_mut().into_iter().flatten().filter_map(Value::as_object_mut) {
                sample_object(field.fields, item, rng, depth + 1);
            }
        }
        _ => {}
    }
}

/// One step of a path into a JSON value.
#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

fn get_mut<'v>(mut v: &'v mut Value, path: &[Seg]) -> Option<&'v mut Value> {
    for seg in path {
        v = match seg {
            Seg::Key(k) => v.as_object_mut()?.get_mut(k)?,
            Seg::Index(i) => v.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(v)
}

fn object_at<'v>(v: &'v mut Value, keys: &[&str]) -> Option<&'v mut Map<String, Value>> {
    let path: Vec<Seg> = keys.iter().map(|k| Seg::Key((*k).to_owned())).collect();
    get_mut(v, &path)?.as_object_mut()
}

fn insert(v: &mut Value, keys: &[&str], name: &str, value: Value) {
    if let Some(obj) = object_at(v, keys) {
        obj.insert(name.to_owned(), value);
    }
}

/// Paths of every leaf (not an object or array) and of every object, in document order.
fn walk(v: &Value, path: &mut Vec<Seg>, leaves: &mut Vec<Vec<Seg>>, objects: &mut Vec<Vec<Seg>>) {
    match v {
        Value::Object(map) => {
            objects.push(path.clone());
            for (k, child) in map {
                path.push(Seg::Key(k.clone()));
                walk(child, path, leaves, objects);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                walk(child, path, leaves, objects);
                path.pop();
            }
        }
        _ => leaves.push(path.clone()),
    }
}

/// Whether `v`, written out and read back as `T`, is exactly `original`.
fn decodes_to<T: DeserializeOwned + PartialEq>(v: &Value, original: &T) -> bool {
    serde_json::to_vec(v)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<T>(&bytes).ok())
        .is_some_and(|d| &d == original)
}

/// Applies `edit` to `v` and keeps it only if `v` still decodes to `original`.
fn try_edit<T: DeserializeOwned + PartialEq>(
    v: &mut Value,
    original: &T,
    edit: impl FnOnce(&mut Value),
) -> bool {
    let before = v.clone();
    edit(v);
    if decodes_to(v, original) {
        true
    } else {
        *v = before;
        false
    }
}

/// A plain integer text the gateway might equally send as a number: digits only, at most
/// 15 of them (exact in a double), no leading zero.
fn plain_integer(s: &str) -> Option<u64> {
    let ok = !s.is_empty()
        && s.len() <= 15
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s == "0" || !s.starts_with('0'));
    if ok { s.parse().ok() } else { None }
}

/// A yuan amount text (`"100.50"`) as a JSON number, when the number reads back as exactly
/// the same amount (`100.5`; `200` for `"200.00"`).
fn yuan_number(s: &str) -> Option<Value> {
    if !s.contains('.') {
        return None;
    }
    let money = Money::parse_yuan(s).ok()?;
    if money.fen() % 100 == 0 {
        return Some(Value::from(money.fen() / 100));
    }
    let f: f64 = s.parse().ok()?;
    let n = Number::from_f64(f)?;
    (Money::parse_yuan(&f.to_string()).ok() == Some(money)).then_some(Value::Number(n))
}

/// What to do to one leaf.
enum Edit {
    Replace(Value),
    Remove,
}

/// A messy variant of a leaf value, or nothing (about half the time).
fn propose(v: &Value, rng: &mut Rng) -> Option<Edit> {
    if !rng.bool() {
        return None;
    }
    // Now and then, try leaving the field out (kept only where absent means the same, such
    // as `""` for a text or `"0"` for `isErp`).
    if rng.u8(..8) == 0 {
        return Some(Edit::Remove);
    }
    let replacement = match v {
        Value::String(s) => {
            if let Some(n) = plain_integer(s) {
                Value::from(n)
            } else if let Some(n) = yuan_number(s) {
                n
            } else if s == "true" || s == "false" {
                Value::Bool(s == "true")
            } else if s.is_empty() {
                if rng.bool() { Value::Null } else { return Some(Edit::Remove) }
            } else {
                return None;
            }
        }
        Value::Number(n) if n.is_i64() || n.is_u64() => Value::String(n.to_string()),
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Null => Value::String(String::new()),
        _ => return None,
    };
    Some(Edit::Replace(replacement))
}

/// Fields real gateways add that no model knows.
fn extra_field(rng: &mut Rng) -> (&'static str, Value) {
    match rng.u8(..6) {
        0 => ("sort", json!(0)),
        1 => ("remark", json!("")),
        2 => ("updated_at", json!("2025-06-18 12:00:00")),
        3 => ("extend_info", json!({"channel": "mini_program", "tags": []})),
        4 => ("is_delete", json!("0")),
        _ => ("shop_id", json!(1024)),
    }
}

/// `typed` written messily: numbers and texts swapped, absent fields as `""`/`null`/`[]`,
/// unknown fields added, each change kept only if `typed` still decodes the same.
fn messify<T: Serialize + DeserializeOwned + PartialEq>(typed: &T, shape: Shape, rng: &mut Rng) -> Value {
    let mut v = canonical(typed);
    let (mut leaves, mut objects) = (Vec::new(), Vec::new());
    walk(&v, &mut Vec::new(), &mut leaves, &mut objects);

    for path in leaves {
        let Some(current) = get_mut(&mut v, &path).map(|x| x.clone()) else { continue };
        let Some(edit) = propose(&current, rng) else { continue };
        try_edit(&mut v, typed, |v| match edit {
            Edit::Replace(new) => {
                if let Some(slot) = get_mut(v, &path) {
                    *slot = new;
                }
            }
            Edit::Remove => {
                let (Some(Seg::Key(key)), parent) = (path.last(), &path[..path.len() - 1]) else { return };
                if let Some(obj) = get_mut(v, parent).and_then(Value::as_object_mut) {
                    obj.remove(key);
                }
            }
        });
    }

    for (keys, optional) in shape {
        for name in *optional {
            let absent = object_at(&mut v, keys).is_some_and(|obj| !obj.contains_key(*name));
            if !absent || !rng.bool() {
                continue;
            }
            let filler = if OBJECT_FIELDS.contains(name) {
                [json!([]), json!(""), Value::Null][rng.usize(..3)].clone()
            } else if rng.bool() {
                json!("")
            } else {
                Value::Null
            };
            try_edit(&mut v, typed, |v| insert(v, keys, name, filler));
        }
    }

    for path in objects {
        if rng.u8(..10) >= 6 {
            continue;
        }
        let (name, value) = extra_field(rng);
        try_edit(&mut v, typed, |v| {
            if let Some(obj) = get_mut(v, &path).and_then(Value::as_object_mut) {
                obj.entry(name).or_insert(value);
            }
        });
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Fixtures;
    use zv_types::{GetCustomerGiftCardList, GetExchangeCodeStatus, UserCouponList, decode_endpoint};

    #[test]
    fn integers_and_amounts() {
        assert_eq!(plain_integer("0"), Some(0));
        assert_eq!(plain_integer("8800001"), Some(8_800_001));
        assert_eq!(plain_integer("007"), None);
        assert_eq!(plain_integer("1234567890123456"), None);
        assert_eq!(plain_integer(""), None);
        assert_eq!(plain_integer("1.5"), None);
        assert_eq!(yuan_number("100.50"), Some(json!(100.5)));
        assert_eq!(yuan_number("200.00"), Some(json!(200)));
        assert_eq!(yuan_number("0.07"), Some(json!(0.07)));
        assert_eq!(yuan_number("12"), None);
        assert_eq!(yuan_number("abc.d"), None);
        assert_eq!(yuan_number("90071992547409.93"), None, "not exact in a double");
    }

    /// Over many seeds, the messy bodies decode to the demo data exactly, and they are
    /// really messy.
    #[test]
    fn messy_answers_decode_to_the_same_values() {
        let demo = Fixtures::demo();
        let member = &demo.members[crate::model::DEMO_MEMBER];
        let cards = member.gift_cards.clone();
        let coupons = CouponList::new(member.coupons.clone());
        let status = ExchangeCodeStatus::new(true);
        let mut changed = 0;
        for seed in 0..200 {
            let mut style = Representation::new(true, seed);
            let body = style.answer::<GetCustomerGiftCardList>(&cards, Render::messy);
            assert_eq!(decode_endpoint::<GetCustomerGiftCardList>(&body).unwrap(), cards);
            let canonical_body =
                Representation::new(false, seed).answer::<GetCustomerGiftCardList>(&cards, Render::messy);
            changed += usize::from(body != canonical_body);
            let text = String::from_utf8(body).unwrap();
            assert!(text.starts_with(r#"{"status":"true","code":"0""#), "{text}");

            let body = style.answer::<UserCouponList>(&coupons, Render::messy);
            assert_eq!(decode_endpoint::<UserCouponList>(&body).unwrap(), coupons);
            let body = style.answer::<GetExchangeCodeStatus>(&status, Render::messy);
            assert_eq!(decode_endpoint::<GetExchangeCodeStatus>(&body).unwrap(), status);
        }
        assert_eq!(changed, 200);
    }

    #[test]
    fn messy_is_deterministic_per_seed() {
        let cards = Fixtures::demo().members[crate::model::DEMO_MEMBER].gift_cards.clone();
        let a = Representation::new(true, 42).answer::<GetCustomerGiftCardList>(&cards, Render::messy);
        let b = Representation::new(true, 42).answer::<GetCustomerGiftCardList>(&cards, Render::messy);
        let c = Representation::new(true, 43).answer::<GetCustomerGiftCardList>(&cards, Render::messy);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn every_kind_of_mess_shows_up() {
        let member = &Fixtures::demo().members[crate::model::DEMO_MEMBER];
        let coupons = CouponList::new(member.coupons.clone());
        let mut seen = [false; 6];
        for seed in 0..100 {
            let v: Value = serde_json::from_slice(
                &Representation::new(true, seed).answer::<UserCouponList>(&coupons, Render::messy),
            )
            .unwrap();
            for item in v["data"]["item_list"].as_array().unwrap() {
                seen[0] |= item["id"].is_string();
                seen[1] |= item["start_at"].is_number();
                seen[2] |= item.get("coupon") == Some(&json!([]));
                seen[3] |= ["sort", "remark", "updated_at", "extend_info", "is_delete", "shop_id"]
                    .iter()
                    .any(|k| item.get(k).is_some());
                seen[4] |= item["coupon"]["min_amount_use"].is_string();
                seen[5] |= item.get("verify_code") == Some(&Value::Null) || item.get("verify_code").is_none();
            }
        }
        assert_eq!(seen, [true; 6]);
        let cards = member.gift_cards.clone();
        let (mut number_amount, mut null_date) = (false, false);
        for seed in 0..100 {
            let v: Value = serde_json::from_slice(
                &Representation::new(true, seed).answer::<GetCustomerGiftCardList>(&cards, Render::messy),
            )
            .unwrap();
            for card in v["data"].as_array().unwrap() {
                number_amount |= card["par_value"].is_number();
                null_date |= card.get("endAt").is_some_and(|e| e.is_null() || e == "");
            }
        }
        assert!(number_amount && null_date);
    }
}
