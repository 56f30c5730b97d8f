//! Fixtures files: the sample loads and is served, the demo data round-trips, bad files
//! give useful errors.

use std::path::Path;

use crate::common::*;
use serde_json::json;
use zv_mock::{Fixtures, Member, MockConfig, MockError};
use zv_types::{
    CardSource, GetCustomerGiftCardList, GetExchangeCodeStatus, GiftCard, GiftCardStatus, Money,
    UserCouponList,
};

fn example_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example.json")
}

#[test]
fn the_example_file_loads_and_is_served() {
    let fixtures = Fixtures::from_path(example_path()).unwrap();
    let member = &fixtures.members["20001"];
    assert_eq!(member.gift_cards.len(), 2);
    assert_eq!(member.gift_cards[0].par_value, Some(Money::from_fen(5000)));
    assert_eq!(member.gift_cards[1].status, Some(GiftCardStatus::Recycled));
    assert_eq!(member.gift_cards[1].source, CardSource::Erp);
    assert_eq!(member.coupons[0].coupon.as_ref().unwrap().min_amount_use, Some(Money::from_fen(3000)));
    assert_eq!(fixtures.exchange_codes.len(), 2);

    let mock = start(MockConfig::new().fixtures(fixtures));
    assert_eq!(
        data::<GetCustomerGiftCardList>(&mock, json!({"user_id": "20001", "needCycleCard": 0})).len(),
        1
    );
    let expired = data::<UserCouponList>(&mock, json!({"user_id": 20001, "expire": "expired"}));
    assert_eq!(expired.item_list.iter().filter_map(|c| c.id).collect::<Vec<_>>(), [70002]);
    assert!(data::<GetExchangeCodeStatus>(&mock, json!({"exchangeCode": "900000000000000001"})).redeemable);
    let (_, unknown) = call(&mock, GIFT_CARDS, json!({"user_id": zv_mock::DEMO_MEMBER}));
    assert_business(&unknown, zv_mock::NOT_FOUND_CODE);
}

#[test]
fn fixtures_built_in_code_are_served() {
    let mut card = GiftCard::default();
    card.id = "1".into();
    card.gift_title = "测试卡".into();
    let fixtures = Fixtures::new()
        .with_member("7", Member::new().with_gift_cards(vec![card.clone()]))
        .with_exchange_code("42", true);
    assert_eq!(Fixtures::from_json(&fixtures.to_json()).unwrap(), fixtures);
    let mock = start(MockConfig::new().fixtures(fixtures));
    assert_eq!(data::<GetCustomerGiftCardList>(&mock, json!({"user_id": "7"})), [card]);
    assert!(data::<UserCouponList>(&mock, json!({"user_id": 7})).item_list.is_empty());
    assert!(data::<GetExchangeCodeStatus>(&mock, json!({"exchangeCode": "42"})).redeemable);
}

#[test]
fn the_example_file_is_in_canonical_form() {
    let text = std::fs::read_to_string(example_path()).unwrap();
    let fixtures = Fixtures::from_json(&text).unwrap();
    let written: serde_json::Value = serde_json::from_str(&fixtures.to_json()).unwrap();
    let read: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(written, read);
}

#[test]
fn demo_round_trips_through_json() {
    let demo = Fixtures::demo();
    assert_eq!(Fixtures::from_json(&demo.to_json()).unwrap(), demo);
    assert_eq!(Fixtures::from_json(&serde_json::to_string(&demo).unwrap()).unwrap(), demo);
    // The demo data is as documented.
    let member = &demo.members[zv_mock::DEMO_MEMBER];
    assert!(member.gift_cards.len() >= 5);
    assert!(member.coupons.len() >= 3);
    assert!(demo.exchange_codes[zv_mock::DEMO_EXCHANGE_CODE]);
    assert!(!demo.exchange_codes[zv_mock::DEMO_SPENT_EXCHANGE_CODE]);
    // Partial files are fine: every key may be left out.
    assert_eq!(Fixtures::from_json("{}").unwrap(), Fixtures::default());
    assert_eq!(
        Fixtures::from_json(r#"{"members":{"1":{}}}"#).unwrap().members["1"],
        zv_mock::Member::default()
    );
}

fn fixtures_error(text: &str) -> String {
    match Fixtures::from_json(text) {
        Err(e @ MockError::Fixtures { .. }) => e.to_string(),
        other => panic!("expected a fixtures error, got {other:?}"),
    }
}

#[test]
fn malformed_fixtures_say_what_and_where() {
    let e = fixtures_error(
        "{\n  \"members\": {\n    \"1\": {\"gift_cards\": []}\n  }\n  \"exchange_codes\": {}\n}",
    );
    assert!(e.contains("line 5") && !e.contains("at `"), "{e}");
    let e = fixtures_error(r#"{"members":{"10001":{"gift_cards":[{"id":"1","par_value":"12.345"}]}}}"#);
    assert!(e.contains("members.10001.gift_cards[0].par_value"), "{e}");
    assert!(e.contains("more precise than one fen"), "{e}");
    let e = fixtures_error(r#"{"member":{}}"#);
    assert!(e.contains("unknown field `member`"), "{e}");
    let e = fixtures_error(r#"{"members":{"1":{"cards":[]}}}"#);
    assert!(e.contains("unknown field `cards`") && e.contains("members.1"), "{e}");
    let e = fixtures_error(r#"{"exchange_codes":{"1":"yes"}}"#);
    assert!(e.contains("exchange_codes.1"), "{e}");
    let e = fixtures_error("{} trailing");
    assert!(e.contains("trailing"), "{e}");

    let missing = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/does-not-exist.json");
    match Fixtures::from_path(&missing) {
        Err(MockError::Fixtures { origin, message }) => {
            assert!(origin.ends_with("does-not-exist.json"), "{origin}");
            assert!(message.contains("cannot read"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}
