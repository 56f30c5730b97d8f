//! Realistic canonical response bodies, and the plain strict `serde` structs of the same
//! shape that the floors decode them into.
//!
//! Canonical means numbers as JSON numbers (codes, ids, Unix seconds, fen), money in yuan as
//! decimal strings for gift cards (as the gateway sends balances), date-times as
//! `YYYY-MM-DD HH:MM:SS` texts, identifiers the API types as strings (card numbers,
//! template ids, redemption codes) as strings.

use std::io::Write;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::server::{Respond, Scratch, write_response};

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
    strict_data(body)
}

/// Decodes a coupon-list body strictly.
pub fn strict_coupons(body: &[u8]) -> Result<StrictCouponList, String> {
    strict_data(body)
}

/// Decodes a body's envelope and its `data` into strict structs; an error answer is an error.
pub fn strict_data<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let env: StrictEnvelope<T> = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if env.status && env.code == 0 {
        Ok(env.data)
    } else {
        Err(format!("API error {}: {}", env.code, env.message))
    }
}

/// The paged endpoint of the pager keys, in the `{data: [...], total}` dialect
/// ([`PageDialect::DataTotal`](zv_types::paging::PageDialect::DataTotal)).
pub const ITEMS_PATH: &str = "/v3/goods/item/getItemList";

const DRINKS: [&str; 5] = ["拿铁咖啡", "美式咖啡", "抹茶拿铁", "柠檬茶", "芝士蛋糕"];

/// The first goods item id; item `n` of the whole scan (from 0) has id `FIRST_ITEM_ID + n`.
const FIRST_ITEM_ID: u64 = 60_000_000;

/// The pages of a goods-item list as a paged server serves them: `pages` pages of
/// `page_size` realistic items in the `DataTotal` dialect. A page is written when asked
/// for, from one page of record templates (only the ids differ between pages), so memory
/// does not grow with the number of pages.
#[derive(Debug, Clone)]
pub struct ItemPages {
    pages: u32,
    page_size: u32,
    /// Per slot of a page: the record after its leading `{"id":<id>` (starting with `,`).
    tails: Vec<String>,
}

/// What a page request carries: the page number and size, as the pager and the hand-written
/// loop both write them (numbers).
#[derive(Deserialize)]
struct PageRequest {
    params: PageParams,
}

#[derive(Deserialize)]
struct PageParams {
    #[serde(rename = "pageNo")]
    page_no: u32,
    #[serde(rename = "pageSize")]
    page_size: u32,
}

impl ItemPages {
    /// `pages` pages of `page_size` items.
    pub fn new(pages: u32, page_size: u32) -> Self {
        let tails = (0..page_size as usize)
            .map(|i| {
                let (drink, size, temperature) =
                    (DRINKS[i % DRINKS.len()], ["大杯", "中杯", "小杯"][i % 3], ["热", "冰", "去冰"][i % 3]);
                let record = json!({
                    "itemNo": format!("SKU-{:06}", 100_000 + i * 37),
                    "name": format!("{drink} {size}"),
                    "categoryId": 10 + i % 8,
                    "price": format!("{}.{:02}", 12 + i % 30, i * 7 % 100),
                    "status": 1 + i32::from(i % 9 == 8),
                    "stock": 1_000 - i % 1_000,
                    "updatedAt": date_time(i, i * 13),
                    "sku": [{"skuId": 900_000 + i, "spec": temperature, "barcode": format!("69{:011}", i * 7_919)}],
                });
                let text = serde_json::to_string(&record).expect("JSON values serialize");
                // `{...}` → `,...}`: the record after its id.
                format!(",{}", &text[1..])
            })
            .collect();
        ItemPages { pages, page_size, tails }
    }

    /// The number of records of all the pages.
    pub fn total(&self) -> u64 {
        u64::from(self.pages) * u64::from(self.page_size)
    }

