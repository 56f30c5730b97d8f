//! Every catalogued endpoint with a data schema is answered with data valid under it, the
//! same for the same params; paged ones page; strict mode refuses params the catalogue's
//! one validator (`Entry::check_params`) finds wanting with the gateway's 100002 参数错误.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};
use zv_mock::{
    Check, Endpoints, MockConfig, NO_STUB_CODE, PARAMS_ERROR_CODE, PARAMS_ERROR_MESSAGE, Stubs, Verdict,
    Verifier,
};
use zv_sign::{Credentials, FixedClock};
use zv_types::catalogue::{self, DataShape, Entry, Format, JsonType, MoneyUnit, Param, Safety};
use zv_types::paging::{PageOptions, Pager};
use zv_types::{Moment, Money};

use crate::common::*;

/// The mock's clock: 2026-01-01 00:00:00 UTC.
const NOW: u64 = 1_767_225_600;

fn verifier_with(strict: bool, messy: bool, endpoints: Endpoints) -> Verifier {
    Verifier::new(
        MockConfig::new()
            .clock(FixedClock(NOW))
            .strict(strict)
            .messy(messy)
            .allow_replay(true)
            .endpoints(endpoints.catalogue_hints(true)),
    )
}

fn verifier(strict: bool, messy: bool) -> Verifier {
    verifier_with(strict, messy, Endpoints::builtin())
}

/// A signed request for `entry` with `params`, through `verifier`: the answer as JSON.
fn ask(verifier: &Verifier, entry: &Entry, params: &Value) -> Value {
    let creds: Credentials = zv_mock::demo_credentials();
    let (path, body) = match entry.route.action() {
        Some(action) => (V2.to_owned(), v2_body(&creds, NOW, nonce(), action, params.clone())),
        None => (entry.route.url_path(), v3_body(&creds, NOW, nonce(), params.clone())),
    };
    let answered =
        verifier.handle("POST", &path, Some("application/json"), &serde_json::to_vec(&body).unwrap());
    assert_eq!(answered.status, 200, "{}", entry.route);
    serde_json::from_slice(&answered.body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&answered.body)))
}

/// The `data` of a success, after checking the canonical envelope.
fn success_data(entry: &Entry, answer: &Value) -> Value {
    assert_eq!((&answer["status"], &answer["code"]), (&json!(true), &json!(0)), "{}: {answer}", entry.route);
    assert_eq!(answer["message"], "success", "{answer}");
    assert!(answer["traceId"].is_string(), "{answer}");
    answer.get("data").cloned().unwrap_or_else(|| panic!("{}: no data: {answer}", entry.route))
}

/// Params that pass the entry's check: each required param (and each required field of a
/// nested one), with a value of its type.
fn valid_params(params: &[Param]) -> Value {
    Value::Object(
        params
            .iter()
            .filter(|p| p.required == Some(true))
            .map(|p| (p.name.to_owned(), valid_value(p)))
            .collect(),
    )
}

fn valid_value(p: &Param) -> Value {
    if let Some(first) = p.values.first() {
        return match p.json_type {
            Some(JsonType::Integer | JsonType::Number) => serde_json::from_str(first.value).unwrap(),
            _ => json!(first.value),
        };
    }
    match (p.json_type, p.money_unit, p.format) {
        (Some(JsonType::String), _, Some(Format::DateTime)) => json!("2025-06-01 12:00:00"),
        (Some(JsonType::Integer), _, Some(Format::Flag)) => json!(1),
        (Some(JsonType::Integer), _, Some(Format::UnixSeconds)) => json!(1_750_000_000),
        (Some(JsonType::Integer), _, _) => json!(1),
        (Some(JsonType::Number), Some(MoneyUnit::Yuan), _) => json!(12.5),
        (Some(JsonType::Number), _, _) => json!(1),
        (Some(JsonType::Boolean), _, _) => json!(true),
        (Some(JsonType::Array), _, _) if p.items == Some(JsonType::Object) => json!([valid_params(p.fields)]),
        (Some(JsonType::Array), _, _) => json!([]),
        (Some(JsonType::Object), _, _) => valid_params(p.fields),
        (Some(JsonType::String) | None, _, _) => json!(zv_mock::DEMO_MEMBER),
        (Some(_), _, _) => json!(zv_mock::DEMO_MEMBER),
    }
}

