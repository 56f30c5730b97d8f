//! The built-in endpoints, as entries of the [`Endpoints`] table: gift cards, coupons (with
//! their filters), exchange-code status and the mock-only redeem write.

use serde::Deserialize;
use serde_json::{Value, json};
use zv_types::{
    Basket, CouponFilter, CouponList, CouponListParams, CouponStatusFilter, CouponUseStatus,
    ExchangeCodeParams, ExchangeCodeStatus, GetCustomerGiftCardList, GetExchangeCodeStatus, GiftCard,
    GiftCardListParams, GiftCardStatus, Money, UserCoupon, UserCouponList,
};

use super::endpoints::{CallContext, Endpoints};
use crate::model::{PlatformError, Render, RouteKey};

/// The business code of "nothing found": an unknown member (查询的信息不存在).
pub const NOT_FOUND_CODE: i64 = 20001;
/// The message of [`NOT_FOUND_CODE`].
pub const NOT_FOUND_MESSAGE: &str = "查询的信息不存在";
/// The business code of a redeem that cannot be done: the code does not exist or was
/// already redeemed (兑换码不存在或已兑换).
pub const REDEEM_FAILED_CODE: i64 = 20002;
/// The message of [`REDEEM_FAILED_CODE`].
pub const REDEEM_FAILED_MESSAGE: &str = "兑换码不存在或已兑换";
/// The V3 path of the mock-only, non-idempotent redeem write: params
/// `{"exchangeCode": "…", "user_id": "…"}`; a redeemable code becomes unredeemable.
pub const REDEEM_PATH: &str = "/v3/coupon/exchange/redeemExchangeCode";

impl Endpoints {
    /// The built-in endpoints: gift cards, coupons, exchange-code status and the mock-only
    /// redeem ([`REDEEM_PATH`](crate::REDEEM_PATH)); see the [crate docs](crate#endpoints).
    pub fn builtin() -> Self {
        Self::new()
            .typed::<GetCustomerGiftCardList, _>(gift_cards, Render::messy)
            .typed::<UserCouponList, _>(coupons, Render::messy)
            .typed::<GetExchangeCodeStatus, _>(exchange_code_status, Render::messy)
            .untyped(RouteKey::V3(REDEEM_PATH.to_owned()), redeem)
    }
}

fn not_found() -> PlatformError {
    PlatformError::business(NOT_FOUND_CODE, NOT_FOUND_MESSAGE)
}

/// The member's gift cards; `needCycleCard = 0` leaves out recycled cards.
fn gift_cards(p: GiftCardListParams, call: &CallContext<'_>) -> Result<Vec<GiftCard>, PlatformError> {
    let fixtures = call.fixtures();
    let member = fixtures.members.get(&p.user_id).ok_or_else(not_found)?;
    Ok(member
        .gift_cards
        .iter()
        .filter(|c| p.include_recycled || c.status != Some(GiftCardStatus::Recycled))
        .cloned()
        .collect())
}

/// The member's coupons, filtered; no `user_id` gives an empty list.
fn coupons(p: CouponListParams, call: &CallContext<'_>) -> Result<CouponList, PlatformError> {
    let Some(user_id) = p.user_id else {
        return Ok(CouponList::default());
    };
    let now = i64::try_from(call.now_unix_seconds()).unwrap_or(i64::MAX);
    let fixtures = call.fixtures();
    let member = fixtures.members.get(&user_id.to_string()).ok_or_else(not_found)?;
    let kept = member.coupons.iter().filter(|c| keep(c, p.filter.as_ref(), now)).cloned().collect();
    Ok(CouponList::new(kept))
}

/// Whether a code can be redeemed (an unknown code cannot).
fn exchange_code_status(
    p: ExchangeCodeParams,
    call: &CallContext<'_>,
) -> Result<ExchangeCodeStatus, PlatformError> {
    let redeemable = call.fixtures().exchange_codes.get(&p.exchange_code).copied().unwrap_or(false);
    Ok(ExchangeCodeStatus::new(redeemable))
}

/// The params of the mock's redeem write: `exchangeCode` (required, a string or a number)
/// and `user_id` (optional).
#[derive(Deserialize)]
#[serde(try_from = "Value")]
struct RedeemParams {
    exchange_code: String,
    user_id: String,
}

impl TryFrom<Value> for RedeemParams {
    type Error = String;

    fn try_from(v: Value) -> Result<Self, String> {
        let exchange_code = text(&v["exchangeCode"])
            .filter(|c| !c.trim().is_empty())
            .ok_or("`exchangeCode` is required (a string)")?;
        Ok(RedeemParams { exchange_code, user_id: text(&v["user_id"]).unwrap_or_default() })
    }
}