    /// The success body of page `number` (from 1; beyond the last: no records) into `out`.
    pub fn write_body(&self, number: u32, out: &mut Vec<u8>) {
        out.clear();
        out.extend_from_slice(r#"{"status":true,"code":0,"message":"成功","data":{"data":["#.as_bytes());
        if (1..=self.pages).contains(&number) {
            let first = FIRST_ITEM_ID + u64::from(number - 1) * u64::from(self.page_size);
            for (i, tail) in self.tails.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                // Writing into a Vec cannot fail.
                let _ = write!(out, r#"{{"id":{}"#, first + i as u64);
                out.extend_from_slice(tail.as_bytes());
            }
        }
        let _ = write!(out, r#"],"total":{}}}}}"#, self.total());
    }

    /// The length of page `number`'s body.
    pub fn body_len(&self, number: u32) -> usize {
        let mut body = Vec::new();
        self.write_body(number, &mut body);
        body.len()
    }

    /// The body answering a page request: the page it asks for, or a platform error when the
    /// request is not one (no page number, another page size).
    pub fn answer(&self, request_body: &[u8], out: &mut Vec<u8>) {
        match serde_json::from_slice::<PageRequest>(request_body) {
            Ok(request) if request.params.page_size == self.page_size => {
                self.write_body(request.params.page_no, out);
            }
            Ok(request) => error_body(
                &format!("this server pages by {}, not {}", self.page_size, request.params.page_size),
                out,
            ),
            Err(e) => error_body(&format!("not a page request: {e}"), out),
        }
    }
}

impl Respond for ItemPages {
    fn respond<'a>(&'a self, request_body: &[u8], scratch: &'a mut Scratch) -> &'a [u8] {
        self.answer(request_body, &mut scratch.body);
        write_response(&scratch.body, &mut scratch.response);
        &scratch.response
    }
}

fn error_body(message: &str, out: &mut Vec<u8>) {
    out.clear();
    let body = json!({"status": false, "code": 40009, "message": message});
    serde_json::to_writer(out, &body).expect("JSON values serialize");
}

/// A page's `data` as a hand-written loop reads it, the cheapest reasonable way: the
/// records borrowed from the body, each its JSON text, and the total.
#[derive(Debug, Deserialize)]
pub struct ManualPage<'a> {
    /// The page's records.
    #[serde(borrow)]
    pub data: Vec<&'a RawValue>,
    /// The number of records of the whole scan.
    pub total: u64,
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
    fn item_pages_are_pages_of_their_dialect() {
        use zv_types::paging::{PageDialect, PageOptions, Pager};
        let pages = ItemPages::new(3, 4);
        let mut pager =
            Pager::new(PageDialect::DataTotal, json!({}), PageOptions::default().page_size(4)).unwrap();
        let mut ids = Vec::new();
        let mut body = Vec::new();
        while let Some(params) = pager.next_request_params().unwrap() {
            let request = serde_json::to_vec(&json!({"openId": "x", "params": params})).unwrap();
            pages.answer(&request, &mut body);
            let envelope: StrictEnvelope<&RawValue> = serde_json::from_slice(&body).unwrap();
            let page = pager.on_page(envelope.data.to_owned()).unwrap();
            let manual: ManualPage<'_> = serde_json::from_str(envelope.data.get()).unwrap();
            assert_eq!((manual.data.len(), manual.total), (page.records().len(), 12));
            for record in page.records() {
                let item: Value = serde_json::from_str(record.get()).unwrap();
                assert!(item["name"].is_string() && item["sku"][0]["skuId"].is_u64());
                ids.push(item["id"].as_u64().unwrap());
            }
        }
        assert_eq!(ids, (FIRST_ITEM_ID..FIRST_ITEM_ID + 12).collect::<Vec<_>>());
        assert_eq!(pager.pages_read(), 3);
        // Beyond the last page: no records; the body's length does not depend on the page.
        pages.write_body(4, &mut body);
        let beyond: StrictEnvelope<ManualPage<'_>> = serde_json::from_slice(&body).unwrap();
        assert!(beyond.data.data.is_empty() && beyond.data.total == 12);
        assert_eq!(pages.body_len(1), pages.body_len(3));
        assert!(ItemPages::new(1, 200).body_len(1) > 40_000, "200 realistic items");
    }

    #[test]
    fn item_pages_refuse_other_requests() {
        let pages = ItemPages::new(3, 4);
        let mut body = Vec::new();
        for (request, error) in [
            (json!({"params": {"pageNo": 1, "pageSize": 5}}), "pages by 4, not 5"),
            (json!({"params": {"pageNum": 1, "pageSize": 4}}), "not a page request"),
            (json!({"params": {"pageNo": "1", "pageSize": 4}}), "not a page request"),
        ] {
            pages.answer(&serde_json::to_vec(&request).unwrap(), &mut body);
            let refused: StrictEnvelope<Option<()>> = serde_json::from_slice(&body).unwrap_or_else(|e| {
                panic!("{e}: {}", String::from_utf8_lossy(&body));
            });
            assert!(
                !refused.status && refused.code == 40009 && refused.message.contains(error),
                "{}",
                refused.message
            );
        }
    }

    #[test]
    fn strict_floors_refuse_errors() {
        let error = br#"{"status":true,"code":40004,"message":"no such member","data":[]}"#;
        assert!(strict_cards(error).unwrap_err().contains("40004"));
    }
}
