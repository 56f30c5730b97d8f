//! Every typed endpoint and the untyped call × {blocking ureq, async reqwest} × {canonical, messy}.

use serde_json::json;
use zv_api::UntypedRequest;
use zv_integration_tests::{BACKENDS, Env, call};
use zv_mock::{MockConfig, Verdict};
use zv_types::{
    Basket, BasketItem, CouponListParams, CouponStatusFilter, CouponUseStatus, GiftCardListParams,
    GiftCardStatus, Money,
};

fn both_modes() -> [Env; 2] {
    [Env::new(MockConfig::new()), Env::new(MockConfig::new().messy(true))]
}

#[test]
fn gift_cards_in_every_mode_and_backend() {
    let [canonical, messy] = both_modes();
    let p = GiftCardListParams::new("10001");
    let r = GiftCardListParams::new("10001").include_recycled(true);
    let reference = canonical.blocking.gift_cards(&p).unwrap();
    assert!(reference.len() >= 4);
    assert!(
        reference.iter().any(|c| matches!(c.status, Some(GiftCardStatus::Bound)) && c.par_value.is_some())
    );
    assert!(
        reference.iter().any(|c| matches!(c.status, Some(GiftCardStatus::Unknown(_)))),
        "an unknown code is kept"
    );
    assert!(!reference.iter().any(|c| c.status == Some(GiftCardStatus::Recycled)));
    for env in [&canonical, &messy] {
        for backend in BACKENDS {
            assert_eq!(call!(env, backend, gift_cards(&p)).unwrap(), reference, "{backend:?}");
            let with = call!(env, backend, gift_cards(&r)).unwrap();
            assert!(with.iter().any(|c| c.status == Some(GiftCardStatus::Recycled)), "{backend:?}");
        }
        assert!(env.mock.log().iter().all(|e| e.verdict == Verdict::Ok));
    }
}

#[test]
fn coupons_with_every_filter_in_every_mode_and_backend() {
    let [canonical, messy] = both_modes();
    let basket = Basket::new(vec![BasketItem::new("P5C503FB51B4843301", Money::from_fen(3000), 2)]).unwrap();
    let filters = [
        CouponListParams::new().user_id(10001),
        CouponListParams::new().user_id(10001).status(CouponStatusFilter::Used),
        CouponListParams::new().user_id(10001).status(CouponStatusFilter::CanUse),
        CouponListParams::new().user_id(10001).status(CouponStatusFilter::Expired),
        CouponListParams::new().user_id(10001).amount(Money::from_fen(1)),
        CouponListParams::new().user_id(10001).from_pay_page(true).basket(basket),
    ];
    let all = canonical.blocking.coupons(&filters[0]).unwrap().item_list;
    assert!(all.len() >= 3);
    let used = canonical.blocking.coupons(&filters[1]).unwrap().item_list;
    assert!(!used.is_empty() && used.iter().all(|c| c.status == Some(CouponUseStatus::Used)));
    for p in &filters {
        let reference = canonical.blocking.coupons(p).unwrap();
        assert!(reference.item_list.len() <= all.len());
        for env in [&canonical, &messy] {
            for backend in BACKENDS {
                assert_eq!(call!(env, backend, coupons(p)).unwrap(), reference, "{backend:?} {p:?}");
            }
        }
    }
}

#[test]
fn exchange_codes_in_every_mode_and_backend() {
    for env in both_modes() {
        for backend in BACKENDS {
            assert!(call!(env, backend, exchange_code_status("164822200532619796511")).unwrap().redeemable);
            assert!(!call!(env, backend, exchange_code_status("000000")).unwrap().redeemable);
        }
    }
}

#[test]
fn raw_calls_in_every_mode_and_backend() {
    let [canonical, messy] = both_modes();
    let v3 = UntypedRequest::v3(
        "/v3/crm/giftCard/getCustomerGiftCardList",
        json!({"user_id": "10001", "needCycleCard": 0}),
    )
    .unwrap()
    .retry_safe(true);
    let v2 = UntypedRequest::v2("coupon.user-coupon-list", json!({"user_id": 10001})).unwrap();
    let typed = canonical.blocking.gift_cards(&GiftCardListParams::new("10001")).unwrap();
    for env in [&canonical, &messy] {
        for backend in BACKENDS {
            let cards: serde_json::Value =
                serde_json::from_str(call!(env, backend, send_untyped(&v3)).unwrap().data.get()).unwrap();
            assert_eq!(cards.as_array().unwrap().len(), typed.len(), "{backend:?}");
            // the raw JSON decodes to the same typed values, whatever the mode
            let body = serde_json::to_vec(&json!({"status": true, "code": 0, "data": cards})).unwrap();
            assert_eq!(zv_types::decode_endpoint::<zv_types::GetCustomerGiftCardList>(&body).unwrap(), typed);
            let coupons: serde_json::Value =
                serde_json::from_str(call!(env, backend, send_untyped(&v2)).unwrap().data.get()).unwrap();
            assert!(coupons["item_list"].is_array());
        }
    }
}

#[test]
fn a_write_through_the_raw_call_changes_state_once() {
    for backend in BACKENDS {
        let env = Env::new(MockConfig::new());
        let redeem = UntypedRequest::v3(
            "coupon/exchange/redeemExchangeCode",
            json!({"exchangeCode": "164822200532619796511", "user_id": "10001"}),
        )
        .unwrap();
        call!(env, backend, send_untyped(&redeem)).unwrap();
        assert!(!call!(env, backend, exchange_code_status("164822200532619796511")).unwrap().redeemable);
        let again = call!(env, backend, send_untyped(&redeem)).unwrap_err();
        assert_eq!(again.kind(), zv_api::ErrorKind::ApiBusiness, "{backend:?}: {again}");
    }
}
