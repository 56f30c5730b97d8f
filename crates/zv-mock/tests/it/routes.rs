//! The endpoint table: handlers registered from outside the crate, over raw HTTP.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use zv_mock::{Check, DEMO_MEMBER, Endpoints, Fault, MockConfig, MockError, PlatformError, Verdict};
use zv_sign::FixedClock;
use zv_types::{Endpoint, GiftCardListParams, Route};

const LEVEL: &str = "/v3/crm/member/getMemberLevel";

/// A typed V2 endpoint of the user's own.
struct MemberLevel;

#[derive(Serialize, Deserialize)]
struct MemberLevelParams {
    user_id: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Level {
    name: String,
    growth: u64,
    vip: bool,
    since: String,
}

impl Endpoint for MemberLevel {
    type Params = MemberLevelParams;
    type Data = Level;
    const ROUTE: Route<'static> = Route::v2_static("member.level-info");
    const SAFETY: zv_types::Safety = zv_types::Safety::Read;
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelParams {
    user_id: String,
}

fn level(p: LevelParams, call: &zv_mock::CallContext<'_>) -> Result<Value, PlatformError> {
    match call.fixtures().members.get(&p.user_id) {
        Some(member) => Ok(
            json!({"user_id": p.user_id, "cards": member.gift_cards.len(), "now": call.now_unix_seconds()}),
        ),
        None if p.user_id.is_empty() => Err(PlatformError::params("`user_id` is empty")),
        None if p.user_id == "down" => Err(PlatformError::system(50001, "系统繁忙")),
        None => Err(PlatformError::business(20001, "查询的信息不存在")),
    }
}

#[test]
fn a_user_handler_is_served_with_its_params_and_errors() {
    let endpoints = Endpoints::builtin().v3(LEVEL, level).unwrap();
    let mock = start(MockConfig::new().endpoints(endpoints).clock(FixedClock(now())));
    let (_, body) = call(&mock, LEVEL, json!({"user_id": DEMO_MEMBER}));
    assert_eq!(body["data"]["cards"], 6, "{body}");
    assert_eq!(body["data"]["now"], mock.log()[0].timestamp.unwrap());
    assert_business(&call(&mock, LEVEL, json!({"user_id": "99"})).1, 20001);
    assert_eq!(call(&mock, LEVEL, json!({"user_id": "down"})).1["code"], 50001);
    // Params that do not read as the handler's type, or that it refuses, fail the params check.
    assert_rejected(&mock, call(&mock, LEVEL, json!({"user": 1})), Check::Params);
    assert_rejected(&mock, call(&mock, LEVEL, json!({"user_id": ""})), Check::Params);
    assert!(mock.log()[..3].iter().all(|e| e.verdict == Verdict::Ok));
    // The built-in endpoints are still there.
    assert_eq!(call(&mock, GIFT_CARDS, json!({"user_id": DEMO_MEMBER})).1["code"], 0);
}

#[test]
fn a_handler_runs_only_for_verified_requests_and_faults_apply() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let endpoints = Endpoints::new()
        .v2("member.level", move |params: Value, _: &zv_mock::CallContext<'_>| {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(json!({"echo": params}))
        })
        .unwrap();
    let mock = start(MockConfig::new().endpoints(endpoints));
    assert_eq!(call_v2(&mock, "member.level", json!({"a": 1}))["data"], json!({"echo": {"a": 1}}));
    let mut forged = v2_body(mock.credentials(), now(), nonce(), "member.level", json!({}));
    forged["Token"] = json!("AAAA");
    assert_rejected(&mock, post(&mock, V2, &forged), Check::Signature);
    // A fault that replaces the answer does not run the handler; one that wraps it does.
    mock.push_fault(Fault::HttpStatus(503));
    mock.push_fault(Fault::TruncatedJson);
    let body = v2_body(mock.credentials(), now(), nonce(), "member.level", json!({}));
    assert_eq!(send(&mock, zv_transport::http::Method::POST, V2, serde_json::to_vec(&body).unwrap()).0, 503);
    let body = v2_body(mock.credentials(), now(), nonce(), "member.level", json!({}));
    let (_, cut) = send(&mock, zv_transport::http::Method::POST, V2, serde_json::to_vec(&body).unwrap());
    assert!(serde_json::from_slice::<Value>(&cut).is_err());
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    // The built-in endpoints are gone from an empty table.
    let (_, body) = call(&mock, GIFT_CARDS, json!({"user_id": DEMO_MEMBER}));
    assert!(
        body["message"].as_str().unwrap().ends_with("the mock serves /api/v2 Action member.level"),
        "{body}"
    );
    assert_rejected(&mock, (200, body), Check::Route);
    let empty = start(MockConfig::new().endpoints(Endpoints::new()));
    let (_, body) = call(&empty, GIFT_CARDS, json!({}));
    assert!(body["message"].as_str().unwrap().ends_with("the mock serves no endpoint at all"), "{body}");
}