/// The problems of `value` under `fields`: each field of the schema present (when
/// `complete`, and no other), each of its type and form, money and times plausible, each
/// enumerated value one of the enum's (when `complete`).
fn validate(fields: &[Param], value: &Value, path: &str, complete: bool, problems: &mut Vec<String>) {
    let Some(object) = value.as_object() else {
        return problems.push(format!("{path}: not an object: {value}"));
    };
    for field in fields {
        let at = format!("{path}.{}", field.name);
        match object.get(field.name) {
            Some(v) => validate_value(field, v, &at, complete, problems),
            None if complete => problems.push(format!("{at}: missing")),
            None => {}
        }
    }
    if complete {
        for key in object.keys().filter(|k| fields.iter().all(|f| f.name != k.as_str())) {
            problems.push(format!("{path}.{key}: not in the schema"));
        }
    }
}

/// 2024-01-01 and 2028-01-01, in Unix seconds: plausible times of sample data.
const PLAUSIBLE_TIMES: std::ops::Range<i64> = 1_704_067_200..1_830_297_600;
/// The most a plausible amount is: one million yuan, in fen.
const PLAUSIBLE_FEN: i64 = 100_000_000;

fn validate_value(p: &Param, v: &Value, path: &str, complete: bool, problems: &mut Vec<String>) {
    if let Some(json_type) = p.json_type {
        validate_typed(p, json_type, v, path, complete, problems);
    }
}

/// [`validate_value`] as a `json_type` (a param's own, or its list's elements').
fn validate_typed(
    p: &Param,
    json_type: JsonType,
    v: &Value,
    path: &str,
    complete: bool,
    problems: &mut Vec<String>,
) {
    let mut wrong = |why: &str| problems.push(format!("{path}: {why}: {v}"));
    if v.is_null() {
        if complete {
            wrong("null");
        }
        return;
    }
    match json_type {
        JsonType::String => {
            let Some(s) = v.as_str() else { return wrong("not a string") };
            match (p.format, p.money_unit) {
                (Some(Format::DateTime), _) => {
                    let time =
                        Moment::parse(s).filter(|m| m.datetime().is_some()).and_then(|m| m.unix_seconds());
                    if !time.is_some_and(|t| PLAUSIBLE_TIMES.contains(&t)) {
                        wrong("not a plausible yyyy-MM-dd HH:mm:ss");
                    }
                }
                (_, Some(MoneyUnit::Yuan))
                    if !Money::parse_yuan(s).is_ok_and(|m| (0..PLAUSIBLE_FEN).contains(&m.fen())) =>
                {
                    wrong("not a plausible yuan amount");
                }
                _ => {}
            }
        }
        JsonType::Integer => {
            let Some(n) = v.as_i64() else { return wrong("not an integer") };
            match (p.format, p.money_unit) {
                (Some(Format::Flag), _) if !(0..=1).contains(&n) => wrong("not a 0/1 flag"),
                (Some(Format::UnixSeconds | Format::DateTime), _) if !PLAUSIBLE_TIMES.contains(&n) => {
                    wrong("not a plausible time")
                }
                (_, Some(MoneyUnit::Fen)) if !(0..PLAUSIBLE_FEN).contains(&n) => {
                    wrong("not a plausible fen amount")
                }
                _ => {}
            }
        }
        JsonType::Number => {
            let Some(x) = v.as_f64() else { return wrong("not a number") };
            let fen = (x * 100.0).round();
            if p.money_unit == Some(MoneyUnit::Yuan)
                && !((fen - x * 100.0).abs() < 1e-6 && (0.0..PLAUSIBLE_FEN as f64).contains(&fen))
            {
                wrong("not a plausible yuan amount");
            }
        }
        JsonType::Boolean if !v.is_boolean() => wrong("not a boolean"),
        JsonType::Boolean => {}
        JsonType::Array => {
            let Some(items) = v.as_array() else { return wrong("not an array") };
            for (i, item) in items.iter().enumerate() {
                let at = format!("{path}[{i}]");
                match p.items {
                    Some(JsonType::Object) => validate(p.fields, item, &at, complete, problems),
                    Some(t) => validate_typed(p, t, item, &at, complete, problems),
                    None => {}
                }
            }
            return;
        }
        JsonType::Object => return validate(p.fields, v, path, complete, problems),
        _ => return wrong("a type this test does not know"),
    }
    // The demo fixtures the built-in handlers serve (`complete` false) hold values beyond the
    // enum on purpose (a frozen gift card, 8), for the models' `Unknown(raw)`.
    if !p.values.is_empty() && complete {
        let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        if p.allowed(&text).is_none() {
            problems.push(format!("{path}: {text} is not one of the enum's values"));
        }
    }
}

