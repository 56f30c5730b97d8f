//! Human output (tables whose widths count CJK characters as two columns) and JSON output.

use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, Table, presets};
use serde::Serialize;
use zv_types::{CouponList, GiftCard, Moment, Money};

/// One line of compact JSON: the typed data with its wire field names.
pub fn json(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::other)?;
    writeln!(out)
}

/// Indented JSON for people.
pub fn pretty_json(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::other)?;
    writeln!(out)
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    // comfy-table measures cell widths with unicode-width, so 生日礼品卡 takes ten columns.
    t.load_style(presets::UTF8_FULL_CONDENSED).set_header(header.iter().map(|h| Cell::new(*h)));
    t
}

fn money(m: Option<Money>) -> Cell {
    Cell::new(m.map_or_else(|| "-".to_owned(), |m| m.to_string())).set_alignment(CellAlignment::Right)
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
pub fn gift_cards(out: &mut impl Write, cards: &[GiftCard]) -> io::Result<()> {
    if cards.is_empty() {
        return writeln!(out, "no gift cards (没有礼品卡)");
    }
    let mut t = table(&[
        "卡号 Card",
        "名称 Title",
        "余额 Balance",
        "面值 Face value",
        "状态 Status",
        "有效期 Valid",
        "来源 Source",
    ]);
    for c in cards {
        let validity = match (&c.begin_at, &c.end_at) {
            (None, None) => or_dash(&c.expired_desc).to_owned(),
            (b, e) => format!("{} ~ {}", moment(b.as_ref()), moment(e.as_ref())),
        };
        t.add_row(vec![
            Cell::new(or_dash(&c.id)),
            Cell::new(or_dash(&c.gift_title)),
            money(c.par_value),
            money(c.deduct_amount),
            Cell::new(label(c.status.as_ref())),
            Cell::new(validity),
            Cell::new(c.source.to_string()),
        ]);
    }
    writeln!(out, "{t}")?;
    writeln!(out, "{} card(s)", cards.len())
}

/// The coupons as a table.
pub fn coupons(out: &mut impl Write, list: &CouponList) -> io::Result<()> {
    if list.item_list.is_empty() {
        return writeln!(out, "no coupons (没有优惠券)");
    }
    let mut t = table(&[
        "ID",
        "券名 Title",
        "类型 Type",
        "门槛 Min spend",
        "状态 Status",
        "锁定 Lock",
        "有效期 Valid",
        "核销码 Code",
        "说明 Note",
    ]);
    for c in &list.item_list {
        let coupon = c.coupon.as_ref();
        t.add_row(vec![
            Cell::new(label(c.id.as_ref())),
            Cell::new(coupon.map_or("-", |k| or_dash(&k.title))),
            Cell::new(label(coupon.and_then(|k| k.coupon_type.as_ref()))),
            money(coupon.and_then(|k| k.min_amount_use)),
            Cell::new(label(c.status.as_ref())),
            Cell::new(label(c.is_lock.as_ref())),
            Cell::new(format!("{} ~ {}", moment(c.start_at.as_ref()), moment(c.end_at.as_ref()))),
            Cell::new(or_dash(&c.verify_code)),
            Cell::new(or_dash(&c.date_time)),
        ]);
    }
    writeln!(out, "{t}")?;
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
