//! Stubs: zv-mock serving any path from a stubs file, called by the SDK's clients — matched
//! params, errors, first match wins, items paged end to end with the SDK's pager, the
//! answers for catalogued and uncatalogued paths without a stub, and bad stub files.

use futures_util::StreamExt;
use serde_json::json;
use serde_json::value::RawValue;
use zv_api::pages::{PageDialect, PageOptions};
use zv_api::{Error, ErrorKind, UntypedRequest};
use zv_integration_tests::{BACKENDS, Backend, Env, call};
use zv_mock::{Endpoints, MockConfig, MockError, NO_STUB_CODE, Stubs, Verdict};

const MEMBER_INFO: &str = "/v3/crm/member/getMemberInfo";
const GIFT_CARDS: &str = "/v3/crm/giftCard/getCustomerGiftCardList";

/// A mock serving the built-in endpoints, these stubs and the catalogue's hints.
fn env(stubs: &str) -> Env {
    let stubs = Stubs::from_json(stubs).expect("valid stubs");
    Env::new(MockConfig::new().endpoints(Endpoints::builtin().catalogue_hints(true).stubs(&stubs)))
}

fn send(env: &Env, backend: Backend, path: &str, params: serde_json::Value) -> Result<String, Error> {
    let request = UntypedRequest::v3(path, params)?;
    let response = call!(env, backend, send_untyped(&request))?;
    Ok(response.http.data_json().map(|d| d.get().to_owned()).unwrap_or_default())
}

fn business_code(e: &Error) -> String {
    assert_eq!(e.kind(), ErrorKind::ApiBusiness, "{e}");
    e.api_code().map(ToString::to_string).unwrap_or_default()
}

#[test]
fn the_first_matching_stub_answers_byte_for_byte_and_the_rest_fall_through() {
    let env = env(r#"{"stubs": [
        {"path": "v3/crm/member/getMemberInfo", "match": {"user_id": 10001, "vip": true},
         "data": {"user_id": "10001", "card_no": 98765432109876543210, "balance": 1.10}},
        {"path": "v3/crm/member/getMemberInfo", "match": {"user_id": "10001"}, "data": {"plain": true}},
        {"path": "/v3/crm/member/getMemberInfo", "match": {"user_id": "10001"}, "data": {"never": "answers"}},
        {"path": "crm/member/getMemberInfo", "match": {"user_id": "down"},
         "error": {"status": false, "code": "E500", "message": "系统繁忙"}},
        {"path": "v3/crm/member/getMemberInfo", "error": {"code": 20001, "message": "查询的信息不存在"}},
        {"path": "v3/crm/giftCard/getCustomerGiftCardList", "match": {"user_id": "777"}, "data": []},
        {"path": "v3/crm/member/getMemberLevel", "match": {"user_id": "1"}, "data": 1}
    ]}"#);
    for backend in BACKENDS {
        // Every listed param must match, compared as text; the data is the stub's JSON text.
        let data = send(&env, backend, MEMBER_INFO, json!({"user_id": "10001", "vip": "true"})).unwrap();
        assert_eq!(data, r#"{"user_id": "10001", "card_no": 98765432109876543210, "balance": 1.10}"#);
        // The first of two stubs that both match answers.
        assert_eq!(
            send(&env, backend, MEMBER_INFO, json!({"user_id": 10001})).unwrap(),
            r#"{"plain": true}"#
        );
        let e = send(&env, backend, MEMBER_INFO, json!({"user_id": "down"})).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ApiSystem, "{e}");
        assert!(e.to_string().contains("E500") && e.to_string().contains("系统繁忙"), "{e}");
        // A stub without `match` answers anything the ones before it did not.
        let e = send(&env, backend, MEMBER_INFO, json!({"user_id": "99"})).unwrap_err();
        assert_eq!(business_code(&e), "20001");
        assert!(e.to_string().contains("查询的信息不存在"), "{e}");
        // A stubbed built-in route still serves what its stubs do not match.
        assert_eq!(send(&env, backend, GIFT_CARDS, json!({"user_id": "777"})).unwrap(), "[]");
        let cards = call!(env, backend, gift_cards(&zv_types::GiftCardListParams::new("10001"))).unwrap();
        assert_eq!(cards.len(), 5, "the built-in handler's demo cards, recycled left out");
        // Params no stub of a route matches, with nothing to fall back to: "no stub".
        let e = send(&env, backend, "/v3/crm/member/getMemberLevel", json!({"user_id": "2"})).unwrap_err();
        assert_eq!(business_code(&e), NO_STUB_CODE.to_string());
        assert!(e.to_string().contains("no stub for /v3/crm/member/getMemberLevel matches"), "{e}");
        assert!(e.to_string().contains("matching on user_id"), "{e}");
    }
    assert!(env.mock.log().iter().all(|e| e.verdict == Verdict::Ok), "every request verified");
}