/// The problems of an answer's `data` under the entry's data schema.
fn validate_data(entry: &Entry, data: &Value, complete: bool) -> Vec<String> {
    let schema = entry.data.unwrap();
    let mut problems = Vec::new();
    let path = entry.route.to_string();
    match schema.shape {
        DataShape::Object => validate(schema.fields, data, &path, complete, &mut problems),
        DataShape::List => match data.as_array() {
            Some(records) if !records.is_empty() || !complete => {
                for (i, r) in records.iter().enumerate() {
                    validate(schema.fields, r, &format!("{path}[{i}]"), complete, &mut problems);
                }
            }
            _ => problems.push(format!("{path}: not a non-empty list: {data}")),
        },
        // A page is walked by `every_paged_entry_pages_to_its_end_with_agreeing_totals`.
        _ => {}
    }
    problems
}

fn with_data() -> impl Iterator<Item = &'static Entry> {
    catalogue::all().iter().filter(|e| e.data.is_some())
}

/// The routes the built-in handlers serve (they keep precedence over generated answers).
fn handled() -> BTreeSet<String> {
    Endpoints::builtin().routes().collect()
}

/// The demo member and exchange code, in the params the entry documents for them.
fn demo_params(entry: &Entry, params: &mut Value) {
    for (name, demo) in [("user_id", zv_mock::DEMO_MEMBER), ("exchangeCode", zv_mock::DEMO_EXCHANGE_CODE)] {
        if let Some(param) = entry.param(name) {
            params[name] = match param.json_type {
                Some(JsonType::Integer) => json!(demo.parse::<u64>().unwrap()),
                _ => json!(demo),
            };
        }
    }
}

fn route_key(entry: &Entry) -> String {
    match entry.route.action() {
        Some(action) => format!("/api/v2 Action {action}"),
        None => entry.route.url_path(),
    }
}

#[test]
fn every_entry_with_a_data_schema_answers_valid_data_and_the_same_twice_even_in_strict_mode() {
    let mock = verifier(true, false);
    let handled = handled();
    let (mut generated, mut by_handler, mut writes) = (0, 0, 0);
    for entry in with_data() {
        let is_handled = handled.contains(&route_key(entry));
        let mut params = valid_params(entry.params);
        if is_handled {
            // The built-in handlers serve the demo fixtures: the demo member and code.
            demo_params(entry, &mut params);
        }
        assert_eq!(entry.check_params(&params), Ok(()), "{}: {params}", entry.route);
        let first = ask(&mock, entry, &params);
        let data = success_data(entry, &first);
        let problems = validate_data(entry, &data, !is_handled);
        assert!(problems.is_empty(), "{}:\n{}\n{data}", entry.route, problems.join("\n"));
        let again = success_data(entry, &ask(&mock, entry, &params));
        assert_eq!(data, again, "{}: the same params, the same data", entry.route);
        if is_handled {
            by_handler += 1;
        } else {
            generated += 1;
            writes += usize::from(entry.safety == Safety::Write);
        }
    }
    eprintln!("answered: {generated} by generated data ({writes} writes), {by_handler} by built-in handlers");
    assert_eq!(by_handler, 3, "gift cards, coupons, exchange-code status");
    assert!(generated >= 25, "{generated}");
    let log = mock.log();
    assert_eq!(log.len(), 2 * (generated + by_handler));
    assert!(log.iter().all(|e| e.verdict == Verdict::Ok));
}