#[test]
fn a_typed_handler_is_messy_in_messy_mode_and_decodes_the_same() {
    let endpoints = Endpoints::builtin().endpoint::<MemberLevel, _>(|p, _| {
        Ok(Level { name: format!("gold-{}", p.user_id), growth: 1200, vip: true, since: String::new() })
    });
    assert!(endpoints.routes().any(|r| r == "/api/v2 Action member.level-info"));
    let expected = Level { name: "gold-7".into(), growth: 1200, vip: true, since: String::new() };
    let canonical = start(MockConfig::new().endpoints(endpoints.clone()));
    assert_eq!(data::<MemberLevel>(&canonical, json!({"user_id": 7})), expected);
    assert_rejected(
        &canonical,
        (200, call_v2(&canonical, "member.level-info", json!({"user_id": "x"}))),
        Check::Params,
    );
    let messy = start(MockConfig::new().endpoints(endpoints).messy(true));
    let mut changed = false;
    for _ in 0..16 {
        let body = body_of::<MemberLevel>(&messy, json!({"user_id": 7}));
        assert_eq!(zv_types::decode_endpoint::<MemberLevel>(&body).unwrap(), expected);
        let data = serde_json::from_slice::<Value>(&body).unwrap()["data"].take();
        changed |= data != serde_json::to_value(&expected).unwrap();
    }
    assert!(changed, "the data is written messily");
    // Without it, the Action is unknown.
    let plain = start(MockConfig::new());
    assert_rejected(&plain, (200, call_v2(&plain, "member.level-info", json!({}))), Check::Route);
}

#[test]
fn a_handler_replaces_a_builtin_and_changes_fixtures() {
    let endpoints = Endpoints::builtin().endpoint::<zv_types::GetCustomerGiftCardList, _>(
        |p: GiftCardListParams, call| {
            let mut fixtures = call.fixtures();
            let member = fixtures.members.get_mut(&p.user_id).ok_or(PlatformError::business(1, "none"))?;
            Ok(member.gift_cards.drain(..1).collect())
        },
    );
    let mock = start(MockConfig::new().endpoints(endpoints));
    let first = data::<zv_types::GetCustomerGiftCardList>(&mock, json!({"user_id": DEMO_MEMBER}));
    assert_eq!(first.len(), 1);
    assert_eq!(mock.fixtures().members[DEMO_MEMBER].gift_cards.len(), 5);
}

#[test]
fn invalid_routes_are_refused() {
    let answer = |_: Value, _: &zv_mock::CallContext<'_>| Ok(Value::Null);
    for error in [
        Endpoints::new().v3("crm/../secret", answer).unwrap_err(),
        Endpoints::new().v3("", answer).unwrap_err(),
        Endpoints::new().v3("crm/a b", answer).unwrap_err(),
        Endpoints::new().v2("  ", answer).unwrap_err(),
        Endpoints::new().v2("a\nb", answer).unwrap_err(),
    ] {
        assert!(matches!(error, MockError::Route(_)), "{error}");
        assert!(error.to_string().starts_with("cannot serve that route: invalid route"), "{error}");
    }
    let table = Endpoints::new().v3("crm/x", answer).unwrap().v3("/v3/crm/x", answer).unwrap();
    assert_eq!(table.routes().collect::<Vec<_>>(), ["/v3/crm/x"], "the same route, replaced");
    assert_eq!(format!("{table:?}"), r#"["/v3/crm/x"]"#);
}