/// Record `i`: an id beyond `u64`, which survives only as the exact text sent.
fn record(i: usize) -> String {
    format!(r#"{{"id": 1234567890123456789012{i:03}, "name": "商品{i}"}}"#)
}

fn scan(
    env: &Env,
    backend: Backend,
    path: &str,
    dialect: PageDialect,
    size: u32,
) -> Result<Vec<String>, Error> {
    let request = UntypedRequest::v3(path, json!({"shopId": 7}))?.retry_safe(true);
    let options = PageOptions::default().page_size(size);
    let text = |r: Result<Box<RawValue>, Error>| r.map(|r| r.get().to_owned());
    match backend {
        Backend::BlockingUreq => env.blocking.records(&request, dialect, options).map(text).collect(),
        Backend::AsyncReqwest => env.rt.block_on(async {
            env.asynch
                .records(&request, dialect, options)
                .map(text)
                .collect::<Vec<_>>()
                .await
                .into_iter()
                .collect()
        }),
    }
}

#[test]
fn items_are_paged_in_the_catalogue_dialect_end_to_end() {
    let items = |n: usize| (0..n).map(record).collect::<Vec<_>>().join(", ");
    let env = env(&format!(
        r#"{{"stubs": [
            {{"path": "v3/goods/item/getItemList", "match": {{"shopId": 7}}, "items": [{}]}},
            {{"path": "v3/org/shop/getShopList", "items": [{}]}},
            {{"path": "v3/coupon/card/consumeFlow/page", "items": [{}]}},
            {{"path": "v3/inbound/custom/list", "dialect": "records", "items": [{}]}}
        ]}}"#,
        items(23),
        items(8),
        items(5),
        items(7)
    ));
    let cases = [
        ("/v3/goods/item/getItemList", PageDialect::DataTotal, 23, 5),
        ("/v3/org/shop/getShopList", PageDialect::ListTotal, 8, 4),
        ("/v3/coupon/card/consumeFlow/page", PageDialect::PageCount, 5, 2),
        ("/v3/inbound/custom/list", PageDialect::Records, 7, 3),
    ];
    for backend in BACKENDS {
        for (path, dialect, n, size) in cases {
            env.mock.clear_log();
            let records = scan(&env, backend, path, dialect, size).unwrap();
            assert_eq!(records, (0..n).map(record).collect::<Vec<_>>(), "{backend:?} {dialect}");
            let log = env.mock.log();
            // Full pages until the last; a dialect without a total needs one more, short page
            // when the count divides evenly (not the case here).
            assert_eq!(log.len(), n.div_ceil(size as usize), "{backend:?} {dialect}: {log:?}");
            let (number, size_field) = dialect.request_fields();
            assert_eq!(log[1].params.as_ref().unwrap()[number], 2);
            assert_eq!(log[1].params.as_ref().unwrap()[size_field], size);
        }
    }
}

