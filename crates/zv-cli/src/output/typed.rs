//! The typed commands' output: their curated tables, or their data in any other format.

use std::io::{self, Write};

use crate::output::data::Data;
use crate::output::format::{Format, Printer};
use crate::output::render::{Column, Grid, Layout};
use serde::Serialize;
use zv_types::{CouponList, GiftCard, Moment, Money};

/// A typed result: `table` (its curated table) for the table format, else the data with its
/// wire field names in the format asked for; `records` names the member whose elements are
/// the records of `jsonl` and `csv` (e.g. a coupon list's `item_list`), if not the data itself.
pub fn show<W: Write>(
    out: &mut W,
    printer: &Printer,
    value: &impl Serialize,
    records: Option<&str>,
    table: impl FnOnce(&mut W) -> io::Result<()>,
) -> io::Result<()> {
    if printer.format == Format::Table {
        return table(out);
    }
    let text = serde_json::to_string(value).map_err(io::Error::other)?;
    let data = Data::from_json(&text).map_err(io::Error::other)?;
    let list = records.and_then(|key| data.member(key)).unwrap_or(&data);
    printer.data_with_records(out, &data, list)
}

fn money(m: Option<Money>) -> String {
    m.map_or_else(|| "-".to_owned(), |m| m.to_string())
}

fn moment(m: Option<&Moment>) -> String {
    m.map_or_else(|| "-".to_owned(), ToString::to_string)
}

fn label<T: std::fmt::Display>(v: Option<&T>) -> String {
    v.map_or_else(|| "-".to_owned(), ToString::to_string)
}

fn or_dash(s: &str) -> &str {
    if s.trim().is_empty() { "-" } else { s }
}

/// The gift cards as a table.
pub fn gift_cards(out: &mut impl Write, cards: &[GiftCard], layout: Layout) -> io::Result<()> {
    if cards.is_empty() {
        return writeln!(out, "no gift cards (没有礼品卡)");
    }
    let mut grid = Grid::new(vec![
        Column::new("卡号 Card"),
        Column::new("名称 Title"),
        Column::new("余额 Balance").right(),
        Column::new("面值 Face value").right().priority(2),
        Column::new("状态 Status"),
        Column::new("有效期 Valid").priority(1),
        Column::new("来源 Source").priority(3),
    ]);
    for c in cards {
        let validity = match (&c.begin_at, &c.end_at) {
            (None, None) => or_dash(&c.expired_desc).to_owned(),
            (b, e) => format!("{} ~ {}", moment(b.as_ref()), moment(e.as_ref())),
        };
        grid.push_row([
            or_dash(&c.id).to_owned(),
            or_dash(&c.gift_title).to_owned(),
            money(c.par_value),
            money(c.deduct_amount),
            label(c.status.as_ref()),
            validity,
            c.source.to_string(),
        ]);
    }
    write!(out, "{}", grid.render(layout))?;
    writeln!(out, "{} card(s)", cards.len())
}

/// The coupons as a table.
pub fn coupons(out: &mut impl Write, list: &CouponList, layout: Layout) -> io::Result<()> {
    if list.item_list.is_empty() {
        return writeln!(out, "no coupons (没有优惠券)");
    }
    let mut grid = Grid::new(vec![
        Column::new("ID"),
        Column::new("券名 Title"),
        Column::new("类型 Type").priority(2),
        Column::new("门槛 Min spend").right().priority(1),
        Column::new("状态 Status"),
        Column::new("锁定 Lock").priority(3),
        Column::new("有效期 Valid").priority(1),
        Column::new("核销码 Code").priority(2),
        Column::new("说明 Note").priority(4),
    ]);
    for c in &list.item_list {
        let coupon = c.coupon.as_ref();
        grid.push_row([
            label(c.id.as_ref()),
            coupon.map_or("-", |k| or_dash(&k.title)).to_owned(),
            label(coupon.and_then(|k| k.coupon_type.as_ref())),
            money(coupon.and_then(|k| k.min_amount_use)),
            label(c.status.as_ref()),
            label(c.is_lock.as_ref()),
            format!("{} ~ {}", moment(c.start_at.as_ref()), moment(c.end_at.as_ref())),
            or_dash(&c.verify_code).to_owned(),
            or_dash(&c.date_time).to_owned(),
        ]);
    }
    write!(out, "{}", grid.render(layout))?;
    writeln!(out, "{} coupon(s)", list.item_list.len())
}

/// Whether an exchange code can be redeemed, in words.
pub fn exchange_code(out: &mut impl Write, code: &str, redeemable: bool) -> io::Result<()> {
    if redeemable {
        writeln!(out, "{code}: redeemable (可兑换)")
    } else {
        writeln!(out, "{code}: not redeemable — unknown or already redeemed (不存在或已兑换)")
    }
}