#[test]
fn other_params_give_other_data_and_the_order_of_keys_does_not_matter() {
    let mock = verifier(false, false);
    let entry = catalogue::lookup("v3/crm/customer/gatherCustomerInfo").unwrap();
    let a = success_data(entry, &ask(&mock, entry, &json!({"type": 2, "identifierNumber": "13800000001"})));
    let b = success_data(entry, &ask(&mock, entry, &json!({"identifierNumber": "13800000001", "type": 2})));
    let c = success_data(entry, &ask(&mock, entry, &json!({"type": 2, "identifierNumber": "13800000002"})));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn every_paged_entry_pages_to_its_end_with_agreeing_totals() {
    let mock = verifier(true, false);
    let mut paged = 0;
    for entry in with_data().filter(|e| e.data.unwrap().shape == DataShape::Page) {
        let Some(dialect) = entry.paging else { continue };
        paged += 1;
        let mut pager = Pager::new(
            dialect,
            valid_params(entry.params),
            PageOptions::default().page_size(3).max_pages(100),
        )
        .unwrap();
        let mut totals = BTreeSet::new();
        let mut records = 0u64;
        while let Some(params) = pager.next_request_params().unwrap() {
            let data = success_data(entry, &ask(&mock, entry, &params));
            assert_eq!(data, success_data(entry, &ask(&mock, entry, &params)), "{}", entry.route);
            let page = pager.on_page(serde_json::value::to_raw_value(&data).unwrap()).unwrap();
            for record in page.records() {
                let record: Value = serde_json::from_str(record.get()).unwrap();
                let mut problems = Vec::new();
                validate(entry.data.unwrap().fields, &record, &entry.route.to_string(), true, &mut problems);
                assert!(problems.is_empty(), "{}", problems.join("\n"));
            }
            records += page.records().len() as u64;
            totals.extend(page.total);
        }
        assert!(totals.len() <= 1, "{}: the total changed between pages: {totals:?}", entry.route);
        if let Some(total) = totals.first() {
            assert_eq!(records, *total, "{}", entry.route);
        }
    }
    // The vendor pages imported so far document no paged answer (no entry has both a page
    // data schema and a paging dialect); this walks each one as soon as one is catalogued.
    eprintln!("paged entries walked: {paged}");
}

/// Whether `messy` reads back as `canonical` the way the catalogue's lenient readings do:
/// a number may come as its text, a boolean as `"true"`/`"false"`, and an object may have
/// extra fields.
fn reads_as(canonical: &Value, messy: &Value) -> bool {
    match (canonical, messy) {
        (Value::Object(c), Value::Object(m)) => {
            c.iter().all(|(k, v)| m.get(k).is_some_and(|w| reads_as(v, w)))
        }
        (Value::Array(c), Value::Array(m)) => {
            c.len() == m.len() && c.iter().zip(m).all(|(v, w)| reads_as(v, w))
        }
        (Value::Number(n), Value::String(s)) => s.parse::<f64>().ok() == n.as_f64() && !s.is_empty(),
        (Value::Bool(b), Value::String(s)) => s == &b.to_string(),
        _ => canonical == messy,
    }
}

/// Whether `messy` writes one of `canonical`'s numbers as a text.
fn number_as_text(canonical: &Value, messy: &Value) -> bool {
    match (canonical, messy) {
        (Value::Object(c), Value::Object(m)) => {
            c.iter().any(|(k, v)| m.get(k).is_some_and(|w| number_as_text(v, w)))
        }
        (Value::Array(c), Value::Array(m)) => c.iter().zip(m).any(|(v, w)| number_as_text(v, w)),
        (Value::Number(_), Value::String(_)) => true,
        _ => false,
    }
}

#[test]
fn messy_mode_writes_generated_data_as_real_gateways_do_and_it_reads_back_the_same() {
    let (canonical, messy) = (verifier(false, false), verifier(false, true));
    let handled = handled();
    let (mut texts, mut extras) = (0, 0);
    for entry in with_data().filter(|e| !handled.contains(&route_key(e))) {
        let params = valid_params(entry.params);
        let plain = success_data(entry, &ask(&canonical, entry, &params));
        for _ in 0..4 {
            let answer = ask(&messy, entry, &params);
            assert_eq!((&answer["status"], &answer["code"]), (&json!("true"), &json!("0")), "{answer}");
            let data = &answer["data"];
            assert!(reads_as(&plain, data), "{}:\n{plain}\n{data}", entry.route);
            let text = data.to_string();
            texts += usize::from(number_as_text(&plain, data));
            extras += usize::from(
                ["sort", "remark", "updated_at", "extend_info", "is_delete", "shop_id"]
                    .iter()
                    .any(|k| text.contains(&format!("\"{k}\":"))),
            );
        }
    }
    assert!(texts > 0 && extras > 0, "messy answers are messy: {texts} {extras}");
}

#[test]
fn stubs_and_user_handlers_override_generated_data_and_reads_without_a_schema_say_no_stub() {
    let entry = catalogue::lookup("v3/crm/customer/gatherCustomerInfo").unwrap();
    let stubs = Stubs::from_json(
        r#"{"stubs": [{"path": "v3/crm/customer/gatherCustomerInfo", "match": {"identifierNumber": "1"}, "data": {"stubbed": 1}}]}"#,
    )
    .unwrap();
    let mock = verifier_with(false, false, Endpoints::builtin().stubs(&stubs));
    let stubbed = ask(&mock, entry, &json!({"type": 2, "identifierNumber": "1"}));
    assert_eq!(success_data(entry, &stubbed), json!({"stubbed": 1}));
    // Params the stubs do not match: the stubs said what the route answers.
    let unmatched = ask(&mock, entry, &json!({"type": 2, "identifierNumber": "2"}));
    assert_business(&unmatched, NO_STUB_CODE);

    let own = Endpoints::builtin()
        .v3("crm/customer/gatherCustomerInfo", |_: Value, _: &zv_mock::CallContext<'_>| {
            Ok(json!({"own": true}))
        })
        .unwrap();
    let mock = verifier_with(false, false, own);
    assert_eq!(success_data(entry, &ask(&mock, entry, &json!({}))), json!({"own": true}));

    // Without catalogue answers, the route is unknown.
    let bare = Verifier::new(MockConfig::new().clock(FixedClock(NOW)).endpoints(Endpoints::builtin()));
    let answer = ask(&bare, entry, &json!({}));
    assert_eq!(answer["code"], Check::Route.code(), "{answer}");

    // A read without a data schema keeps the helpful "no stub" answer.
    let mock = verifier(false, false);
    let schemaless = catalogue::lookup("v3/goods/item/getItemList").unwrap();
    assert!(schemaless.data.is_none());
    let answer = ask(&mock, schemaless, &json!({}));
    assert_business(&answer, NO_STUB_CODE);
    assert!(
        answer["message"].as_str().unwrap().contains("no stub for /v3/goods/item/getItemList"),
        "{answer}"
    );
}