#[test]
fn a_catalogued_path_without_a_stub_says_how_to_add_one_and_an_uncatalogued_one_is_unknown() {
    let env = env(r#"{"stubs": []}"#);
    for backend in BACKENDS {
        let e = send(&env, backend, "/v3/goods/item/getItemList", json!({})).unwrap_err();
        assert_eq!(business_code(&e), NO_STUB_CODE.to_string());
        let text = e.to_string();
        assert!(text.contains("no stub for /v3/goods/item/getItemList"), "{text}");
        assert!(text.contains("pages as data_total"), "{text}");
        assert!(text.contains(r#"{"stubs":[{"path":"v3/goods/item/getItemList","items":[…]}]}"#), "{text}");
        assert!(text.contains("zv mock --stubs FILE"), "{text}");
        // A catalogued write that does not page: a `data` stub.
        let e = send(&env, backend, "/v3/delivery/createDeliveryOrder", json!({})).unwrap_err();
        assert!(e.to_string().contains(r#""path":"v3/delivery/createDeliveryOrder","data":{…}"#), "{e}");
        assert!(e.to_string().contains("a catalogued write"), "{e}");

        let e = send(&env, backend, "/v3/no/such/endpoint", json!({})).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ApiSystem, "{e}");
        assert_eq!(e.api_code().map(ToString::to_string).as_deref(), Some("40008"));
        assert!(e.to_string().contains("no endpoint at /v3/no/such/endpoint"), "{e}");
    }
    // Without the hints (the library's default), a catalogued path is unknown too.
    let plain = Env::new(MockConfig::new());
    let e = send(&plain, Backend::BlockingUreq, "/v3/goods/item/getItemList", json!({})).unwrap_err();
    assert_eq!(e.api_code().map(ToString::to_string).as_deref(), Some("40008"), "{e}");
}

#[test]
fn a_bad_stub_file_is_refused_naming_the_stub() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stubs.json");
    std::fs::write(&path, r#"{"stubs": [{"path": "v3/a/b", "data": 1}, {"path": "v3/a/b", "items": [1]}]}"#)
        .unwrap();
    let e = Stubs::from_path(&path).unwrap_err();
    let MockError::Stubs { origin, index, message } = &e else { panic!("{e:?}") };
    assert_eq!((origin.as_str(), *index), (path.to_str().unwrap(), Some(1)));
    assert!(message.contains("no paging dialect"), "{message}");
    assert!(
        e.to_string().starts_with(&format!("invalid stubs in {}: stub 1: has `items`", path.display())),
        "{e}"
    );

    let e = Stubs::from_path(dir.path().join("missing.json")).unwrap_err();
    assert!(matches!(e, MockError::Stubs { index: None, .. }), "{e:?}");
    assert!(e.to_string().contains("cannot read"), "{e}");
}

/// A `match` on a number beyond `f64`'s precision matches exactly that number, sent as a
/// JSON number or as a string, and no neighbour of it (issue 11 item 4: the params were
/// compared through an `f64`, so the exact number never matched).
#[test]
fn a_match_on_a_big_number_takes_exactly_that_number() {
    let env = env(r#"{"stubs": [
        {"path": "v3/crm/member/getMemberInfo", "match": {"card_no": 164822200532619796511}, "data": {"ok": 1}}
    ]}"#);
    let send_text = |backend, params: &str| -> Result<String, Error> {
        let request = UntypedRequest::v3(MEMBER_INFO, params)?;
        let response = call!(env, backend, send_untyped(&request))?;
        Ok(response.data.get().to_owned())
    };
    for backend in BACKENDS {
        for same in [r#"{"card_no":164822200532619796511}"#, r#"{"card_no":"164822200532619796511"}"#] {
            assert_eq!(send_text(backend, same).unwrap(), r#"{"ok": 1}"#, "{same}");
        }
        for other in [
            r#"{"card_no":164822200532619796512}"#,
            r#"{"card_no":164822200532619800000}"#,
            r#"{"card_no":1.64822200532619796511e20}"#,
        ] {
            let e = send_text(backend, other).unwrap_err();
            assert_eq!(business_code(&e), NO_STUB_CODE.to_string(), "{other}");
        }
    }
}
