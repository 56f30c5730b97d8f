//! The schemas imported from the vendor pages, the validator, the JSON description and the
//! sample data, through the public API.

use serde_json::{Value, json};

use super::*;

fn entry(path_or_action: &str) -> &'static Entry {
    lookup(path_or_action).unwrap_or_else(|| panic!("{path_or_action} is not catalogued"))
}

fn problems(e: &Entry, params: Value) -> Vec<String> {
    match e.check_params(&params) {
        Ok(()) => Vec::new(),
        Err(problems) => problems.iter().map(ToString::to_string).collect(),
    }
}

/// Every field, nested ones included.
fn walk<'a>(fields: &'a [Param], out: &mut Vec<&'a Param>) {
    for f in fields {
        out.push(f);
        walk(f.fields, out);
    }
}

#[test]
fn imported_schemas_are_counted_and_consistent() {
    let with_params =
        all().iter().filter(|e| e.source != Source::Observation("") && !e.params.is_empty()).count();
    let with_data = all().iter().filter(|e| e.data.is_some()).count();
    let from_pages = all().iter().filter(|e| matches!(e.source, Source::VendorPage { .. })).count();
    let twins = all().iter().filter(|e| e.twin.is_some()).count();
    assert_eq!(from_pages, 40, "the 40 vendor pages");
    assert!(with_params >= 74, "{with_params}");
    assert!(with_data >= 30, "{with_data}");
    assert_eq!(twins, 2 * 5, "5 of the 9 V3 pages have their V2 page");
    for e in all() {
        if let Some(twin) = e.twin {
            let other =
                by_route(twin).unwrap_or_else(|| panic!("{}'s twin {twin} is not catalogued", e.key()));
            assert_eq!(other.twin, Some(e.route), "{}", e.key());
            assert_ne!(other.route.protocol(), e.route.protocol());
            match (e.source, other.source) {
                (Source::VendorPage { article: a, .. }, Source::VendorPage { article: b, .. }) => {
                    assert_eq!(a, b)
                }
                other => panic!("twins without pages: {other:?}"),
            }
        }
        let mut fields = Vec::new();
        walk(e.params, &mut fields);
        if let Some(data) = e.data {
            walk(data.fields, &mut fields);
            assert!(data.shape != DataShape::Page || e.paging.is_some(), "{}", e.key());
        }
        for f in fields {
            assert!(
                !f.name.is_empty() && !f.name.contains(['.', '[', ']', ' ']),
                "{}: {:?}",
                e.key(),
                f.name
            );
            if !f.fields.is_empty() {
                assert!(
                    f.json_type == Some(JsonType::Object)
                        || f.json_type == Some(JsonType::Array) && f.items == Some(JsonType::Object),
                    "{}: {}",
                    e.key(),
                    f.name
                );
            }
            if f.json_type == Some(JsonType::Integer) {
                assert!(f.values.iter().all(|a| a.value.parse::<i64>().is_ok()), "{}: {}", e.key(), f.name);
            }
        }
    }
}

#[test]
fn names_keep_the_pages_spelling() {
    // The gateway reads these spellings, typos included.
    assert!(lookup("coupn.coupon-template-detail").is_some());
    assert!(lookup("communal.user.gether-customer-info").is_some());
    assert!(lookup("communal.user.coupons-vertify").is_some());
}

#[test]
fn a_valid_call_passes() {
    let e = entry("v3/crm/customer/gatherCustomerInfo");
    assert_eq!(problems(e, json!({"type": 2, "identifierNumber": "13800000000"})), Vec::<String>::new());
    assert_eq!(
        problems(e, json!({"type": 1, "typeCate": 3, "discountPrice": 12.5, "multiMark": "S1"})),
        Vec::<String>::new()
    );
    // an absent params object is no params: only the required ones are missing
    assert_eq!(problems(e, Value::Null), ["missing required param `type` (integer: 识别类型)"]);
    // an entry that documents no params checks nothing but the object
    let bare = all().iter().find(|e| e.params.is_empty()).unwrap();
    assert_eq!(bare.check_params(&json!({"anything": [1, {"x": null}]})), Ok(()));
    assert_eq!(problems(bare, json!([1])), ["params must be a JSON object, found an array"]);
}