#[test]
fn a_write_is_answered_with_sample_data_and_each_one_is_logged() {
    let mock = verifier(true, false);
    let entry = catalogue::lookup("v3/crm/coupon/writeOffCoupon").unwrap();
    assert_eq!(entry.safety, Safety::Write);
    let params = valid_params(entry.params);
    let first = success_data(entry, &ask(&mock, entry, &params));
    assert_eq!(
        first,
        success_data(entry, &ask(&mock, entry, &params)),
        "nothing is applied: the same answer"
    );
    let writes = mock.log().iter().filter(|e| e.path == entry.route.url_path() && e.verdict.is_ok()).count();
    assert_eq!(writes, 2);
}

#[test]
fn strict_mode_answers_the_gateways_100002_naming_the_problems_found_by_the_catalogues_check() {
    let strict = verifier(true, false);
    let lenient = verifier(false, false);
    let handled = handled();
    let (mut refused, mut open_ended) = (0, 0);
    for entry in catalogue::all().iter().filter(|e| e.checks_params()) {
        if entry.params_truncated {
            // Past a cut params table, other names may be the endpoint's own: a stray name
            // passes, in strict mode too, and a missing required one is still refused.
            let mut params = valid_params(entry.params);
            params["zvNoSuchParam"] = json!(1);
            assert!(entry.check_params(&params).is_ok(), "{}", route_key(entry));
            assert_ne!(ask(&strict, entry, &params)["code"], PARAMS_ERROR_CODE);
            refused_missing_required(&strict, entry);
            open_ended += 1;
            continue;
        }
        let mut params = valid_params(entry.params);
        params["zvNoSuchParam"] = json!(1);
        let problems = entry.check_params(&params).unwrap_err();
        let answer = ask(&strict, entry, &params);
        assert_eq!(
            (&answer["status"], &answer["code"]),
            (&json!(false), &json!(PARAMS_ERROR_CODE)),
            "{answer}"
        );
        let message = answer["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{PARAMS_ERROR_MESSAGE}: ")), "{message}");
        assert!(message.contains("unknown param `zvNoSuchParam`"), "{message}");
        assert!(message.contains(&problems[0].to_string()), "{message}");
        let logged = strict.log().pop().unwrap();
        assert_eq!(logged.verdict.check(), Some(Check::Params), "{logged}");
        refused += 1;

        // Not strict: accepted, and answered as without the stray param.
        let answer = ask(&lenient, entry, &params);
        if entry.data.is_some() && !handled.contains(&route_key(entry)) {
            success_data(entry, &answer);
        } else if entry.data.is_none() && !handled.contains(&route_key(entry)) {
            assert_business(&answer, NO_STUB_CODE);
        }
        refused_missing_required(&strict, entry);
    }
    assert!(refused >= 30 && open_ended > 0, "{refused} {open_ended}");
}