/// A text param sent as a string or a number.
pub(crate) fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Redeems a redeemable code (it becomes unredeemable); anything else is a business error.
fn redeem(p: RedeemParams, call: &CallContext<'_>) -> Result<Value, PlatformError> {
    match call.fixtures().exchange_codes.get_mut(&p.exchange_code) {
        Some(redeemable) if *redeemable => *redeemable = false,
        _ => return Err(PlatformError::business(REDEEM_FAILED_CODE, REDEEM_FAILED_MESSAGE)),
    }
    Ok(json!({"exchangeCode": p.exchange_code, "user_id": p.user_id, "redeemed": true}))
}

fn total(basket: &Basket) -> Money {
    basket.items().iter().fold(Money::ZERO, |sum, item| {
        let line = Money::from_fen(item.offline_price.fen().saturating_mul(i64::from(item.buy_num)));
        sum.checked_add(line).unwrap_or(Money::from_fen(i64::MAX))
    })
}

/// Whether coupon `c` passes `filter` at Unix time `now`.
fn keep(c: &UserCoupon, filter: Option<&CouponFilter>, now: i64) -> bool {
    let minimum = c.coupon.as_ref().and_then(|t| t.min_amount_use).unwrap_or(Money::ZERO);
    let ended = c.end_at.as_ref().and_then(zv_types::Moment::unix_seconds).is_some_and(|end| end <= now);
    let unused = c.status == Some(CouponUseStatus::Unused);
    match filter {
        None => true,
        Some(CouponFilter::Status { status, amount }) => {
            let status_ok = match status {
                None => true,
                Some(CouponStatusFilter::Used) => c.status == Some(CouponUseStatus::Used),
                Some(CouponStatusFilter::CanUse) => unused && !ended,
                Some(CouponStatusFilter::Expired) => unused && ended,
            };
            status_ok && amount.is_none_or(|a| minimum <= a)
        }
        Some(CouponFilter::Basket(basket)) => minimum <= total(basket),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Fixtures;
    use zv_types::{BasketItem, Moment};

    #[test]
    fn coupon_filters() {
        let coupons = &Fixtures::demo().members[crate::model::DEMO_MEMBER].coupons;
        let now = Moment::parse("2026-01-01 00:00:00").unwrap().unix_seconds().unwrap();
        let ids = |filter: Option<CouponFilter>| -> Vec<u64> {
            coupons.iter().filter(|c| keep(c, filter.as_ref(), now)).filter_map(|c| c.id).collect()
        };
        let status = |s| Some(CouponFilter::Status { status: Some(s), amount: None });
        assert_eq!(ids(None).len(), 5);
        assert_eq!(ids(status(CouponStatusFilter::Used)), [50003, 50005]);
        assert_eq!(ids(status(CouponStatusFilter::CanUse)), [50001, 50002]);
        assert_eq!(ids(status(CouponStatusFilter::Expired)), [50004]);
        let amount = |fen, s| Some(CouponFilter::Status { status: s, amount: Some(Money::from_fen(fen)) });
        assert_eq!(ids(amount(6000, None)), [50001, 50002, 50004, 50005]);
        assert_eq!(ids(amount(3000, Some(CouponStatusFilter::CanUse))), [50002]);
        assert_eq!(ids(amount(10000, Some(CouponStatusFilter::Used))), [50003, 50005]);
        let basket = Basket::new(vec![
            BasketItem::new("P5C5A1", Money::from_fen(1200), 2),
            BasketItem::new("P5C5B2", Money::from_fen(2800), 1),
        ])
        .unwrap();
        assert_eq!(total(&basket), Money::from_fen(5200));
        assert_eq!(ids(Some(CouponFilter::Basket(basket))), [50001, 50002, 50004, 50005]);
        let huge = Basket::new(vec![BasketItem::new("X", Money::from_fen(i64::MAX), 3)]).unwrap();
        assert_eq!(ids(Some(CouponFilter::Basket(huge))).len(), 5);
    }

    #[test]
    fn the_builtin_table() {
        let routes: Vec<String> = Endpoints::builtin().routes().collect();
        assert_eq!(
            routes,
            [
                "/v3/coupon/exchange/getExchangeCodeStatus",
                REDEEM_PATH,
                "/v3/crm/giftCard/getCustomerGiftCardList",
                "/api/v2 Action coupon.user-coupon-list",
            ]
        );
    }
}