#[test]
fn every_kind_of_problem_is_reported_at_once() {
    let e = entry("v3/crm/customer/gatherCustomerInfo");
    let found =
        e.check_params(&json!({"tpye": 2, "typeCate": 2, "discountPrice": "12", "zzzzzz": 1})).unwrap_err();
    let kinds: Vec<&Problem> = found.iter().map(|p| &p.problem).collect();
    assert!(kinds.contains(&&Problem::Unknown { suggestion: Some("type") }), "{found:?}");
    assert!(kinds.contains(&&Problem::Unknown { suggestion: None }), "{found:?}");
    let text: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert!(text.contains(&"unknown param `tpye`: did you mean `type`?".to_owned()), "{text:?}");
    assert!(
        text.contains(&"`typeCate` = 2 is not allowed; allowed: 1 (堂食), 3 (外卖)".to_owned()),
        "{text:?}"
    );
    assert!(
        text.contains(&"`discountPrice` must be number (yuan), found a string \"12\"".to_owned()),
        "{text:?}"
    );
    assert!(text.contains(&"missing required param `type` (integer: 识别类型)".to_owned()), "{text:?}");
    assert_eq!(found.len(), 5, "{text:?}");
}

#[test]
fn types_are_checked_strictly() {
    let e = entry("v3/crm/customer/gatherCustomerInfo");
    // an integer is a JSON number, never a string of digits nor a fraction
    assert_eq!(problems(e, json!({"type": "2"})), ["`type` must be integer, found a string \"2\""]);
    assert_eq!(problems(e, json!({"type": 2.5})), ["`type` must be integer, found the number 2.5"]);
    assert_eq!(problems(e, json!({"type": true})), ["`type` must be integer, found true"]);
    assert_eq!(
        problems(e, json!({"type": 7})),
        [
            "`type` = 7 is not allowed; allowed: 1 (会员码或会员ID), 2 (手机号), 3 (会员卡号), 4 (支付宝userid), 5 (微信openid), 6 (微信unionid)"
        ]
    );
    // a yuan amount has at most two decimals
    assert_eq!(
        problems(e, json!({"type": 2, "discountPrice": 1.005})),
        ["`discountPrice` must be number (yuan), found the number 1.005"]
    );
    // null is an absent value
    assert_eq!(problems(e, json!({"type": 2, "multiMark": null})), Vec::<String>::new());
    assert_eq!(problems(e, json!({"type": null})), ["missing required param `type` (integer: 识别类型)"]);
}

#[test]
fn nested_lists_of_objects_are_checked_to_any_depth() {
    let e = entry("v3/cy/customer/chooseCouponAsOne");
    let good = json!({
        "customerId": 1, "discountPrice": 9.9, "typeCate": 1, "multiMark": "S1",
        "tradeMarks": [{"num": 1, "tradeMark": "A", "price": 2.5}]
    });
    assert_eq!(problems(e, good.clone()), Vec::<String>::new());
    let mut bad = good;
    bad["tradeMarks"] = json!([{"num": "1", "tradeMark": "A", "price": 2.5}, {"nmu": 1, "price": 1}, 3]);
    let found = problems(e, bad);
    assert!(
        found.contains(&"`tradeMarks[0].num` must be integer, found a string \"1\"".to_owned()),
        "{found:?}"
    );
    assert!(
        found.contains(&"unknown param `tradeMarks[1].nmu`: did you mean `num`?".to_owned()),
        "{found:?}"
    );
    assert!(
        found.iter().any(|p| p.starts_with("missing required param `tradeMarks[1].tradeMark` (string")),
        "{found:?}"
    );
    assert!(found.contains(&"`tradeMarks[2]` must be object, found the number 3".to_owned()), "{found:?}");
    let not_a_list = problems(
        e,
        json!({"customerId": 1, "discountPrice": 1, "typeCate": 1, "multiMark": "S", "tradeMarks": {"num": 1}}),
    );
    assert_eq!(not_a_list, ["`tradeMarks` must be array of object, found an object"]);
}

#[test]
fn paging_fields_are_always_allowed_on_a_paged_entry() {
    let e = all().iter().find(|e| e.paging.is_some() && !e.params.is_empty()).unwrap();
    let (page, size) = e.paging.unwrap().request_fields();
    let required: serde_json::Map<String, Value> = e
        .params
        .iter()
        .filter(|p| p.required == Some(true))
        .map(|p| (p.name.to_owned(), json!(null)))
        .collect();
    let mut params = json!({ page: 1, size: 20 });
    params.as_object_mut().unwrap().extend(required);
    assert!(
        e.check_params(&params)
            .err()
            .unwrap_or_default()
            .iter()
            .all(|p| !matches!(p.problem, Problem::Unknown { .. })),
        "{}",
        e.key()
    );
    if e.param(page).is_none() {
        assert_eq!(e.coerce_param(page, "2"), Ok(json!(2)));
    }
}

