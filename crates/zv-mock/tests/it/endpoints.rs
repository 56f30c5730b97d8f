//! The built-in endpoints serve the demo data, canonically and messily, over raw HTTP; each
//! body is read with the SDK's own decoder (`zv-types`).

use std::collections::BTreeSet;

use crate::common::*;
use serde_json::{Value, json};
use zv_mock::{
    DEMO_EXCHANGE_CODE, DEMO_MEMBER, DEMO_SPENT_EXCHANGE_CODE, Fixtures, MockConfig, MockServer,
    NOT_FOUND_CODE, NOT_FOUND_MESSAGE, REDEEM_FAILED_CODE, REDEEM_PATH,
};
use zv_types::{
    CardSource, CouponList, GetCustomerGiftCardList, GetExchangeCodeStatus, GiftCard, GiftCardStatus, Money,
    UserCouponList,
};

fn card_ids(cards: &[GiftCard]) -> Vec<&str> {
    cards.iter().map(|c| c.id.as_str()).collect()
}

fn coupon_ids(list: &CouponList) -> Vec<u64> {
    list.item_list.iter().filter_map(|c| c.id).collect()
}

fn cards(mock: &MockServer, params: Value) -> Vec<GiftCard> {
    data::<GetCustomerGiftCardList>(mock, params)
}

fn coupons(mock: &MockServer, params: Value) -> CouponList {
    data::<UserCouponList>(mock, params)
}

fn redeemable(mock: &MockServer, code: &str) -> bool {
    data::<GetExchangeCodeStatus>(mock, json!({"exchangeCode": code})).redeemable
}

/// A basket of ¥52 (2 × ¥12 + ¥28), as the coupon list reads it.
const BASKET: &str = r#"[{"bar_code":"P5C5A1","offline_price":1200,"buy_num":2},{"bar_code":"P5C5B2","offline_price":2800,"buy_num":1}]"#;

/// Every read the demo data supports, as the SDK decodes it.
fn all_reads(mock: &MockServer) -> (Vec<Vec<GiftCard>>, Vec<CouponList>, Vec<bool>) {
    let cards = vec![
        cards(mock, json!({"user_id": DEMO_MEMBER, "needCycleCard": 0})),
        cards(mock, json!({"user_id": DEMO_MEMBER, "needCycleCard": 1})),
        cards(mock, json!({"user_id": "10002", "needCycleCard": 0})),
    ];
    let coupons = vec![
        coupons(mock, json!({"user_id": 10001})),
        coupons(mock, json!({"user_id": 10001, "expire": "used"})),
        coupons(mock, json!({"user_id": 10001, "expire": "canuse"})),
        coupons(mock, json!({"user_id": 10001, "expire": "expired"})),
        coupons(mock, json!({"user_id": 10001, "amount": 6000})),
        coupons(mock, json!({"user_id": 10001, "expire": "canuse", "amount": 3000})),
        coupons(mock, json!({"user_id": 10001, "shopping": 1, "checked": BASKET})),
        coupons(mock, json!({})),
    ];
    let codes =
        [DEMO_EXCHANGE_CODE, DEMO_SPENT_EXCHANGE_CODE, "1"].iter().map(|c| redeemable(mock, c)).collect();
    (cards, coupons, codes)
}

#[test]
fn demo_gift_cards() {
    let mock = start(MockConfig::new());
    let (all_reads, _, _) = all_reads(&mock);
    let [cards, all, other] = &all_reads[..] else { panic!() };
    assert_eq!(card_ids(cards), ["8800001", "8800002", "8800003", "8800005", "8800006"]);
    assert_eq!(card_ids(all), ["8800001", "8800002", "8800003", "8800004", "8800005", "8800006"]);
    assert_eq!(all[3].status, Some(GiftCardStatus::Recycled));

    let birthday = &cards[0];
    assert_eq!(birthday.gift_title, "生日礼品卡");
    assert_eq!(birthday.par_value, Some(Money::from_fen(10050)));
    assert_eq!(birthday.status, Some(GiftCardStatus::Bound));
    assert_eq!(birthday.end_at.as_ref().unwrap().to_string(), "2099-12-31 23:59:59");
    assert_eq!(cards[1].status, Some(GiftCardStatus::UsedUp));
    assert_eq!(cards[1].source, CardSource::Erp);
    assert_eq!(cards[2].status, Some(GiftCardStatus::Expired));
    assert_eq!(cards[3].status, Some(GiftCardStatus::Unknown("8".into())));

    let statuses: BTreeSet<_> = all.iter().map(|c| c.status.clone().unwrap().code()).collect();
    assert!(statuses.len() >= 5, "{statuses:?}");
    assert_eq!(other.len(), 1);
    // needCycleCard as the SDK sends it, or left out (recycled cards are then left out).
    assert_eq!(card_ids(&self::cards(&mock, json!({"user_id": DEMO_MEMBER}))), card_ids(cards));
}

