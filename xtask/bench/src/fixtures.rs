//! Realistic canonical response bodies, and the plain strict `serde` structs of the same
//! shape that the floors decode them into.
//!
//! Canonical means numbers as JSON numbers (codes, ids, Unix seconds, fen), money in yuan as
//! decimal strings for gift cards (as the gateway sends balances), date-times as
//! `YYYY-MM-DD HH:MM:SS` texts, identifiers the API types as strings (card numbers,
//! template ids, redemption codes) as strings.

use serde::Deserialize;
use serde_json::{Value, json};

/// How many cards and coupons the bodies hold.
pub const ITEMS: usize = 50;

/// The response envelope, strictly: `{status: bool, code: i64, message: String, data: T}`.
#[derive(Debug, Deserialize)]
pub struct StrictEnvelope<T> {
    pub status: bool,
    pub code: i64,
    pub message: String,
    pub data: T,
}

/// One gift card, strictly.
#[derive(Debug, Deserialize)]
#[allow(dead_code, reason = "decoding the fields is the floor's work; nothing reads them")]
pub struct StrictCard {
    pub id: String,
    pub gift_card_id: String,
    pub gift_title: String,
    pub par_value: String,
    pub cover: String,
    pub expired_desc: String,
    pub deduct_amount: String,
    pub bind_status: u8,
    #[serde(rename = "beginAt")]
    pub begin_at: String,
    #[serde(rename = "endAt")]
    pub end_at: String,
    #[serde(rename = "createdAt")]
    pub created_at: String,
    pub status_desc: String,
    pub status: u8,
    #[serde(rename = "validType")]
    pub valid_type: u8,
    #[serde(rename = "isErp")]
    pub is_erp: u8,
}

/// A coupon list's `data`, strictly.
#[derive(Debug, Deserialize)]
#[allow(dead_code, reason = "decoding the fields is the floor's work; nothing reads them")]
pub struct StrictCouponList {
    pub item_list: Vec<StrictUserCoupon>,
}

/// One of a member's coupons, strictly.
#[derive(Debug, Deserialize)]
#[allow(dead_code, reason = "decoding the fields is the floor's work; nothing reads them")]
pub struct StrictUserCoupon {
    pub id: u64,
    pub coupon_id: u64,
    pub start_at: i64,
    pub end_at: i64,
    pub status: u8,
    pub verify_code: String,
    pub is_lock: u8,
    pub date_time: String,
    pub coupon: StrictCoupon,
}

/// A coupon template, strictly.
#[derive(Debug, Deserialize)]
#[allow(dead_code, reason = "decoding the fields is the floor's work; nothing reads them")]
pub struct StrictCoupon {
    pub id: u64,
    pub title: String,
    pub coupon_type: u8,
    pub min_amount_use: i64,
    pub desc: String,
}

const TITLES: [&str; 5] = ["生日礼品卡", "储值卡 500 元", "中秋礼盒卡", "企业福利卡", "新春限定卡"];
const STATUS_DESC: [&str; 8] =
    ["未知状态", "未绑定", "赠送中", "已赠送", "已绑定", "已过期", "已回收", "已用完"];

fn date_time(day: usize, second: usize) -> String {
    format!(
        "2026-{:02}-{:02} {:02}:{:02}:{:02}",
        1 + day % 12,
        1 + day % 28,
        8 + day % 12,
        day % 60,
        second % 60
    )
}

fn envelope(data: Value) -> Vec<u8> {
    let body = json!({"status": true, "code": 0, "message": "成功", "data": data});
    serde_json::to_vec(&body).expect("JSON values serialize")
}

/// `GetCustomerGiftCardList`'s success body with [`ITEMS`] cards.
pub fn gift_card_body() -> Vec<u8> {
    let cards: Vec<Value> = (0..ITEMS)
        .map(|i| {
            let status = [4, 4, 4, 5, 7, 1][i % 6];
            let (title, face, valid_type) = (TITLES[i % TITLES.len()], [50, 100, 200, 500][i % 4], 1 + i % 3);
            json!({
                "id": format!("88{:08}", 1_000_037 * (i + 1) % 100_000_000),
                "gift_card_id": format!("{}", 30_100 + i % 7),
                "gift_title": title,
                "par_value": format!("{}.{:02}", 20 + i * 37 % 480, i * 13 % 100),
                "cover": format!("https://img.example.test/gift-card/cover-{:03}.png", i % 40),
                "expired_desc": "自绑定之日起 365 天内有效",
                "deduct_amount": format!("{face}.00"),
                "bind_status": i32::from(status != 1),
                "beginAt": date_time(i, i * 7),
                "endAt": date_time(i + 5, i * 11),
                "createdAt": date_time(i + 1, i * 3),
                "status_desc": STATUS_DESC.get(status),
                "status": status,
                "validType": valid_type,
                "isErp": i32::from(i % 5 == 0),
            })
        })
        .collect();
    envelope(Value::Array(cards))
}