#[test]
fn field_values_are_converted_to_the_declared_type() {
    let e = entry("v3/cy/customer/chooseCouponAsOne");
    assert_eq!(e.coerce_param("customerId", " 42 "), Ok(json!(42)));
    assert_eq!(e.coerce_param("customerId", "18446744073709551615"), Ok(json!(u64::MAX)));
    assert_eq!(e.coerce_param("multiMark", " S1 "), Ok(json!(" S1 ")), "a string is kept as typed");
    assert_eq!(e.coerce_param("discountPrice", "12.50"), Ok(json!(12.5)));
    assert_eq!(e.coerce_param("tradeMarks", r#"[{"num":1}]"#), Ok(json!([{"num": 1}])));
    for (name, text) in [
        ("customerId", "4x"),
        ("customerId", ""),
        ("discountPrice", "NaN"),
        ("tradeMarks", "{}"),
        ("tradeMarks", "["),
    ] {
        let problem = e.coerce_param(name, text).unwrap_err();
        assert!(matches!(problem.problem, Problem::WrongType { .. }), "{name}={text}: {problem}");
    }
    let unknown = e.coerce_param("customerID", "1").unwrap_err();
    assert_eq!(unknown.to_string(), "unknown param `customerID`: did you mean `customerId`?");
    let flag = entry("v2:coupon.user-coupon-list");
    assert_eq!(flag.coerce_param("shopping", "1"), Ok(json!(1)));
    // an entry that documents no params takes any name, as text
    let bare = all().iter().find(|e| e.params.is_empty()).unwrap();
    assert_eq!(bare.coerce_param("x", "1"), Ok(json!("1")));
}

#[test]
fn hostile_values_are_quoted_safely_and_briefly() {
    let e = entry("v3/crm/customer/gatherCustomerInfo");
    let long = format!("\u{1b}[31m{}", "x".repeat(10_000));
    let text = problems(e, json!({ "type": long.clone(), long.clone(): 1 })).join("\n");
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.len() < 1_000, "{}", text.len());
    // deep nesting is checked without trouble
    let mut deep = json!(1);
    for _ in 0..200 {
        deep = json!([deep]);
    }
    let found = problems(entry("v3/cy/customer/chooseCouponAsOne"), json!({ "tradeMarks": deep }));
    assert!(found.iter().any(|p| p.starts_with("`tradeMarks[0]` must be object")), "{found:?}");
}

#[test]
fn describe_json_has_the_documented_shape() {
    for e in all() {
        let d = e.describe_json();
        let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        let route_key = if e.route.protocol() == crate::Protocol::V3 { "path" } else { "action" };
        for key in [route_key, "title", "safety", "paging", "source", "twin", "rust_type", "params", "data"] {
            assert!(keys.contains(&key), "{}: {key} in {keys:?}", e.key());
        }
        assert_eq!(d["params"].as_array().map(Vec::len), Some(e.params.len()));
        for p in d["params"].as_array().unwrap() {
            for key in ["name", "type", "required", "default", "unit", "values", "fields", "label"] {
                assert!(p.get(key).is_some(), "{}: {key}", e.key());
            }
        }
    }
    let d = entry("v3/crm/customer/gatherCustomerInfo").describe_json();
    assert_eq!(
        d["source"],
        json!({"page": "doc3", "article": 726, "url": "http://open.zmcms.cn/doc3/article?id=726"})
    );
    assert_eq!(d["data"]["shape"], "object");
    assert_eq!(d["data"]["truncated"], true);
    let gifts = d["data"]["fields"].as_array().unwrap().iter().find(|f| f["name"] == "giftCardList").unwrap();
    assert_eq!((&gifts["type"], &gifts["items"]), (&json!("array"), &json!("object")));
    assert!(gifts["fields"].as_array().unwrap().iter().any(|f| f["name"] == "cardNo"));
    let d = entry("v3/goods/item/getItemList").describe_json();
    assert_eq!((&d["paging"], &d["data"], &d["twin"]), (&json!("data_total"), &Value::Null, &Value::Null));
    assert!(d["source"]["seen_in"].is_string());
}

#[test]
fn sample_data_is_deterministic_and_valid_under_its_schema() {
    for e in all() {
        let Some(data) = e.data else {
            assert_eq!(sample_data(e, &json!({})), None);
            continue;
        };
        let a = sample_data(e, &json!({"x": 1, "y": [1, 2]})).unwrap();
        assert_eq!(Some(&a), sample_data(e, &json!({"y": [1, 2], "x": 1})).as_ref(), "{}", e.key());
        match data.shape {
            DataShape::Object => check_object(data.fields, &a, e.key()),
            DataShape::List => {
                let items = a.as_array().unwrap();
                assert!((1..=3).contains(&items.len()));
                items.iter().for_each(|item| check_object(data.fields, item, e.key()));
            }
            DataShape::Page => {}
        }
    }
    let e = entry("v3/crm/customer/gatherCustomerInfo");
    let samples: std::collections::BTreeSet<String> = (0..20)
        .map(|i| {
            sample_data(e, &json!({ "type": 2, "identifierNumber": i.to_string() })).unwrap().to_string()
        })
        .collect();
    assert!(samples.len() > 15, "other params give other answers");
}

/// The sample `value` is valid under `fields`: every field present with its type, money and
/// times plausible, enumerated values documented ones.
fn check_object(fields: &[Param], value: &Value, key: &str) {
    let object = value.as_object().unwrap_or_else(|| panic!("{key}: {value}"));
    assert_eq!(object.len(), fields.len(), "{key}");
    for f in fields {
        check_value(f, &object[f.name], key);
    }
}

fn check_value(f: &Param, v: &Value, key: &str) {
    let at = format!("{key}: {} = {v}", f.name);
    if !f.values.is_empty() && f.json_type != Some(JsonType::Array) {
        let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        assert!(f.allowed(&text).is_some(), "{at}");
    }
    match f.json_type {
        Some(JsonType::String) => {
            let s = v.as_str().unwrap_or_else(|| panic!("{at}"));
            if f.format == Some(Format::DateTime) {
                let year: i32 = s[..4].parse().unwrap();
                assert!((2025..=2027).contains(&year), "{at}");
            }
        }
        Some(JsonType::Integer) => {
            let n = v.as_i64().unwrap_or_else(|| panic!("{at}"));
            if f.money_unit == Some(MoneyUnit::Fen) {
                assert!((100..=50_100).contains(&n), "{at}");
            }
            if f.format == Some(Format::UnixSeconds) {
                assert!((1_735_660_800..1_800_000_000).contains(&n), "{at}");
            }
        }
        Some(JsonType::Number) => {
            let n = v.as_f64().unwrap_or_else(|| panic!("{at}"));
            if f.money_unit == Some(MoneyUnit::Yuan) {
                assert!(crate::Money::from_yuan_f64(n).is_ok() && n >= 0.0, "{at}");
            }
        }
        Some(JsonType::Boolean) => assert!(v.is_boolean(), "{at}"),
        Some(JsonType::Object) => check_object(f.fields, v, key),
        Some(JsonType::Array) => {
            let items = v.as_array().unwrap_or_else(|| panic!("{at}"));
            let element = Param { json_type: f.items, items: None, ..*f };
            for item in items {
                check_value(&element, item, key);
            }
        }
        None => assert!(v.is_string(), "{at}"),
    }
}

#[test]
fn a_paged_sample_follows_its_dialect_and_the_page_asked() {
    // No imported entry pages in a known dialect yet: a static one stands in.
    static FIELDS: &[Param] = &[Param {
        name: "id",
        json_type: Some(JsonType::Integer),
        required: None,
        description: None,
        money_unit: None,
        format: None,
        default: None,
        values: &[],
        items: None,
        fields: &[],
        rust_name: None,
    }];
    static DATA: Data = Data { shape: DataShape::Page, fields: FIELDS, truncated: false };
    let base = entry("v3/goods/item/getItemList");
    let e = Entry { data: Some(&DATA), ..*base };
    let page = |n: u32| sample_data(&e, &json!({"pageNo": n, "pageSize": 4, "keyword": "x"})).unwrap();
    let first = page(1);
    let total = first["total"].as_u64().unwrap();
    let mut seen = 0;
    for n in 1..=10 {
        let p = page(n);
        assert_eq!(p["total"].as_u64(), Some(total), "the total does not depend on the page");
        let records = p["data"].as_array().unwrap();
        assert!(records.len() <= 4);
        seen += records.len() as u64;
    }
    assert_eq!(seen, total, "the pages add up to the total");
    let other = sample_data(&e, &json!({"pageNo": "1", "pageSize": "4", "keyword": "x"})).unwrap();
    assert_eq!(other["total"], first["total"], "numeric strings are read as page fields");
}

/// The keys of a JSON object, sorted.
fn keys_of(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    keys.sort();
    keys
}

#[test]
fn every_generated_endpoint_matches_its_entry() {
    let typed = crate::endpoints::generated();
    let generated =
        all().iter().filter(|e| e.rust_type.is_some_and(|t| t.starts_with("zv_types::endpoints::")));
    assert_eq!(typed.len(), generated.count());
    assert!(typed.len() >= 37, "{}", typed.len());
    for t in &typed {
        let e = by_route(t.route).unwrap_or_else(|| panic!("{} is not catalogued", t.name));
        assert_eq!(e.safety, t.safety, "{}", t.name);
        let name = e.rust_type.and_then(|r| r.rsplit("::").next()).unwrap_or_default();
        assert!(t.name.ends_with(&format!("::{name}")), "{} is {name}", t.name);

        // Every documented param is read into the params type and written back, with the
        // same keys, in a form the validator accepts.
        let params = sample_params(e);
        assert_eq!(e.check_params(&params), Ok(()), "{}", t.name);
        let back = (t.params)(&params).unwrap_or_else(|why| panic!("{}: {why}\n{params}", t.name));
        let mut documented: Vec<String> = e.params.iter().map(|p| p.name.to_owned()).collect();
        documented.sort();
        assert_eq!(keys_of(&back), documented, "{}", t.name);
        assert_eq!(e.check_params(&back), Ok(()), "{}: {back}", t.name);

        // Its sample data decodes with its data type, and so does the same data sent the
        // PHP way: every number as a string, an empty object as [].
        if let Some(data) = sample_data(e, &params) {
            (t.data)(&data).unwrap_or_else(|why| panic!("{}: {why}\n{data}", t.name));
            let messy = stringify(&data);
            (t.data)(&messy).unwrap_or_else(|why| panic!("{} (numbers as strings): {why}\n{messy}", t.name));
        }
        (t.data)(&Value::Null).unwrap_or_else(|why| panic!("{} (null data): {why}", t.name));
    }
}

/// Every number as a string, every empty object as `[]` (how PHP backends answer).
fn stringify(value: &Value) -> Value {
    match value {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Array(items) => Value::Array(items.iter().map(stringify).collect()),
        Value::Object(map) if map.is_empty() => json!([]),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), stringify(v))).collect()),
        other => other.clone(),
    }
}