/// Strict mode refuses the entry's valid params without their first required one, naming it.
fn refused_missing_required(strict: &Verifier, entry: &Entry) {
    if let Some(required) = entry.params.iter().find(|p| p.required == Some(true)) {
        let mut missing = valid_params(entry.params);
        missing.as_object_mut().unwrap().remove(required.name);
        let answer = ask(strict, entry, &missing);
        assert_eq!(answer["code"], PARAMS_ERROR_CODE, "{answer}");
        let expected = format!("missing required param `{}`", required.name);
        assert!(answer["message"].as_str().unwrap().contains(&expected), "{answer}");
    }
}

#[test]
fn strict_refusals_are_bounded_and_printable_whatever_the_params() {
    let strict = verifier(true, false);
    let entry = catalogue::lookup("v3/crm/customer/gatherCustomerInfo").unwrap();
    let mut params: Map<String, Value> =
        (0..900).map(|i| (format!("\u{1b}[31mbad{i}\u{7}\u{202e}"), json!("x".repeat(100)))).collect();
    params.insert("type".into(), json!("\u{1b}]0;title\u{7}"));
    let answer = ask(&strict, entry, &Value::Object(params));
    assert_eq!(answer["code"], PARAMS_ERROR_CODE);
    let message = answer["message"].as_str().unwrap();
    assert!(message.chars().count() <= 1_100, "{}", message.len());
    assert!(!message.chars().any(|c| c.is_control() || c == '\u{202e}'), "{message:?}");
    assert!(message.contains("more"), "{message}");
    let logged = strict.log().pop().unwrap().to_string();
    assert!(!logged.chars().any(|c| c.is_control() || c == '\u{202e}'), "{logged:?}");

    // Params that are not an object at all.
    let answer = ask(&strict, entry, &json!([1, 2]));
    assert_eq!(answer["code"], zv_mock::Check::Envelope.code(), "strict takes only an object: {answer}");
    let lenient = verifier(false, false);
    let answer = ask(&lenient, entry, &json!([1, 2]));
    success_data(entry, &answer);
}

#[test]
fn the_server_answers_generated_data_over_http_for_v3_and_v2() {
    let mock = start(MockConfig::new().endpoints(Endpoints::builtin().catalogue_hints(true)));
    let (status, answer) = call(&mock, "/v3/crm/customer/allCustomerInfo", json!({}));
    assert_eq!(status, 200);
    let entry = catalogue::lookup("v3/crm/customer/allCustomerInfo").unwrap();
    assert!(validate_data(entry, &success_data(entry, &answer), true).is_empty(), "{answer}");
    let entry = catalogue::lookup("v2:multi-store.multi-store-detail").unwrap();
    let answer = call_v2(&mock, "multi-store.multi-store-detail", valid_params(entry.params));
    assert!(validate_data(entry, &success_data(entry, &answer), true).is_empty(), "{answer}");
}

#[test]
fn the_validator_of_these_tests_finds_what_is_wrong() {
    let mock = verifier(false, false);
    let entry = catalogue::lookup("v3/crm/customer/gatherCustomerInfo").unwrap();
    let good = success_data(entry, &ask(&mock, entry, &json!({"type": 2})));
    assert!(validate_data(entry, &good, true).is_empty());
    let fields = entry.data.unwrap().fields;
    let mut broken = 0;
    for field in fields.iter().filter(|f| f.json_type.is_some()) {
        let other_type = match field.json_type {
            Some(JsonType::String) => json!(true),
            _ => json!("zz"),
        };
        for bad in [Value::Null, json!([{"x": 1}]), other_type] {
            if bad == good[field.name] || (bad.is_array() && field.json_type == Some(JsonType::Array)) {
                continue;
            }
            let mut data = good.clone();
            data[field.name] = bad.clone();
            assert!(!validate_data(entry, &data, true).is_empty(), "{} = {bad} passed", field.name);
        }
        let mut data = good.clone();
        data.as_object_mut().unwrap().remove(field.name);
        assert!(!validate_data(entry, &data, true).is_empty(), "{} missing passed", field.name);
        broken += 1;
    }
    assert!(broken > 5, "{broken}");
    let mut extra = good.clone();
    extra["zvExtra"] = json!(1);
    assert!(!validate_data(entry, &extra, true).is_empty());
}

