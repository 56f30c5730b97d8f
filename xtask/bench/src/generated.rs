//! `decode_generated_vs_strict`: the largest documented `data` (the catalogue entry whose
//! data schema has the most fields, nested ones included: `communal.order.order-detail`)
//! decoded by its generated model (`zv_types::endpoints::OrderDetail`, lenient, through
//! `decode_endpoint`) vs plain strict `serde` structs of the same fields, from the same
//! bytes. The body is the mock's own sample data for the entry
//! (`zv_types::catalogue::sample_data`, valid under its schema), its list of discounts
//! scaled to [`DISCOUNTS`] (an order with several discounts; the rest is one order).

use std::hint::black_box;

use serde::Deserialize;
use serde_json::{Value, json};
use zv_types::catalogue::{self, sample_data};
use zv_types::decode_endpoint;
use zv_types::endpoints::OrderDetail;

use crate::harness::{Comparison, Plan, compare, looped};

/// The entry with the largest data schema.
pub const ACTION: &str = "v2:communal.order.order-detail";
/// How many discounts the order carries.
pub const DISCOUNTS: usize = 12;

/// The order's address, strictly.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code, reason = "decoding the fields is the floor's work; nothing reads them")]
pub struct StrictAddr {
    pub accept_name: String,
    pub area_name: String,
    pub city_name: String,
    pub province_name: String,
    pub door_number: String,
    pub label: String,
    pub lat: String,
    pub lng: String,
    pub mobile: String,
    pub order_no: String,
    pub sex: i64,
    pub street: i64,
    pub zip: String,
}

/// One discount, strictly.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code, reason = "decoding the fields is the floor's work; nothing reads them")]
pub struct StrictDiscount {
    pub created_at: String,
    pub discount_amount: i64,
    pub discount_level: i64,
    pub discount_name: String,
    pub discount_summary: String,
    pub discount_type: i64,
}

/// The order detail's `data`, strictly: the same fields as the generated model.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code, reason = "decoding the fields is the floor's work; nothing reads them")]
pub struct StrictOrderDetail {
    pub activity_info_map: Value,
    pub actual_amount: f64,
    pub addr: StrictAddr,
    pub after_sale_status: i64,
    pub biz_sub_type: i64,
    pub biz_type: i64,
    pub buyer_remarks: String,
    pub change_amount: i64,
    pub comment_at: String,
    pub comment_status: i64,
    pub completed_at: String,
    pub cost_amount: i64,
    pub created_at: i64,
    pub discount_amount: i64,
    pub discount_list: Vec<StrictDiscount>,
}

/// Decodes the body strictly.
pub fn strict_order(body: &[u8]) -> Result<StrictOrderDetail, String> {
    crate::fixtures::strict_data(body)
}

/// The success envelope around the entry's sample data, its discounts scaled.
pub fn order_body() -> Result<Vec<u8>, String> {
    let entry = catalogue::lookup(ACTION).ok_or_else(|| format!("{ACTION} is not catalogued"))?;
    let sample = |seed: usize| sample_data(entry, &json!({"orderNo": seed.to_string()}));
    let mut data = sample(0).ok_or_else(|| format!("{ACTION} has no data schema"))?;
    let mut discounts = Vec::new();
    for seed in 0..DISCOUNTS * 4 {
        let more = sample(seed).and_then(|d| d["discountList"].as_array().cloned()).unwrap_or_default();
        discounts.extend(more);
        if discounts.len() >= DISCOUNTS {
            break;
        }
    }
    if discounts.len() < DISCOUNTS {
        return Err(format!("{ACTION}: the sample data has too few discounts"));
    }
    discounts.truncate(DISCOUNTS);
    data["discountList"] = Value::Array(discounts);
    let body = json!({"status": true, "code": 0, "message": "ok", "data": data});
    serde_json::to_vec(&body).map_err(|e| e.to_string())
}

/// The generated model vs strict structs, on the same bytes; both must decode them.
pub fn decode_generated(plan: Plan) -> Result<Comparison, String> {
    let body = order_body()?;
    decode_endpoint::<OrderDetail>(&body).map_err(|e| format!("the generated model: {e}"))?;
    strict_order(&body).map_err(|e| format!("the strict structs: {e}"))?;
    Ok(compare(
        plan,
        looped(|| decode_endpoint::<OrderDetail>(black_box(&body)).expect("zv decodes")),
        looped(|| strict_order(black_box(&body)).expect("strict decodes")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::test_plan as plan;

    #[test]
    fn the_largest_data_schema_is_the_one_measured_and_both_sides_read_every_field() {
        let largest = catalogue::all()
            .iter()
            .filter_map(|e| e.data.map(|d| (count(d.fields), e)))
            .max_by_key(|(n, _)| *n)
            .map(|(_, e)| e)
            .unwrap();
        assert_eq!(Some(largest), catalogue::lookup(ACTION));
        let body = order_body().unwrap();
        let zv = decode_endpoint::<OrderDetail>(&body).unwrap();
        let strict = strict_order(&body).unwrap();
        assert_eq!(zv.discount_list.len(), DISCOUNTS);
        assert_eq!(strict.discount_list.len(), DISCOUNTS);
        assert_eq!(zv.addr.unwrap().mobile, strict.addr.mobile);
        assert_eq!(decode_generated(plan()).unwrap().zv_ns.len(), 2);
    }

    fn count(fields: &[catalogue::Param]) -> usize {
        fields.iter().map(|f| 1 + count(f.fields)).sum()
    }
}