#[test]
fn the_hand_written_endpoints_send_only_documented_params() {
    use crate::{
        CouponListParams, CouponStatusFilter, Endpoint, GetExchangeCodeStatus, Money, UserCouponList,
    };
    let coupons = by_route(UserCouponList::ROUTE).unwrap();
    let params = CouponListParams::new()
        .user_id(1)
        .from_pay_page(true)
        .multi_store_sn("S1")
        .status(CouponStatusFilter::Used)
        .amount(Money::from_fen(100));
    let params = serde_json::to_value(params).unwrap();
    assert!(
        keys_of(&params).len() >= 5 && keys_of(&params).iter().all(|k| coupons.param(k).is_some()),
        "{params}"
    );
    assert_eq!(coupons.check_params(&params), Ok(()), "{params}");
    let status = by_route(GetExchangeCodeStatus::ROUTE).unwrap();
    assert_eq!(status.params.len(), 1);
}

#[test]
fn past_a_cut_params_table_other_names_are_allowed() {
    let e = entry("v2:goods.goods-update");
    assert!(e.params_truncated);
    assert_eq!(e.describe_json()["params_truncated"], true);
    // an unknown name is not refused (the endpoint may take it), a known one is still checked
    assert_eq!(problems(e, json!({"prepare_time": 5, "name": "茶"})), Vec::<String>::new());
    assert_eq!(problems(e, json!({"name": 5})), ["`name` must be string, found the number 5"]);
    assert_eq!(e.coerce_param("prepare_time", "5"), Ok(json!("5")));
    // and the generated type can send it
    let params =
        crate::endpoints::GoodsUpdateParams::new().name("茶".into()).other_param("prepare_time", json!(5));
    assert_eq!(serde_json::to_value(&params).unwrap(), json!({"name": "茶", "prepare_time": 5}));
    // a whole table refuses other names
    let whole = entry("v3/crm/customer/gatherCustomerInfo");
    assert!(!whole.params_truncated);
    assert!(!problems(whole, json!({"type": 1, "prepare_time": 5})).is_empty());
}