#[test]
fn params_too_large_to_check_are_refused_in_strict_mode_unchecked_and_accepted_otherwise() {
    let (strict, lenient) = (verifier(true, false), verifier(false, false));
    let entry = catalogue::lookup("v2:coupon.coupon-activity-add").unwrap();
    let long_name: Map<String, Value> = [("k".repeat(900_000), json!(1))].into_iter().collect();
    let many: Map<String, Value> = (0..40_000).map(|i| (format!("k{i:018}"), json!(1))).collect();
    let nested = json!({"a": [[{"b": Value::Object((0..600).map(|i| (format!("n{i}"), json!(i))).collect())}], {"c": Value::Object((0..600).map(|i| (format!("m{i}"), json!(i))).collect())}]});
    for (params, why) in [
        (Value::Object(long_name), "is over 256 characters"),
        (Value::Object(many), "over 1000 param names"),
        (nested, "over 1000 param names (nested ones included)"),
    ] {
        let answer = ask(&strict, entry, &params);
        assert_eq!(answer["code"], PARAMS_ERROR_CODE, "{answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(why) && message.chars().count() < 400, "{message}");
        assert_eq!(ask(&lenient, entry, &params)["code"], 0);
    }
    // Just under the limits, the check runs.
    let under: Map<String, Value> =
        (0..999).map(|i| (format!("{}{i:03}", "k".repeat(250)), json!(1))).collect();
    let answer = ask(&strict, entry, &Value::Object(under));
    assert!(answer["message"].as_str().unwrap().contains("unknown param `kkk"), "{answer}");
}

#[test]
fn outside_strict_mode_the_problems_are_traced_at_debug_and_the_request_answered() {
    let lenient = verifier(false, false);
    let entry = catalogue::lookup("v3/crm/customer/gatherCustomerInfo").unwrap();
    let params = json!({"tpye": 2, "zv\u{1b}[2J": 1});
    let traced = Captured::default();
    let writer = traced.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let answer = tracing::subscriber::with_default(subscriber, || ask(&lenient, entry, &params));
    success_data(entry, &answer);
    let text = traced.text();
    assert!(text.contains("params accepted, not as documented"), "{text}");
    assert!(text.contains("unknown param `tpye`: did you mean `type`?"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
    // Without a debug subscriber nothing is checked, and the answer is the same.
    assert_eq!(success_data(entry, &ask(&lenient, entry, &params)), success_data(entry, &answer));
}

#[test]
fn concurrent_requests_get_the_same_generated_data() {
    let mock = verifier(true, false);
    let entries: Vec<&Entry> = with_data().filter(|e| !handled().contains(&route_key(e))).collect();
    let expected: Vec<Value> =
        entries.iter().map(|e| success_data(e, &ask(&mock, e, &valid_params(e.params)))).collect();
    std::thread::scope(|scope| {
        for shift in 0..8 {
            let (mock, entries, expected) = (&mock, &entries, &expected);
            scope.spawn(move || {
                for i in 0..entries.len() {
                    let k = (i + shift) % entries.len();
                    let data =
                        success_data(entries[k], &ask(mock, entries[k], &valid_params(entries[k].params)));
                    assert_eq!(data, expected[k], "{}", entries[k].route);
                }
            });
        }
    });
    assert_eq!(mock.log().len(), entries.len() * 9);
}

#[test]
fn strict_mode_takes_what_the_cli_sends_unchecked_for_endpoints_seen_only_in_the_field() {
    // `zv api` checks only params from a vendor page; strict mode, through the same
    // validator, must not refuse what it sent (here a name and a type the field notes lack).
    let strict = verifier(true, false);
    let entry = catalogue::lookup("v3/org/shop/getShopColsById").unwrap();
    assert!(!entry.checks_params());
    let answer = ask(&strict, entry, &json!({"shopId": "1", "cols": "abc", "withTags": 1}));
    assert_ne!(answer["code"], PARAMS_ERROR_CODE, "{answer}");
    // Nor does it refuse params of an unchecked entry for their size.
    let bare = catalogue::all().iter().find(|e| e.params.is_empty()).unwrap();
    let many = Value::Object((0..1_001).map(|i| (format!("k{i}"), json!(1))).collect());
    assert_ne!(ask(&strict, bare, &many)["code"], PARAMS_ERROR_CODE);
}