#[test]
fn demo_coupons_with_every_filter() {
    let mock = start(MockConfig::new());
    let (_, coupons, _) = all_reads(&mock);
    let ids: Vec<Vec<u64>> = coupons.iter().map(coupon_ids).collect();
    assert_eq!(ids[0], [50001, 50002, 50003, 50004, 50005]);
    assert_eq!(ids[1], [50003, 50005], "used");
    assert_eq!(ids[2], [50001, 50002], "canuse");
    assert_eq!(ids[3], [50004], "expired");
    assert_eq!(ids[4], [50001, 50002, 50004, 50005], "amount ¥60");
    assert_eq!(ids[5], [50002], "canuse at ¥30");
    assert_eq!(ids[6], [50001, 50002, 50004, 50005], "basket of ¥52");
    assert!(ids[7].is_empty(), "no user_id: an empty list");
    let thresholds: BTreeSet<i64> = coupons[0]
        .item_list
        .iter()
        .filter_map(|c| c.coupon.as_ref()?.min_amount_use.map(Money::fen))
        .collect();
    assert_eq!(thresholds, BTreeSet::from([0, 5000, 10000]));

    // The canuse filter follows the mock's clock (the request is signed for that time).
    let then = 1_600_000_000;
    let past = start(MockConfig::new().clock(zv_sign::FixedClock(then)));
    let body =
        v2_body(past.credentials(), then, nonce(), COUPONS, json!({"user_id": 10001, "expire": "canuse"}));
    let (_, answer) = post(&past, V2, &body);
    let canuse = zv_types::decode_endpoint::<UserCouponList>(answer.to_string().as_bytes()).unwrap();
    assert_eq!(coupon_ids(&canuse), [50001, 50002, 50004]);
}

#[test]
fn unknown_member_is_a_business_error() {
    let mock = start(MockConfig::new());
    for body in [
        call(&mock, GIFT_CARDS, json!({"user_id": "99999"})).1,
        call(&mock, GIFT_CARDS, json!({"user_id": ""})).1,
        call_v2(&mock, COUPONS, json!({"user_id": 99999})),
    ] {
        assert_business(&body, NOT_FOUND_CODE);
        assert_eq!(body["message"], NOT_FOUND_MESSAGE);
        assert!(body.get("data").is_none(), "{body}");
    }
    assert!(mock.log().iter().all(|e| e.verdict.is_ok()), "business errors pass every check");
}

#[test]
fn exchange_codes_and_the_redeem_write() {
    let mock = start(MockConfig::new());
    assert!(redeemable(&mock, DEMO_EXCHANGE_CODE));
    assert!(!redeemable(&mock, DEMO_SPENT_EXCHANGE_CODE));
    assert!(!redeemable(&mock, "000"));

    let redeem =
        |code: Value| call(&mock, REDEEM_PATH, json!({"exchangeCode": code, "user_id": DEMO_MEMBER})).1;
    let done = redeem(json!(DEMO_EXCHANGE_CODE));
    assert_eq!(done["code"], 0, "{done}");
    assert_eq!(
        done["data"],
        json!({"exchangeCode": DEMO_EXCHANGE_CODE, "user_id": DEMO_MEMBER, "redeemed": true})
    );
    assert!(!redeemable(&mock, DEMO_EXCHANGE_CODE));
    assert!(!mock.fixtures().exchange_codes[DEMO_EXCHANGE_CODE]);
    for code in [json!(DEMO_EXCHANGE_CODE), json!(DEMO_SPENT_EXCHANGE_CODE), json!("nope"), json!(12345)] {
        assert_business(&redeem(code), REDEEM_FAILED_CODE);
    }
    // set_fixtures brings the code back; a code may be sent as a number.
    mock.set_fixtures(Fixtures::demo().with_exchange_code("777", true));
    assert!(redeemable(&mock, DEMO_EXCHANGE_CODE));
    assert_eq!(redeem(json!(777))["data"]["redeemed"], true);
}

#[test]
fn canonical_and_messy_decode_to_identical_values() {
    let canonical = start(MockConfig::new());
    let messy = start(MockConfig::new().messy(true));
    let expected = all_reads(&canonical);
    // Every request has a new nonce, so a new messy rendering: try several.
    for _ in 0..8 {
        assert_eq!(all_reads(&messy), expected);
    }
}

#[test]
fn messy_bodies_are_messy_and_reproducible() {
    let canonical = start(MockConfig::new());
    let messy = start(MockConfig::new().messy(true));
    let messy_twin = start(MockConfig::new().messy(true));
    let params = json!({"user_id": DEMO_MEMBER, "needCycleCard": 1});
    let body = v3_body(canonical.credentials(), now(), nonce(), params);
    let raw = |mock: &MockServer| {
        send(mock, zv_transport::http::Method::POST, GIFT_CARDS, serde_json::to_vec(&body).unwrap()).1
    };
    let (plain, mess, twin) = (raw(&canonical), raw(&messy), raw(&messy_twin));
    assert_eq!(without_trace(&mess), without_trace(&twin), "the same nonce gives the same messy body");
    assert_ne!(plain, mess);
    let plain: Value = serde_json::from_slice(&plain).unwrap();
    let mess: Value = serde_json::from_slice(&mess).unwrap();
    assert_eq!((&plain["status"], &plain["code"]), (&json!(true), &json!(0)));
    assert_eq!((&mess["status"], &mess["code"]), (&json!("true"), &json!("0")));
    assert_eq!(plain["data"][0]["par_value"], "100.50");
    assert_eq!(plain["data"][0]["id"], "8800001");
    // Messy business errors too.
    let (_, unknown) = call(&messy, GIFT_CARDS, json!({"user_id": "99999"}));
    assert_eq!((&unknown["status"], &unknown["code"]), (&json!("true"), &json!("20001")));
}