#[test]
fn an_enumerated_string_is_allowed_only_as_written_since_it_is_sent_as_written() {
    let e = entry("v2:coupn.coupon-template-detail");
    assert!(problems(e, json!({"bizType": "10", "id": "5"})).is_empty());
    // `FIELD=VALUE` keeps a string as typed: " 10 " goes on the wire with its spaces, and
    // the gateway's enum has no such value.
    assert_eq!(e.coerce_param("bizType", " 10 "), Ok(json!(" 10 ")));
    for padded in [" 10", "10 ", "\t10", "10\n"] {
        let found = problems(e, json!({"bizType": padded, "id": "5"}));
        assert!(
            found.len() == 1 && found[0].contains("is not allowed; allowed: 10 (餐饮)"),
            "{padded:?}: {found:?}"
        );
    }
}

#[test]
fn a_number_text_that_a_json_number_would_change_is_refused() {
    let e = entry("v2:communal.delivery.create-order-auto");
    assert_eq!(e.coerce_param("receiverLat", "31.2304"), Ok(json!(31.2304)));
    assert_eq!(e.coerce_param("receiverLat", "-1.5e2"), Ok(json!(-150.0)));
    assert_eq!(e.coerce_param("receiverLat", "9007199254740993"), Ok(json!(9_007_199_254_740_993_u64)));
    for text in [
        // under the smallest double: would be sent as 0.0
        "1e-400",
        "0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001",
        // an integer past u64: would be sent as 1e+23, another number
        "100000000000000000000000",
        "-99999999999999999999",
        // more digits than a double keeps
        "31.23045678901234567891",
    ] {
        let problem = e.coerce_param("receiverLat", text).unwrap_err();
        assert!(matches!(problem.problem, Problem::WrongType { .. }), "{text}: {problem}");
    }
}

