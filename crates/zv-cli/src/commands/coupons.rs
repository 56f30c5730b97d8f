//! `zv coupons`: a member's coupons, filtered by state, order amount or basket.

use std::io::Write;

use clap::ArgGroup;
use zv_types::{Basket, BasketItem, CouponListParams, CouponStatusFilter, Money};

use super::Context;
use crate::failure::Failure;
use crate::output::format::Format;
use crate::output::typed as output;

/// Examples shown at the end of `zv coupons --help`, sandbox ones first (a test runs those).
pub const EXAMPLES: &str = r#"Examples:
  zv --sandbox coupons --user-id 10001 --status canuse
  zv --sandbox coupons --basket '[{"bar_code":"A1","offline_price":12000,"buy_num":2}]'
  zv coupons --user-id 10001 --amount 10000 --json"#;

/// `zv coupons`'s arguments.
#[derive(Debug, clap::Args)]
#[command(group(ArgGroup::new("filter").args(["status", "amount"]).multiple(true).conflicts_with("basket")))]
pub struct Args {
    /// The member id.
    #[arg(long, value_name = "ID")]
    user_id: Option<u64>,
    /// Only coupons in this state.
    #[arg(long, value_name = "STATUS", value_parser = ["used", "canuse", "expired"])]
    status: Option<String>,
    /// Only coupons usable at this order amount, in fen (10000 = ¥100.00).
    #[arg(long, value_name = "FEN")]
    amount: Option<u64>,
    /// Only coupons usable for this basket: JSON `[{"bar_code":"…","offline_price":120,"buy_num":2}]` (price in fen) or @file.
    #[arg(long, value_name = "JSON|@FILE")]
    basket: Option<String>,
    /// Called from the pay page (from_pay_page=1).
    #[arg(long)]
    from_pay_page: bool,
    /// Multi-store identifier (multi_store_sn).
    #[arg(long, value_name = "SN")]
    store: Option<String>,
}

/// Runs `zv coupons`.
pub(crate) fn run(args: Args, cx: &Context<'_>, out: &mut impl Write) -> Result<(), Failure> {
    let mut p = CouponListParams::new();
    if let Some(id) = args.user_id {
        p = p.user_id(id);
    }
    if args.from_pay_page {
        p = p.from_pay_page(true);
    }
    if let Some(sn) = args.store {
        p = p.multi_store_sn(sn);
    }
    if let Some(s) = args.status {
        p = p.status(s.parse::<CouponStatusFilter>().map_err(Failure::usage)?);
    }
    if let Some(fen) = args.amount {
        let fen = i64::try_from(fen).map_err(|_| Failure::usage("--amount is too large"))?;
        p = p.amount(Money::from_fen(fen));
    }
    if let Some(b) = args.basket {
        let items: Vec<BasketItem> = serde_json::from_value(cx.json_arg("--basket", &b)?).map_err(|e| {
            Failure::usage(format!("--basket is not a list of {{bar_code, offline_price, buy_num}}: {e}"))
        })?;
        p = p.basket(Basket::new(items).map_err(|e| Failure::usage(format!("--basket: {e}")))?);
    }
    let list = cx.connect()?.client.coupons(&p)?;
    output::show(out, &cx.printer(Format::Table), &list, Some("item_list"), |out| {
        output::coupons(out, &list, cx.layout)
    })
    .map_err(Failure::output)
}