/// `UserCouponList`'s success body with [`ITEMS`] coupons.
pub fn coupon_body() -> Vec<u8> {
    let items: Vec<Value> = (0..ITEMS)
        .map(|i| {
            let start = 1_767_196_800 + 86_400 * i as i64;
            json!({
                "id": 5_000_000 + i * 17,
                "coupon_id": 700 + i % 9,
                "start_at": start,
                "end_at": start + 30 * 86_400,
                "status": i32::from(i % 4 == 3),
                "verify_code": format!("{:018}", 164_822_200_532_619_u64 * (i as u64 + 3)),
                "is_lock": 1 + i32::from(i % 10 == 9),
                "date_time": if i % 4 == 3 { "已使用" } else { "30天后过期" },
                "coupon": {
                    "id": 700 + i % 9,
                    "title": format!("满{}减{}", 50 * (1 + i % 4), 5 * (1 + i % 4)),
                    "coupon_type": i32::from(i % 3 == 2),
                    "min_amount_use": 5_000 * (1 + i % 4),
                    "desc": "全场通用，不与其他优惠同享",
                },
            })
        })
        .collect();
    envelope(json!({ "item_list": items }))
}

/// Decodes a gift-card body strictly (the floor of the decode and HTTP comparisons).
pub fn strict_cards(body: &[u8]) -> Result<Vec<StrictCard>, String> {
    let env: StrictEnvelope<Vec<StrictCard>> = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if env.status && env.code == 0 {
        Ok(env.data)
    } else {
        Err(format!("API error {}: {}", env.code, env.message))
    }
}

/// Decodes a coupon-list body strictly.
pub fn strict_coupons(body: &[u8]) -> Result<StrictCouponList, String> {
    let env: StrictEnvelope<StrictCouponList> = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if env.status && env.code == 0 {
        Ok(env.data)
    } else {
        Err(format!("API error {}: {}", env.code, env.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zv_types::{
        BindStatus, CardSource, CouponType, GetCustomerGiftCardList, GiftCardStatus, LockState, Money,
        UserCouponList, ValidType, decode_endpoint,
    };

    #[test]
    fn gift_cards_decode_the_same_both_ways() {
        let body = gift_card_body();
        let strict = strict_cards(&body).unwrap();
        let lenient = decode_endpoint::<GetCustomerGiftCardList>(&body).unwrap();
        assert_eq!((strict.len(), lenient.len()), (ITEMS, ITEMS));
        for (s, l) in strict.iter().zip(&lenient) {
            assert_eq!(s.id, l.id);
            assert_eq!(Some(s.par_value.parse::<Money>().unwrap()), l.par_value);
            assert_eq!(l.status.as_ref().and_then(GiftCardStatus::code), Some(i64::from(s.status)));
            assert_eq!(l.valid_type.as_ref().and_then(ValidType::code), Some(i64::from(s.valid_type)));
            assert_eq!(l.bind_status.as_ref().and_then(BindStatus::code), Some(i64::from(s.bind_status)));
            assert_eq!(l.source.code(), Some(i64::from(s.is_erp)));
            assert_eq!(l.begin_at.as_ref().map(ToString::to_string).as_deref(), Some(s.begin_at.as_str()));
            assert_eq!(l.end_at.as_ref().map(ToString::to_string).as_deref(), Some(s.end_at.as_str()));
        }
        assert_eq!(lenient[0].source, CardSource::Erp);
        assert!(lenient.iter().all(|c| !matches!(c.status, Some(GiftCardStatus::Unknown(_)) | None)));
        assert!(body.len() > 15_000, "about 50 realistic cards: {} bytes", body.len());
    }

    #[test]
    fn coupons_decode_the_same_both_ways() {
        let body = coupon_body();
        let strict = strict_coupons(&body).unwrap().item_list;
        let lenient = decode_endpoint::<UserCouponList>(&body).unwrap().item_list;
        assert_eq!((strict.len(), lenient.len()), (ITEMS, ITEMS));
        for (s, l) in strict.iter().zip(&lenient) {
            assert_eq!(l.id, Some(s.id));
            assert_eq!(l.start_at.as_ref().and_then(|m| m.unix_seconds()), Some(s.start_at));
            assert_eq!(l.is_lock.as_ref().and_then(LockState::code), Some(i64::from(s.is_lock)));
            let coupon = l.coupon.as_ref().unwrap();
            assert_eq!(coupon.min_amount_use, Some(Money::from_fen(s.coupon.min_amount_use)));
            assert_eq!(
                coupon.coupon_type.as_ref().and_then(CouponType::code),
                Some(i64::from(s.coupon.coupon_type))
            );
        }
    }

    #[test]
    fn strict_floors_refuse_errors() {
        let error = br#"{"status":true,"code":40004,"message":"no such member","data":[]}"#;
        assert!(strict_cards(error).unwrap_err().contains("40004"));
    }
}