#[test]
fn params_too_large_to_check_are_a_problem_of_every_checked_entry() {
    let documented = entry("v2:coupon.coupon-activity-add");
    assert!(documented.has_params_schema());
    let long_name = json!({ "k".repeat(300): 1 });
    let many = Value::Object((0..1_001).map(|i| (format!("k{i}"), json!(1))).collect());
    let nested = json!({"a": [{"b": Value::Object((0..600).map(|i| (format!("n{i}"), json!(i))).collect())},
                              {"c": Value::Object((0..600).map(|i| (format!("m{i}"), json!(i))).collect())}]});
    for (params, why) in [
        (&long_name, "is over 256 characters"),
        (&many, "over 1000 param names"),
        (&nested, "over 1000 param names (nested ones included)"),
    ] {
        let found = problems(documented, params.clone());
        assert!(found.len() == 1 && found[0].contains(why) && found[0].len() < 200, "{found:?}");
        // An entry whose params are not checked takes them, as the CLI sends them.
        let bare = all().iter().find(|e| e.params.is_empty()).unwrap();
        assert!(bare.check_params(params).is_ok());
    }
    let under = Value::Object((0..999).map(|i| (format!("k{i}"), json!(1))).collect());
    assert!(problems(documented, under).iter().all(|p| p.starts_with("unknown param")));
}

#[test]
fn params_seen_only_in_the_field_are_not_checked_since_they_may_be_incomplete() {
    // The CLI sends these unchecked (`zv api` checks vendor-page params only): the one
    // validator must take them too, or `zv mock --strict` refuses what the CLI sent.
    let seen = entry("v3/org/shop/getShopColsById");
    assert!(matches!(seen.source, Source::Observation(_)) && !seen.params.is_empty());
    assert!(!seen.has_params_schema());
    assert!(seen.check_params(&json!({"shopId": "1", "cols": "abc", "withTags": 1})).is_ok());
    assert!(seen.check_params(&json!([1])).is_err(), "params are still an object");
    let paged = all().iter().filter(|e| e.has_params_schema()).count();
    assert!(paged > 30, "{paged}");
}
